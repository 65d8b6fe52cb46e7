//! [`Builder`]: names a queue, attaches metrics, and builds any of the three queues.

use std::fmt;
use std::hash::Hash;
use std::marker::PhantomData;
use std::sync::Arc;
use std::time::Duration;

use crate::limiter::RateLimiter;
use crate::metrics::QueueMetrics;
use crate::{DelayingQueue, Queue, RateLimitingQueue};

/// Default period of the unfinished-work report (client-go's too).
const UNFINISHED_WORK_PERIOD: Duration = Duration::from_millis(500);

/// Configures a queue; get one from [`Queue::builder`], [`DelayingQueue::builder`] or
/// [`RateLimitingQueue::builder`].
///
/// ```
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() {
/// use std::sync::Arc;
/// use kapi_workqueue::{limiter, metrics::NoopMetrics, RateLimitingQueue};
///
/// let queue: RateLimitingQueue<String> = RateLimitingQueue::builder()
///     .name("pods")
///     .metrics(Arc::new(NoopMetrics))
///     .build_rate_limiting(limiter::default_controller());
/// assert!(queue.is_empty());
/// # }
/// ```
pub struct Builder<T> {
    name: Option<String>,
    metrics: Option<Arc<dyn QueueMetrics>>,
    unfinished_work_period: Duration,
    item: PhantomData<fn() -> T>,
}

impl<T: Eq + Hash + Clone + Send + 'static> Default for Builder<T> {
    fn default() -> Self {
        Self::new()
    }
}

impl<T: Eq + Hash + Clone + Send + 'static> Builder<T> {
    /// A builder for an unnamed queue without metrics.
    pub fn new() -> Self {
        Self {
            name: None,
            metrics: None,
            unfinished_work_period: UNFINISHED_WORK_PERIOD,
            item: PhantomData,
        }
    }

    /// Names the queue (shown by `Debug`; metrics adapters take the name themselves).
    pub fn name(mut self, name: impl Into<String>) -> Self {
        self.name = Some(name.into());
        self
    }

    /// Reports the queue's measurements to `metrics`.
    pub fn metrics(mut self, metrics: Arc<dyn QueueMetrics>) -> Self {
        self.metrics = Some(metrics);
        self
    }

    /// How often the unfinished work is reported when metrics are set (default 500 ms;
    /// zero turns the periodic report off, see [`Queue::report_unfinished_work`]).
    ///
    /// The report runs as a Tokio task spawned by `build*` when it is called inside a
    /// runtime; outside one there is no periodic report.
    pub fn unfinished_work_period(mut self, period: Duration) -> Self {
        self.unfinished_work_period = period;
        self
    }

    /// Builds a plain [`Queue`].
    pub fn build(self) -> Queue<T> {
        let has_metrics = self.metrics.is_some();
        let queue = Queue::from_parts(self.name, self.metrics);
        if has_metrics && !self.unfinished_work_period.is_zero() {
            if let Ok(runtime) = tokio::runtime::Handle::try_current() {
                let shared = Arc::downgrade(&queue.shared);
                let period = self.unfinished_work_period;
                runtime.spawn(crate::queue::report_unfinished_work(shared, period));
            }
        }
        queue
    }

    /// Builds a [`DelayingQueue`].
    pub fn build_delaying(self) -> DelayingQueue<T> {
        DelayingQueue::from_queue(self.build())
    }

    /// Builds a [`RateLimitingQueue`] that asks `limiter` how long to delay each retry.
    pub fn build_rate_limiting<L>(self, limiter: L) -> RateLimitingQueue<T>
    where
        L: RateLimiter<T> + 'static,
    {
        RateLimitingQueue::from_parts(self.build_delaying(), Arc::new(limiter))
    }
}

impl<T> fmt::Debug for Builder<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Builder")
            .field("name", &self.name)
            .field("metrics", &self.metrics)
            .field("unfinished_work_period", &self.unfinished_work_period)
            .finish()
    }
}
