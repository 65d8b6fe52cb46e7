//! Expectations: the controller's own writes that its cache has not shown yet.
//!
//! The reconciler counts Pods in the informer cache. Right after it created two Pods, the
//! cache may not hold them yet; a reconcile in that window would count too few Pods and create
//! more. client-go's ReplicaSet controller guards against this with *expectations*, and so does
//! this one: after creating or deleting Pods it remembers their names, and it changes the
//! number of Pods again only once the cache shows every one of those writes (created Pods
//! present, deleted Pods gone or terminating) — or after [`EXPIRY`], in case a write was
//! undone before the cache ever saw it.

use std::collections::{BTreeSet, HashMap};
use std::sync::{Mutex, PoisonError};
use std::time::{Duration, Instant};

/// Pending expectations are dropped after this long.
pub(crate) const EXPIRY: Duration = Duration::from_secs(15);

/// What the cache says about a Pod name.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Seen {
    /// Not in the cache.
    Absent,
    /// In the cache, not being deleted.
    Present,
    /// In the cache with a deletion timestamp.
    Terminating,
}

#[derive(Debug)]
struct Pending {
    creates: BTreeSet<String>,
    deletes: BTreeSet<String>,
    since: Instant,
}

/// Writes awaiting observation, per owner key (`namespace/name`).
#[derive(Debug, Default)]
pub(crate) struct Expectations {
    pending: Mutex<HashMap<String, Pending>>,
}

impl Expectations {
    fn with<T>(&self, f: impl FnOnce(&mut HashMap<String, Pending>) -> T) -> T {
        f(&mut self.pending.lock().unwrap_or_else(PoisonError::into_inner))
    }

    fn entry<'a>(map: &'a mut HashMap<String, Pending>, key: &str) -> &'a mut Pending {
        map.entry(key.to_owned()).or_insert_with(|| Pending {
            creates: BTreeSet::new(),
            deletes: BTreeSet::new(),
            since: Instant::now(),
        })
    }

    /// Pods `names` were created for `key`.
    pub(crate) fn created(&self, key: &str, names: impl IntoIterator<Item = String>) {
        self.with(|m| {
            let e = Self::entry(m, key);
            e.creates.extend(names);
            e.since = Instant::now();
        });
    }

    /// Pods `names` were deleted for `key`.
    pub(crate) fn deleted(&self, key: &str, names: impl IntoIterator<Item = String>) {
        self.with(|m| {
            let e = Self::entry(m, key);
            e.deletes.extend(names);
            e.since = Instant::now();
        });
    }

    /// `true` when the cache shows every write made for `key` (observed writes are dropped
    /// from the record), or when they expired.
    pub(crate) fn satisfied(&self, key: &str, seen: impl Fn(&str) -> Seen) -> bool {
        self.satisfied_at(key, seen, Instant::now())
    }

    fn satisfied_at(&self, key: &str, seen: impl Fn(&str) -> Seen, now: Instant) -> bool {
        self.with(|m| {
            let Some(p) = m.get_mut(key) else {
                return true;
            };
            p.creates.retain(|n| seen(n) == Seen::Absent);
            p.deletes.retain(|n| seen(n) == Seen::Present);
            let done = p.creates.is_empty() && p.deletes.is_empty();
            if done || now.duration_since(p.since) >= EXPIRY {
                if !done {
                    tracing::warn!(key, creates = ?p.creates, deletes = ?p.deletes, "expectations expired");
                }
                m.remove(key);
                return true;
            }
            false
        })
    }

    /// Drops everything recorded for `key` (its owner is gone).
    pub(crate) fn forget(&self, key: &str) {
        self.with(|m| m.remove(key));
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;

    fn cache(entries: &[(&str, Seen)]) -> impl Fn(&str) -> Seen {
        let map: HashMap<String, Seen> = entries.iter().map(|(k, v)| ((*k).into(), *v)).collect();
        move |n: &str| map.get(n).copied().unwrap_or(Seen::Absent)
    }

    #[test]
    fn creates_wait_until_the_cache_holds_them() {
        let e = Expectations::default();
        assert!(e.satisfied("ns/a", cache(&[])), "nothing recorded");
        e.created("ns/a", ["a-1".into(), "a-2".into()]);
        assert!(!e.satisfied("ns/a", cache(&[("a-1", Seen::Present)])));
        // a-1 was observed and is no longer awaited, even if it disappears again.
        assert!(e.satisfied("ns/a", cache(&[("a-2", Seen::Terminating)])));
        assert!(e.satisfied("ns/a", cache(&[])), "the record is gone");
    }

    #[test]
    fn deletes_wait_until_the_pod_is_gone_or_terminating() {
        let e = Expectations::default();
        e.deleted("ns/a", ["a-1".into(), "a-2".into()]);
        assert!(!e.satisfied(
            "ns/a",
            cache(&[("a-1", Seen::Present), ("a-2", Seen::Terminating)])
        ));
        assert!(e.satisfied("ns/a", cache(&[("a-2", Seen::Terminating)])));
    }

    #[test]
    fn keys_are_independent_and_forgettable() {
        let e = Expectations::default();
        e.created("ns/a", ["a-1".into()]);
        assert!(e.satisfied("ns/b", cache(&[])));
        assert!(!e.satisfied("ns/a", cache(&[])));
        e.forget("ns/a");
        assert!(e.satisfied("ns/a", cache(&[])));
    }

    #[test]
    fn pending_writes_expire() {
        let e = Expectations::default();
        e.created("ns/a", ["a-1".into()]);
        let later = Instant::now() + EXPIRY;
        assert!(e.satisfied_at("ns/a", cache(&[]), later));
        assert!(e.satisfied("ns/a", cache(&[])));
    }
}
