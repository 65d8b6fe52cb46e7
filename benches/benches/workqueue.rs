//! Work-queue cycles and rate-limiter decisions. Details and the contended and delaying cases:
//! `crates/workqueue/benches/queue.rs`.
//!
//! `cargo bench -p kapi-benches --bench workqueue`

use std::hint::black_box;
use std::time::Instant;

use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use kapi_workqueue::limiter::{default_controller, RateLimiter};
use kapi_workqueue::{Queue, RateLimitingQueue};

fn current_thread() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("runtime")
}

fn queue(c: &mut Criterion) {
    let rt = current_thread();
    let keys: Vec<String> = (0..1024)
        .map(|i| format!("ns-{:03}/pod-{i}", i % 50))
        .collect();
    let mut g = c.benchmark_group("workqueue");
    g.throughput(Throughput::Elements(1));
    g.bench_function("add/get/done cycle (String keys)", |b| {
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
    g.bench_function("add of a key already queued (dedup)", |b| {
        let queue = Queue::new();
        queue.add(keys[0].clone());
        b.iter(|| queue.add(black_box(keys[0].clone())));
    });
    g.bench_function("rate-limited queue: add_rate_limited + forget", |b| {
        let _guard = rt.enter();
        let queue: RateLimitingQueue<String> = RateLimitingQueue::new();
        let mut i = 0usize;
        b.iter(|| {
            i = (i + 1) % keys.len();
            black_box(queue.add_rate_limited(keys[i].clone()));
            queue.forget(&keys[i]);
        });
    });
    g.finish();
}

fn limiter(c: &mut Criterion) {
    let rt = current_thread();
    let _guard = rt.enter();
    let limiter = default_controller::<u64>();
    let mut g = c.benchmark_group("rate_limiter");
    g.throughput(Throughput::Elements(1));
    let mut i = 0u64;
    g.bench_function("default_controller when (10k keys)", |b| {
        b.iter(|| {
            i += 1;
            black_box(limiter.when(&(i % 10_000)))
        });
    });
    g.finish();
}

criterion_group!(benches, queue, limiter);
criterion_main!(benches);
