//! [`ExponentialBackoff`]: per-item `base · 2^failures`, capped.

use std::fmt;
use std::hash::Hash;
use std::sync::{Mutex, PoisonError};
use std::time::Duration;

use super::RateLimiter;
use crate::queue::FastMap;

/// Per-item exponential backoff: the `n`-th retry of an item (counting from 0) waits
/// `base · 2^n`, never more than `max`. client-go's `ItemExponentialFailureRateLimiter`.
///
/// The arithmetic is exact up to the cap and saturates beyond it, for any failure count.
///
/// ```
/// use std::time::Duration;
/// use kapi_workqueue::limiter::{ExponentialBackoff, RateLimiter};
///
/// let backoff = ExponentialBackoff::new(Duration::from_millis(5), Duration::from_secs(1));
/// let delays: Vec<u128> = (0..9).map(|_| backoff.when(&"pod").as_millis()).collect();
/// assert_eq!(delays, [5, 10, 20, 40, 80, 160, 320, 640, 1000]);
/// assert_eq!(backoff.when(&"other").as_millis(), 5); // counted per item
/// ```
pub struct ExponentialBackoff<T> {
    base: Duration,
    max: Duration,
    failures: Mutex<FastMap<T, u32>>,
}

impl<T: Eq + Hash + Clone + Send> ExponentialBackoff<T> {
    /// Backoff starting at `base` and capped at `max`.
    pub fn new(base: Duration, max: Duration) -> Self {
        Self {
            base,
            max,
            failures: Mutex::new(FastMap::default()),
        }
    }

    /// The delay after `failures` earlier failures: `base · 2^failures`, at most `max`.
    pub fn delay(&self, failures: u32) -> Duration {
        backoff(self.base, self.max, failures)
    }
}

/// `base · 2^exp` capped at `max`, without overflow.
pub(crate) fn backoff(base: Duration, max: Duration, exp: u32) -> Duration {
    if base.is_zero() {
        return Duration::ZERO;
    }
    // `base` is at least 1 ns, so from 2^127 on the product exceeds any Duration.
    let Some(factor) = 1u128.checked_shl(exp).filter(|_| exp < 127) else {
        return max;
    };
    match base.as_nanos().checked_mul(factor) {
        Some(nanos) if nanos < max.as_nanos() => from_nanos(nanos),
        _ => max,
    }
}

/// A `Duration` from nanoseconds known to fit (they are below some `Duration`).
fn from_nanos(nanos: u128) -> Duration {
    const NANOS_PER_SEC: u128 = 1_000_000_000;
    let secs = u64::try_from(nanos / NANOS_PER_SEC).unwrap_or(u64::MAX);
    // The remainder is below 10^9 and so fits in u32.
    let subsec = u32::try_from(nanos % NANOS_PER_SEC).unwrap_or(0);
    Duration::new(secs, subsec)
}

impl<T: Eq + Hash + Clone + Send> Default for ExponentialBackoff<T> {
    /// client-go's default: 5 ms doubling up to 1000 s.
    fn default() -> Self {
        Self::new(Duration::from_millis(5), Duration::from_secs(1000))
    }
}

impl<T: Eq + Hash + Clone + Send> RateLimiter<T> for ExponentialBackoff<T> {
    fn when(&self, item: &T) -> Duration {
        let mut failures = self.failures.lock().unwrap_or_else(PoisonError::into_inner);
        let exp = match failures.get_mut(item) {
            Some(count) => {
                let exp = *count;
                *count = count.saturating_add(1);
                exp
            }
            None => {
                failures.insert(item.clone(), 1);
                0
            }
        };
        drop(failures);
        self.delay(exp)
    }

    fn forget(&self, item: &T) {
        let mut failures = self.failures.lock().unwrap_or_else(PoisonError::into_inner);
        failures.remove(item);
    }

    fn num_requeues(&self, item: &T) -> u32 {
        let failures = self.failures.lock().unwrap_or_else(PoisonError::into_inner);
        failures.get(item).copied().unwrap_or(0)
    }
}

impl<T> fmt::Debug for ExponentialBackoff<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let tracked = self.failures.lock().map_or(0, |failures| failures.len());
        f.debug_struct("ExponentialBackoff")
            .field("base", &self.base)
            .field("max", &self.max)
            .field("tracked_items", &tracked)
            .finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const MS: Duration = Duration::from_millis(1);

    #[test]
    fn doubles_until_the_cap() {
        let max = Duration::from_secs(1000);
        assert_eq!(backoff(5 * MS, max, 0), 5 * MS);
        assert_eq!(backoff(5 * MS, max, 1), 10 * MS);
        assert_eq!(backoff(5 * MS, max, 17), 5 * MS * 131_072);
        assert_eq!(backoff(5 * MS, max, 18), max);
    }

    #[test]
    fn huge_failure_counts_saturate() {
        let max = Duration::from_secs(1000);
        for exp in [30, 31, 32, 63, 64, 65, 126, 127, 128, 1000, u32::MAX] {
            assert_eq!(backoff(5 * MS, max, exp), max, "exp {exp}");
        }
        assert_eq!(backoff(Duration::MAX, Duration::MAX, 1), Duration::MAX);
        assert_eq!(
            backoff(Duration::from_nanos(1), Duration::MAX, 90),
            from_nanos(1 << 90)
        );
        assert_eq!(backoff(Duration::ZERO, max, u32::MAX), Duration::ZERO);
    }

    #[test]
    fn base_above_max_gives_max() {
        assert_eq!(backoff(10 * MS, MS, 0), MS);
    }

    #[test]
    fn counts_saturate() {
        let limiter = ExponentialBackoff::new(MS, 10 * MS);
        limiter.failures.lock().unwrap().insert(1, u32::MAX);
        assert_eq!(limiter.when(&1), 10 * MS);
        assert_eq!(limiter.num_requeues(&1), u32::MAX);
    }
}
