//! Server-side apply and `managedFields` (rule 3.9).
//!
//! Every write records which manager owns which fields: an Update (create, PUT, non-apply
//! PATCH) takes ownership of the fields it changes away from every other manager and drops
//! removed fields from everyone ([`record_update`]); an Apply ([`apply`]) merges the applied
//! configuration into the live object by the schema's list and map semantics, removes the
//! fields the same manager applied before and no longer applies (unless someone else owns
//! them), and fails with conflicts when it would change a field another manager owns —
//! unless forced, which moves the ownership.
//!
//! Simplifications against upstream structured-merge-diff: no version conversion of field
//! sets (entries keep the apiVersion they were written at, paths are compared as they are);
//! list items of map-lists merge in live order with new items appended; missing list-map key
//! fields are not defaulted; an Apply entry is kept even when it owns nothing.

mod fieldset;
mod typed;

use kapi_apimachinery::meta::{cause, reason, Status, StatusCause};
use serde_json::{json, Value};

use crate::api::meta::now;
use crate::patch::Node;
use crate::registry::ResourceDef;
pub(crate) use fieldset::{format_path, FieldSet};

/// Who writes, at which version, through which subresource.
#[derive(Debug, Clone)]
pub(crate) struct Manager {
    /// `fieldManager`, or the User-Agent up to its first `/`.
    pub(crate) name: String,
    /// The request's apiVersion.
    pub(crate) api_version: String,
    /// `status` or `scale` for subresource writes.
    pub(crate) subresource: Option<String>,
}

#[derive(Debug, Clone)]
struct Entry {
    manager: String,
    operation: String,
    api_version: String,
    time: String,
    subresource: Option<String>,
    set: FieldSet,
}

impl Entry {
    fn is(&self, mgr: &Manager, operation: &str) -> bool {
        self.manager == mgr.name
            && self.operation == operation
            && self.subresource == mgr.subresource
            && (operation == "Apply" || self.api_version == mgr.api_version)
    }

    /// How conflict messages name this manager.
    fn describe(&self) -> String {
        let mut s = format!("{:?}", self.manager);
        if let Some(sub) = &self.subresource {
            s.push_str(&format!(" with subresource {sub:?}"));
        }
        if self.operation == "Update" {
            s.push_str(&format!(" using {}", self.api_version));
        }
        s
    }
}

fn decode(list: &Value) -> Vec<Entry> {
    let s = |e: &Value, k: &str| e.get(k).and_then(Value::as_str).unwrap_or("").to_owned();
    list.as_array()
        .into_iter()
        .flatten()
        .filter(|e| !s(e, "manager").is_empty() || e.get("fieldsV1").is_some())
        .map(|e| Entry {
            manager: s(e, "manager"),
            operation: s(e, "operation"),
            api_version: s(e, "apiVersion"),
            time: s(e, "time"),
            subresource: Some(s(e, "subresource")).filter(|x| !x.is_empty()),
            set: FieldSet::from_fields_v1(e.get("fieldsV1").unwrap_or(&Value::Null)),
        })
        .collect()
}

fn encode(mut entries: Vec<Entry>) -> Value {
    entries.sort_by(|a, b| {
        (a.operation != "Apply", &a.time, &a.manager).cmp(&(
            b.operation != "Apply",
            &b.time,
            &b.manager,
        ))
    });
    Value::Array(
        entries
            .into_iter()
            .map(|e| {
                let mut v = json!({
                    "manager": e.manager,
                    "operation": e.operation,
                    "apiVersion": e.api_version,
                    "time": e.time,
                    "fieldsType": "FieldsV1",
                    "fieldsV1": e.set.to_fields_v1(),
                });
                if let Some(sub) = e.subresource {
                    v["subresource"] = Value::String(sub);
                }
                v
            })
            .collect(),
    )
}

fn managed_of(v: &Value) -> Vec<Entry> {
    v.get("metadata")
        .and_then(|m| m.get("managedFields"))
        .map(decode)
        .unwrap_or_default()
}

fn set_managed(v: &mut Value, entries: Vec<Entry>) {
    let meta = crate::api::meta::meta_mut(v);
    if entries.is_empty() {
        meta.remove("managedFields");
    } else {
        meta.insert("managedFields".into(), encode(entries));
    }
}

/// The schema node of a resource's kind.
fn node(def: &ResourceDef) -> Node<'_> {
    def.schemas
        .definition(def.definition.as_deref().unwrap_or(""))
}

/// The part of an object whose fields are owned: no type, identity or server-set metadata;
/// only `status` through `/status`, no `status` through the main resource when `/status`
/// exists.
fn owned_part(def: &ResourceDef, v: &Value, subresource: Option<&str>) -> Value {
    let mut out = v.clone();
    let Some(m) = out.as_object_mut() else {
        return json!({});
    };
    m.remove("apiVersion");
    m.remove("kind");
    if let Some(meta) = m.get_mut("metadata").and_then(Value::as_object_mut) {
        for k in [
            "name",
            "namespace",
            "uid",
            "resourceVersion",
            "generation",
            "creationTimestamp",
            "deletionTimestamp",
            "deletionGracePeriodSeconds",
            "managedFields",
            "selfLink",
        ] {
            meta.remove(k);
        }
        if meta.is_empty() {
            m.remove("metadata");
        }
    }
    if subresource == Some("status") {
        m.retain(|k, _| k == "status");
    } else if def.has_status {
        m.remove("status");
    }
    out
}

