//! The lock a leader election runs on: a record stored with optimistic concurrency.

use futures::future::BoxFuture;
use kapi_apimachinery::MicroTime;

/// What a lease holds (client-go's `LeaderElectionRecord`).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct LeaderElectionRecord {
    /// Current holder; empty when released.
    pub holder_identity: String,
    /// Lease duration the holder asked for, in seconds.
    pub lease_duration_seconds: i32,
    /// When the current holder acquired the lease.
    pub acquire_time: Option<MicroTime>,
    /// When the holder last renewed (informational: expiry uses local observation times).
    pub renew_time: Option<MicroTime>,
    /// How many times the lease changed hands.
    pub leader_transitions: i32,
}

/// An error from the lock's store.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum LockError {
    /// The record changed since it was read (409) or was created concurrently.
    #[error("the lease was changed by someone else")]
    Conflict,
    /// Anything else (network, permissions, …).
    #[error("lease store error: {0}")]
    Other(Box<dyn std::error::Error + Send + Sync>),
}

/// Storage for the [`LeaderElectionRecord`], e.g. a `coordination.k8s.io/v1` Lease.
pub trait LeaseLock: Send + Sync + 'static {
    /// The record and its resourceVersion, or `None` when the lock does not exist yet.
    fn get(&self) -> BoxFuture<'_, Result<Option<(LeaderElectionRecord, String)>, LockError>>;
    /// Creates the lock with this record ([`LockError::Conflict`] if it exists).
    fn create(&self, record: LeaderElectionRecord) -> BoxFuture<'_, Result<(), LockError>>;
    /// Replaces the record if its resourceVersion is still `resource_version`.
    fn update(
        &self,
        record: LeaderElectionRecord,
        resource_version: String,
    ) -> BoxFuture<'_, Result<(), LockError>>;
    /// A description for logs, e.g. `leases/kube-system/my-controller`.
    fn describe(&self) -> String;
}
