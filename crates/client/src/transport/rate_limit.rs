//! Client-side rate limiting: a token bucket shared by every client built from one config.

use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, PoisonError};
use std::task::{Context, Poll};
use std::time::Duration;

use http::{Request, Response};
use tokio::time::Instant;
use tower::{Layer, Service, ServiceExt};

use super::RequestKind;
use crate::body::Body;
use crate::error::Error;

/// Waits longer than this are reported through tracing (debug; info above one second).
const LONG_WAIT: Duration = Duration::from_millis(50);

/// A token bucket: `qps` requests per second on average, bursts of up to `burst`.
///
/// Cloning shares the bucket, so every client built from one [`Config`](crate::Config) (and its
/// clones) draws from the same budget. The default is client-go's: 5 QPS, burst 10. A QPS of
/// zero or less (or not finite) disables limiting. Watches are exempt.
#[derive(Clone)]
pub struct RateLimit {
    bucket: Option<Arc<Bucket>>,
}

struct Bucket {
    qps: f64,
    burst: u32,
    state: Mutex<(f64, Instant)>,
    requests: AtomicU64,
    throttled: AtomicU64,
    waited_nanos: AtomicU64,
}

/// What a [`RateLimit`] has done so far.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct RateLimitStats {
    /// Requests that passed through the limiter.
    pub requests: u64,
    /// Requests that had to wait.
    pub throttled: u64,
    /// Total time spent waiting.
    pub total_wait: Duration,
}

impl RateLimit {
    /// A new bucket (full) allowing `qps` per second and bursts of `burst` (at least 1).
    pub fn new(qps: f32, burst: u32) -> Self {
        if !(qps.is_finite() && qps > 0.0) {
            return Self::disabled();
        }
        let burst = burst.max(1);
        Self {
            bucket: Some(Arc::new(Bucket {
                qps: f64::from(qps),
                burst,
                state: Mutex::new((f64::from(burst), Instant::now())),
                requests: AtomicU64::new(0),
                throttled: AtomicU64::new(0),
                waited_nanos: AtomicU64::new(0),
            })),
        }
    }

    /// No limit.
    pub fn disabled() -> Self {
        Self { bucket: None }
    }

    /// Queries per second, or `None` when disabled.
    pub fn qps(&self) -> Option<f64> {
        self.bucket.as_ref().map(|b| b.qps)
    }

    /// Burst size, or `None` when disabled.
    pub fn burst(&self) -> Option<u32> {
        self.bucket.as_ref().map(|b| b.burst)
    }

    /// Counters of requests and waits.
    pub fn stats(&self) -> RateLimitStats {
        self.bucket
            .as_ref()
            .map_or_else(RateLimitStats::default, |b| RateLimitStats {
                requests: b.requests.load(Ordering::Relaxed),
                throttled: b.throttled.load(Ordering::Relaxed),
                total_wait: Duration::from_nanos(b.waited_nanos.load(Ordering::Relaxed)),
            })
    }

    /// Waits for a token; returns how long it waited. Cancel-safe: a dropped wait gives its
    /// reservation back.
    pub async fn acquire(&self) -> Duration {
        let Some(b) = &self.bucket else {
            return Duration::ZERO;
        };
        b.requests.fetch_add(1, Ordering::Relaxed);
        let wait = {
            let mut state = b.state.lock().unwrap_or_else(PoisonError::into_inner);
            let now = Instant::now();
            let refill = now.saturating_duration_since(state.1).as_secs_f64() * b.qps;
            state.0 = (state.0 + refill).min(f64::from(b.burst)) - 1.0;
            state.1 = now;
            if state.0 >= 0.0 {
                Duration::ZERO
            } else {
                Duration::from_secs_f64(-state.0 / b.qps)
            }
        };
        if wait.is_zero() {
            return wait;
        }
        b.throttled.fetch_add(1, Ordering::Relaxed);
        let mut refund = Refund(Some(b));
        tokio::time::sleep(wait).await;
        refund.0 = None;
        let nanos = u64::try_from(wait.as_nanos()).unwrap_or(u64::MAX);
        b.waited_nanos.fetch_add(nanos, Ordering::Relaxed);
        if wait > Duration::from_secs(1) {
            tracing::info!(
                ?wait,
                "waited for client-side rate limiting (QPS {}, burst {})",
                b.qps,
                b.burst
            );
        } else if wait > LONG_WAIT {
            tracing::debug!(?wait, "waited for client-side rate limiting");
        }
        wait
    }
}