/// Records an Update by `mgr` that turned `old` (none for a create) into `new`, in `new`'s
/// `managedFields`. A request that sets `managedFields` replaces the stored ones (`[{}]`
/// removes them all).
pub(crate) fn record_update(
    def: &ResourceDef,
    old: Option<&Value>,
    new: &mut Value,
    mgr: &Manager,
) {
    let given = new
        .get_mut("metadata")
        .and_then(Value::as_object_mut)
        .and_then(|m| m.remove("managedFields"));
    let mut entries = match &given {
        Some(Value::Array(a))
            if a.len() == 1 && a[0].as_object().is_some_and(serde_json::Map::is_empty) =>
        {
            return;
        }
        Some(list @ Value::Array(a)) if !a.is_empty() => decode(list),
        _ => old.map(managed_of).unwrap_or_default(),
    };
    let sub = mgr.subresource.as_deref();
    let before = old.map_or_else(|| json!({}), |o| owned_part(def, o, sub));
    let after = owned_part(def, new, sub);
    let (changed, removed) = typed::diff(&before, &after, node(def));
    let touched = {
        let mut t = changed.clone();
        t.union_with(&removed);
        t
    };
    let mut found = false;
    for e in &mut entries {
        if e.is(mgr, "Update") {
            found = true;
            let mut s = e.set.difference(&removed);
            s.union_with(&changed);
            if s != e.set {
                e.set = s;
                e.time = now();
            }
        } else {
            e.set = e.set.difference(&touched);
        }
    }
    if !found && !changed.is_empty() {
        entries.push(Entry {
            manager: mgr.name.clone(),
            operation: "Update".into(),
            api_version: mgr.api_version.clone(),
            time: now(),
            subresource: mgr.subresource.clone(),
            set: changed,
        });
    }
    entries.retain(|e| !e.set.is_empty());
    set_managed(new, entries);
}

/// One field another manager owns that an apply would change.
#[derive(Debug, Clone)]
pub(crate) struct Conflict {
    /// The other manager, as messages name it.
    pub(crate) manager: String,
    /// The field (`.spec.replicas`).
    pub(crate) path: String,
}

/// Why an apply failed.
#[derive(Debug)]
pub(crate) enum ApplyError {
    /// Fields owned by other managers would change.
    Conflicts(Vec<Conflict>),
    /// The configuration cannot be applied (a keyed list item without its key, ...).
    Invalid(String),
}

/// Applies `config` for `mgr` to `live` (none: the object is created). Returns the new
/// object, `managedFields` included.
pub(crate) fn apply(
    def: &ResourceDef,
    live: Option<&Value>,
    mut config: Value,
    mgr: &Manager,
    force: bool,
) -> Result<Value, ApplyError> {
    if let Some(m) = config.get_mut("metadata").and_then(Value::as_object_mut) {
        m.remove("managedFields");
    }
    let sub = mgr.subresource.as_deref();
    let n = node(def);
    let mut entries = live.map(managed_of).unwrap_or_default();
    let applied = typed::to_set(&owned_part(def, &config, sub), n).map_err(ApplyError::Invalid)?;
    let mut live_v = live.cloned().unwrap_or_else(|| json!({}));
    if let Some(m) = live_v.get_mut("metadata").and_then(Value::as_object_mut) {
        m.remove("managedFields");
    }
    let mut merged = typed::merge(&live_v, &config, n);
    let previous = entries
        .iter()
        .find(|e| e.is(mgr, "Apply"))
        .map(|e| e.set.clone())
        .unwrap_or_default();
    let mut others = FieldSet::default();
    for e in entries.iter().filter(|e| !e.is(mgr, "Apply")) {
        others.union_with(&e.set);
    }
    let dropped = previous.difference(&applied).difference(&others);
    typed::remove(&mut merged, &dropped, n);
    let (changed, removed) = typed::diff(
        &owned_part(def, &live_v, sub),
        &owned_part(def, &merged, sub),
        n,
    );
    let mut touched = changed;
    touched.union_with(&removed);
    let mut conflicts = Vec::new();
    for e in entries.iter().filter(|e| !e.is(mgr, "Apply")) {
        for p in e.set.intersection(&touched).paths() {
            conflicts.push(Conflict {
                manager: e.describe(),
                path: format_path(&p),
            });
        }
    }
    if !conflicts.is_empty() && !force {
        return Err(ApplyError::Conflicts(conflicts));
    }
    let mut found = false;
    for e in &mut entries {
        if e.is(mgr, "Apply") {
            found = true;
            if e.set != applied || e.api_version != mgr.api_version {
                e.set = applied.clone();
                e.api_version = mgr.api_version.clone();
                e.time = now();
            }
        } else {
            e.set = e.set.difference(&touched);
        }
    }
    if !found {
        entries.push(Entry {
            manager: mgr.name.clone(),
            operation: "Apply".into(),
            api_version: mgr.api_version.clone(),
            time: now(),
            subresource: mgr.subresource.clone(),
            set: applied,
        });
    }
    entries.retain(|e| e.operation == "Apply" || !e.set.is_empty());
    set_managed(&mut merged, entries);
    Ok(merged)
}

