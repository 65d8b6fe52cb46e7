//! Leader election on a lease (client-go's algorithm, with kapi's defaults).
//!
//! Candidates try to acquire the lease every `retry_period` (with jitter up to
//! [`JITTER_FACTOR`]×). A lease is expired when `leaseDurationSeconds` have passed since this
//! candidate *observed* the record change — measured on the local monotonic clock, never by
//! comparing the holder's timestamps with ours, so clock skew between machines cannot cause
//! two leaders. The leader renews every `retry_period`; if it cannot renew within
//! `renew_deadline` it steps down. On a clean stop with `release_on_cancel` it writes an empty
//! holder with `leaseDurationSeconds: 1`, so another candidate takes over at once.

mod config;
mod lock;
mod memory;

use std::sync::{Arc, Mutex};
use std::time::Duration;

use kapi_apimachinery::MicroTime;
use tokio::sync::watch;
use tokio::time::Instant;

pub use config::{ConfigError, LeaderElectionConfig, JITTER_FACTOR};
pub use lock::{LeaderElectionRecord, LeaseLock, LockError};
pub use memory::MemoryLeaseLock;

/// Why [`LeaderElector::run`] returned.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ElectionOutcome {
    /// `stop` was signalled (the lease was released if we held it and `release_on_cancel`).
    Stopped,
    /// We were leader and could not renew within `renew_deadline`.
    LostLeadership,
}

/// Campaigns for and holds a lease.
pub struct LeaderElector<L> {
    config: LeaderElectionConfig,
    lock: L,
    observed: Mutex<Option<(LeaderElectionRecord, Instant)>>,
    leading: watch::Sender<bool>,
    leader: watch::Sender<Option<String>>,
}

impl<L> std::fmt::Debug for LeaderElector<L> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("LeaderElector")
            .field("identity", &self.config.identity)
            .field("leading", &*self.leading.borrow())
            .finish_non_exhaustive()
    }
}

impl<L: LeaseLock> LeaderElector<L> {
    /// A candidate with a validated config.
    ///
    /// # Errors
    /// When the config breaks a timing rule (see [`LeaderElectionConfig::validate`]).
    pub fn new(config: LeaderElectionConfig, lock: L) -> Result<Arc<Self>, ConfigError> {
        config.validate()?;
        Ok(Arc::new(Self {
            config,
            lock,
            observed: Mutex::new(None),
            leading: watch::channel(false).0,
            leader: watch::channel(None).0,
        }))
    }

    /// `true` while this candidate holds the lease.
    pub fn is_leader(&self) -> bool {
        *self.leading.borrow()
    }

    /// Turns `true` when leadership is acquired and `false` when it ends.
    pub fn leading(&self) -> watch::Receiver<bool> {
        self.leading.subscribe()
    }

    /// The identity of the current leader as last observed.
    pub fn leader(&self) -> watch::Receiver<Option<String>> {
        self.leader.subscribe()
    }

    /// This candidate's identity.
    pub fn identity(&self) -> &str {
        &self.config.identity
    }

    /// Campaigns until leader, then renews until leadership is lost or `stop` turns `true`.
    pub async fn run(&self, mut stop: watch::Receiver<bool>) -> ElectionOutcome {
        // Campaign.
        loop {
            if *stop.borrow() {
                return ElectionOutcome::Stopped;
            }
            if self.try_acquire_or_renew().await {
                break;
            }
            let jitter = self
                .config
                .retry_period
                .mul_f64(JITTER_FACTOR * rand_fraction());
            if !sleep_or_stop(self.config.retry_period + jitter, &mut stop).await {
                return ElectionOutcome::Stopped;
            }
        }
        tracing::info!(identity = %self.config.identity, lock = %self.lock.describe(), "became leader");
        self.leading.send_replace(true);
        // Hold.
        let mut last_renew = Instant::now();
        loop {
            if !sleep_or_stop(self.config.retry_period, &mut stop).await {
                self.step_down(true).await;
                return ElectionOutcome::Stopped;
            }
            loop {
                let deadline = last_renew + self.config.renew_deadline;
                let attempt = tokio::time::timeout_at(deadline, self.try_acquire_or_renew()).await;
                if attempt == Ok(true) {
                    last_renew = Instant::now();
                    break;
                }
                if Instant::now() >= deadline {
                    tracing::warn!(identity = %self.config.identity, "failed to renew the lease in time; stepping down");
                    self.step_down(false).await;
                    return ElectionOutcome::LostLeadership;
                }
                if !sleep_or_stop(self.config.retry_period, &mut stop).await {
                    self.step_down(true).await;
                    return ElectionOutcome::Stopped;
                }
            }
        }
    }

