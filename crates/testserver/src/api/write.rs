//! The common tail of every update: server-owned fields, the generation rule (3.11), no-op
//! detection (3.6), and removal once a deleting object has lost its last finalizer (3.12).

use std::sync::Arc;

use serde_json::Value;

use super::meta::{finalizers, is_deleting, meta_mut};
use crate::registry::ResourceDef;
use crate::ssa::Manager;
use crate::store::{set_rv, StoredObject, Txn};

/// How an update changes `managedFields`.
#[derive(Debug, Clone)]
pub(crate) enum Managed {
    /// Not at all (controllers).
    Keep,
    /// An Update by this manager (rule 3.9).
    Update(Manager),
    /// The new state already carries them (server-side apply).
    Applied,
}

/// What an update did.
#[derive(Debug)]
pub(crate) enum Committed {
    /// A new state was stored (or would be, in a dry run).
    Stored(Arc<StoredObject>),
    /// Nothing changed: no new revision, no event.
    Unchanged(Arc<StoredObject>),
    /// The object was deleting and lost its last finalizer: it is gone.
    Removed(Arc<StoredObject>),
}

impl Committed {
    /// The resulting object.
    pub(crate) fn object(&self) -> &Arc<StoredObject> {
        match self {
            Self::Stored(o) | Self::Unchanged(o) | Self::Removed(o) => o,
        }
    }
}

/// `true` when `a` and `b` differ outside `metadata` (and outside `status` when `status` is
/// its own subresource).
fn spec_changed(def: &ResourceDef, a: &Value, b: &Value) -> bool {
    let strip = |v: &Value| {
        let mut m = v.as_object().cloned().unwrap_or_default();
        for k in ["metadata", "apiVersion", "kind"] {
            m.remove(k);
        }
        if def.has_status {
            m.remove("status");
        }
        m
    };
    strip(a) != strip(b)
}

/// Stores `new` as the next state of `current` (whose value is `cur`), with `new` already
/// holding the fields the request may change. `sdef` is the storage definition.
pub(crate) fn commit_update(
    txn: &mut Txn<'_>,
    sdef: &ResourceDef,
    current: &Arc<StoredObject>,
    cur: &Value,
    mut new: Value,
    dry_run: bool,
    managed: &Managed,
) -> Committed {
    if let Some(m) = new.as_object_mut() {
        m.insert("apiVersion".into(), Value::String(sdef.api_version()));
        m.insert("kind".into(), Value::String(sdef.kind.clone()));
    }
    let cur_meta = cur
        .get("metadata")
        .and_then(Value::as_object)
        .cloned()
        .unwrap_or_default();
    let changed = spec_changed(sdef, cur, &new);
    let meta = meta_mut(&mut new);
    for k in [
        "uid",
        "creationTimestamp",
        "deletionTimestamp",
        "deletionGracePeriodSeconds",
        "generation",
    ] {
        match cur_meta.get(k) {
            Some(v) => meta.insert(k.into(), v.clone()),
            None => meta.remove(k),
        };
    }
    if let Some(ns) = cur_meta.get("namespace") {
        meta.insert("namespace".into(), ns.clone());
    }
    if (sdef.tracks_generation || sdef.custom) && changed {
        let g = cur_meta
            .get("generation")
            .and_then(Value::as_i64)
            .unwrap_or(0);
        meta.insert("generation".into(), Value::from(g + 1));
    }
    if meta
        .get("finalizers")
        .and_then(Value::as_array)
        .is_some_and(Vec::is_empty)
    {
        meta.remove("finalizers");
    }
    let spec_finalizers = sdef.group.is_empty()
        && sdef.plural == "namespaces"
        && new
            .get("spec")
            .and_then(|s| s.get("finalizers"))
            .and_then(Value::as_array)
            .is_some_and(|a| !a.is_empty());
    if is_deleting(&new) && finalizers(&new).is_empty() && !spec_finalizers {
        if dry_run {
            return Committed::Removed(Arc::clone(current));
        }
        let key = current.key.clone();
        return match txn.remove(sdef, &key, new) {
            Some(o) => Committed::Removed(o),
            None => Committed::Unchanged(Arc::clone(current)),
        };
    }
    match managed {
        Managed::Keep => {
            let m = meta_mut(&mut new);
            match cur_meta.get("managedFields") {
                Some(v) => m.insert("managedFields".into(), v.clone()),
                None => m.remove("managedFields"),
            };
        }
        Managed::Update(mgr) => crate::ssa::record_update(sdef, Some(cur), &mut new, mgr),
        Managed::Applied => {}
    }
    set_rv(&mut new, current.rv);
    let bytes = serde_json::to_vec(&new).unwrap_or_default();
    if bytes == current.bytes {
        return Committed::Unchanged(Arc::clone(current));
    }
    if dry_run {
        return Committed::Stored(Arc::new(StoredObject::new(
            &new,
            current.rv,
            &sdef.field_labels,
        )));
    }
    Committed::Stored(txn.put(sdef, &mut new))
}
