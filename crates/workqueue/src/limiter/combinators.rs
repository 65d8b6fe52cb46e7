//! Limiters built from others or from simple rules: [`MaxOf`], [`FastSlow`],
//! [`WithMaxWait`].

use std::fmt;
use std::hash::Hash;
use std::sync::{Mutex, PoisonError};
use std::time::Duration;

use super::RateLimiter;
use crate::queue::FastMap;

/// The longest delay of several limiters; every part is asked (and counts the failure)
/// each time. `num_requeues` is the largest of the parts', `forget` forgets in all.
/// client-go's `MaxOfRateLimiter`.
///
/// An empty `MaxOf` never delays.
pub struct MaxOf<T> {
    limiters: Vec<Box<dyn RateLimiter<T>>>,
}

impl<T> MaxOf<T> {
    /// A limiter with no parts yet; add them with [`with`](Self::with).
    pub fn new() -> Self {
        Self {
            limiters: Vec::new(),
        }
    }

    /// Adds a part.
    pub fn with<L: RateLimiter<T> + 'static>(mut self, limiter: L) -> Self {
        self.limiters.push(Box::new(limiter));
        self
    }

    /// The number of parts.
    pub fn len(&self) -> usize {
        self.limiters.len()
    }

    /// Whether there are no parts.
    pub fn is_empty(&self) -> bool {
        self.limiters.is_empty()
    }
}

impl<T> Default for MaxOf<T> {
    fn default() -> Self {
        Self::new()
    }
}

impl<T> FromIterator<Box<dyn RateLimiter<T>>> for MaxOf<T> {
    fn from_iter<I: IntoIterator<Item = Box<dyn RateLimiter<T>>>>(iter: I) -> Self {
        Self {
            limiters: iter.into_iter().collect(),
        }
    }
}

impl<T> RateLimiter<T> for MaxOf<T> {
    fn when(&self, item: &T) -> Duration {
        self.limiters
            .iter()
            .map(|limiter| limiter.when(item))
            .fold(Duration::ZERO, Duration::max)
    }

    fn forget(&self, item: &T) {
        for limiter in &self.limiters {
            limiter.forget(item);
        }
    }

    fn num_requeues(&self, item: &T) -> u32 {
        self.limiters
            .iter()
            .map(|limiter| limiter.num_requeues(item))
            .max()
            .unwrap_or(0)
    }
}

impl<T> fmt::Debug for MaxOf<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_list().entries(&self.limiters).finish()
    }
}

/// `fast` for an item's first `max_fast` retries, `slow` after that.
/// client-go's `ItemFastSlowRateLimiter`.
///
/// ```
/// use std::time::Duration;
/// use kapi_workqueue::limiter::{FastSlow, RateLimiter};
///
/// let limiter = FastSlow::new(Duration::from_millis(5), Duration::from_secs(10), 2);
/// assert_eq!(limiter.when(&1), Duration::from_millis(5));
/// assert_eq!(limiter.when(&1), Duration::from_millis(5));
/// assert_eq!(limiter.when(&1), Duration::from_secs(10));
/// ```
pub struct FastSlow<T> {
    fast: Duration,
    slow: Duration,
    max_fast: u32,
    attempts: Mutex<FastMap<T, u32>>,
}

impl<T: Eq + Hash + Clone + Send> FastSlow<T> {
    /// `fast` for the first `max_fast` retries of each item, then `slow`.
    pub fn new(fast: Duration, slow: Duration, max_fast: u32) -> Self {
        Self {
            fast,
            slow,
            max_fast,
            attempts: Mutex::new(FastMap::default()),
        }
    }
}

impl<T: Eq + Hash + Clone + Send> RateLimiter<T> for FastSlow<T> {
    fn when(&self, item: &T) -> Duration {
        let mut attempts = self.attempts.lock().unwrap_or_else(PoisonError::into_inner);
        let count = match attempts.get_mut(item) {
            Some(count) => {
                *count = count.saturating_add(1);
                *count
            }
            None => {
                attempts.insert(item.clone(), 1);
                1
            }
        };
        if count <= self.max_fast {
            self.fast
        } else {
            self.slow
        }
    }

    fn forget(&self, item: &T) {
        let mut attempts = self.attempts.lock().unwrap_or_else(PoisonError::into_inner);
        attempts.remove(item);
    }

    fn num_requeues(&self, item: &T) -> u32 {
        let attempts = self.attempts.lock().unwrap_or_else(PoisonError::into_inner);
        attempts.get(item).copied().unwrap_or(0)
    }
}

impl<T> fmt::Debug for FastSlow<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("FastSlow")
            .field("fast", &self.fast)
            .field("slow", &self.slow)
            .field("max_fast", &self.max_fast)
            .finish_non_exhaustive()
    }
}

/// Another limiter's delay, but never more than `max_wait`.
/// client-go's `WithMaxWaitRateLimiter`.
///
/// ```
/// use std::time::Duration;
/// use kapi_workqueue::limiter::{ExponentialBackoff, RateLimiter, WithMaxWait};
///
/// let backoff = ExponentialBackoff::new(Duration::from_secs(1), Duration::from_secs(1000));
/// let limiter = WithMaxWait::new(backoff, Duration::from_secs(3));
/// let delays: Vec<u64> = (0..4).map(|_| limiter.when(&"x").as_secs()).collect();
/// assert_eq!(delays, [1, 2, 3, 3]);
/// ```
#[derive(Debug)]
pub struct WithMaxWait<L> {
    limiter: L,
    max_wait: Duration,
}

impl<L> WithMaxWait<L> {
    /// Caps `limiter`'s delays at `max_wait`.
    pub fn new(limiter: L, max_wait: Duration) -> Self {
        Self { limiter, max_wait }
    }

    /// The wrapped limiter.
    pub fn inner(&self) -> &L {
        &self.limiter
    }
}

impl<T, L: RateLimiter<T>> RateLimiter<T> for WithMaxWait<L> {
    fn when(&self, item: &T) -> Duration {
        self.limiter.when(item).min(self.max_wait)
    }

    fn forget(&self, item: &T) {
        self.limiter.forget(item);
    }

    fn num_requeues(&self, item: &T) -> u32 {
        self.limiter.num_requeues(item)
    }
}
