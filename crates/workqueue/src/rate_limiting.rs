//! [`RateLimitingQueue`]: a [`DelayingQueue`] that asks a [`RateLimiter`] how long to
//! wait before each retry.

use std::fmt;
use std::hash::Hash;
use std::ops::Deref;
use std::sync::Arc;

use crate::limiter::{self, RateLimiter};
use crate::queue::Builder;
use crate::{DelayingQueue, Scheduling};

/// A [`DelayingQueue`] with a [`RateLimiter`]: [`add_rate_limited`](Self::add_rate_limited)
/// re-adds a failed item after the limiter's delay, [`forget`](Self::forget) resets its
/// failure count. It dereferences to its [`DelayingQueue`] (and from there to the
/// [`Queue`](crate::Queue)).
///
/// # Example: a controller worker
///
/// ```no_run
/// use kapi_workqueue::RateLimitingQueue;
///
/// async fn reconcile(key: &str) -> Result<(), String> {
///     # let _ = key;
///     Ok(())
/// }
///
/// async fn worker(queue: RateLimitingQueue<String>) {
///     while let Some(key) = queue.get().await {
///         match reconcile(&key).await {
///             Ok(()) => queue.forget(&key),
///             Err(_) => {
///                 queue.add_rate_limited(key.to_string());
///             }
///         }
///         // `key` is dropped here: the item is done.
///     }
/// }
/// ```
pub struct RateLimitingQueue<T> {
    queue: DelayingQueue<T>,
    limiter: Arc<dyn RateLimiter<T>>,
}

impl<T> Clone for RateLimitingQueue<T> {
    fn clone(&self) -> Self {
        Self {
            queue: self.queue.clone(),
            limiter: Arc::clone(&self.limiter),
        }
    }
}

impl<T: Eq + Hash + Clone + Send + 'static> Default for RateLimitingQueue<T> {
    fn default() -> Self {
        Self::new()
    }
}

impl<T: Eq + Hash + Clone + Send + 'static> RateLimitingQueue<T> {
    /// Creates a queue with client-go's default controller rate limiter,
    /// [`limiter::default_controller`].
    pub fn new() -> Self {
        Self::with_limiter(limiter::default_controller())
    }

    /// Creates a queue that uses `limiter`.
    pub fn with_limiter<L: RateLimiter<T> + 'static>(limiter: L) -> Self {
        Builder::new().build_rate_limiting(limiter)
    }

    /// Starts configuring a queue; finish with [`Builder::build_rate_limiting`].
    pub fn builder() -> Builder<T> {
        Builder::new()
    }

    pub(crate) fn from_parts(queue: DelayingQueue<T>, limiter: Arc<dyn RateLimiter<T>>) -> Self {
        Self { queue, limiter }
    }

    /// Adds `item` after the delay the rate limiter gives it (which usually counts one
    /// more failure for it). Ignored, without asking the limiter, after shutdown.
    pub fn add_rate_limited(&self, item: T) -> Scheduling {
        if self.queue.is_shutting_down() {
            return Scheduling::ShutDown;
        }
        let delay = self.limiter.when(&item);
        self.queue.add_after(item, delay)
    }

    /// Tells the rate limiter to forget `item` (reset its failures), typically after it
    /// was processed successfully. Does not remove it from the queue.
    pub fn forget(&self, item: &T) {
        self.limiter.forget(item);
    }

    /// How many times the rate limiter has delayed `item` since it was last forgotten.
    pub fn num_requeues(&self, item: &T) -> u32 {
        self.limiter.num_requeues(item)
    }

    /// The underlying delaying queue (also reachable through `Deref`).
    pub fn delaying(&self) -> &DelayingQueue<T> {
        &self.queue
    }
}

impl<T> Deref for RateLimitingQueue<T> {
    type Target = DelayingQueue<T>;

    fn deref(&self) -> &DelayingQueue<T> {
        &self.queue
    }
}

impl<T> fmt::Debug for RateLimitingQueue<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("RateLimitingQueue")
            .field("queue", &self.queue)
            .field("limiter", &self.limiter)
            .finish()
    }
}
