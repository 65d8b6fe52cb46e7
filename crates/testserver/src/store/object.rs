//! A stored object: its compact JSON bytes plus what lists, watches and selectors need,
//! extracted once at write time.

use std::borrow::Cow;
use std::collections::BTreeMap;

use bytes::Bytes;
use kapi_apimachinery::fields::{FieldSelector, Fields};
use kapi_apimachinery::labels::Selector;
use serde_json::Value;

use crate::registry::FieldLabels;

/// One object as stored: serialized once, shared by every list and watch that returns it.
#[derive(Debug)]
pub(crate) struct StoredObject {
    /// Compact JSON, with `kind` and `apiVersion`.
    pub(crate) bytes: Bytes,
    /// Store key: `namespace/name` or `name`.
    pub(crate) key: String,
    /// `metadata.namespace` (empty for cluster-scoped objects).
    pub(crate) namespace: String,
    /// `metadata.name`.
    pub(crate) name: String,
    /// `metadata.uid`.
    pub(crate) uid: String,
    /// `metadata.resourceVersion` as a number.
    pub(crate) rv: u64,
    /// `metadata.labels`.
    pub(crate) labels: BTreeMap<String, String>,
    /// Values of the type-specific field labels.
    pub(crate) fields: Vec<(std::sync::Arc<str>, String)>,
    /// UIDs of the owners in `metadata.ownerReferences`.
    pub(crate) owners: Vec<String>,
    /// `true` when `metadata.deletionTimestamp` is set.
    pub(crate) deleting: bool,
    /// `metadata.finalizers`.
    pub(crate) finalizers: Vec<String>,
}

/// The store key of an object.
pub(crate) fn object_key(namespace: &str, name: &str) -> String {
    if namespace.is_empty() {
        name.to_owned()
    } else {
        format!("{namespace}/{name}")
    }
}

fn meta_str<'a>(v: &'a Value, field: &str) -> &'a str {
    v.get("metadata")
        .and_then(|m| m.get(field))
        .and_then(Value::as_str)
        .unwrap_or("")
}

impl StoredObject {
    /// Serializes `value` (whose `metadata.resourceVersion` is already `rv`) and extracts
    /// its selectable attributes.
    pub(crate) fn new(value: &Value, rv: u64, field_labels: &FieldLabels) -> Self {
        let bytes = serde_json::to_vec(value)
            .map(Bytes::from)
            .unwrap_or_default();
        Self::with_bytes(value, bytes, rv, field_labels)
    }

    /// Like [`StoredObject::new`] with the bytes already serialized.
    pub(crate) fn with_bytes(
        value: &Value,
        bytes: Bytes,
        rv: u64,
        field_labels: &FieldLabels,
    ) -> Self {
        let namespace = meta_str(value, "namespace").to_owned();
        let name = meta_str(value, "name").to_owned();
        let labels = value
            .get("metadata")
            .and_then(|m| m.get("labels"))
            .and_then(Value::as_object)
            .map(|m| {
                m.iter()
                    .filter_map(|(k, v)| v.as_str().map(|v| (k.clone(), v.to_owned())))
                    .collect()
            })
            .unwrap_or_default();
        let owners = value
            .get("metadata")
            .and_then(|m| m.get("ownerReferences"))
            .and_then(Value::as_array)
            .map(|refs| {
                refs.iter()
                    .filter_map(|r| r.get("uid").and_then(Value::as_str).map(str::to_owned))
                    .collect()
            })
            .unwrap_or_default();
        let meta = value.get("metadata");
        let deleting = meta
            .and_then(|m| m.get("deletionTimestamp"))
            .is_some_and(|t| !t.is_null());
        let finalizers = meta
            .and_then(|m| m.get("finalizers"))
            .and_then(Value::as_array)
            .map(|a| {
                a.iter()
                    .filter_map(Value::as_str)
                    .map(str::to_owned)
                    .collect()
            })
            .unwrap_or_default();
        Self {
            deleting,
            finalizers,
            key: object_key(&namespace, &name),
            uid: meta_str(value, "uid").to_owned(),
            fields: field_labels.extract(value),
            bytes,
            namespace,
            name,
            rv,
            labels,
            owners,
        }
    }

    /// The object as a JSON value.
    pub(crate) fn value(&self) -> Value {
        serde_json::from_slice(&self.bytes).unwrap_or(Value::Null)
    }
}

impl Fields for StoredObject {
    fn field_value(&self, name: &str) -> Option<Cow<'_, str>> {
        match name {
            "metadata.name" => Some(Cow::Borrowed(&self.name)),
            "metadata.namespace" => Some(Cow::Borrowed(&self.namespace)),
            _ => self
                .fields
                .iter()
                .find(|(k, _)| &**k == name)
                .map(|(_, v)| Cow::Borrowed(v.as_str())),
        }
    }
}

/// What a list or watch selects: a namespace and label and field selectors.
#[derive(Debug, Clone, Default)]
pub(crate) struct Filter {
    /// Only objects of this namespace.
    pub(crate) namespace: Option<String>,
    /// Label selector.
    pub(crate) labels: Selector,
    /// Field selector.
    pub(crate) fields: FieldSelector,
}

impl Filter {
    /// `true` when `obj` passes every part of the filter.
    pub(crate) fn matches(&self, obj: &StoredObject) -> bool {
        if let Some(ns) = &self.namespace {
            if &obj.namespace != ns {
                return false;
            }
        }
        self.labels.matches(&obj.labels) && self.fields.matches(obj)
    }

    /// `true` when some selector is set (then lists carry no `remainingItemCount`).
    pub(crate) fn has_selectors(&self) -> bool {
        !self.labels.is_empty() || !self.fields.is_empty()
    }
}
