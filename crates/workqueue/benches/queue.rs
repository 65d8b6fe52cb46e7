//! Work queue hot paths. Results and the command line are in docs/benchmarks.md.
//!
//! - `single_thread/*`: one task adds, gets and marks done, one item at a time (the
//!   `get` fast path) or in batches of 1000 (a deeper queue).
//! - `two_producers_two_workers`: two producer tasks add unique items while two worker
//!   tasks get and finish them, on a two-thread runtime; ends with a drain.
//! - `delaying/add_after_with_100k_pending`: one `add_after` into a queue that already
//!   holds 100 000 waiting items.
//! - `limiter/default_controller_when`: one failure through client-go's default limiter.

use std::hint::black_box;
use std::time::{Duration, Instant};

use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use kapi_workqueue::limiter::{default_controller, RateLimiter};
use kapi_workqueue::{DelayingQueue, Queue, ShutdownMode};

fn current_thread() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("runtime")
}

fn single_thread(c: &mut Criterion) {
    let rt = current_thread();
    let mut group = c.benchmark_group("single_thread");
    group.throughput(Throughput::Elements(1));

    group.bench_function("add_get_done/u64", |b| {
        let queue = Queue::new();
        b.iter_custom(|iters| {
            rt.block_on(async {
                let start = Instant::now();
                for i in 0..iters {
                    queue.add(i);
                    let item = queue.get().await.expect("item");
                    black_box(&*item);
                }
                start.elapsed()
            })
        });
    });

    group.bench_function("add_get_done/string", |b| {
        let keys: Vec<String> = (0..1024).map(|i| format!("default/pod-{i}")).collect();
        let queue = Queue::new();
        b.iter_custom(|iters| {
            rt.block_on(async {
                let start = Instant::now();
                for i in 0..iters {
                    queue.add(keys[(i % 1024) as usize].clone());
                    let item = queue.get().await.expect("item");
                    black_box(&*item);
                }
                start.elapsed()
            })
        });
    });

    group.bench_function("batch_of_1000/u64", |b| {
        let queue = Queue::new();
        b.iter_custom(|iters| {
            rt.block_on(async {
                let start = Instant::now();
                let mut left = iters;
                while left > 0 {
                    let batch = left.min(1000);
                    for i in 0..batch {
                        queue.add(i);
                    }
                    for _ in 0..batch {
                        let item = queue.get().await.expect("item");
                        black_box(&*item);
                    }
                    left -= batch;
                }
                start.elapsed()
            })
        });
    });
    group.finish();
}

fn two_producers_two_workers(c: &mut Criterion) {
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("runtime");
    let mut group = c.benchmark_group("contended");
    group.throughput(Throughput::Elements(1));
    group.bench_function("two_producers_two_workers", |b| {
        b.iter_custom(|iters| {
            rt.block_on(async {
                let queue = Queue::new();
                let start = Instant::now();
                let workers: Vec<_> = (0..2)
                    .map(|_| {
                        let queue = queue.clone();
                        tokio::spawn(async move {
                            while let Some(item) = queue.get().await {
                                black_box(&*item);
                            }
                        })
                    })
                    .collect();
                let producers: Vec<_> = (0..2u64)
                    .map(|p| {
                        let queue = queue.clone();
                        tokio::spawn(async move {
                            for i in 0..iters / 2 {
                                queue.add(p << 62 | i);
                                if i % 256 == 255 {
                                    tokio::task::yield_now().await;
                                }
                            }
                        })
                    })
                    .collect();
                for task in producers {
                    task.await.expect("producer");
                }
                queue.shutdown_with(ShutdownMode::Drain).await;
                for task in workers {
                    task.await.expect("worker");
                }
                start.elapsed()
            })
        });
    });
    group.finish();
}

/// Pseudo-random delays within an hour, so heap pushes land anywhere.
fn delay(i: u64) -> Duration {
    let mixed = i.wrapping_mul(0x9E37_79B9_7F4A_7C15) >> 32;
    Duration::from_millis(1 + mixed % 3_600_000)
}

/// Waiting items already in the queue when `add_after` is timed.
const PENDING: u64 = 100_000;

fn delaying(c: &mut Criterion) {
    let rt = current_thread();
    let _guard = rt.enter();
    let mut group = c.benchmark_group("delaying");
    group.throughput(Throughput::Elements(1));
    group.bench_function("add_after_with_100k_pending", |b| {
        b.iter_custom(|iters| {
            // Fill a queue with 100 000 waiting items (not timed), then time up to
            // 100 000 more add_after calls into it; repeat until `iters` are done.
            let mut timed = Duration::ZERO;
            let mut left = iters;
            while left > 0 {
                let chunk = left.min(PENDING);
                let queue = DelayingQueue::new();
                for i in 0..PENDING {
                    queue.add_after(i, delay(i));
                }
                let start = Instant::now();
                for i in PENDING..PENDING + chunk {
                    queue.add_after(i, delay(i));
                }
                timed += start.elapsed();
                left -= chunk;
            }
            timed
        });
    });
    group.finish();
}

fn limiter(c: &mut Criterion) {
    let rt = current_thread();
    let _guard = rt.enter();
    let limiter = default_controller::<u64>();
    let mut group = c.benchmark_group("limiter");
    group.throughput(Throughput::Elements(1));
    let mut i = 0u64;
    group.bench_function("default_controller_when", |b| {
        b.iter(|| {
            i += 1;
            black_box(limiter.when(&(i % 10_000)))
        });
    });
    group.finish();
}

criterion_group!(
    benches,
    single_thread,
    two_producers_two_workers,
    delaying,
    limiter
);
criterion_main!(benches);
