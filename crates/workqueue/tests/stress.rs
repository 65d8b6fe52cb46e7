//! Concurrent add/get/done with many workers on a multi-threaded runtime: no add is
//! lost and no item is ever processed by two workers at once. Bounded to about a second.

use std::sync::atomic::{AtomicBool, AtomicU64, AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::Duration;

use kapi_workqueue::{Added, Queue, ShutdownMode};

const KEYS: usize = 64;
const PRODUCERS: usize = 2;
const ADDS_PER_PRODUCER: usize = 150_000;
const WORKERS: usize = 8;

/// Shared bookkeeping, indexed by key.
struct Book {
    /// Bumped before every add of the key.
    version: Vec<AtomicU64>,
    /// Highest version a worker saw when it started processing the key.
    seen: Vec<AtomicU64>,
    /// Set while a worker processes the key.
    busy: Vec<AtomicBool>,
    processed: AtomicUsize,
}

impl Book {
    fn new() -> Self {
        let atomics = || (0..KEYS).map(|_| AtomicU64::new(0)).collect();
        Self {
            version: atomics(),
            seen: atomics(),
            busy: (0..KEYS).map(|_| AtomicBool::new(false)).collect(),
            processed: AtomicUsize::new(0),
        }
    }

    fn add(&self, queue: &Queue<usize>, key: usize) {
        self.version[key].fetch_add(1, Ordering::SeqCst);
        if queue.add(key) == Added::ShutDown {
            // A worker re-adding during the drain: refused by design, not lost.
            self.version[key].fetch_sub(1, Ordering::SeqCst);
        }
    }
}

/// xorshift: cheap deterministic randomness per task.
fn next(state: &mut u64) -> u64 {
    *state ^= *state << 13;
    *state ^= *state >> 7;
    *state ^= *state << 17;
    *state
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn no_lost_adds_and_no_concurrent_processing() {
    let queue: Queue<usize> = Queue::new();
    let book = Arc::new(Book::new());

    let workers: Vec<_> = (0..WORKERS)
        .map(|w| {
            let (queue, book) = (queue.clone(), Arc::clone(&book));
            tokio::spawn(async move {
                let mut rng = 0x9E37_79B9_7F4A_7C15 ^ (w as u64 + 1);
                while let Some(item) = queue.get().await {
                    let key = *item;
                    assert!(
                        !book.busy[key].swap(true, Ordering::SeqCst),
                        "key {key} processed by two workers at once"
                    );
                    let version = book.version[key].load(Ordering::SeqCst);
                    book.seen[key].fetch_max(version, Ordering::SeqCst);
                    match next(&mut rng) % 8 {
                        // Sometimes take a while, letting other adds pile up.
                        0 => tokio::task::yield_now().await,
                        // Sometimes re-add the key being processed (the dirty path).
                        1 => book.add(&queue, key),
                        _ => {}
                    }
                    book.busy[key].store(false, Ordering::SeqCst);
                    book.processed.fetch_add(1, Ordering::Relaxed);
                    // Half the time an explicit done, else the guard's drop.
                    if next(&mut rng) % 2 == 0 {
                        item.done();
                    }
                }
            })
        })
        .collect();

    let producers: Vec<_> = (0..PRODUCERS)
        .map(|p| {
            let (queue, book) = (queue.clone(), Arc::clone(&book));
            tokio::spawn(async move {
                let mut rng = 0xD1B5_4A32_D192_ED03 ^ (p as u64 + 1);
                for i in 0..ADDS_PER_PRODUCER {
                    book.add(&queue, usize::try_from(next(&mut rng)).unwrap() % KEYS);
                    if i % 64 == 0 {
                        tokio::task::yield_now().await;
                    }
                }
            })
        })
        .collect();
    for producer in producers {
        producer.await.unwrap();
    }

    tokio::time::timeout(
        Duration::from_secs(30),
        queue.shutdown_with(ShutdownMode::Drain),
    )
    .await
    .expect("drain finished");
    for worker in workers {
        worker.await.unwrap();
    }

    for key in 0..KEYS {
        let version = book.version[key].load(Ordering::SeqCst);
        assert!(version > 0, "key {key} never added");
        assert_eq!(
            book.seen[key].load(Ordering::SeqCst),
            version,
            "key {key}: its last add was never processed"
        );
    }
    let adds: u64 = book.version.iter().map(|v| v.load(Ordering::SeqCst)).sum();
    let processed = book.processed.load(Ordering::SeqCst) as u64;
    assert!(processed <= adds, "{processed} processings for {adds} adds");
    assert_eq!(queue.len(), 0);
    assert_eq!(queue.in_flight(), 0);
}

#[test]
fn plain_threads_without_a_runtime() {
    // The queue needs no runtime for add, try_get and done.
    let queue: Queue<u32> = Queue::new();
    let taken = Arc::new(AtomicUsize::new(0));
    std::thread::scope(|scope| {
        for t in 0..2u32 {
            let queue = &queue;
            scope.spawn(move || {
                for i in 0..10_000 {
                    queue.add(t * 10_000 + i);
                }
            });
        }
        for _ in 0..2 {
            let (queue, taken) = (&queue, Arc::clone(&taken));
            scope.spawn(move || {
                let mut idle = 0;
                while idle < 1_000_000 && taken.load(Ordering::SeqCst) < 20_000 {
                    match queue.try_get() {
                        Some(_item) => {
                            taken.fetch_add(1, Ordering::SeqCst);
                        }
                        None => {
                            idle += 1;
                            std::thread::yield_now();
                        }
                    }
                }
            });
        }
    });
    assert_eq!(taken.load(Ordering::SeqCst), 20_000);
}
