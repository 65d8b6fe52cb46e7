//! The delaying queue, on a paused Tokio clock: every delay is exact and instant.

use std::sync::Arc;
use std::time::Duration;

use kapi_workqueue::metrics::NoopMetrics;
use kapi_workqueue::{Added, DelayingQueue, Scheduling, MAX_DELAY};
use tokio::time::{advance, sleep, Instant};

const MS: Duration = Duration::from_millis(1);

/// Lets the timer task run without moving the clock.
async fn settle() {
    for _ in 0..4 {
        tokio::task::yield_now().await;
    }
}

#[tokio::test(start_paused = true)]
async fn items_become_ready_in_time_order_at_their_time() {
    let queue = DelayingQueue::new();
    let start = Instant::now();
    assert_eq!(queue.add_after("c", 30 * MS), Scheduling::Waiting);
    assert_eq!(queue.add_after("a", 10 * MS), Scheduling::Waiting);
    assert_eq!(queue.add_after("b", 20 * MS), Scheduling::Waiting);
    assert_eq!(queue.waiting(), 3);
    assert_eq!(queue.len(), 0);

    for (name, at) in [("a", 10), ("b", 20), ("c", 30)] {
        let item = queue.get().await.unwrap();
        assert_eq!((*item, start.elapsed()), (name, at * MS));
    }
    assert_eq!(queue.waiting(), 0);
}

#[tokio::test(start_paused = true)]
async fn nothing_is_ready_before_its_time() {
    let queue = DelayingQueue::new();
    queue.add_after(1, 50 * MS);
    settle().await;
    advance(49 * MS).await;
    settle().await;
    assert_eq!(queue.len(), 0);
    advance(MS).await;
    settle().await;
    assert_eq!(queue.len(), 1);
}

#[tokio::test(start_paused = true)]
async fn re_adding_a_waiting_item_only_moves_it_earlier() {
    let queue = DelayingQueue::new();
    let start = Instant::now();
    queue.add_after(1, 100 * MS);
    assert_eq!(queue.add_after(1, 200 * MS), Scheduling::AlreadyEarlier);
    assert_eq!(queue.add_after(1, 100 * MS), Scheduling::AlreadyEarlier);
    assert_eq!(queue.add_after(1, 40 * MS), Scheduling::Waiting);
    assert_eq!(queue.waiting(), 1);
    let item = queue.get().await.unwrap();
    assert_eq!(start.elapsed(), 40 * MS);
    drop(item);
    // The superseded 100 ms entry does not add it a second time.
    sleep(200 * MS).await;
    assert_eq!(queue.len(), 0);
}

#[tokio::test(start_paused = true)]
async fn zero_delay_adds_at_once() {
    let queue = DelayingQueue::new();
    assert_eq!(
        queue.add_after(1, Duration::ZERO),
        Scheduling::Added(Added::Queued)
    );
    assert_eq!(queue.len(), 1);
    assert_eq!(queue.waiting(), 0);
    assert_eq!(
        queue.add_after(1, Duration::ZERO),
        Scheduling::Added(Added::Duplicate)
    );
}

#[tokio::test(start_paused = true)]
async fn a_waiting_item_is_added_like_add_when_its_time_comes() {
    let queue = DelayingQueue::new();
    queue.add(1);
    queue.add_after(1, 10 * MS);
    let item = queue.get().await.unwrap();
    sleep(20 * MS).await;
    // Fired while being processed: deferred, comes back once done (as in client-go).
    assert_eq!(queue.len(), 0);
    drop(item);
    assert_eq!(queue.len(), 1);
}

#[tokio::test(start_paused = true)]
async fn a_new_earliest_item_wakes_the_sleeping_timer() {
    let queue = DelayingQueue::new();
    let start = Instant::now();
    queue.add_after("late", Duration::from_secs(3600));
    settle().await; // the timer now sleeps for an hour
    queue.add_after("early", 5 * MS);
    assert_eq!(*queue.get().await.unwrap(), "early");
    assert_eq!(start.elapsed(), 5 * MS);
}

#[tokio::test(start_paused = true)]
async fn huge_delays_are_capped_not_overflowed() {
    let queue = DelayingQueue::new();
    assert_eq!(queue.add_after(1, Duration::MAX), Scheduling::Waiting);
    assert_eq!(queue.add_after(2, MAX_DELAY * 2), Scheduling::Waiting);
    sleep(Duration::from_secs(10 * 365 * 24 * 3600)).await;
    assert_eq!(queue.len(), 0);
    assert_eq!(queue.waiting(), 2);
}

#[tokio::test(start_paused = true)]
async fn many_waiting_items_share_one_timer_and_keep_order() {
    let queue = DelayingQueue::new();
    let n = 10_000u64;
    for i in 0..n {
        // Reverse order of readiness, with many equal times.
        queue.add_after(i, MS * u32::try_from((n - i) / 10).unwrap() + MS);
    }
    assert_eq!(queue.waiting(), usize::try_from(n).unwrap());
    sleep(Duration::from_secs(2)).await;
    assert_eq!(queue.len(), usize::try_from(n).unwrap());
    let first = queue.try_get().unwrap();
    // Earliest time first; among equal times, the order of scheduling.
    assert_eq!(*first, n - 9);
}

#[tokio::test(start_paused = true)]
async fn shutdown_drops_waiting_items_and_refuses_new_ones() {
    let queue = DelayingQueue::new();
    queue.add_after(1, 10 * MS);
    queue.shutdown();
    settle().await;
    assert_eq!(queue.waiting(), 0);
    assert_eq!(queue.add_after(2, 10 * MS), Scheduling::ShutDown);
    sleep(20 * MS).await;
    assert!(queue.get().await.is_none());
}

#[tokio::test(start_paused = true)]
async fn dropping_the_last_handle_stops_the_timer_task() {
    // The metrics are owned by the queue, which the timer task keeps alive while it
    // runs: once every handle is dropped, only our reference may remain.
    let metrics = Arc::new(NoopMetrics);
    let queue: DelayingQueue<u32> = DelayingQueue::builder()
        .metrics(metrics.clone())
        .unfinished_work_period(Duration::ZERO)
        .build_delaying();
    queue.add_after(1, Duration::from_secs(3600));
    settle().await;
    assert!(Arc::strong_count(&metrics) > 1);
    let clone = queue.clone();
    drop(queue);
    settle().await;
    assert!(Arc::strong_count(&metrics) > 1);
    drop(clone);
    settle().await;
    assert_eq!(Arc::strong_count(&metrics), 1);
}

#[tokio::test(start_paused = true)]
async fn debug_shows_waiting_count() {
    let queue = DelayingQueue::new();
    queue.add_after('x', MS);
    let debug = format!("{queue:?}");
    assert!(debug.contains("waiting: 1"), "{debug}");
    assert_eq!(queue.queue().len(), 0);
}
