//! Kubernetes strategic merge patch (`application/strategic-merge-patch+json`).
//!
//! Maps merge recursively and `null` deletes a key, as in a merge patch. Lists follow the
//! schema: `x-kubernetes-patch-strategy: merge` with a `x-kubernetes-patch-merge-key` merges
//! lists of maps by that key; `merge` without a key merges scalar lists as a set; otherwise the
//! patch's list replaces the original. Directives: `$patch: replace|delete|merge` (in a map or
//! as a list element), `$retainKeys`, `$deleteFromPrimitiveList/<field>`,
//! `$setElementOrder/<field>`.

use serde_json::{Map, Value};

use super::schema::{ListStrategy, Node, Schemas};
use super::PatchError;

const PATCH: &str = "$patch";
const RETAIN_KEYS: &str = "$retainKeys";
const DELETE_FROM_PRIMITIVE: &str = "$deleteFromPrimitiveList/";
const SET_ELEMENT_ORDER: &str = "$setElementOrder/";

/// Applies a strategic merge patch to `target`, reading list strategies from `definition` in
/// `schemas` (an unknown definition patches like a merge patch).
///
/// # Errors
/// [`PatchError::Malformed`] for a body that is not a JSON object;
/// [`PatchError::InvalidDirective`] for unknown `$patch` values or list items without their
/// merge key. `target` is unchanged on error.
pub(crate) fn apply_strategic_merge_patch(
    target: &mut Value,
    patch: &[u8],
    schemas: &Schemas,
    definition: &str,
) -> Result<(), PatchError> {
    let patch: Value =
        serde_json::from_slice(patch).map_err(|e| PatchError::Malformed(e.to_string()))?;
    let Value::Object(patch) = patch else {
        return Err(PatchError::Malformed(
            "a strategic merge patch must be a JSON object".into(),
        ));
    };
    let mut work = match target {
        Value::Object(m) => m.clone(),
        _ => Map::new(),
    };
    if merge_map(&mut work, &patch, schemas.definition(definition))? == Outcome::Delete {
        work.clear();
    }
    *target = Value::Object(work);
    Ok(())
}

#[derive(Debug, PartialEq, Eq)]
enum Outcome {
    Keep,
    Delete,
}

fn directive(map: &Map<String, Value>) -> Result<Option<&str>, PatchError> {
    match map.get(PATCH) {
        None => Ok(None),
        Some(Value::String(s)) if matches!(s.as_str(), "replace" | "delete" | "merge") => {
            Ok(Some(s.as_str()))
        }
        Some(other) => Err(PatchError::InvalidDirective(format!(
            "unknown patch type: {other}"
        ))),
    }
}

/// A patch value with every directive removed, as stored when there is nothing to merge into.
fn strip(v: &Value) -> Value {
    match v {
        Value::Object(m) => Value::Object(
            m.iter()
                .filter(|(k, _)| !k.starts_with('$'))
                .map(|(k, v)| (k.clone(), strip(v)))
                .collect(),
        ),
        Value::Array(items) => Value::Array(
            items
                .iter()
                .filter(|i| i.get(PATCH).is_none() || i.as_object().is_some_and(|m| m.len() > 1))
                .map(strip)
                .collect(),
        ),
        other => other.clone(),
    }
}

fn merge_map(
    original: &mut Map<String, Value>,
    patch: &Map<String, Value>,
    node: Node<'_>,
) -> Result<Outcome, PatchError> {
    match directive(patch)? {
        Some("delete") => return Ok(Outcome::Delete),
        Some("replace") => {
            if let Value::Object(m) = strip(&Value::Object(patch.clone())) {
                *original = m;
            }
            return Ok(Outcome::Keep);
        }
        _ => {}
    }
    for (key, value) in patch {
        if key == PATCH || key == RETAIN_KEYS || key.starts_with(SET_ELEMENT_ORDER) {
            continue;
        }
        if let Some(field) = key.strip_prefix(DELETE_FROM_PRIMITIVE) {
            delete_from_primitive_list(original, field, value)?;
            continue;
        }
        merge_field(original, key, value, node)?;
    }
    for (key, order) in patch
        .iter()
        .filter(|(k, _)| k.starts_with(SET_ELEMENT_ORDER))
    {
        let field = &key[SET_ELEMENT_ORDER.len()..];
        set_element_order(original, field, order, node);
    }
    if let Some(keep) = patch.get(RETAIN_KEYS) {
        let Value::Array(keep) = keep else {
            return Err(PatchError::InvalidDirective(
                "$retainKeys must be a list".into(),
            ));
        };
        original.retain(|k, _| keep.iter().any(|r| r.as_str() == Some(k)));
    }
    Ok(Outcome::Keep)
}

