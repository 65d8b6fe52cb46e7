//! The three shutdown modes, with paused time.

use std::time::Duration;

use kapi_workqueue::{Added, DelayingQueue, Queue, ShutdownMode};
use tokio::time::{sleep, timeout, Instant};

const SECOND: Duration = Duration::from_secs(1);

#[tokio::test(start_paused = true)]
async fn now_drops_queued_items_and_returns_at_once() {
    let queue = Queue::new();
    queue.add_all([1, 2, 3]);
    let in_flight = queue.get().await.unwrap();
    queue.add(1); // dirty: dropped too

    let start = Instant::now();
    queue.shutdown_with(ShutdownMode::Now).await;
    assert_eq!(start.elapsed(), Duration::ZERO);
    assert_eq!(queue.len(), 0);
    assert!(queue.get().await.is_none());

    // The in-flight item finishes on its own and is not re-queued.
    drop(in_flight);
    assert_eq!(queue.len(), 0);
    assert_eq!(queue.in_flight(), 0);
    assert!(queue.get().await.is_none());
}

#[tokio::test(start_paused = true)]
async fn finish_in_flight_waits_for_handed_out_items_only() {
    let queue = Queue::new();
    queue.add_all(["a", "b", "c"]);
    let a = queue.get().await.unwrap();
    let b = queue.get().await.unwrap();
    queue.add("a"); // dirty: dropped by this mode

    tokio::spawn(async move {
        sleep(SECOND).await;
        drop(a);
        sleep(SECOND).await;
        drop(b);
    });
    let start = Instant::now();
    queue.shutdown_with(ShutdownMode::FinishInFlight).await;
    assert_eq!(start.elapsed(), 2 * SECOND);
    // "c" was queued, not in flight: dropped.
    assert_eq!(queue.len(), 0);
    assert!(queue.get().await.is_none());
}

#[tokio::test(start_paused = true)]
async fn finish_in_flight_with_nothing_in_flight_returns_at_once() {
    let queue = Queue::new();
    queue.add(1);
    queue.shutdown_with(ShutdownMode::FinishInFlight).await;
    assert!(queue.get().await.is_none());
}

/// A worker that processes every item for one second and records it.
fn worker(queue: Queue<u32>) -> tokio::task::JoinHandle<Vec<u32>> {
    tokio::spawn(async move {
        let mut seen = Vec::new();
        while let Some(item) = queue.get().await {
            sleep(SECOND).await;
            seen.push(*item);
        }
        seen
    })
}

#[tokio::test(start_paused = true)]
async fn drain_processes_everything_queued_including_dirty_requeues() {
    let queue = Queue::new();
    queue.add_all([1, 2, 3]);
    let first = queue.get().await.unwrap();
    queue.add(1); // dirty: must come back and be processed during the drain
    let workers = [worker(queue.clone()), worker(queue.clone())];
    tokio::spawn(async move {
        sleep(SECOND / 2).await;
        drop(first);
    });

    queue.shutdown_with(ShutdownMode::Drain).await;
    assert_eq!(queue.len(), 0);
    assert_eq!(queue.in_flight(), 0);
    assert_eq!(queue.add(4), Added::ShutDown);

    let mut seen = Vec::new();
    for worker in workers {
        seen.extend(worker.await.unwrap());
    }
    seen.sort_unstable();
    assert_eq!(seen, [1, 2, 3]);
}

#[tokio::test(start_paused = true)]
async fn drain_keeps_an_idle_worker_waiting_for_a_dirty_item() {
    let queue = Queue::new();
    queue.add(1);
    let item = queue.get().await.unwrap();
    queue.add(1);
    let idle_worker = worker(queue.clone());
    let drain = tokio::spawn({
        let queue = queue.clone();
        async move { queue.shutdown_with(ShutdownMode::Drain).await }
    });
    sleep(SECOND).await;
    // The queue is empty, but the dirty item will come back: the worker keeps waiting.
    assert!(!idle_worker.is_finished());
    assert!(!drain.is_finished());
    drop(item);
    drain.await.unwrap();
    assert_eq!(idle_worker.await.unwrap(), [1]);
}

#[tokio::test(start_paused = true)]
async fn drain_then_now_after_a_timeout() {
    let queue = Queue::new();
    queue.add_all([1, 2]);
    // Nobody calls get: a drain cannot finish.
    assert!(timeout(SECOND, queue.shutdown_with(ShutdownMode::Drain))
        .await
        .is_err());
    assert_eq!(queue.len(), 2);
    queue.shutdown_with(ShutdownMode::Now).await;
    assert_eq!(queue.len(), 0);
    // A later, gentler mode cannot bring the items back; it just waits for in-flight.
    queue.shutdown_with(ShutdownMode::Drain).await;
}

#[tokio::test(start_paused = true)]
async fn every_mode_drops_waiting_delayed_items() {
    for mode in [
        ShutdownMode::Now,
        ShutdownMode::FinishInFlight,
        ShutdownMode::Drain,
    ] {
        let queue = DelayingQueue::new();
        queue.add_after(1, SECOND);
        assert_eq!(queue.waiting(), 1);
        queue.shutdown_with(mode).await;
        tokio::task::yield_now().await;
        assert_eq!(queue.waiting(), 0, "{mode:?}");
        sleep(2 * SECOND).await;
        assert_eq!(queue.len(), 0, "{mode:?}");
        assert!(queue.get().await.is_none());
    }
}
