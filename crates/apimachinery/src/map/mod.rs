//! [`Map`]: the string-keyed map of API objects (labels, annotations, `ConfigMap.data`, resource
//! lists), stored as one sorted vector.
//!
//! Kubernetes maps are small — a Pod's labels hold a handful of entries — and objects sit in
//! informer caches by the hundred thousand. A `BTreeMap` allocates an eleven-slot node whatever
//! its length (544 bytes for two labels); a `Map` holds exactly its entries, one allocation, in
//! key order. Lookups are binary searches; inserting or removing shifts the entries after the
//! position, which is cheaper than a tree below a few hundred entries. Building a large map
//! from an iterator sorts once (`O(n log n)`); inserting one key at a time into a large map is
//! `O(n)` per key.
//!
//! The API follows `BTreeMap`'s, so most code moving from one to the other changes only the
//! type name; `From` converts both ways.
//!
//! ```
//! use kapi_apimachinery::{CompactString, Map};
//!
//! let mut labels: Map<CompactString, CompactString> =
//!     Map::from([("tier".into(), "web".into()), ("app".into(), "shop".into())]);
//! labels.insert("version".into(), "v2".into());
//! assert_eq!(labels.get("app").map(|v| v.as_str()), Some("shop"));
//! assert_eq!(labels.keys().map(|k| k.as_str()).collect::<Vec<_>>(), ["app", "tier", "version"]);
//! assert_eq!(serde_json::to_string(&labels)?, r#"{"app":"shop","tier":"web","version":"v2"}"#);
//! # Ok::<(), serde_json::Error>(())
//! ```

mod entry;
mod iter;
mod serde_impl;

use std::borrow::Borrow;
use std::collections::BTreeMap;
use std::fmt;
use std::ops::Index;

use thin_vec::ThinVec;

pub use entry::{Entry, OccupiedEntry, VacantEntry};
pub use iter::{IntoIter, IntoKeys, IntoValues, Iter, IterMut, Keys, Values, ValuesMut};

/// An ordered map kept as one vector of `(key, value)` pairs sorted by key, with unique keys.
/// The vector is a [`ThinVec`]: an empty map is one null-sized pointer and allocates nothing.
///
/// See the [module docs](self) for when it beats a `BTreeMap` (almost always, for API objects).
#[derive(Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Map<K, V> {
    entries: ThinVec<(K, V)>,
}

impl<K, V> Default for Map<K, V> {
    fn default() -> Self {
        Self::new()
    }
}

impl<K, V> Map<K, V> {
    /// An empty map; does not allocate.
    #[must_use]
    pub const fn new() -> Self {
        Self {
            entries: ThinVec::new(),
        }
    }

    /// An empty map with room for `capacity` entries.
    #[must_use]
    pub fn with_capacity(capacity: usize) -> Self {
        Self {
            entries: ThinVec::with_capacity(capacity),
        }
    }

    /// Number of entries.
    #[must_use]
    pub fn len(&self) -> usize {
        self.entries.len()
    }

    /// Whether the map has no entries.
    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    /// Removes every entry (keeps the allocation).
    pub fn clear(&mut self) {
        self.entries.clear();
    }

    /// Drops spare capacity, so the map holds exactly its entries.
    pub fn shrink_to_fit(&mut self) {
        self.entries.shrink_to_fit();
    }

    /// The entries, sorted by key.
    #[must_use]
    pub fn as_slice(&self) -> &[(K, V)] {
        &self.entries
    }