fn merge_field(
    original: &mut Map<String, Value>,
    key: &str,
    value: &Value,
    node: Node<'_>,
) -> Result<(), PatchError> {
    match value {
        Value::Null => {
            original.remove(key);
        }
        Value::Object(pm) => {
            let child = node.property(key);
            match original.get_mut(key) {
                Some(Value::Object(om)) => {
                    if merge_map(om, pm, child)? == Outcome::Delete {
                        original.remove(key);
                    }
                }
                _ => {
                    if directive(pm)? == Some("delete") {
                        original.remove(key);
                    } else {
                        let mut fresh = Map::new();
                        merge_map(&mut fresh, pm, child)?;
                        original.insert(key.to_owned(), Value::Object(fresh));
                    }
                }
            }
        }
        Value::Array(items) => {
            let strategy = node.list_strategy(key);
            let item_node = node.property(key).items();
            let existing = match original.remove(key) {
                Some(Value::Array(a)) => a,
                _ => Vec::new(),
            };
            let merged = match strategy {
                ListStrategy::Replace => replace_list(items),
                ListStrategy::MergeSet => merge_set(existing, items),
                ListStrategy::MergeByKey(k) => merge_by_key(existing, items, &k, item_node)?,
            };
            original.insert(key.to_owned(), Value::Array(merged));
        }
        scalar => {
            original.insert(key.to_owned(), scalar.clone());
        }
    }
    Ok(())
}

fn replace_list(items: &[Value]) -> Vec<Value> {
    items
        .iter()
        .filter(|i| !is_list_directive(i))
        .map(strip)
        .collect()
}

fn is_list_directive(v: &Value) -> bool {
    v.as_object()
        .is_some_and(|m| m.len() == 1 && m.contains_key(PATCH))
}

fn merge_set(mut existing: Vec<Value>, items: &[Value]) -> Vec<Value> {
    if items
        .iter()
        .any(|i| i.get(PATCH).and_then(Value::as_str) == Some("replace"))
    {
        return replace_list(items);
    }
    for item in items.iter().filter(|i| !is_list_directive(i)) {
        if !existing.contains(item) {
            existing.push(item.clone());
        }
    }
    existing
}

fn merge_by_key(
    mut existing: Vec<Value>,
    items: &[Value],
    merge_key: &str,
    item_node: Node<'_>,
) -> Result<Vec<Value>, PatchError> {
    if items
        .iter()
        .any(|i| is_list_directive(i) && i.get(PATCH).and_then(Value::as_str) == Some("replace"))
    {
        return Ok(replace_list(items));
    }
    for item in items {
        if is_list_directive(item) {
            continue;
        }
        let Value::Object(pm) = item else {
            // Scalars in a keyed list: treat as a set, like upstream does for primitives.
            if !existing.contains(item) {
                existing.push(item.clone());
            }
            continue;
        };
        let Some(key_value) = pm.get(merge_key) else {
            return Err(PatchError::InvalidDirective(format!(
                "map: {item} does not contain declared merge key: {merge_key}"
            )));
        };
        let position = existing
            .iter()
            .position(|e| e.get(merge_key) == Some(key_value));
        let deleting = directive(pm)? == Some("delete");
        match (position, deleting) {
            (Some(i), true) => {
                existing.remove(i);
            }
            (None, true) => {}
            (Some(i), false) => {
                if let Value::Object(om) = &mut existing[i] {
                    if merge_map(om, pm, item_node)? == Outcome::Delete {
                        existing.remove(i);
                    }
                }
            }
            (None, false) => {
                let mut fresh = Map::new();
                merge_map(&mut fresh, pm, item_node)?;
                existing.push(Value::Object(fresh));
            }
        }
    }
    Ok(existing)
}

fn delete_from_primitive_list(
    original: &mut Map<String, Value>,
    field: &str,
    values: &Value,
) -> Result<(), PatchError> {
    let Value::Array(remove) = values else {
        return Err(PatchError::InvalidDirective(format!(
            "{DELETE_FROM_PRIMITIVE}{field} must be a list"
        )));
    };
    if let Some(Value::Array(list)) = original.get_mut(field) {
        list.retain(|v| !remove.contains(v));
    }
    Ok(())
}

