//! Named secondary indexes over the store.

use std::collections::{HashMap, HashSet};
use std::sync::Arc;

use kapi_apimachinery::Object;

/// An index function: the values an object is indexed under (e.g. its namespace, a label value,
/// the node a Pod runs on).
pub type IndexFn<K> = Arc<dyn Fn(&K) -> Vec<String> + Send + Sync>;

/// Name of the built-in index by namespace.
pub const NAMESPACE_INDEX: &str = "namespace";

struct Index<K> {
    func: IndexFn<K>,
    /// value → keys
    entries: HashMap<String, HashSet<Arc<str>>>,
}

pub(super) struct Indexes<K> {
    by_name: HashMap<String, Index<K>>,
}

fn namespace_of<K: Object>(obj: &K) -> Vec<String> {
    obj.namespace()
        .map(|ns| vec![ns.to_owned()])
        .unwrap_or_default()
}

impl<K: Object> Indexes<K> {
    pub(super) fn with_namespace_index() -> Self {
        let mut by_name = HashMap::new();
        by_name.insert(
            NAMESPACE_INDEX.to_owned(),
            Index {
                func: Arc::new(namespace_of::<K>) as IndexFn<K>,
                entries: HashMap::new(),
            },
        );
        Self { by_name }
    }

    pub(super) fn add(&mut self, name: &str, func: IndexFn<K>, items: &HashMap<String, Arc<K>>) {
        let mut index = Index {
            func,
            entries: HashMap::new(),
        };
        for (key, obj) in items {
            index.insert(key, obj);
        }
        self.by_name.insert(name.to_owned(), index);
    }

    pub(super) fn update(&mut self, key: &str, old: Option<&K>, new: Option<&K>) {
        for index in self.by_name.values_mut() {
            if let Some(old) = old {
                index.remove(key, old);
            }
            if let Some(new) = new {
                let values = (index.func)(new);
                let shared: Arc<str> = Arc::from(key);
                for v in values {
                    index
                        .entries
                        .entry(v)
                        .or_default()
                        .insert(Arc::clone(&shared));
                }
            }
        }
    }

    pub(super) fn rebuild(&mut self, items: &HashMap<String, Arc<K>>) {
        for index in self.by_name.values_mut() {
            index.entries.clear();
            for (key, obj) in items {
                index.insert(key, obj);
            }
        }
    }

    pub(super) fn keys(&self, name: &str, value: &str) -> Option<Vec<Arc<str>>> {
        let index = self.by_name.get(name)?;
        Some(
            index
                .entries
                .get(value)
                .map(|s| s.iter().cloned().collect())
                .unwrap_or_default(),
        )
    }

    pub(super) fn values(&self, name: &str) -> Option<Vec<String>> {
        Some(self.by_name.get(name)?.entries.keys().cloned().collect())
    }
}

impl<K> Index<K> {
    fn insert(&mut self, key: &str, obj: &K) {
        let shared: Arc<str> = Arc::from(key);
        for v in (self.func)(obj) {
            self.entries
                .entry(v)
                .or_default()
                .insert(Arc::clone(&shared));
        }
    }

    fn remove(&mut self, key: &str, obj: &K) {
        for v in (self.func)(obj) {
            if let Some(set) = self.entries.get_mut(&v) {
                set.remove(key);
                if set.is_empty() {
                    self.entries.remove(&v);
                }
            }
        }
    }
}
