//! Expectations: the controller's own writes that its cache has not shown yet.
//!
//! The reconciler counts Pods in the informer cache. Right after it created two Pods, the
//! cache may not hold them yet; a reconcile in that window would count too few Pods and create
//! more. client-go's ReplicaSet controller guards against this with *expectations*, and so does
//! this one: after creating or deleting Pods it remembers their names, and it changes the
//! number of Pods again only once the cache shows every one of those writes (created Pods
//! present, deleted Pods gone or terminating) — or after [`EXPIRY`].
//!
//! The cache is a snapshot, so it cannot show a Pod that was created and deleted again between
//! two reconciles (a node failure, a user, a fast scale-down): that write would look pending
//! until it expired, freezing the PodSet for [`EXPIRY`]. The operator therefore also feeds the
//! Pod informer's events in ([`ObservedPods`]): a Pod seen added counts as an observed create,
//! a Pod seen deleted as an observed create and delete — client-go's RS controller lowers its
//! expectations from the same events. Events are not enough on their own: a handler that falls
//! behind gets an add and a delete of the same Pod merged into nothing, and a relist never
//! shows a Pod that came and went. So a create still unseen after [`OVERDUE`] is looked up on
//! the API server: a 404 means it came and went.

use std::collections::{BTreeSet, HashMap};
use std::sync::{Arc, Mutex, PoisonError};
use std::time::{Duration, Instant};

use kapi_api::core::v1::Pod;
use kapi_apimachinery::{Object, Resource};
use kapi_informers::{DeleteKind, ResourceEventHandler};

use super::PodSet;

/// Pending expectations are dropped after this long.
pub(crate) const EXPIRY: Duration = Duration::from_secs(15);

/// A create the cache has not shown after this long is checked against the API server.
pub(crate) const OVERDUE: Duration = Duration::from_secs(2);

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
    /// Pods seen deleted in the last [`EXPIRY`], per owner key: a create is recorded after the
    /// API answered, and by then the informer may already have shown the Pod come and go.
    gone: Mutex<HashMap<String, Vec<(String, Instant)>>>,
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
        let gone: Vec<String> = self
            .gone
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .get(key)
            .map(|g| g.iter().map(|(n, _)| n.clone()).collect())
            .unwrap_or_default();
        self.with(|m| {
            let e = Self::entry(m, key);
            e.creates
                .extend(names.into_iter().filter(|n| !gone.contains(n)));
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

    /// The informer showed Pod `name` of `key` appear (`gone: false`) or disappear
    /// (`gone: true`).
    pub(crate) fn observed(&self, key: &str, name: &str, gone: bool) {
        self.with(|m| {
            if let Some(p) = m.get_mut(key) {
                p.creates.remove(name);
                if gone {
                    p.deletes.remove(name);
                }
            }
        });
        if gone {
            let now = Instant::now();
            let mut all = self.gone.lock().unwrap_or_else(PoisonError::into_inner);
            all.retain(|_, names| {
                names.retain(|(_, at)| now.duration_since(*at) < EXPIRY);
                !names.is_empty()
            });
            all.entry(key.to_owned())
                .or_default()
                .push((name.to_owned(), now));
        }
    }

    /// Created Pods of `key` that the cache still does not show although the last write is
    /// older than `after`: candidates for a check against the API server (the Pod may have
    /// come and gone while the informer relisted, or while its handler merged the add and the
    /// delete).
    pub(crate) fn overdue_creates(
        &self,
        key: &str,
        seen: impl Fn(&str) -> Seen,
        after: Duration,
    ) -> Vec<String> {
        self.with(|m| match m.get(key) {
            Some(p) if p.since.elapsed() >= after => p
                .creates
                .iter()
                .filter(|n| seen(n) == Seen::Absent)
                .cloned()
                .collect(),
            _ => Vec::new(),
        })
    }

    /// Drops everything recorded for `key` (its owner is gone).
    pub(crate) fn forget(&self, key: &str) {
        self.with(|m| m.remove(key));
        self.gone
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .remove(key);
    }
}

/// Lowers [`Expectations`] from the Pod informer's events (see the module docs).
#[derive(Debug)]
pub(crate) struct ObservedPods(pub(crate) Arc<Expectations>);

impl ObservedPods {
    fn observe(&self, pod: &Pod, gone: bool) {
        let Some(owner) = pod.metadata.controller_ref() else {
            return;
        };
        if owner.kind != PodSet::INFO.kind {
            return;
        }
        let key = format!("{}/{}", pod.namespace().unwrap_or_default(), owner.name);
        self.0.observed(&key, pod.name(), gone);
    }
}

impl ResourceEventHandler<Pod> for ObservedPods {
    fn on_add(&self, obj: &Arc<Pod>, _initial: bool) {
        self.observe(obj, false);
    }

    fn on_update(&self, _old: &Arc<Pod>, new: &Arc<Pod>) {
        self.observe(new, false);
    }

    fn on_delete(&self, obj: &Arc<Pod>, _kind: DeleteKind) {
        self.observe(obj, true);
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
    fn pods_that_came_and_went_between_reconciles_are_observed() {
        let e = Expectations::default();
        // Created; the informer shows it added and deleted before the next reconcile.
        e.created("ns/a", ["a-1".into(), "a-2".into()]);
        e.observed("ns/a", "a-1", false);
        e.observed("ns/a", "a-1", true);
        assert!(!e.satisfied("ns/a", cache(&[])), "a-2 is still awaited");
        e.observed("ns/a", "a-2", true);
        assert!(e.satisfied("ns/a", cache(&[])));
        // The informer was faster than the create call's answer.
        e.observed("ns/a", "a-3", true);
        e.created("ns/a", ["a-3".into()]);
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