/// Reorders a list so the elements named in `order` come first, in that order; the rest keep
/// their relative order after them.
fn set_element_order(
    original: &mut Map<String, Value>,
    field: &str,
    order: &Value,
    node: Node<'_>,
) {
    let (Some(Value::Array(list)), Value::Array(order)) = (original.get_mut(field), order) else {
        return;
    };
    let key = match node.list_strategy(field) {
        ListStrategy::MergeByKey(k) => Some(k),
        _ => None,
    };
    let identity = |v: &Value| -> Value {
        match &key {
            Some(k) => v.get(k).cloned().unwrap_or(Value::Null),
            None => v.clone(),
        }
    };
    let rank = |v: &Value| {
        let id = identity(v);
        order
            .iter()
            .position(|o| identity(o) == id)
            .unwrap_or(usize::MAX)
    };
    list.sort_by_key(|v| rank(v));
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn schemas() -> Schemas {
        Schemas::from_openapi(&json!({"definitions": {
            "Pod": {"properties": {
                "metadata": {"$ref": "#/definitions/Meta"},
                "spec": {"$ref": "#/definitions/PodSpec"}}},
            "Meta": {"properties": {
                "finalizers": {"type": "array", "items": {"type": "string"}, "x-kubernetes-patch-strategy": "merge"},
                "labels": {"type": "object", "additionalProperties": {"type": "string"}}}},
            "PodSpec": {"properties": {
                "containers": {"type": "array", "items": {"$ref": "#/definitions/Container"},
                    "x-kubernetes-patch-merge-key": "name", "x-kubernetes-patch-strategy": "merge"},
                "args": {"type": "array", "items": {"type": "string"}},
                "volumes": {"type": "array", "items": {"type": "object"},
                    "x-kubernetes-patch-merge-key": "name", "x-kubernetes-patch-strategy": "merge,retainKeys"}}},
            "Container": {"properties": {
                "ports": {"type": "array", "items": {"type": "object"},
                    "x-kubernetes-patch-merge-key": "containerPort", "x-kubernetes-patch-strategy": "merge"},
                "env": {"type": "array", "items": {"type": "object"},
                    "x-kubernetes-patch-merge-key": "name", "x-kubernetes-patch-strategy": "merge"}}}
        }}))
    }

    #[allow(clippy::needless_pass_by_value)]
    fn patched(original: Value, patch: Value) -> Result<Value, PatchError> {
        let mut v = original;
        apply_strategic_merge_patch(&mut v, patch.to_string().as_bytes(), &schemas(), "Pod")?;
        Ok(v)
    }

    #[test]
    fn keyed_lists_merge_by_key_and_scalars_replace() {
        let pod = json!({"spec": {"containers": [
            {"name": "a", "image": "a:1", "ports": [{"containerPort": 80}]},
            {"name": "b", "image": "b:1"}], "args": ["x", "y"]}});
        let out = patched(
            pod,
            json!({"spec": {"containers": [
            {"name": "b", "image": "b:2"},
            {"name": "c", "image": "c:1"},
            {"name": "a", "ports": [{"containerPort": 443}]}], "args": ["z"]}}),
        )
        .unwrap();
        assert_eq!(
            out,
            json!({"spec": {"containers": [
            {"name": "a", "image": "a:1", "ports": [{"containerPort": 80}, {"containerPort": 443}]},
            {"name": "b", "image": "b:2"},
            {"name": "c", "image": "c:1"}], "args": ["z"]}})
        );
    }

    #[test]
    fn delete_and_replace_directives() {
        let pod = json!({"spec": {"containers": [{"name": "a", "env": [{"name": "E", "value": "1"}]}, {"name": "b"}]}});
        let out = patched(
            pod.clone(),
            json!({"spec": {"containers": [{"name": "b", "$patch": "delete"}]}}),
        )
        .unwrap();
        assert_eq!(
            out,
            json!({"spec": {"containers": [{"name": "a", "env": [{"name": "E", "value": "1"}]}]}})
        );
        let out = patched(
            pod.clone(),
            json!({"spec": {"containers": [{"name": "z"}, {"$patch": "replace"}]}}),
        )
        .unwrap();
        assert_eq!(out, json!({"spec": {"containers": [{"name": "z"}]}}));
        let out = patched(
            pod.clone(),
            json!({"spec": {"$patch": "replace", "args": ["only"]}}),
        )
        .unwrap();
        assert_eq!(out, json!({"spec": {"args": ["only"]}}));
        let out = patched(pod, json!({"spec": {"$patch": "delete"}})).unwrap();
        assert_eq!(out, json!({}));
    }

    #[test]
    fn maps_merge_and_null_deletes_and_sets_union() {
        let pod = json!({"metadata": {"labels": {"a": "1", "b": "2"}, "finalizers": ["x"]}});
        let out = patched(
            pod,
            json!({"metadata": {"labels": {"a": null, "c": "3"}, "finalizers": ["y", "x"]}}),
        )
        .unwrap();
        assert_eq!(
            out,
            json!({"metadata": {"labels": {"b": "2", "c": "3"}, "finalizers": ["x", "y"]}})
        );
    }

    #[test]
    fn primitive_list_deletion_retain_keys_and_order() {
        let pod = json!({"metadata": {"finalizers": ["a", "b", "c"]},
            "spec": {"containers": [{"name": "1"}, {"name": "2"}, {"name": "3"}]}});
        let out = patched(
            pod,
            json!({
            "metadata": {"$deleteFromPrimitiveList/finalizers": ["b"]},
            "spec": {"$setElementOrder/containers": [{"name": "3"}, {"name": "1"}, {"name": "2"}],
                     "containers": [{"name": "3", "image": "i"}]}}),
        )
        .unwrap();
        assert_eq!(out["metadata"]["finalizers"], json!(["a", "c"]));
        assert_eq!(
            out["spec"]["containers"],
            json!([{"name": "3", "image": "i"}, {"name": "1"}, {"name": "2"}])
        );
        let v = patched(
            json!({"spec": {"a": 1, "b": 2}}),
            json!({"spec": {"$retainKeys": ["b"], "b": 3}}),
        )
        .unwrap();
        assert_eq!(v, json!({"spec": {"b": 3}}));
    }

    #[test]
    fn errors_leave_target_unchanged() {
        let pod = json!({"spec": {"containers": [{"name": "a"}]}});
        let mut v = pod.clone();
        let bad = br#"{"spec": {"containers": [{"image": "no-name"}]}}"#;
        let err = apply_strategic_merge_patch(&mut v, bad, &schemas(), "Pod").unwrap_err();
        assert!(
            err.to_string()
                .contains("does not contain declared merge key: name"),
            "{err}"
        );
        assert_eq!(v, pod);
        assert!(apply_strategic_merge_patch(&mut v, b"[]", &schemas(), "Pod").is_err());
        assert!(apply_strategic_merge_patch(
            &mut v,
            br#"{"$patch": "explode"}"#,
            &schemas(),
            "Pod"
        )
        .is_err());
        // Unknown definitions patch like a merge patch (lists replace).
        apply_strategic_merge_patch(
            &mut v,
            br#"{"spec": {"containers": []}}"#,
            &schemas(),
            "Nope",
        )
        .unwrap();
        assert_eq!(v, json!({"spec": {"containers": []}}));
    }

    #[test]
    fn builtin_pod_schema_drives_the_merge() {
        let builtin = Schemas::builtin();
        let def = "io.k8s.api.core.v1.Pod";
        assert!(builtin.has(def), "catalog lacks {def}");
        let mut pod = json!({"metadata": {"name": "p", "finalizers": ["a"],
                "ownerReferences": [{"uid": "1", "name": "o", "kind": "K", "apiVersion": "v1"}]},
            "spec": {"containers": [{"name": "app", "image": "app:1", "env": [{"name": "A", "value": "1"}]}],
                     "tolerations": [{"key": "t"}]}});
        let patch = json!({"metadata": {"finalizers": ["b"], "ownerReferences": [{"uid": "2", "name": "p", "kind": "K", "apiVersion": "v1"}]},
            "spec": {"containers": [{"name": "app", "env": [{"name": "B", "value": "2"}]}, {"name": "side", "image": "s:1"}],
                     "tolerations": [{"key": "u"}]}});
        apply_strategic_merge_patch(&mut pod, patch.to_string().as_bytes(), &builtin, def).unwrap();
        assert_eq!(pod["metadata"]["finalizers"], json!(["a", "b"]));
        assert_eq!(
            pod["metadata"]["ownerReferences"].as_array().unwrap().len(),
            2
        );
        assert_eq!(pod["spec"]["containers"][0]["image"], "app:1");
        assert_eq!(
            pod["spec"]["containers"][0]["env"],
            json!([{"name": "A", "value": "1"}, {"name": "B", "value": "2"}])
        );
        assert_eq!(pod["spec"]["containers"][1]["name"], "side");
        // tolerations have no merge strategy: the patch replaces the list.
        assert_eq!(pod["spec"]["tolerations"], json!([{"key": "u"}]));
    }
}
