//! In-memory storage: one global resourceVersion counter, objects per resource as shared
//! serialized bytes, a bounded event history, and the watchers fed from it.
//!
//! Everything sits behind one mutex, held only for map operations and channel `try_send`s:
//! serialization happens before the lock or once per write, and lists copy `Arc`s out. A
//! watcher is registered and its replay taken under the same lock as writes, so no event is
//! lost or sent twice between replay and live delivery.

mod history;
mod object;
mod watch;

use std::collections::{BTreeMap, HashMap};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;

use serde_json::Value;
use tokio::sync::watch as tokio_watch;

use crate::registry::ResourceDef;
use history::History;
pub(crate) use history::{Event, EventKind, HistoryLimits};
pub(crate) use object::{object_key, Filter, StoredObject};
pub(crate) use watch::{WatchHandle, WatchMsg, WatchStart, Watchers};

/// The whole storage of a server.
#[derive(Debug)]
pub(crate) struct Store {
    state: Mutex<State>,
    rv_tx: tokio_watch::Sender<u64>,
    watch_buffer: usize,
}

#[derive(Debug)]
struct State {
    rv: u64,
    objects: HashMap<Arc<str>, BTreeMap<String, Arc<StoredObject>>>,
    history: History,
    watchers: Watchers,
}

/// A read at a resourceVersion older than the history holds.
#[derive(Debug, Clone, Copy)]
pub(crate) struct TooOld {
    /// The oldest resourceVersion still readable.
    pub(crate) oldest: u64,
}

impl Store {
    /// An empty store.
    pub(crate) fn new(limits: HistoryLimits, watch_buffer: usize) -> Self {
        let (rv_tx, _) = tokio_watch::channel(0);
        Self {
            state: Mutex::new(State {
                rv: 0,
                objects: HashMap::new(),
                history: History::new(limits),
                watchers: Watchers::default(),
            }),
            rv_tx,
            watch_buffer: watch_buffer.max(1),
        }
    }

    fn lock(&self) -> MutexGuard<'_, State> {
        // A panic while holding the lock leaves consistent maps (every mutation is a single
        // insert/remove), so a poisoned lock is still usable.
        self.state
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    /// The current resourceVersion.
    pub(crate) fn current_rv(&self) -> u64 {
        self.lock().rv
    }

    /// Waits until the store has reached `rv`; `false` after `timeout`.
    pub(crate) async fn wait_for(&self, rv: u64, timeout: Duration) -> bool {
        let mut rx = self.rv_tx.subscribe();
        if self.current_rv() >= rv {
            return true;
        }
        tokio::time::timeout(timeout, rx.wait_for(|v| *v >= rv))
            .await
            .is_ok_and(|r| r.is_ok())
    }

    /// One object.
    pub(crate) fn get(&self, storage_key: &str, key: &str) -> Option<Arc<StoredObject>> {
        self.lock().objects.get(storage_key)?.get(key).cloned()
    }

    /// The objects of a resource in key order, optionally in one namespace and after a key,
    /// as of `at` (the current revision when `None`). Returns the revision read.
    pub(crate) fn list(
        &self,
        storage_key: &str,
        namespace: Option<&str>,
        after: Option<&str>,
        at: Option<u64>,
    ) -> Result<(u64, Vec<Arc<StoredObject>>), TooOld> {
        let mut st = self.lock();
        st.history.trim_by_age();
        let current = st.rv;
        let at = at.unwrap_or(current).min(current);
        if at < st.history.compacted() {
            return Err(TooOld {
                oldest: st.history.compacted(),
            });
        }
        let empty = BTreeMap::new();
        let map = st.objects.get(storage_key).unwrap_or(&empty);
        let in_range = |k: &str| {
            namespace.is_none_or(|ns| {
                k.len() > ns.len() && k.starts_with(ns) && k.as_bytes()[ns.len()] == b'/'
            }) && after.is_none_or(|a| k > a)
        };
        let range = range_of(map, namespace, after);
        if at == current {
            let items = range
                .filter(|(k, _)| in_range(k))
                .map(|(_, v)| Arc::clone(v))
                .collect();
            return Ok((at, items));
        }
        // Rebuild the state at `at`: the first event after `at` of each key holds its old state.
        let mut overrides: BTreeMap<&str, Option<Arc<StoredObject>>> = BTreeMap::new();
        for ev in st.history.since(at) {
            if &*ev.resource == storage_key {
                let key = ev.new.key.as_str();
                overrides.entry(key).or_insert_with(|| ev.old.clone());
            }
        }
        let mut view: BTreeMap<&str, Arc<StoredObject>> = range
            .filter(|(k, _)| in_range(k))
            .map(|(k, v)| (k.as_str(), Arc::clone(v)))
            .collect();
        for (k, old) in overrides {
            if !in_range(k) {
                continue;
            }
            match old {
                Some(o) => view.insert(k, o),
                None => view.remove(k),
            };
        }
        Ok((at, view.into_values().collect()))
    }