    async fn step_down(&self, clean: bool) {
        self.leading.send_replace(false);
        if clean && self.config.release_on_cancel {
            self.release().await;
        }
    }

    fn observe(&self, record: &LeaderElectionRecord) -> Instant {
        let mut observed = self
            .observed
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        match &*observed {
            Some((seen, at)) if seen == record => *at,
            _ => {
                let now = Instant::now();
                *observed = Some((record.clone(), now));
                self.leader.send_replace(
                    (!record.holder_identity.is_empty()).then(|| record.holder_identity.clone()),
                );
                now
            }
        }
    }

    /// One attempt: create the lease, take it over when expired or released, or renew it.
    async fn try_acquire_or_renew(&self) -> bool {
        let me = &self.config.identity;
        let now = MicroTime::now();
        let lease_secs = i32::try_from(self.config.lease_duration.as_secs()).unwrap_or(i32::MAX);
        let current = match self.lock.get().await {
            Ok(c) => c,
            Err(e) => {
                tracing::debug!(error = %e, "cannot read the lease");
                return false;
            }
        };
        let Some((old, rv)) = current else {
            let record = LeaderElectionRecord {
                holder_identity: me.clone(),
                lease_duration_seconds: lease_secs,
                acquire_time: Some(now),
                renew_time: Some(now),
                leader_transitions: 0,
            };
            return match self.lock.create(record.clone()).await {
                Ok(()) => {
                    self.observe(&record);
                    true
                }
                Err(_) => false,
            };
        };
        let seen_at = self.observe(&old);
        let duration =
            Duration::from_secs(u64::try_from(old.lease_duration_seconds.max(0)).unwrap_or(0));
        let expired = seen_at + duration <= Instant::now();
        if !old.holder_identity.is_empty() && old.holder_identity != *me && !expired {
            return false;
        }
        let ours = old.holder_identity == *me;
        let record = LeaderElectionRecord {
            holder_identity: me.clone(),
            lease_duration_seconds: lease_secs,
            acquire_time: if ours { old.acquire_time } else { Some(now) },
            renew_time: Some(now),
            leader_transitions: if ours {
                old.leader_transitions
            } else {
                old.leader_transitions.saturating_add(1)
            },
        };
        match self.lock.update(record.clone(), rv).await {
            Ok(()) => {
                self.observe(&record);
                true
            }
            Err(e) => {
                tracing::debug!(error = %e, "lease update failed");
                false
            }
        }
    }

    /// Gives the lease up if we hold it: empty holder, `leaseDurationSeconds: 1`.
    async fn release(&self) {
        let Ok(Some((old, rv))) = self.lock.get().await else {
            return;
        };
        if old.holder_identity != self.config.identity {
            return;
        }
        let now = MicroTime::now();
        let record = LeaderElectionRecord {
            holder_identity: String::new(),
            lease_duration_seconds: 1,
            acquire_time: Some(now),
            renew_time: Some(now),
            leader_transitions: old.leader_transitions,
        };
        if let Err(e) = self.lock.update(record, rv).await {
            tracing::warn!(error = %e, "failed to release the lease");
        }
    }
}

fn rand_fraction() -> f64 {
    rand::random::<f64>()
}

async fn sleep_or_stop(d: Duration, stop: &mut watch::Receiver<bool>) -> bool {
    tokio::select! {
        () = tokio::time::sleep(d) => !*stop.borrow(),
        r = stop.changed() => r.is_ok() && !*stop.borrow(),
    }
}
