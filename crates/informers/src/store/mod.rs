//! A thread-safe cache of objects keyed by `namespace/name`, with named indexes.
//!
//! Objects are held as `Arc<K>`: readers get cheap clones of the pointer, never copies of the
//! object. Writers replace whole entries; an object is never mutated in place.

mod index;

use std::collections::HashMap;
use std::sync::{Arc, RwLock, RwLockReadGuard, RwLockWriteGuard};

use kapi_apimachinery::Object;

use index::Indexes;
pub use index::{IndexFn, NAMESPACE_INDEX};

/// The cache key of an object: `namespace/name`, or `name` for cluster-scoped objects.
pub fn key_of<K: Object>(obj: &K) -> String {
    obj.cache_key()
}

/// The cache key for a name in an optional namespace.
pub fn key_for(namespace: Option<&str>, name: &str) -> String {
    match namespace {
        Some(ns) if !ns.is_empty() => format!("{ns}/{name}"),
        _ => name.to_owned(),
    }
}

/// What changed in the store, as seen by one write.
#[derive(Debug, Clone)]
pub enum Change<K> {
    /// A key appeared.
    Added(Arc<K>),
    /// A key's object was replaced.
    Updated {
        /// The previous object.
        old: Arc<K>,
        /// The new object.
        new: Arc<K>,
    },
    /// A key disappeared.
    Deleted {
        /// The last state the store held.
        last: Arc<K>,
        /// `true` when the deletion was inferred from a relist (the watch event was missed), so
        /// `last` may be stale.
        unknown_final_state: bool,
    },
}

impl<K: Object> Change<K> {
    /// The cache key the change is about.
    pub fn key(&self) -> String {
        match self {
            Self::Added(o) | Self::Updated { new: o, .. } | Self::Deleted { last: o, .. } => {
                key_of(&**o)
            }
        }
    }
}

struct Inner<K> {
    items: HashMap<String, Arc<K>>,
    indexes: Indexes<K>,
    resource_version: String,
}

/// The object cache with indexes. Cloning a `Store` gives another handle to the same cache.
pub struct Store<K> {
    inner: Arc<RwLock<Inner<K>>>,
}

impl<K> Clone for Store<K> {
    fn clone(&self) -> Self {
        Self {
            inner: Arc::clone(&self.inner),
        }
    }
}

impl<K> std::fmt::Debug for Store<K> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let len = self.inner.read().map(|i| i.items.len()).unwrap_or(0);
        f.debug_struct("Store")
            .field("len", &len)
            .finish_non_exhaustive()
    }
}

impl<K: Object> Default for Store<K> {
    fn default() -> Self {
        Self::new()
    }
}

impl<K: Object> Store<K> {
    /// An empty store with the namespace index.
    pub fn new() -> Self {
        Self {
            inner: Arc::new(RwLock::new(Inner {
                items: HashMap::new(),
                indexes: Indexes::with_namespace_index(),
                resource_version: String::new(),
            })),
        }
    }

    fn read(&self) -> RwLockReadGuard<'_, Inner<K>> {
        self.inner
            .read()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    fn write(&self) -> RwLockWriteGuard<'_, Inner<K>> {
        self.inner
            .write()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    /// Adds a named index. Existing objects are indexed at once.
    pub fn add_index(&self, name: &str, index: IndexFn<K>) {
        let mut inner = self.write();
        let Inner { items, indexes, .. } = &mut *inner;
        indexes.add(name, index, items);
    }

    /// The object with this key.
    pub fn get(&self, key: &str) -> Option<Arc<K>> {
        self.read().items.get(key).cloned()
    }

    /// The object with this name in this namespace (`None` for cluster-scoped).
    pub fn get_by_name(&self, namespace: Option<&str>, name: &str) -> Option<Arc<K>> {
        self.get(&key_for(namespace, name))
    }

    /// Every object, in no particular order.
    pub fn list(&self) -> Vec<Arc<K>> {
        self.read().items.values().cloned().collect()
    }

    /// Every key.
    pub fn keys(&self) -> Vec<String> {
        self.read().items.keys().cloned().collect()
    }

    /// Number of objects.
    pub fn len(&self) -> usize {
        self.read().items.len()
    }

    /// `true` when the store is empty.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The objects whose index `index` yields `value`, or `None` when there is no such index.
    pub fn by_index(&self, index: &str, value: &str) -> Option<Vec<Arc<K>>> {
        let inner = self.read();
        let keys = inner.indexes.keys(index, value)?;
        Some(
            keys.iter()
                .filter_map(|k| inner.items.get(k.as_ref()).cloned())
                .collect(),
        )
    }

    /// The keys whose index `index` yields `value`, or `None` when there is no such index.
    pub fn index_keys(&self, index: &str, value: &str) -> Option<Vec<String>> {
        Some(
            self.read()
                .indexes
                .keys(index, value)?
                .iter()
                .map(ToString::to_string)
                .collect(),
        )
    }

    /// Every value index `index` currently holds, or `None` when there is no such index.
    pub fn index_values(&self, index: &str) -> Option<Vec<String>> {
        self.read().indexes.values(index)
    }

    /// The resourceVersion the store last synced to.
    pub fn resource_version(&self) -> String {
        self.read().resource_version.clone()
    }