    /// Runs `f` with exclusive access to the store; its writes are published when it returns.
    pub(crate) fn write<R>(&self, f: impl FnOnce(&mut Txn<'_>) -> R) -> R {
        let (result, rv) = {
            let mut st = self.lock();
            let before = st.rv;
            let mut txn = Txn { st: &mut st };
            let r = f(&mut txn);
            let after = st.rv;
            (r, (after != before).then_some(after))
        };
        if let Some(rv) = rv {
            self.rv_tx.send_replace(rv);
        }
        result
    }

    /// Registers a watcher on `def`'s objects and returns its replay and live channel.
    pub(crate) fn watch(
        &self,
        def: &ResourceDef,
        filter: Filter,
        start: WatchStart,
    ) -> Result<WatchHandle, TooOld> {
        let mut st = self.lock();
        st.history.trim_by_age();
        let st = &mut *st;
        watch::register(
            &mut st.watchers,
            &st.history,
            st.objects.get(&def.storage_key),
            st.rv,
            def,
            filter,
            start,
            self.watch_buffer,
        )
    }

    /// Queues a bookmark at the current revision for watcher `id` (skipped when its buffer is
    /// full). `false` once the watcher is gone.
    pub(crate) fn bookmark(&self, storage_key: &str, id: u64) -> bool {
        let st = self.lock();
        st.watchers.bookmark(storage_key, id, st.rv)
    }

    /// The uids of objects changed after `rv` (still in the history), and the current revision.
    pub(crate) fn uids_since(&self, rv: u64) -> (Vec<String>, u64) {
        let st = self.lock();
        let uids = st
            .history
            .since(rv)
            .map(|e| e.new.uid.clone())
            .filter(|u| !u.is_empty())
            .collect();
        (uids, st.rv)
    }

    /// Forgets the history up to the current revision: every older resourceVersion becomes
    /// too old for watches and exact reads.
    pub(crate) fn compact(&self) {
        let mut st = self.lock();
        let rv = st.rv;
        st.history.compact_to(rv);
    }

    /// Every object of every resource whose owners include `uid`: `(storage key, object)`.
    pub(crate) fn dependents(&self, uid: &str) -> Vec<(Arc<str>, Arc<StoredObject>)> {
        let st = self.lock();
        let mut out = Vec::new();
        for (res, map) in &st.objects {
            for obj in map.values() {
                if obj.owners.iter().any(|o| o == uid) {
                    out.push((Arc::clone(res), Arc::clone(obj)));
                }
            }
        }
        out
    }

    /// Every object of every resource: `(storage key, object)`.
    pub(crate) fn all_objects(&self) -> Vec<(Arc<str>, Arc<StoredObject>)> {
        let st = self.lock();
        st.objects
            .iter()
            .flat_map(|(res, map)| map.values().map(|o| (Arc::clone(res), Arc::clone(o))))
            .collect()
    }

    /// Deleting objects holding one of these finalizers: `(storage key, object)`.
    pub(crate) fn deleting_with_finalizers(
        &self,
        names: &[&str],
    ) -> Vec<(Arc<str>, Arc<StoredObject>)> {
        let st = self.lock();
        let mut out = Vec::new();
        for (res, map) in &st.objects {
            for obj in map.values() {
                if obj.deleting && obj.finalizers.iter().any(|f| names.contains(&f.as_str())) {
                    out.push((Arc::clone(res), Arc::clone(obj)));
                }
            }
        }
        out
    }

    /// Every object in one namespace, any resource (current state).
    pub(crate) fn in_namespace(&self, ns: &str) -> Vec<(Arc<str>, Arc<StoredObject>)> {
        let st = self.lock();
        let mut out = Vec::new();
        for (res, map) in &st.objects {
            for (_, obj) in range_of(map, Some(ns), None) {
                if obj.namespace == ns {
                    out.push((Arc::clone(res), Arc::clone(obj)));
                }
            }
        }
        out
    }
}

fn range_of<'a>(
    map: &'a BTreeMap<String, Arc<StoredObject>>,
    namespace: Option<&str>,
    after: Option<&str>,
) -> std::collections::btree_map::Range<'a, String, Arc<StoredObject>> {
    use std::ops::Bound;
    let ns_start = namespace.map(|ns| format!("{ns}/"));
    let lower = match (&ns_start, after) {
        (Some(s), Some(a)) if a < s.as_str() => Bound::Included(s.clone()),
        (_, Some(a)) => Bound::Excluded(a.to_owned()),
        (Some(s), None) => Bound::Included(s.clone()),
        (None, None) => Bound::Unbounded,
    };
    // '0' is the byte after '/', so "ns0" bounds every "ns/..." key.
    let upper = namespace.map_or(Bound::Unbounded, |ns| Bound::Excluded(format!("{ns}0")));
    if let (Bound::Excluded(l) | Bound::Included(l), Bound::Excluded(u)) = (&lower, &upper) {
        if l >= u {
            return map
                .range::<String, _>((Bound::Included(u.clone()), Bound::Excluded(u.clone())));
        }
    }
    map.range::<String, _>((lower, upper))
}