    /// Iterates `(key, value)` in key order.
    pub fn iter(&self) -> Iter<'_, K, V> {
        Iter::new(self.entries.iter())
    }

    /// Iterates `(key, mutable value)` in key order.
    pub fn iter_mut(&mut self) -> IterMut<'_, K, V> {
        IterMut::new(self.entries.iter_mut())
    }

    /// The keys, in order.
    pub fn keys(&self) -> Keys<'_, K, V> {
        Keys::new(self.entries.iter())
    }

    /// The values, in key order.
    pub fn values(&self) -> Values<'_, K, V> {
        Values::new(self.entries.iter())
    }

    /// The values, mutable, in key order.
    pub fn values_mut(&mut self) -> ValuesMut<'_, K, V> {
        ValuesMut::new(self.entries.iter_mut())
    }

    /// The keys, by value, in order.
    pub fn into_keys(self) -> IntoKeys<K, V> {
        IntoKeys::new(self.entries.into_iter())
    }

    /// The values, by value, in key order.
    pub fn into_values(self) -> IntoValues<K, V> {
        IntoValues::new(self.entries.into_iter())
    }

    /// The entry with the smallest key.
    #[must_use]
    pub fn first_key_value(&self) -> Option<(&K, &V)> {
        self.entries.first().map(|(k, v)| (k, v))
    }

    /// The entry with the largest key.
    #[must_use]
    pub fn last_key_value(&self) -> Option<(&K, &V)> {
        self.entries.last().map(|(k, v)| (k, v))
    }

    /// Keeps only the entries for which `keep` returns true.
    pub fn retain(&mut self, mut keep: impl FnMut(&K, &mut V) -> bool) {
        self.entries.retain_mut(|(k, v)| keep(k, v));
    }
}

impl<K: Ord, V> Map<K, V> {
    fn search<Q>(&self, key: &Q) -> Result<usize, usize>
    where
        K: Borrow<Q>,
        Q: Ord + ?Sized,
    {
        self.entries.binary_search_by(|(k, _)| k.borrow().cmp(key))
    }

    /// The value for `key`.
    pub fn get<Q>(&self, key: &Q) -> Option<&V>
    where
        K: Borrow<Q>,
        Q: Ord + ?Sized,
    {
        self.search(key).ok().map(|i| &self.entries[i].1)
    }

    /// The stored key and value for `key`.
    pub fn get_key_value<Q>(&self, key: &Q) -> Option<(&K, &V)>
    where
        K: Borrow<Q>,
        Q: Ord + ?Sized,
    {
        self.search(key).ok().map(|i| {
            let (k, v) = &self.entries[i];
            (k, v)
        })
    }

    /// The value for `key`, mutable.
    pub fn get_mut<Q>(&mut self, key: &Q) -> Option<&mut V>
    where
        K: Borrow<Q>,
        Q: Ord + ?Sized,
    {
        match self.search(key) {
            Ok(i) => Some(&mut self.entries[i].1),
            Err(_) => None,
        }
    }

    /// Whether `key` is present.
    pub fn contains_key<Q>(&self, key: &Q) -> bool
    where
        K: Borrow<Q>,
        Q: Ord + ?Sized,
    {
        self.search(key).is_ok()
    }

    /// Sets `key` to `value`; returns the value it replaces. The stored key is not replaced
    /// (as with `BTreeMap`).
    pub fn insert(&mut self, key: K, value: V) -> Option<V> {
        match self.search(&key) {
            Ok(i) => Some(std::mem::replace(&mut self.entries[i].1, value)),
            Err(i) => {
                self.entries.insert(i, (key, value));
                None
            }
        }
    }

    /// Removes `key`; returns its value.
    pub fn remove<Q>(&mut self, key: &Q) -> Option<V>
    where
        K: Borrow<Q>,
        Q: Ord + ?Sized,
    {
        self.remove_entry(key).map(|(_, v)| v)
    }

    /// Removes `key`; returns the stored key and its value.
    pub fn remove_entry<Q>(&mut self, key: &Q) -> Option<(K, V)>
    where
        K: Borrow<Q>,
        Q: Ord + ?Sized,
    {
        self.search(key).ok().map(|i| self.entries.remove(i))
    }