/// Returns a reserved token when a wait is abandoned.
struct Refund<'a>(Option<&'a Bucket>);

impl Drop for Refund<'_> {
    fn drop(&mut self) {
        if let Some(b) = self.0 {
            let mut state = b.state.lock().unwrap_or_else(PoisonError::into_inner);
            state.0 = (state.0 + 1.0).min(f64::from(b.burst));
        }
    }
}

impl Default for RateLimit {
    fn default() -> Self {
        Self::new(5.0, 10)
    }
}

impl fmt::Debug for RateLimit {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.bucket {
            Some(b) => f
                .debug_struct("RateLimit")
                .field("qps", &b.qps)
                .field("burst", &b.burst)
                .finish(),
            None => f.write_str("RateLimit(disabled)"),
        }
    }
}

impl PartialEq for RateLimit {
    /// Two limits are equal when they share a bucket (or are both disabled).
    fn eq(&self, other: &Self) -> bool {
        match (&self.bucket, &other.bucket) {
            (Some(a), Some(b)) => Arc::ptr_eq(a, b),
            (None, None) => true,
            _ => false,
        }
    }
}

/// Applies a [`RateLimit`] to every request but watches.
#[derive(Clone, Debug)]
pub(crate) struct RateLimitLayer(pub(crate) RateLimit);

impl<S> Layer<S> for RateLimitLayer {
    type Service = RateLimited<S>;
    fn layer(&self, inner: S) -> RateLimited<S> {
        RateLimited {
            inner,
            limit: self.0.clone(),
        }
    }
}

/// The service made by [`RateLimitLayer`].
#[derive(Clone, Debug)]
pub(crate) struct RateLimited<S> {
    inner: S,
    limit: RateLimit,
}

impl<S> Service<Request<Body>> for RateLimited<S>
where
    S: Service<Request<Body>, Response = Response<Body>, Error = Error> + Clone + Send + 'static,
    S::Future: Send,
{
    type Response = Response<Body>;
    type Error = Error;
    type Future = Pin<Box<dyn Future<Output = Result<Response<Body>, Error>> + Send>>;

    fn poll_ready(&mut self, _cx: &mut Context<'_>) -> Poll<Result<(), Error>> {
        Poll::Ready(Ok(()))
    }

    fn call(&mut self, req: Request<Body>) -> Self::Future {
        let inner = self.inner.clone();
        let limit = self.limit.clone();
        Box::pin(async move {
            if RequestKind::of(&req) != RequestKind::Watch {
                limit.acquire().await;
            }
            inner.oneshot(req).await
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test(start_paused = true)]
    async fn burst_then_qps() {
        let limit = RateLimit::new(5.0, 10);
        let start = Instant::now();
        let mut tasks = Vec::new();
        for _ in 0..100 {
            let l = limit.clone();
            tasks.push(tokio::spawn(async move { l.acquire().await }));
        }
        for t in tasks {
            t.await.expect("task");
        }
        // 10 immediately, then 90 at 5/s: 18 s of (virtual) time.
        assert_eq!(start.elapsed().as_secs(), 18);
        let stats = limit.stats();
        assert_eq!((stats.requests, stats.throttled), (100, 90));
        assert!(RateLimit::new(-1.0, 10).qps().is_none());
    }

    #[tokio::test(start_paused = true)]
    async fn abandoned_waits_refund() {
        let limit = RateLimit::new(1.0, 1);
        limit.acquire().await;
        let waiting = tokio::time::timeout(Duration::from_millis(10), limit.acquire()).await;
        assert!(waiting.is_err());
        // The abandoned reservation was returned: the next caller waits one period, not two.
        let start = Instant::now();
        limit.acquire().await;
        assert!(start.elapsed() <= Duration::from_secs(1));
    }
}
