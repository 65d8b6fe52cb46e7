//! The rate-limiting queue, on a paused Tokio clock.

use std::time::Duration;

use kapi_workqueue::limiter::{ExponentialBackoff, FastSlow};
use kapi_workqueue::{RateLimitingQueue, Scheduling};
use tokio::time::{sleep, Instant};

const MS: Duration = Duration::from_millis(1);

#[tokio::test(start_paused = true)]
async fn retries_wait_for_the_limiters_delay() {
    let queue = RateLimitingQueue::with_limiter(ExponentialBackoff::new(10 * MS, 80 * MS));
    let start = Instant::now();
    let mut ready_at = Vec::new();
    queue.add("key");
    while let Some(item) = queue.get().await {
        ready_at.push(start.elapsed());
        if ready_at.len() == 6 {
            break;
        }
        // Fail and retry.
        queue.add_rate_limited(*item);
    }
    // Each retry is scheduled right after the previous attempt: 10, 20, 40, 80, 80 ms.
    let expected = [0, 10, 30, 70, 150, 230].map(|ms| ms * MS);
    assert_eq!(ready_at, expected);
    assert_eq!(queue.num_requeues(&"key"), 5);
    queue.forget(&"key");
    assert_eq!(queue.num_requeues(&"key"), 0);
}

#[tokio::test(start_paused = true)]
async fn forget_does_not_remove_a_queued_item() {
    let queue = RateLimitingQueue::with_limiter(FastSlow::new(MS, MS, 1));
    queue.add(1);
    queue.forget(&1);
    assert_eq!(queue.len(), 1);
}

#[tokio::test(start_paused = true)]
async fn add_rate_limited_after_shutdown_leaves_the_limiter_alone() {
    let queue = RateLimitingQueue::with_limiter(FastSlow::new(MS, MS, 1));
    queue.shutdown();
    assert_eq!(queue.add_rate_limited(1), Scheduling::ShutDown);
    assert_eq!(queue.num_requeues(&1), 0);
}

#[tokio::test(start_paused = true)]
async fn default_queue_uses_the_controller_limiter() {
    let queue = RateLimitingQueue::new();
    let start = Instant::now();
    assert_eq!(queue.add_rate_limited("a"), Scheduling::Waiting);
    assert_eq!(queue.waiting(), 1);
    let item = queue.get().await.unwrap();
    assert_eq!(start.elapsed(), 5 * MS);
    queue.add_rate_limited(*item);
    drop(item);
    sleep(9 * MS).await;
    assert_eq!(queue.len(), 0);
    sleep(MS).await;
    // The timer task fires at the same instant: let it run.
    for _ in 0..4 {
        tokio::task::yield_now().await;
    }
    assert_eq!(queue.len(), 1);
    let debug = format!("{queue:?}");
    assert!(debug.contains("RateLimitingQueue"), "{debug}");
    assert!(queue.delaying().queue().len() == 1);
}
