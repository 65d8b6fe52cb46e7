//! Leader election settings and their validation.

use std::time::Duration;

/// How often a candidate retries relative to `retry_period` (client-go's jitter factor).
pub const JITTER_FACTOR: f64 = 1.2;

/// Leader election timing and identity.
#[derive(Clone, Debug, PartialEq)]
pub struct LeaderElectionConfig {
    /// This candidate's identity (unique per process, e.g. pod name + random suffix).
    pub identity: String,
    /// How long a lease is valid after it was last seen to change. Non-leaders wait this long
    /// after the last change they observed before taking over.
    pub lease_duration: Duration,
    /// How long the leader keeps retrying to renew before giving up leadership.
    pub renew_deadline: Duration,
    /// Interval between attempts to acquire or renew.
    pub retry_period: Duration,
    /// On a clean stop, write the lease so another candidate can take over at once.
    pub release_on_cancel: bool,
}

impl LeaderElectionConfig {
    /// The conventional timing (15 s / 10 s / 2 s), releasing on cancel.
    pub fn new(identity: &str) -> Self {
        Self {
            identity: identity.to_owned(),
            lease_duration: Duration::from_secs(15),
            renew_deadline: Duration::from_secs(10),
            retry_period: Duration::from_secs(2),
            release_on_cancel: true,
        }
    }

    /// Checks `lease_duration > renew_deadline > JITTER_FACTOR × retry_period > 0` and a
    /// non-empty identity.
    ///
    /// # Errors
    /// [`ConfigError`] naming the rule that is broken.
    pub fn validate(&self) -> Result<(), ConfigError> {
        if self.identity.trim().is_empty() {
            return Err(ConfigError("identity must not be empty".into()));
        }
        if self.retry_period.is_zero() {
            return Err(ConfigError("retry_period must be greater than zero".into()));
        }
        if self.lease_duration <= self.renew_deadline {
            return Err(ConfigError(format!(
                "lease_duration ({:?}) must be greater than renew_deadline ({:?})",
                self.lease_duration, self.renew_deadline
            )));
        }
        if self.renew_deadline.as_secs_f64() <= JITTER_FACTOR * self.retry_period.as_secs_f64() {
            return Err(ConfigError(format!(
                "renew_deadline ({:?}) must be greater than {JITTER_FACTOR} × retry_period ({:?})",
                self.renew_deadline, self.retry_period
            )));
        }
        Ok(())
    }
}

/// An invalid [`LeaderElectionConfig`].
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("invalid leader election config: {0}")]
pub struct ConfigError(String);
