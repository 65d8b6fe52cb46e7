//! A controller-style worker loop over a rate-limited work queue.
//!
//! An "informer" task turns (simulated) watch events into `namespace/name` keys; three
//! workers reconcile them. Some keys fail twice before they succeed and are retried with
//! the default controller backoff (5 ms, 10 ms, ...). At the end the queue is drained:
//! every queued key is reconciled before the program exits, with a deadline after which
//! it stops at once.
//!
//! Run with `cargo run -p kapi-workqueue --example controller`.

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use kapi_workqueue::{RateLimitingQueue, ShutdownMode};

/// How many times each key was reconciled successfully.
type Done = Arc<Mutex<BTreeMap<String, u32>>>;

/// Pretend to make the cluster match the desired state of `key`.
async fn reconcile(key: &str, attempt: u32) -> Result<(), String> {
    tokio::time::sleep(Duration::from_millis(2)).await; // talk to the API server
    if key.ends_with('0') && attempt < 2 {
        return Err(format!("{key}: conflict, try again"));
    }
    Ok(())
}

async fn worker(id: usize, queue: RateLimitingQueue<String>, done: Done) {
    while let Some(key) = queue.get().await {
        let attempt = queue.num_requeues(&key);
        match reconcile(&key, attempt).await {
            Ok(()) => {
                // Success: reset the backoff, count it.
                queue.forget(&key);
                *done
                    .lock()
                    .expect("lock")
                    .entry(key.to_string())
                    .or_default() += 1;
            }
            Err(error) => {
                println!("worker {id}: {error} (attempt {attempt})");
                queue.add_rate_limited(key.to_string());
            }
        }
        // `key` (a WorkItem) is dropped here, which marks it done. If an event added the
        // key again while we worked on it, it is queued again now.
    }
    println!("worker {id}: queue shut down");
}

#[tokio::main]
async fn main() {
    let queue: RateLimitingQueue<String> = RateLimitingQueue::builder()
        .name("pods")
        .build_rate_limiting(kapi_workqueue::limiter::default_controller());
    let done = Done::default();

    let workers: Vec<_> = (0..3)
        .map(|id| tokio::spawn(worker(id, queue.clone(), Arc::clone(&done))))
        .collect();

    // The "informer": 200 events about 25 pods; most keys are added several times.
    let informer = tokio::spawn({
        let queue = queue.clone();
        async move {
            for event in 0..200u32 {
                queue.add(format!("default/pod-{}", event * 7 % 25));
                if event % 10 == 0 {
                    tokio::time::sleep(Duration::from_millis(1)).await;
                }
            }
        }
    });
    informer.await.expect("informer");

    // Drain: reconcile everything still queued, including the retries that are due soon.
    tokio::time::sleep(Duration::from_millis(100)).await;
    let drain = queue.shutdown_with(ShutdownMode::Drain);
    if tokio::time::timeout(Duration::from_secs(10), drain)
        .await
        .is_err()
    {
        queue.shutdown_with(ShutdownMode::Now).await;
    }
    for worker in workers {
        worker.await.expect("worker");
    }

    let done = done.lock().expect("lock");
    let total: u32 = done.values().sum();
    println!(
        "{} keys reconciled, {total} successful reconciles for 200 events",
        done.len()
    );
}
