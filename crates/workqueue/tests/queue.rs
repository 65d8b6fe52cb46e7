//! Queue semantics, as client-go defines them, through the public API.

use std::time::Duration;

use kapi_workqueue::{Added, Queue};
use tokio::time::timeout;

/// Takes every ready item without waiting, marking each done at once.
fn drain_ready<T: Eq + std::hash::Hash + Clone + Send + 'static>(queue: &Queue<T>) -> Vec<T> {
    std::iter::from_fn(|| queue.try_get().map(|item| item.item().clone())).collect()
}

#[test]
fn fifo_order_and_dedup_of_queued_items() {
    let queue = Queue::new();
    assert_eq!(queue.add(1), Added::Queued);
    assert_eq!(queue.add(2), Added::Queued);
    assert_eq!(queue.add(1), Added::Duplicate);
    assert_eq!(queue.add(3), Added::Queued);
    assert_eq!(queue.len(), 3);
    assert!(!queue.is_empty());
    assert_eq!(drain_ready(&queue), [1, 2, 3]);
    assert!(queue.is_empty());
}

#[test]
fn item_added_while_processing_is_requeued_once_when_done() {
    let queue = Queue::new();
    queue.add("a");
    let a = queue.try_get().unwrap();
    assert_eq!(queue.len(), 0);
    assert_eq!(queue.in_flight(), 1);

    assert_eq!(queue.add("a"), Added::Deferred);
    assert_eq!(queue.add("a"), Added::Duplicate);
    // Not handed out while the first copy is processed.
    assert!(queue.try_get().is_none());
    assert_eq!(queue.len(), 0);

    queue.add("b");
    drop(a);
    assert_eq!(queue.in_flight(), 0);
    // "a" goes to the back, after "b", and only once.
    assert_eq!(drain_ready(&queue), ["b", "a"]);
}

#[test]
fn done_without_re_add_forgets_the_item() {
    let queue = Queue::new();
    queue.add(7);
    queue.try_get().unwrap().done();
    assert!(queue.is_empty());
    assert_eq!(queue.in_flight(), 0);
    assert_eq!(queue.add(7), Added::Queued);
}

#[test]
fn explicit_done_through_the_queue() {
    let queue = Queue::new();
    queue.add(1);
    let item = queue.try_get().unwrap();
    queue.add(1);
    queue.done(item);
    assert_eq!(queue.len(), 1);
}

