//! An in-process [`LeaseLock`] for tests and single-process setups.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};

use futures::future::BoxFuture;

use super::lock::{LeaderElectionRecord, LeaseLock, LockError};

#[derive(Debug, Default)]
struct Slot {
    record: Option<(LeaderElectionRecord, u64)>,
    writes: u64,
}

/// A lock held in memory with resourceVersion semantics. Clones share the same slot, so several
/// candidates in one process can compete for it. [`MemoryLeaseLock::set_unreachable`] makes every
/// call fail, to simulate a partitioned candidate.
#[derive(Clone, Debug, Default)]
pub struct MemoryLeaseLock {
    slot: Arc<Mutex<Slot>>,
    unreachable: Arc<AtomicBool>,
}

impl MemoryLeaseLock {
    /// A fresh, empty lock.
    pub fn new() -> Self {
        Self::default()
    }

    /// Another handle to the same slot with its own reachability switch.
    pub fn handle(&self) -> Self {
        Self {
            slot: Arc::clone(&self.slot),
            unreachable: Arc::new(AtomicBool::new(false)),
        }
    }

    /// Makes this handle's calls fail (or succeed again).
    pub fn set_unreachable(&self, unreachable: bool) {
        self.unreachable.store(unreachable, Ordering::SeqCst);
    }

    /// The stored record.
    pub fn record(&self) -> Option<LeaderElectionRecord> {
        self.lock().record.as_ref().map(|(r, _)| r.clone())
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Slot> {
        self.slot
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    fn check(&self) -> Result<(), LockError> {
        if self.unreachable.load(Ordering::SeqCst) {
            Err(LockError::Other("unreachable (simulated)".into()))
        } else {
            Ok(())
        }
    }
}

impl LeaseLock for MemoryLeaseLock {
    fn get(&self) -> BoxFuture<'_, Result<Option<(LeaderElectionRecord, String)>, LockError>> {
        let out = self.check().map(|()| {
            self.lock()
                .record
                .as_ref()
                .map(|(r, rv)| (r.clone(), rv.to_string()))
        });
        Box::pin(async move { out })
    }

    fn create(&self, record: LeaderElectionRecord) -> BoxFuture<'_, Result<(), LockError>> {
        let out = self.check().and_then(|()| {
            let mut slot = self.lock();
            if slot.record.is_some() {
                return Err(LockError::Conflict);
            }
            slot.writes += 1;
            let rv = slot.writes;
            slot.record = Some((record, rv));
            Ok(())
        });
        Box::pin(async move { out })
    }

    fn update(
        &self,
        record: LeaderElectionRecord,
        resource_version: String,
    ) -> BoxFuture<'_, Result<(), LockError>> {
        let out = self.check().and_then(|()| {
            let mut slot = self.lock();
            match &slot.record {
                Some((_, rv)) if rv.to_string() == resource_version => {
                    slot.writes += 1;
                    let rv = slot.writes;
                    slot.record = Some((record, rv));
                    Ok(())
                }
                _ => Err(LockError::Conflict),
            }
        });
        Box::pin(async move { out })
    }

    fn describe(&self) -> String {
        "memory lease".to_owned()
    }
}
