//! Rate limiters: how long a [`RateLimitingQueue`](crate::RateLimitingQueue) waits before
//! retrying an item.
//!
//! | limiter | delay | per item? |
//! |---|---|---|
//! | [`ExponentialBackoff`] | `base · 2^failures`, capped at `max` | yes |
//! | [`TokenBucket`] | none while tokens last, then one token per `1/qps` | no, shared |
//! | [`FastSlow`] | `fast` for the first `n` failures, then `slow` | yes |
//! | [`MaxOf`] | the longest delay of several limiters | as its parts |
//! | [`WithMaxWait`] | another limiter's delay, capped | as its part |
//!
//! [`default_controller`] is client-go's `DefaultControllerRateLimiter`: the maximum of a
//! per-item exponential backoff from 5 ms to 1000 s and a 10 qps / 100 burst bucket for
//! all items together.
//!
//! Limiters keep their state behind their own lock and may return `Duration::MAX` for
//! "never" (a token bucket with rate zero); the queue caps delays at
//! [`MAX_DELAY`](crate::MAX_DELAY). Arithmetic saturates: any number of failures is safe.
//!
//! # Example
//!
//! ```
//! # #[tokio::main(flavor = "current_thread", start_paused = true)]
//! # async fn main() {
//! use std::time::Duration;
//! use kapi_workqueue::limiter::{ExponentialBackoff, FastSlow, MaxOf, RateLimiter};
//!
//! // Retry quickly three times, then every minute, but never faster than the backoff.
//! let limiter = MaxOf::new()
//!     .with(FastSlow::new(Duration::from_millis(10), Duration::from_secs(60), 3))
//!     .with(ExponentialBackoff::new(Duration::from_millis(1), Duration::from_secs(300)));
//! let delays: Vec<Duration> = (0..5).map(|_| limiter.when(&"item")).collect();
//! assert_eq!(delays[0], Duration::from_millis(10));
//! assert_eq!(delays[4], Duration::from_secs(60));
//! assert_eq!(limiter.num_requeues(&"item"), 5);
//! limiter.forget(&"item");
//! assert_eq!(limiter.num_requeues(&"item"), 0);
//! # }
//! ```

mod bucket;
mod combinators;
mod exponential;

use std::fmt;
use std::hash::Hash;
use std::sync::Arc;
use std::time::Duration;

pub use self::bucket::TokenBucket;
pub use self::combinators::{FastSlow, MaxOf, WithMaxWait};
pub use self::exponential::ExponentialBackoff;

/// Decides how long to wait before an item is retried.
///
/// Methods take `&self`: limiters are shared by the queue's handles and keep their
/// state behind interior locks.
pub trait RateLimiter<T>: Send + Sync + fmt::Debug {
    /// The delay before `item` is retried; usually also records one more failure.
    fn when(&self, item: &T) -> Duration;

    /// Forgets `item`'s failures, as if it never failed.
    fn forget(&self, item: &T);

    /// How many times `when` was asked about `item` since it was last forgotten.
    fn num_requeues(&self, item: &T) -> u32;
}

impl<T, L: RateLimiter<T> + ?Sized> RateLimiter<T> for Arc<L> {
    fn when(&self, item: &T) -> Duration {
        (**self).when(item)
    }

    fn forget(&self, item: &T) {
        (**self).forget(item);
    }

    fn num_requeues(&self, item: &T) -> u32 {
        (**self).num_requeues(item)
    }
}

impl<T, L: RateLimiter<T> + ?Sized> RateLimiter<T> for Box<L> {
    fn when(&self, item: &T) -> Duration {
        (**self).when(item)
    }

    fn forget(&self, item: &T) {
        (**self).forget(item);
    }

    fn num_requeues(&self, item: &T) -> u32 {
        (**self).num_requeues(item)
    }
}

/// client-go's default controller rate limiter: the maximum of
/// [`ExponentialBackoff::default`] (5 ms doubling up to 1000 s, per item) and
/// [`TokenBucket::default`] (10 qps, burst 100, all items together).
pub fn default_controller<T: Eq + Hash + Clone + Send + 'static>() -> MaxOf<T> {
    MaxOf::new()
        .with(ExponentialBackoff::default())
        .with(TokenBucket::default())
}