/// Exclusive access to the store during [`Store::write`].
#[derive(Debug)]
pub(crate) struct Txn<'a> {
    st: &'a mut State,
}

impl Txn<'_> {
    /// One object.
    pub(crate) fn get(&self, storage_key: &str, key: &str) -> Option<Arc<StoredObject>> {
        self.st.objects.get(storage_key)?.get(key).cloned()
    }

    /// Stores `value` at the next revision (setting its `metadata.resourceVersion`), records
    /// an ADDED or MODIFIED event and feeds the watchers.
    pub(crate) fn put(&mut self, def: &ResourceDef, value: &mut Value) -> Arc<StoredObject> {
        let rv = self.st.rv + 1;
        set_rv(value, rv);
        let obj = Arc::new(StoredObject::new(value, rv, &def.field_labels));
        self.st.rv = rv;
        let map = self
            .st
            .objects
            .entry(Arc::clone(&def.storage_key))
            .or_default();
        let old = map.insert(obj.key.clone(), Arc::clone(&obj));
        let kind = if old.is_some() {
            EventKind::Modified
        } else {
            EventKind::Added
        };
        self.record(def, kind, old, Arc::clone(&obj));
        obj
    }

    /// Removes the object at `key`, records a DELETED event carrying `last` (its final state)
    /// stamped with the deletion's revision, and returns that stamped object.
    pub(crate) fn remove(
        &mut self,
        def: &ResourceDef,
        key: &str,
        mut last: Value,
    ) -> Option<Arc<StoredObject>> {
        let old = self.st.objects.get_mut(&def.storage_key)?.remove(key)?;
        let rv = self.st.rv + 1;
        self.st.rv = rv;
        set_rv(&mut last, rv);
        let obj = Arc::new(StoredObject::new(&last, rv, &def.field_labels));
        self.record(def, EventKind::Deleted, Some(old), Arc::clone(&obj));
        Some(obj)
    }

    fn record(
        &mut self,
        def: &ResourceDef,
        kind: EventKind,
        old: Option<Arc<StoredObject>>,
        new: Arc<StoredObject>,
    ) {
        let ev = Arc::new(Event::new(Arc::clone(&def.storage_key), kind, old, new));
        self.st.watchers.deliver(&ev);
        self.st.history.push(ev);
    }
}

/// Sets `metadata.resourceVersion`.
pub(crate) fn set_rv(value: &mut Value, rv: u64) {
    if let Some(meta) = value.get_mut("metadata").and_then(Value::as_object_mut) {
        meta.insert("resourceVersion".into(), Value::String(rv.to_string()));
    }
}
