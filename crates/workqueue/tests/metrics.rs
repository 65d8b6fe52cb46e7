//! Every metrics hook, with a recording implementation and a paused clock.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use kapi_workqueue::metrics::{NoopMetrics, QueueMetrics};
use kapi_workqueue::{DelayingQueue, Queue};
use tokio::time::sleep;

const MS: Duration = Duration::from_millis(1);

#[derive(Debug, Default)]
struct Recorded {
    adds: u32,
    depths: Vec<usize>,
    latencies: Vec<Duration>,
    work: Vec<Duration>,
    unfinished: Vec<(Duration, Duration)>,
    retries: u32,
}

#[derive(Debug, Default)]
struct Recorder(Mutex<Recorded>);

impl Recorder {
    fn take(&self) -> Recorded {
        std::mem::take(&mut *self.0.lock().unwrap())
    }
}

impl QueueMetrics for Recorder {
    fn add(&self) {
        self.0.lock().unwrap().adds += 1;
    }
    fn depth(&self, depth: usize) {
        self.0.lock().unwrap().depths.push(depth);
    }
    fn queue_latency(&self, latency: Duration) {
        self.0.lock().unwrap().latencies.push(latency);
    }
    fn work_duration(&self, duration: Duration) {
        self.0.lock().unwrap().work.push(duration);
    }
    fn unfinished_work(&self, total: Duration, longest: Duration) {
        self.0.lock().unwrap().unfinished.push((total, longest));
    }
    fn retry(&self) {
        self.0.lock().unwrap().retries += 1;
    }
}

fn queue_with(recorder: &Arc<Recorder>) -> Queue<&'static str> {
    Queue::builder()
        .metrics(recorder.clone())
        .unfinished_work_period(Duration::ZERO)
        .build()
}

#[tokio::test(start_paused = true)]
async fn adds_depth_latency_and_work_duration() {
    let recorder = Arc::new(Recorder::default());
    let queue = queue_with(&recorder);
    queue.add("a");
    queue.add("b");
    queue.add("a"); // duplicate: not an add
    sleep(10 * MS).await;
    let a = queue.get().await.unwrap();
    queue.add("a"); // deferred: an add, depth unchanged
    sleep(5 * MS).await;
    drop(a); // re-queued: depth 2
    let b = queue.get().await.unwrap();
    sleep(MS).await;
    drop(b);

    let got = recorder.take();
    assert_eq!(got.adds, 3);
    assert_eq!(got.depths, [1, 2, 1, 2, 1]);
    assert_eq!(got.latencies, [10 * MS, 15 * MS]);
    assert_eq!(got.work, [5 * MS, MS]);
    assert_eq!(got.retries, 0);
}

#[tokio::test(start_paused = true)]
async fn unfinished_work_reports_sum_and_longest() {
    let recorder = Arc::new(Recorder::default());
    let queue = queue_with(&recorder);
    queue.add_all(["a", "b", "c"]);
    let a = queue.get().await.unwrap();
    sleep(30 * MS).await;
    let b = queue.get().await.unwrap();
    sleep(10 * MS).await;
    queue.report_unfinished_work();
    drop((a, b));
    queue.report_unfinished_work();
    assert_eq!(
        recorder.take().unfinished,
        [(50 * MS, 40 * MS), (Duration::ZERO, Duration::ZERO)]
    );
}

#[tokio::test(start_paused = true)]
async fn unfinished_work_is_reported_periodically_until_the_queue_is_dropped() {
    let recorder = Arc::new(Recorder::default());
    let queue: Queue<u8> = Queue::builder()
        .metrics(recorder.clone())
        .unfinished_work_period(100 * MS)
        .build();
    queue.add(1);
    let item = queue.get().await.unwrap();
    sleep(250 * MS).await;
    let reports = recorder.take().unfinished;
    // At 0, 100 and 200 ms.
    assert_eq!(reports.len(), 3, "{reports:?}");
    assert_eq!(reports[2], (200 * MS, 200 * MS));
    drop(item);
    drop(queue);
    sleep(MS * 1000).await;
    assert!(recorder.take().unfinished.len() <= 1);
    assert_eq!(Arc::strong_count(&recorder), 1);
}

#[tokio::test(start_paused = true)]
async fn every_add_after_counts_as_a_retry() {
    let recorder = Arc::new(Recorder::default());
    let queue: DelayingQueue<u8> = DelayingQueue::builder()
        .metrics(recorder.clone())
        .unfinished_work_period(Duration::ZERO)
        .build_delaying();
    queue.add_after(1, MS);
    queue.add_after(1, Duration::ZERO);
    queue.add(2);
    queue.shutdown();
    queue.add_after(3, MS); // after shutdown: not counted
    let got = recorder.take();
    assert_eq!(got.retries, 2);
    assert_eq!(got.adds, 2);
}

#[test]
fn noop_metrics_do_nothing() {
    let metrics = NoopMetrics;
    metrics.add();
    metrics.depth(1);
    metrics.queue_latency(MS);
    metrics.work_duration(MS);
    metrics.unfinished_work(MS, MS);
    metrics.retry();
    // Outside a runtime the builder cannot spawn the periodic report, and does not try.
    let queue: Queue<u8> = Queue::builder().metrics(Arc::new(metrics)).build();
    queue.add(1);
    assert!(format!("{queue:?}").contains("metrics: true"));
}
