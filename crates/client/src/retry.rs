//! [`Backoff`] and [`retry_on_conflict`].

use std::future::Future;
use std::hash::{BuildHasher, Hasher};
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use crate::error::Result;

/// An exponential back-off with jitter: `initial`, then ×`factor` per step, each delay
/// stretched by up to `jitter` (0.1 = +10 %), capped at `cap`; `steps` bounds how many delays
/// [`Backoff::next_delay`] hands out (`None` when used up).
#[derive(Clone, Debug, PartialEq)]
pub struct Backoff {
    /// The first delay.
    pub initial: Duration,
    /// Growth per step (1.0 = constant).
    pub factor: f64,
    /// Random extra fraction of each delay, `0.0..=1.0`.
    pub jitter: f64,
    /// The longest delay.
    pub cap: Duration,
    /// How many delays before giving up; `None` for no limit.
    pub steps: Option<u32>,
    taken: u32,
}

impl Backoff {
    /// A back-off from its parameters.
    pub fn new(
        initial: Duration,
        factor: f64,
        jitter: f64,
        cap: Duration,
        steps: Option<u32>,
    ) -> Self {
        Self {
            initial,
            factor,
            jitter,
            cap,
            steps,
            taken: 0,
        }
    }

    /// client-go's `retry.DefaultRetry` for conflicts: 5 steps of 10 ms, factor 1, jitter 0.1.
    pub fn conflict_default() -> Self {
        Self::new(
            Duration::from_millis(10),
            1.0,
            0.1,
            Duration::from_secs(1),
            Some(5),
        )
    }

    /// The watch default: 800 ms doubling to 30 s, jitter 0.5 (as client-go's reflector),
    /// without a step limit.
    pub fn watch_default() -> Self {
        Self::new(
            Duration::from_millis(800),
            2.0,
            0.5,
            Duration::from_secs(30),
            None,
        )
    }

    /// The next delay, or `None` when the steps are used up.
    pub fn next_delay(&mut self) -> Option<Duration> {
        if self.steps.is_some_and(|s| self.taken >= s) {
            return None;
        }
        let exp = i32::try_from(self.taken).unwrap_or(i32::MAX);
        self.taken = self.taken.saturating_add(1);
        let base = self.initial.as_secs_f64() * self.factor.max(1.0).powi(exp);
        let jittered = base * (1.0 + self.jitter.clamp(0.0, 1.0) * random_unit());
        Some(Duration::from_secs_f64(
            jittered.min(self.cap.as_secs_f64()),
        ))
    }

    /// Starts again from the first delay.
    pub fn reset(&mut self) {
        self.taken = 0;
    }
}

/// A number in `[0, 1)` from the standard library's randomly seeded hasher.
fn random_unit() -> f64 {
    static COUNTER: AtomicU64 = AtomicU64::new(0);
    let mut h = std::collections::hash_map::RandomState::new().build_hasher();
    h.write_u64(COUNTER.fetch_add(1, Ordering::Relaxed));
    (h.finish() >> 11) as f64 / (1u64 << 53) as f64
}

/// Runs `f` until it succeeds, fails with something other than a 409 `Conflict`, or `backoff`
/// runs out (then the last conflict is returned). Each try should read the latest object and
/// apply its change again.
///
/// ```no_run
/// use kapi_api::core::v1::ConfigMap;
/// use kapi_apimachinery::options::UpdateOptions;
/// use kapi_client::{retry_on_conflict, Api, Backoff, Client};
///
/// # async fn demo() -> Result<(), kapi_client::Error> {
/// let cms: Api<ConfigMap> = Api::default_namespaced(Client::try_default()?);
/// retry_on_conflict(Backoff::conflict_default(), || async {
///     let mut cm = cms.get("counter").await?;
///     let data = &mut cm.data;
///     let n: u64 = data.get("n").and_then(|v| v.parse().ok()).unwrap_or(0);
///     data.insert("n".into(), (n + 1).to_string().into());
///     cms.replace("counter", &UpdateOptions::default(), &cm).await
/// })
/// .await?;
/// # Ok(()) }
/// ```
///
/// # Errors
/// The first error that is not a conflict, or the last conflict.
pub async fn retry_on_conflict<T, F, Fut>(mut backoff: Backoff, mut f: F) -> Result<T>
where
    F: FnMut() -> Fut,
    Fut: Future<Output = Result<T>>,
{
    loop {
        match f().await {
            Err(e) if e.is_conflict() => match backoff.next_delay() {
                Some(d) => tokio::time::sleep(d).await,
                None => return Err(e),
            },
            other => return other,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn delays_grow_jitter_and_cap() {
        let mut b = Backoff::new(
            Duration::from_millis(100),
            2.0,
            0.1,
            Duration::from_millis(500),
            Some(5),
        );
        let ds: Vec<Duration> = std::iter::from_fn(|| b.next_delay()).collect();
        assert_eq!(ds.len(), 5);
        assert!(ds[0] >= Duration::from_millis(100) && ds[0] <= Duration::from_millis(110));
        assert!(ds[1] >= Duration::from_millis(200) && ds[1] <= Duration::from_millis(220));
        assert_eq!(ds[4], Duration::from_millis(500));
        b.reset();
        assert!(b.next_delay().is_some());
    }

    #[tokio::test(start_paused = true)]
    async fn conflicts_are_retried_then_given_up() {
        use kapi_apimachinery::meta::Status;
        let conflict = || {
            crate::Error::Api(kapi_apimachinery::ApiError::new(Status::conflict(
                "",
                "configmaps",
                "x",
                "stale",
            )))
        };
        let mut tries = 0;
        let res: Result<()> = retry_on_conflict(Backoff::conflict_default(), || {
            tries += 1;
            let e = conflict();
            async move { Err(e) }
        })
        .await;
        assert!(res.is_err_and(|e| e.is_conflict()));
        assert_eq!(tries, 6);
        let mut tries = 0;
        let res = retry_on_conflict(Backoff::conflict_default(), || {
            tries += 1;
            let r = if tries < 3 {
                Err(conflict())
            } else {
                Ok(tries)
            };
            async move { r }
        })
        .await;
        assert_eq!(res.ok(), Some(3));
    }
}
