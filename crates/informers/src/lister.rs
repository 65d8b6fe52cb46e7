//! Listers: typed reads from an informer's cache, never from the API server.

use std::sync::Arc;

use kapi_apimachinery::{Object, Selector};

use crate::store::{key_for, Store, NAMESPACE_INDEX};

/// Reads objects of one type from the cache.
#[derive(Debug, Clone)]
pub struct Lister<K> {
    store: Store<K>,
}

impl<K: Object> Lister<K> {
    /// A lister over a store.
    pub fn new(store: Store<K>) -> Self {
        Self { store }
    }

    /// Every cached object matching the label selector.
    pub fn list(&self, selector: &Selector) -> Vec<Arc<K>> {
        let mut out: Vec<Arc<K>> = self
            .store
            .list()
            .into_iter()
            .filter(|o| selector.matches(&o.metadata().labels))
            .collect();
        out.sort_by_key(|o| o.cache_key());
        out
    }

    /// Every cached object.
    pub fn list_all(&self) -> Vec<Arc<K>> {
        self.list(&Selector::everything())
    }

    /// A cluster-scoped object by name (or any object by its full cache key).
    pub fn get(&self, name: &str) -> Option<Arc<K>> {
        self.store.get(name)
    }

    /// A lister restricted to one namespace.
    pub fn namespaced(&self, namespace: &str) -> NamespaceLister<K> {
        NamespaceLister {
            store: self.store.clone(),
            namespace: namespace.to_owned(),
        }
    }
}

/// Reads objects of one type in one namespace from the cache.
#[derive(Debug, Clone)]
pub struct NamespaceLister<K> {
    store: Store<K>,
    namespace: String,
}

impl<K: Object> NamespaceLister<K> {
    /// The objects of this namespace matching the label selector (through the namespace index).
    pub fn list(&self, selector: &Selector) -> Vec<Arc<K>> {
        let mut out: Vec<Arc<K>> = self
            .store
            .by_index(NAMESPACE_INDEX, &self.namespace)
            .unwrap_or_default()
            .into_iter()
            .filter(|o| selector.matches(&o.metadata().labels))
            .collect();
        out.sort_by_key(|o| o.cache_key());
        out
    }

    /// An object of this namespace by name.
    pub fn get(&self, name: &str) -> Option<Arc<K>> {
        self.store.get(&key_for(Some(&self.namespace), name))
    }
}