/// The 409 of an apply with conflicts: `Apply failed with N conflict(s): ...`, one
/// `FieldManagerConflict` cause per field.
pub(crate) fn conflict_status(def: &ResourceDef, name: &str, conflicts: &[Conflict]) -> Status {
    let n = conflicts.len();
    let mut managers: Vec<&str> = Vec::new();
    for c in conflicts {
        if !managers.contains(&c.manager.as_str()) {
            managers.push(&c.manager);
        }
    }
    let detail = if n == 1 {
        format!(
            "conflict with {}: {}",
            conflicts[0].manager, conflicts[0].path
        )
    } else {
        managers
            .iter()
            .map(|m| {
                let paths: Vec<String> = conflicts
                    .iter()
                    .filter(|c| c.manager == *m)
                    .map(|c| format!("- {}", c.path))
                    .collect();
                format!("conflicts with {m}:\n{}", paths.join("\n"))
            })
            .collect::<Vec<_>>()
            .join("\n")
    };
    let plural = if n == 1 { "" } else { "s" };
    let mut st = Status::failure(
        409,
        reason::CONFLICT,
        format!("Apply failed with {n} conflict{plural}: {detail}"),
    )
    .with_details(&def.group, &def.plural, name);
    for c in conflicts {
        st = st.with_cause(StatusCause::new(
            cause::FIELD_MANAGER_CONFLICT,
            format!("conflict with {}", c.manager),
            c.path.clone(),
        ));
    }
    st
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::registry::Registry;

    fn cm_def() -> std::sync::Arc<ResourceDef> {
        std::sync::Arc::clone(Registry::builtin().get("", "v1", "configmaps").unwrap())
    }

    fn mgr(name: &str) -> Manager {
        Manager {
            name: name.into(),
            api_version: "v1".into(),
            subresource: None,
        }
    }

    #[test]
    fn apply_owns_conflicts_forces_and_removes() {
        let def = cm_def();
        let cfg = json!({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "c"}, "data": {"a": "1", "b": "2"}});
        let v = apply(&def, None, cfg, &mgr("one"), false).unwrap();
        assert_eq!(v["data"], json!({"a": "1", "b": "2"}));
        assert_eq!(
            v["metadata"]["managedFields"][0]["fieldsV1"],
            json!({"f:data": {"f:a": {}, "f:b": {}}})
        );
        // Same value from another manager: shared, no conflict.
        let v = apply(
            &def,
            Some(&v),
            json!({"data": {"a": "1"}}),
            &mgr("two"),
            false,
        )
        .unwrap();
        // A different value: conflict with both owners... only "one" owns b.
        let err = apply(
            &def,
            Some(&v),
            json!({"data": {"b": "9"}}),
            &mgr("two"),
            false,
        )
        .unwrap_err();
        let ApplyError::Conflicts(c) = err else {
            panic!()
        };
        assert_eq!(c.len(), 1);
        assert_eq!(c[0].path, ".data.b");
        assert_eq!(c[0].manager, "\"one\"");
        let v = apply(
            &def,
            Some(&v),
            json!({"data": {"b": "9"}}),
            &mgr("two"),
            true,
        )
        .unwrap();
        assert_eq!(v["data"]["b"], "9");
        // "one" drops a: "two" still owns it (it applied a before? no: two now applies only b).
        let v = apply(&def, Some(&v), json!({"data": {}}), &mgr("one"), false).unwrap();
        assert!(v["data"].get("a").is_none(), "{v}");
        assert_eq!(v["data"]["b"], "9");
    }

    #[test]
    fn updates_take_ownership() {
        let def = cm_def();
        let v = apply(
            &def,
            None,
            json!({"data": {"a": "1"}}),
            &mgr("applier"),
            false,
        )
        .unwrap();
        let mut new = v.clone();
        new["data"]["a"] = json!("2");
        record_update(&def, Some(&v), &mut new, &mgr("editor"));
        let entries = managed_of(&new);
        assert_eq!(entries.len(), 1, "the applier owns nothing any more");
        assert_eq!(entries[0].manager, "editor");
        assert_eq!(
            entries[0].set.to_fields_v1(),
            json!({"f:data": {"f:a": {}}})
        );
        let err = apply(
            &def,
            Some(&new),
            json!({"data": {"a": "3"}}),
            &mgr("applier"),
            false,
        )
        .unwrap_err();
        let ApplyError::Conflicts(c) = err else {
            panic!()
        };
        assert_eq!(c[0].manager, "\"editor\" using v1");
        let st = conflict_status(&def, "c", &c);
        assert_eq!(
            st.message.as_deref(),
            Some("Apply failed with 1 conflict: conflict with \"editor\" using v1: .data.a")
        );
    }
}
