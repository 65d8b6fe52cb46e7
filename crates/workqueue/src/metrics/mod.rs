//! Queue metrics: a small trait the queue reports to, a no-op implementation and
//! (with the `prometheus` feature) an adapter for `prometheus-client`.
//!
//! The queue calls these hooks while it holds its internal lock, so that gauges are
//! always set in the order the queue changed. Implementations must therefore be cheap
//! and must never block or call back into the queue: atomic counters, gauges and
//! histograms are the intended targets.
//!
//! A queue built without metrics (the default) does not even read the clock; adding
//! metrics costs two clock reads per item.
//!
//! | hook | client-go metric | when |
//! |---|---|---|
//! | [`add`](QueueMetrics::add) | `workqueue_adds_total` | an item is accepted (not a duplicate) |
//! | [`depth`](QueueMetrics::depth) | `workqueue_depth` | the ready queue grew or shrank |
//! | [`queue_latency`](QueueMetrics::queue_latency) | `workqueue_queue_duration_seconds` | `get` hands an item out |
//! | [`work_duration`](QueueMetrics::work_duration) | `workqueue_work_duration_seconds` | an item is done |
//! | [`unfinished_work`](QueueMetrics::unfinished_work) | `workqueue_unfinished_work_seconds`, `workqueue_longest_running_processor_seconds` | periodically (default every 500 ms) |
//! | [`retry`](QueueMetrics::retry) | `workqueue_retries_total` | every accepted `add_after` (so every `add_rate_limited`) |

use std::fmt;
use std::time::Duration;

#[cfg(feature = "prometheus")]
mod prometheus;

#[cfg(feature = "prometheus")]
pub use self::prometheus::{PrometheusMetrics, PrometheusQueueMetrics};

/// Receives the measurements of one queue.
///
/// Every method has an empty default body, so an implementation only overrides what it
/// records. See the [module documentation](self) for when each hook is called.
///
/// # Example
///
/// ```
/// use std::sync::atomic::{AtomicU64, Ordering};
/// use std::sync::Arc;
/// use kapi_workqueue::{metrics::QueueMetrics, Queue};
///
/// #[derive(Debug, Default)]
/// struct CountAdds(AtomicU64);
///
/// impl QueueMetrics for CountAdds {
///     fn add(&self) {
///         self.0.fetch_add(1, Ordering::Relaxed);
///     }
/// }
///
/// let adds = Arc::new(CountAdds::default());
/// let queue: Queue<u32> = Queue::builder().metrics(adds.clone()).build();
/// queue.add(1);
/// queue.add(1); // duplicate: not counted
/// assert_eq!(adds.0.load(Ordering::Relaxed), 1);
/// ```
pub trait QueueMetrics: Send + Sync + fmt::Debug {
    /// An item was accepted by `add`: newly queued, or marked to be re-queued because it
    /// is being processed. Duplicates of a queued item are not counted.
    fn add(&self) {}

    /// The number of items ready in the queue changed to `depth`.
    fn depth(&self, depth: usize) {
        let _ = depth;
    }

    /// An item was handed out by `get`, `latency` after it was first added.
    fn queue_latency(&self, latency: Duration) {
        let _ = latency;
    }

    /// An item was marked done, `duration` after `get` handed it out.
    fn work_duration(&self, duration: Duration) {
        let _ = duration;
    }

    /// Periodic report of the work in progress: `total` is the sum of how long every
    /// item currently being processed has been running, `longest` the longest of them.
    fn unfinished_work(&self, total: Duration, longest: Duration) {
        let _ = (total, longest);
    }

    /// An item was scheduled by `add_after` (which `add_rate_limited` uses).
    fn retry(&self) {}
}

/// Metrics that record nothing.
///
/// A queue without metrics skips the hooks (and the clock reads) entirely, so this type
/// is only needed where a `QueueMetrics` value is required.
#[derive(Debug, Clone, Copy, Default)]
pub struct NoopMetrics;

impl QueueMetrics for NoopMetrics {}