    /// The entry for `key`, for in-place insert-or-update.
    pub fn entry(&mut self, key: K) -> Entry<'_, K, V> {
        match self.search(&key) {
            Ok(index) => Entry::Occupied(OccupiedEntry::new(&mut self.entries, index)),
            Err(index) => Entry::Vacant(VacantEntry::new(&mut self.entries, index, key)),
        }
    }

    /// Builds a map from pairs in any order: sorted once, and for a repeated key the last
    /// value wins (as inserting them one by one would).
    fn from_unsorted(mut entries: ThinVec<(K, V)>) -> Self {
        if !entries.windows(2).all(|w| w[0].0 < w[1].0) {
            // Stable, so equal keys keep their input order; then keep the last of each run.
            entries.sort_by(|a, b| a.0.cmp(&b.0));
            let mut out: ThinVec<(K, V)> = ThinVec::with_capacity(entries.len());
            for e in entries {
                match out.last_mut() {
                    Some(last) if last.0 == e.0 => *last = e,
                    _ => out.push(e),
                }
            }
            entries = out;
        }
        Self { entries }
    }
}

impl<K: fmt::Debug, V: fmt::Debug> fmt::Debug for Map<K, V> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_map().entries(self.iter()).finish()
    }
}

impl<K: Ord, V> FromIterator<(K, V)> for Map<K, V> {
    fn from_iter<I: IntoIterator<Item = (K, V)>>(iter: I) -> Self {
        Self::from_unsorted(iter.into_iter().collect())
    }
}

impl<K: Ord, V> Extend<(K, V)> for Map<K, V> {
    fn extend<I: IntoIterator<Item = (K, V)>>(&mut self, iter: I) {
        let mut all = std::mem::take(&mut self.entries);
        all.extend(iter);
        *self = Self::from_unsorted(all);
    }
}

impl<'a, K: Ord + Clone, V: Clone> Extend<(&'a K, &'a V)> for Map<K, V> {
    fn extend<I: IntoIterator<Item = (&'a K, &'a V)>>(&mut self, iter: I) {
        self.extend(iter.into_iter().map(|(k, v)| (k.clone(), v.clone())));
    }
}

impl<K: Ord, V, const N: usize> From<[(K, V); N]> for Map<K, V> {
    fn from(pairs: [(K, V); N]) -> Self {
        Self::from_unsorted(pairs.into_iter().collect())
    }
}

impl<K: Ord, V> From<Vec<(K, V)>> for Map<K, V> {
    fn from(pairs: Vec<(K, V)>) -> Self {
        Self::from_unsorted(pairs.into())
    }
}

impl<K: Ord, V> From<ThinVec<(K, V)>> for Map<K, V> {
    fn from(pairs: ThinVec<(K, V)>) -> Self {
        Self::from_unsorted(pairs)
    }
}

impl<K, V> From<BTreeMap<K, V>> for Map<K, V> {
    fn from(map: BTreeMap<K, V>) -> Self {
        // A BTreeMap iterates in key order with unique keys: already a valid Map.
        Self {
            entries: map.into_iter().collect(),
        }
    }
}

impl<K: Ord, V> From<Map<K, V>> for BTreeMap<K, V> {
    fn from(map: Map<K, V>) -> Self {
        map.entries.into_iter().collect()
    }
}

impl<K, V> From<Map<K, V>> for Vec<(K, V)> {
    fn from(map: Map<K, V>) -> Self {
        map.entries.into()
    }
}

impl<K, V> From<Map<K, V>> for ThinVec<(K, V)> {
    fn from(map: Map<K, V>) -> Self {
        map.entries
    }
}

impl<K, Q, V> Index<&Q> for Map<K, V>
where
    K: Ord + Borrow<Q>,
    Q: Ord + ?Sized,
{
    type Output = V;

    /// # Panics
    /// When `key` is absent, like `BTreeMap`'s index.
    fn index(&self, key: &Q) -> &V {
        self.get(key).expect("key not present in Map")
    }
}

#[cfg(test)]
mod tests;
