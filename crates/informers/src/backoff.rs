//! Exponential back-off with jitter and a reset after sustained health (client-go's reflector
//! defaults: 800 ms × 2, cap 30 s, jitter 1.0, reset after 2 min without failures).

use std::time::Duration;

use tokio::time::Instant;

/// Back-off parameters.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct BackoffConfig {
    /// First delay.
    pub initial: Duration,
    /// Multiplier per failure.
    pub factor: f64,
    /// Largest delay.
    pub cap: Duration,
    /// Random extra up to `jitter × delay`.
    pub jitter: f64,
    /// Failures further apart than this start again from `initial`.
    pub reset_after: Duration,
}

impl Default for BackoffConfig {
    fn default() -> Self {
        Self {
            initial: Duration::from_millis(800),
            factor: 2.0,
            cap: Duration::from_secs(30),
            jitter: 1.0,
            reset_after: Duration::from_secs(120),
        }
    }
}

/// Back-off state.
#[derive(Debug)]
pub(crate) struct Backoff {
    config: BackoffConfig,
    current: Duration,
    last_failure: Option<Instant>,
}

impl Backoff {
    pub(crate) fn new(config: BackoffConfig) -> Self {
        Self {
            config,
            current: Duration::ZERO,
            last_failure: None,
        }
    }

    /// The delay before the next attempt after a failure now.
    pub(crate) fn next_delay(&mut self) -> Duration {
        let now = Instant::now();
        let healthy_for = self.last_failure.map(|t| now.saturating_duration_since(t));
        if self.current.is_zero() || healthy_for.is_some_and(|d| d >= self.config.reset_after) {
            self.current = self.config.initial;
        } else {
            self.current = self
                .current
                .mul_f64(self.config.factor)
                .min(self.config.cap);
        }
        self.last_failure = Some(now);
        let jitter = self
            .current
            .mul_f64(self.config.jitter * rand::random::<f64>());
        self.current + jitter
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test(start_paused = true)]
    async fn grows_caps_and_resets() {
        let cfg = BackoffConfig {
            jitter: 0.0,
            ..BackoffConfig::default()
        };
        let mut b = Backoff::new(cfg);
        let delays: Vec<u64> = (0..8).map(|_| b.next_delay().as_millis() as u64).collect();
        assert_eq!(delays, [800, 1600, 3200, 6400, 12800, 25600, 30000, 30000]);
        tokio::time::advance(Duration::from_secs(121)).await;
        assert_eq!(b.next_delay(), Duration::from_millis(800));
        let mut j = Backoff::new(BackoffConfig::default());
        let d = j.next_delay();
        assert!(
            d >= Duration::from_millis(800) && d <= Duration::from_millis(1600),
            "{d:?}"
        );
    }
}
