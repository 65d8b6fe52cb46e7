//! [`ObjectList`]: the `<Kind>List` of any object type.

use serde::{Deserialize, Serialize};

use crate::meta::ListMeta;
use crate::resource::Resource;
use crate::serde_util::null_default;

/// A list response: `{"apiVersion", "kind": "<Kind>List", "metadata": ListMeta, "items": [...]}`.
///
/// Generated code names it per type (`PodList = ObjectList<Pod>`). `api_version` and `kind` keep
/// what was read; [`ObjectList::new`] fills them for a static type.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ObjectList<K> {
    /// `apiVersion` as read (empty when absent).
    #[serde(
        default,
        deserialize_with = "null_default",
        skip_serializing_if = "String::is_empty"
    )]
    pub api_version: String,
    /// `kind` as read, e.g. `PodList` (empty when absent).
    #[serde(
        default,
        deserialize_with = "null_default",
        skip_serializing_if = "String::is_empty"
    )]
    pub kind: String,
    /// `metadata`: resourceVersion, continue token, remaining item count (`null` reads as
    /// empty, as in Go).
    #[serde(default, deserialize_with = "null_default")]
    pub metadata: ListMeta,
    /// `items`.
    #[serde(default = "Vec::new", deserialize_with = "null_default")]
    #[serde(bound(deserialize = "K: Deserialize<'de>"))]
    pub items: Vec<K>,
}

impl<K> Default for ObjectList<K> {
    fn default() -> Self {
        Self {
            api_version: String::new(),
            kind: String::new(),
            metadata: ListMeta::default(),
            items: Vec::new(),
        }
    }
}

impl<K: Resource> ObjectList<K> {
    /// A list of a static type with `apiVersion`/`kind` filled in.
    pub fn new(items: Vec<K>) -> Self {
        Self {
            api_version: K::API_VERSION.to_owned(),
            kind: format!("{}List", K::INFO.kind),
            metadata: ListMeta::default(),
            items,
        }
    }
}

impl<K> IntoIterator for ObjectList<K> {
    type Item = K;
    type IntoIter = std::vec::IntoIter<K>;
    fn into_iter(self) -> Self::IntoIter {
        self.items.into_iter()
    }
}
