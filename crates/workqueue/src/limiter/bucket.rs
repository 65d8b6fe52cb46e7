//! [`TokenBucket`]: one bucket shared by all items.

use std::fmt;
use std::sync::{Mutex, PoisonError};
use std::time::Duration;

use tokio::time::Instant;

use super::RateLimiter;
use crate::Error;

/// A token bucket shared by all items: `burst` retries may go at once, after that one
/// every `1/qps` seconds. client-go's `BucketRateLimiter` (which wraps Go's
/// `rate.Limiter` and reserves a token per retry); per-item methods are no-ops.
///
/// A retry that finds the bucket empty is not refused: it reserves the next token and
/// is delayed until that token exists, so delays grow by `1/qps` per waiting retry.
/// `qps = 0` allows `burst` retries and then returns `Duration::MAX` ("never");
/// `qps = ∞` never delays. With `burst = 0` and a finite rate nothing is ever allowed,
/// as in Go.
///
/// Uses Tokio's clock, so paused-time tests are deterministic.
///
/// ```
/// # #[tokio::main(flavor = "current_thread", start_paused = true)]
/// # async fn main() -> Result<(), kapi_workqueue::Error> {
/// use std::time::Duration;
/// use kapi_workqueue::limiter::{RateLimiter, TokenBucket};
///
/// let bucket = TokenBucket::new(10.0, 2)?; // 10 per second, 2 at once
/// assert_eq!(bucket.when(&"a"), Duration::ZERO);
/// assert_eq!(bucket.when(&"b"), Duration::ZERO);
/// assert_eq!(bucket.when(&"c"), Duration::from_millis(100));
/// assert_eq!(bucket.when(&"d"), Duration::from_millis(200));
/// # Ok(())
/// # }
/// ```
pub struct TokenBucket {
    qps: f64,
    burst: u32,
    rate: Rate,
    state: Mutex<BucketState>,
}

#[derive(Debug, Clone, Copy)]
enum Rate {
    /// Never delays.
    Unlimited,
    /// One token per interval (may round to zero for huge rates).
    Every(Duration),
    /// No refill: `burst` tokens, then never.
    Never,
}

#[derive(Debug)]
enum BucketState {
    /// Until the first `when`: a full bucket.
    Fresh,
    /// Time at which the bucket would be full again with every reserved token paid,
    /// the "theoretical arrival time" of the generic cell rate algorithm.
    Full(Instant),
    /// No refill: tokens handed out so far.
    Used(u32),
}

impl TokenBucket {
    /// A bucket that refills `qps` tokens per second and holds at most `burst`; it starts
    /// full.
    ///
    /// # Errors
    ///
    /// [`Error::InvalidRate`] if `qps` is negative or NaN.
    pub fn new(qps: f64, burst: u32) -> Result<Self, Error> {
        let rate = if qps.is_nan() || qps < 0.0 {
            return Err(Error::InvalidRate { qps });
        } else if qps == f64::INFINITY {
            Rate::Unlimited
        } else if qps == 0.0 {
            Rate::Never
        } else {
            // A rate so small that one token takes longer than a Duration can hold
            // never refills in practice.
            Duration::try_from_secs_f64(1.0 / qps).map_or(Rate::Never, Rate::Every)
        };
        Ok(Self {
            qps,
            burst,
            rate,
            state: Mutex::new(BucketState::Fresh),
        })
    }

    /// Takes one token now; returns how long until that token is available.
    fn reserve(&self) -> Duration {
        let mut state = self.state.lock().unwrap_or_else(PoisonError::into_inner);
        match self.rate {
            Rate::Unlimited => Duration::ZERO,
            Rate::Never => {
                let used = match *state {
                    BucketState::Used(used) => used,
                    _ => 0,
                };
                if used < self.burst {
                    *state = BucketState::Used(used + 1);
                    Duration::ZERO
                } else {
                    Duration::MAX
                }
            }
            Rate::Every(interval) => {
                if self.burst == 0 {
                    return Duration::MAX;
                }
                let now = Instant::now();
                let full_at = match *state {
                    BucketState::Full(at) => at.max(now),
                    _ => now,
                };
                let Some(full_at) = full_at.checked_add(interval) else {
                    return Duration::MAX;
                };
                *state = BucketState::Full(full_at);
                // The reserved token exists once the bucket is no more than `burst`
                // tokens short of full.
                let span = interval.checked_mul(self.burst).unwrap_or(Duration::MAX);
                full_at.saturating_duration_since(now).saturating_sub(span)
            }
        }
    }
}

impl Default for TokenBucket {
    /// client-go's default: 10 qps, burst 100.
    fn default() -> Self {
        Self {
            qps: 10.0,
            burst: 100,
            rate: Rate::Every(Duration::from_millis(100)),
            state: Mutex::new(BucketState::Fresh),
        }
    }
}

impl<T> RateLimiter<T> for TokenBucket {
    fn when(&self, _item: &T) -> Duration {
        self.reserve()
    }

    fn forget(&self, _item: &T) {}

    fn num_requeues(&self, _item: &T) -> u32 {
        0
    }
}

impl fmt::Debug for TokenBucket {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("TokenBucket")
            .field("qps", &self.qps)
            .field("burst", &self.burst)
            .finish_non_exhaustive()
    }
}