#[test]
fn guard_derefs_and_debugs() {
    let queue = Queue::new();
    queue.add(String::from("ns/name"));
    let item = queue.try_get().unwrap();
    assert_eq!(item.len(), 7);
    assert_eq!(item.item(), "ns/name");
    assert_eq!(item.as_ref(), "ns/name");
    assert_eq!(format!("{item:?}"), r#"WorkItem(Some("ns/name"))"#);
    let debug = format!("{queue:?}");
    assert!(debug.contains("in_flight: 1"), "{debug}");
}

#[test]
fn builder_name_shows_in_debug() {
    let queue: Queue<u8> = Queue::builder().name("pods").build();
    assert!(format!("{queue:?}").contains(r#"name: Some("pods")"#));
}

#[test]
fn add_all_queues_under_one_lock() {
    let queue = Queue::new();
    queue.add(2);
    assert_eq!(queue.add_all([1, 2, 3, 1]), 2);
    assert_eq!(drain_ready(&queue), [2, 1, 3]);
}

#[test]
fn panicking_worker_still_marks_done() {
    let queue = Queue::new();
    queue.add(1);
    let worker_queue = queue.clone();
    let result = std::thread::spawn(move || {
        let _item = worker_queue.try_get().unwrap();
        panic!("reconcile failed");
    })
    .join();
    assert!(result.is_err());
    assert_eq!(queue.in_flight(), 0);
    assert_eq!(queue.add(1), Added::Queued);
}

#[tokio::test(start_paused = true)]
async fn get_waits_for_an_add() {
    let queue = Queue::new();
    let getter = tokio::spawn({
        let queue = queue.clone();
        async move { *queue.get().await.unwrap() }
    });
    tokio::task::yield_now().await;
    assert!(!getter.is_finished());
    queue.add(42);
    assert_eq!(getter.await.unwrap(), 42);
}

#[tokio::test(start_paused = true)]
async fn every_parked_getter_is_woken_by_its_own_add() {
    let queue = Queue::new();
    let getters: Vec<_> = (0..8)
        .map(|_| {
            let queue = queue.clone();
            tokio::spawn(async move {
                let item = queue.get().await.unwrap();
                let value = *item;
                // Keep it in flight until every getter has one.
                tokio::time::sleep(Duration::from_millis(10)).await;
                value
            })
        })
        .collect();
    tokio::task::yield_now().await;
    for value in 0..8 {
        queue.add(value);
    }
    let mut got = Vec::new();
    for getter in getters {
        got.push(
            timeout(Duration::from_secs(5), getter)
                .await
                .unwrap()
                .unwrap(),
        );
    }
    got.sort_unstable();
    assert_eq!(got, (0..8).collect::<Vec<_>>());
}

#[tokio::test(start_paused = true)]
async fn a_cancelled_get_takes_nothing() {
    let queue = Queue::new();
    // Park a get and drop it.
    assert!(timeout(Duration::from_millis(5), queue.get())
        .await
        .is_err());
    queue.add(1);
    assert_eq!(queue.len(), 1);
    assert_eq!(*queue.get().await.unwrap(), 1);
}

#[tokio::test(start_paused = true)]
async fn guard_can_move_to_another_task() {
    let queue = Queue::new();
    queue.add(5);
    let item = queue.get().await.unwrap();
    tokio::spawn(async move {
        assert_eq!(*item, 5);
    })
    .await
    .unwrap();
    assert_eq!(queue.in_flight(), 0);
}

#[tokio::test(start_paused = true)]
async fn requeue_wakes_a_parked_getter() {
    let queue = Queue::new();
    queue.add(1);
    let first = queue.get().await.unwrap();
    let getter = tokio::spawn({
        let queue = queue.clone();
        async move { *queue.get().await.unwrap() }
    });
    tokio::task::yield_now().await;
    queue.add(1); // deferred
    tokio::task::yield_now().await;
    assert!(!getter.is_finished());
    drop(first);
    assert_eq!(
        timeout(Duration::from_secs(5), getter)
            .await
            .unwrap()
            .unwrap(),
        1
    );
}

#[tokio::test(start_paused = true)]
async fn adds_after_shutdown_are_ignored_and_get_returns_none_once_empty() {
    let queue = Queue::new();
    queue.add(1);
    queue.add(2);
    queue.shutdown();
    assert!(queue.is_shutting_down());
    assert_eq!(queue.add(3), Added::ShutDown);
    assert_eq!(*queue.get().await.unwrap(), 1);
    assert_eq!(*queue.get().await.unwrap(), 2);
    assert!(queue.get().await.is_none());
    assert!(queue.get().await.is_none());
}

#[tokio::test(start_paused = true)]
async fn shutdown_wakes_parked_getters() {
    let queue: Queue<u8> = Queue::new();
    let getters: Vec<_> = (0..4)
        .map(|_| {
            let queue = queue.clone();
            tokio::spawn(async move { queue.get().await.is_none() })
        })
        .collect();
    tokio::task::yield_now().await;
    queue.shutdown();
    for getter in getters {
        assert!(timeout(Duration::from_secs(5), getter)
            .await
            .unwrap()
            .unwrap());
    }
}

#[tokio::test(start_paused = true)]
async fn client_go_shutdown_still_requeues_dirty_items() {
    // client-go: after ShutDown, Done of a dirty item still puts it back in the queue.
    let queue = Queue::new();
    queue.add(1);
    let item = queue.get().await.unwrap();
    queue.add(1);
    queue.shutdown();
    // The queue is empty right now: a plain shutdown does not wait for the dirty item.
    assert!(queue.get().await.is_none());
    drop(item);
    assert_eq!(queue.len(), 1);
    assert_eq!(*queue.get().await.unwrap(), 1);
    assert!(queue.get().await.is_none());
}
