//! [`PrometheusMetrics`]: the client-go work queue metrics through `prometheus-client`.

use std::fmt;
use std::sync::atomic::AtomicU64;
use std::sync::Arc;
use std::time::Duration;

use prometheus_client::metrics::counter::Counter;
use prometheus_client::metrics::family::{Family, MetricConstructor};
use prometheus_client::metrics::gauge::Gauge;
use prometheus_client::metrics::histogram::{exponential_buckets, Histogram};
use prometheus_client::registry::Registry;

use super::QueueMetrics;

/// Label set of every metric: the queue's name.
type Labels = [(&'static str, String); 1];

/// Seconds as a float gauge.
type SecondsGauge = Gauge<f64, AtomicU64>;

/// client-go's histogram buckets: ten powers of ten from 10 ns to 10 s.
#[derive(Debug, Clone, Copy)]
struct Buckets;

impl MetricConstructor<Histogram> for Buckets {
    fn new_metric(&self) -> Histogram {
        Histogram::new(exponential_buckets(1e-8, 10.0, 10))
    }
}

/// The work queue metric families, registered once per registry; hand
/// [`queue`](Self::queue) to each queue's [`Builder::metrics`](crate::Builder::metrics).
///
/// Metric names are client-go's, with a `name` label per queue:
/// `workqueue_depth`, `workqueue_adds_total`, `workqueue_queue_duration_seconds`,
/// `workqueue_work_duration_seconds`, `workqueue_unfinished_work_seconds`,
/// `workqueue_longest_running_processor_seconds`, `workqueue_retries_total`.
///
/// ```
/// use prometheus_client::registry::Registry;
/// use kapi_workqueue::{metrics::PrometheusMetrics, Queue};
///
/// let mut registry = Registry::default();
/// let metrics = PrometheusMetrics::new(&mut registry);
/// let queue: Queue<String> = Queue::builder().metrics(metrics.queue("pods")).build();
/// queue.add("default/web".to_string());
///
/// let mut text = String::new();
/// prometheus_client::encoding::text::encode(&mut text, &registry).unwrap();
/// assert!(text.contains(r#"workqueue_adds_total{name="pods"} 1"#));
/// ```
#[derive(Debug, Clone)]
pub struct PrometheusMetrics {
    depth: Family<Labels, Gauge>,
    adds: Family<Labels, Counter>,
    queue_latency: Family<Labels, Histogram, Buckets>,
    work_duration: Family<Labels, Histogram, Buckets>,
    unfinished_work: Family<Labels, SecondsGauge>,
    longest_running: Family<Labels, SecondsGauge>,
    retries: Family<Labels, Counter>,
}

impl PrometheusMetrics {
    /// Creates the metric families and registers them in `registry`.
    pub fn new(registry: &mut Registry) -> Self {
        let metrics = Self {
            depth: Family::default(),
            adds: Family::default(),
            queue_latency: Family::new_with_constructor(Buckets),
            work_duration: Family::new_with_constructor(Buckets),
            unfinished_work: Family::default(),
            longest_running: Family::default(),
            retries: Family::default(),
        };
        registry.register(
            "workqueue_depth",
            "Current depth of workqueue",
            metrics.depth.clone(),
        );
        registry.register(
            "workqueue_adds",
            "Total number of adds handled by workqueue",
            metrics.adds.clone(),
        );
        registry.register(
            "workqueue_queue_duration_seconds",
            "How long in seconds an item stays in workqueue before being requested",
            metrics.queue_latency.clone(),
        );
        registry.register(
            "workqueue_work_duration_seconds",
            "How long in seconds processing an item from workqueue takes",
            metrics.work_duration.clone(),
        );
        registry.register(
            "workqueue_unfinished_work_seconds",
            "How many seconds of work has been done that is in progress and hasn't been \
             observed by work_duration",
            metrics.unfinished_work.clone(),
        );
        registry.register(
            "workqueue_longest_running_processor_seconds",
            "How many seconds has the longest running processor for workqueue been running",
            metrics.longest_running.clone(),
        );
        registry.register(
            "workqueue_retries",
            "Total number of retries handled by workqueue",
            metrics.retries.clone(),
        );
        metrics
    }

    /// The metrics of the queue called `name`.
    pub fn queue(&self, name: &str) -> Arc<PrometheusQueueMetrics> {
        let labels = [("name", name.to_owned())];
        Arc::new(PrometheusQueueMetrics {
            name: name.to_owned(),
            depth: self.depth.get_or_create_owned(&labels),
            adds: self.adds.get_or_create_owned(&labels),
            queue_latency: self.queue_latency.get_or_create_owned(&labels),
            work_duration: self.work_duration.get_or_create_owned(&labels),
            unfinished_work: self.unfinished_work.get_or_create_owned(&labels),
            longest_running: self.longest_running.get_or_create_owned(&labels),
            retries: self.retries.get_or_create_owned(&labels),
        })
    }
}

/// One queue's metrics: handles into the [`PrometheusMetrics`] families, so every hook
/// is a few atomic operations.
pub struct PrometheusQueueMetrics {
    name: String,
    depth: Gauge,
    adds: Counter,
    queue_latency: Histogram,
    work_duration: Histogram,
    unfinished_work: SecondsGauge,
    longest_running: SecondsGauge,
    retries: Counter,
}

impl QueueMetrics for PrometheusQueueMetrics {
    fn add(&self) {
        self.adds.inc();
    }

    fn depth(&self, depth: usize) {
        self.depth.set(i64::try_from(depth).unwrap_or(i64::MAX));
    }

    fn queue_latency(&self, latency: Duration) {
        self.queue_latency.observe(latency.as_secs_f64());
    }

    fn work_duration(&self, duration: Duration) {
        self.work_duration.observe(duration.as_secs_f64());
    }

    fn unfinished_work(&self, total: Duration, longest: Duration) {
        self.unfinished_work.set(total.as_secs_f64());
        self.longest_running.set(longest.as_secs_f64());
    }

    fn retry(&self) {
        self.retries.inc();
    }
}

impl fmt::Debug for PrometheusQueueMetrics {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("PrometheusQueueMetrics")
            .field("name", &self.name)
            .finish_non_exhaustive()
    }
}