    /// Inserts or replaces an object; returns the change (`None` when the same `Arc` was there).
    pub fn apply(&self, obj: Arc<K>) -> Option<Change<K>> {
        let key = key_of(&*obj);
        let mut inner = self.write();
        let Inner { items, indexes, .. } = &mut *inner;
        let old = items.insert(key.clone(), Arc::clone(&obj));
        indexes.update(&key, old.as_deref(), Some(&*obj));
        match old {
            Some(old) if Arc::ptr_eq(&old, &obj) => None,
            Some(old) => Some(Change::Updated { old, new: obj }),
            None => Some(Change::Added(obj)),
        }
    }

    /// Removes an object by key; `last` (the deleted object as the server reported it) is used
    /// as the final state when given.
    pub fn remove(&self, key: &str, last: Option<Arc<K>>) -> Option<Change<K>> {
        let mut inner = self.write();
        let Inner { items, indexes, .. } = &mut *inner;
        let old = items.remove(key);
        indexes.update(key, old.as_deref(), None);
        let last = last.or(old)?;
        Some(Change::Deleted {
            last,
            unknown_final_state: false,
        })
    }

    /// Records the resourceVersion the store is synced to.
    pub fn set_resource_version(&self, rv: &str) {
        rv.clone_into(&mut self.write().resource_version);
    }

    /// Starts a page-by-page replacement: each page's objects are compared with the store as
    /// they arrive, and an object whose resourceVersion did not change is dropped at once in
    /// favour of the cached `Arc`. A relist of N pages then holds one page, not a second copy of
    /// the whole cache. Nothing is visible until [`Replacement::commit`].
    pub fn begin_replace(&self) -> Replacement<K> {
        Replacement {
            store: self.clone(),
            order: Vec::new(),
            fresh: HashMap::new(),
        }
    }

    /// Atomically replaces the whole content (a relist). Returns the changes: adds and updates
    /// for listed objects (an object whose resourceVersion did not change is kept as it was and
    /// reports nothing), and deletes — flagged `unknown_final_state` — for keys that vanished.
    pub fn replace(&self, objects: Vec<K>, resource_version: &str) -> Vec<Change<K>> {
        let mut r = self.begin_replace();
        r.add_page(objects);
        r.commit(resource_version)
    }

    fn commit_replacement(&self, r: Replacement<K>, resource_version: &str) -> Vec<Change<K>> {
        let Replacement {
            order, mut fresh, ..
        } = r;
        let mut inner = self.write();
        let mut changes = Vec::new();
        let Inner {
            items,
            indexes,
            resource_version: rv,
        } = &mut *inner;
        for key in &order {
            let Some(new) = fresh.get_mut(key) else {
                continue;
            };
            match items.get(key) {
                Some(old)
                    if old.resource_version().is_some()
                        && old.resource_version() == new.resource_version() =>
                {
                    *new = Arc::clone(old);
                }
                Some(old) => changes.push(Change::Updated {
                    old: Arc::clone(old),
                    new: Arc::clone(new),
                }),
                None => changes.push(Change::Added(Arc::clone(new))),
            }
        }
        let mut vanished: Vec<(&String, &Arc<K>)> = items
            .iter()
            .filter(|(k, _)| !fresh.contains_key(*k))
            .collect();
        vanished.sort_by(|a, b| a.0.cmp(b.0));
        for (_, old) in vanished {
            changes.push(Change::Deleted {
                last: Arc::clone(old),
                unknown_final_state: true,
            });
        }
        indexes.rebuild(&fresh);
        *items = fresh;
        resource_version.clone_into(rv);
        changes
    }
}

fn same_version<K: Object>(a: &K, b: &K) -> bool {
    a.resource_version().is_some() && a.resource_version() == b.resource_version()
}

/// A replacement being assembled page by page; see [`Store::begin_replace`].
pub struct Replacement<K> {
    store: Store<K>,
    order: Vec<String>,
    fresh: HashMap<String, Arc<K>>,
}

impl<K> std::fmt::Debug for Replacement<K> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Replacement")
            .field("objects", &self.fresh.len())
            .finish_non_exhaustive()
    }
}

impl<K: Object> Replacement<K> {
    /// Adds one page of listed objects.
    ///
    /// The page's vector is given back as its objects move into the cache: it is consumed from
    /// the end and shrunk every eighth, so a large page (an unpaged list of 10 000 Pods holds
    /// 10 MB of inline structs, plus the spare room of its growth) never sits beside a full
    /// copy of itself in `Arc`s.
    pub fn add_page(&mut self, mut objects: Vec<K>) {
        let inner = self.store.read();
        self.fresh.reserve(objects.len());
        self.order.reserve(objects.len());
        objects.reverse();
        let step = (objects.len() / 8).max(64);
        let mut since_shrink = 0;
        while let Some(obj) = objects.pop() {
            since_shrink += 1;
            if since_shrink == step {
                objects.shrink_to_fit();
                since_shrink = 0;
            }
            let key = key_of(&obj);
            let arc = match inner.items.get(&key) {
                Some(old) if same_version(&**old, &obj) => Arc::clone(old),
                _ => Arc::new(obj),
            };
            if self.fresh.insert(key.clone(), arc).is_none() {
                self.order.push(key);
            }
        }
    }

    /// Number of objects added so far.
    pub fn len(&self) -> usize {
        self.fresh.len()
    }

    /// `true` when no object was added.
    pub fn is_empty(&self) -> bool {
        self.fresh.is_empty()
    }

    /// Swaps the assembled content in atomically and returns the changes (as
    /// [`Store::replace`]).
    pub fn commit(self, resource_version: &str) -> Vec<Change<K>> {
        let store = self.store.clone();
        store.commit_replacement(self, resource_version)
    }
}
