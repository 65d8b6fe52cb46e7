//! Schema-aware walks over JSON values for server-side apply: the set of fields a value sets,
//! the fields two values differ in, merging an applied configuration into a live object, and
//! removing fields.
//!
//! List semantics come from the schema: `x-kubernetes-list-type` (`atomic`, `set`, `map` with
//! `x-kubernetes-list-map-keys`); for built-in fields without one, a
//! `x-kubernetes-patch-strategy: merge` list is a map keyed by its patch merge key (or a set
//! when it has none); everything else is atomic. Maps and structs are granular unless marked
//! `x-kubernetes-map-type: atomic`.

use serde_json::{Map, Value};

use super::fieldset::FieldSet;
use crate::patch::Node;

/// How a list is owned.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum ListKind {
    /// As a whole.
    Atomic,
    /// Element by element (scalars).
    Set,
    /// Element by element, identified by these keys.
    Map(Vec<String>),
}

/// The kind of the list at property `key` of `parent`.
pub(crate) fn list_kind(parent: Node<'_>, key: &str) -> ListKind {
    let decl = parent.declaration(key);
    let resolved = parent.property(key).raw();
    for d in [decl, resolved].into_iter().flatten() {
        match d.get("x-kubernetes-list-type").and_then(Value::as_str) {
            Some("map") => {
                let keys = d
                    .get("x-kubernetes-list-map-keys")
                    .and_then(Value::as_array)
                    .map(|a| {
                        a.iter()
                            .filter_map(Value::as_str)
                            .map(str::to_owned)
                            .collect()
                    })
                    .unwrap_or_default();
                return ListKind::Map(keys);
            }
            Some("set") => return ListKind::Set,
            Some(_) => return ListKind::Atomic,
            None => {}
        }
    }
    match parent.list_strategy(key) {
        crate::patch::ListStrategy::MergeByKey(k) => ListKind::Map(vec![k]),
        crate::patch::ListStrategy::MergeSet => ListKind::Set,
        crate::patch::ListStrategy::Replace => ListKind::Atomic,
    }
}

/// `true` when the map or struct at `node` is owned as a whole.
fn atomic_map(node: Node<'_>) -> bool {
    node.raw()
        .and_then(|v| v.get("x-kubernetes-map-type"))
        .and_then(Value::as_str)
        == Some("atomic")
}

/// The path element of a keyed list item: its key fields that are set (upstream defaults
/// missing ones such as a port's `protocol` first; this server does not default, so an item
/// is identified by the keys it has). `None` when it has none of them.
fn key_element(item: &Value, keys: &[String]) -> Option<String> {
    let mut m = Map::new();
    let mut sorted: Vec<&String> = keys.iter().collect();
    sorted.sort();
    for k in sorted {
        if let Some(v) = item.get(k) {
            m.insert(k.clone(), v.clone());
        }
    }
    (!m.is_empty()).then(|| format!("k:{}", Value::Object(m)))
}

fn value_element(item: &Value) -> String {
    format!("v:{item}")
}

/// Elements of every item of a keyed list; `None` if one lacks a key or two share one.
fn keyed(items: &[Value], keys: &[String]) -> Option<Vec<String>> {
    if keys.is_empty() {
        return None;
    }
    let mut out: Vec<String> = Vec::with_capacity(items.len());
    for i in items {
        let k = key_element(i, keys)?;
        if out.contains(&k) {
            return None;
        }
        out.push(k);
    }
    Some(out)
}

/// The fields `v` (an object at `node`) sets: leaves, atomic values, list items; containers
/// themselves only when empty.
pub(crate) fn to_set(v: &Value, node: Node<'_>) -> Result<FieldSet, String> {
    let mut out = FieldSet::default();
    let Value::Object(m) = v else {
        return Ok(FieldSet::leaf());
    };
    if m.is_empty() || atomic_map(node) {
        return Ok(FieldSet::leaf());
    }
    for (k, child) in m {
        out.put(format!("f:{k}"), child_set(child, node, k)?);
    }
    Ok(out)
}

fn child_set(child: &Value, parent: Node<'_>, key: &str) -> Result<FieldSet, String> {
    let node = parent.property(key);
    match child {
        Value::Object(_) => to_set(child, node),
        Value::Array(items) if !items.is_empty() => match list_kind(parent, key) {
            ListKind::Atomic => Ok(FieldSet::leaf()),
            ListKind::Set => {
                let mut s = FieldSet::default();
                for i in items {
                    s.put(value_element(i), FieldSet::leaf());
                }
                Ok(s)
            }
            ListKind::Map(keys) => {
                let Some(elems) = keyed(items, &keys) else {
                    return Err(format!(
                        ".{key}: associative list with keys {keys:?} has an element that omits a key field or repeats a key"
                    ));
                };
                let mut s = FieldSet::default();
                let item_node = node.items();
                for (e, i) in elems.into_iter().zip(items) {
                    let mut is = to_set(i, item_node)?;
                    is.member = true;
                    s.put(e, is);
                }
                Ok(s)
            }
        },
        _ => Ok(FieldSet::leaf()),
    }
}

/// A subtree that appeared or disappeared: the node itself and everything it sets.
fn whole(child: &Value, parent: Node<'_>, key: &str) -> FieldSet {
    let mut s = child_set(child, parent, key).unwrap_or_else(|_| FieldSet::leaf());
    s.member = true;
    s
}

/// The fields that differ between two objects at `node`: `(added or changed, removed)`.
pub(crate) fn diff(old: &Value, new: &Value, node: Node<'_>) -> (FieldSet, FieldSet) {
    let mut changed = FieldSet::default();
    let mut removed = FieldSet::default();
    let empty = Map::new();
    let om = old.as_object().unwrap_or(&empty);
    let nm = new.as_object().unwrap_or(&empty);
    if atomic_map(node) {
        if old != new {
            changed.member = true;
        }
        return (changed, removed);
    }
    for (k, nv) in nm {
        let pe = format!("f:{k}");
        match om.get(k) {
            None => changed.put(pe, whole(nv, node, k)),
            Some(ov) if ov == nv => {}
            Some(ov) => {
                let (c, r) = diff_child(ov, nv, node, k);
                changed.put(pe.clone(), c);
                removed.put(pe, r);
            }
        }
    }
    for (k, ov) in om {
        if !nm.contains_key(k) {
            removed.put(format!("f:{k}"), whole(ov, node, k));
        }
    }
    (changed, removed)
}

fn diff_child(ov: &Value, nv: &Value, parent: Node<'_>, key: &str) -> (FieldSet, FieldSet) {
    let node = parent.property(key);
    match (ov, nv) {
        (Value::Object(_), Value::Object(_)) => diff(ov, nv, node),
        (Value::Array(oa), Value::Array(na)) => match list_kind(parent, key) {
            ListKind::Set => {
                let mut c = FieldSet::default();
                let mut r = FieldSet::default();
                for i in na.iter().filter(|i| !oa.contains(i)) {
                    c.put(value_element(i), FieldSet::leaf());
                }
                for i in oa.iter().filter(|i| !na.contains(i)) {
                    r.put(value_element(i), FieldSet::leaf());
                }
                (c, r)
            }
            ListKind::Map(keys) => match (keyed(oa, &keys), keyed(na, &keys)) {
                (Some(ok), Some(nk)) => {
                    let mut c = FieldSet::default();
                    let mut r = FieldSet::default();
                    let item_node = node.items();
                    for (e, ni) in nk.iter().zip(na) {
                        match ok.iter().position(|x| x == e) {
                            None => {
                                let mut s = to_set(ni, item_node).unwrap_or_default();
                                s.member = true;
                                c.put(e.clone(), s);
                            }
                            Some(p) if &oa[p] == ni => {}
                            Some(p) => {
                                let (ic, ir) = diff(&oa[p], ni, item_node);
                                c.put(e.clone(), ic);
                                r.put(e.clone(), ir);
                            }
                        }
                    }
                    for (e, oi) in ok.iter().zip(oa) {
                        if !nk.contains(e) {
                            let mut s = to_set(oi, item_node).unwrap_or_default();
                            s.member = true;
                            r.put(e.clone(), s);
                        }
                    }
                    (c, r)
                }
                _ => (FieldSet::leaf(), FieldSet::default()),
            },
            ListKind::Atomic => (FieldSet::leaf(), FieldSet::default()),
        },
        _ => (FieldSet::leaf(), FieldSet::default()),
    }
}

/// `live` with the applied configuration `config` merged in (config wins; `null` removes).
pub(crate) fn merge(live: &Value, config: &Value, node: Node<'_>) -> Value {
    let (Value::Object(lm), Value::Object(cm)) = (live, config) else {
        return config.clone();
    };
    if atomic_map(node) {
        return config.clone();
    }
    let mut out = lm.clone();
    for (k, cv) in cm {
        if cv.is_null() {
            out.remove(k);
            continue;
        }
        let merged = match lm.get(k) {
            Some(lv) => merge_child(lv, cv, node, k),
            None => cv.clone(),
        };
        out.insert(k.clone(), merged);
    }
    Value::Object(out)
}

fn merge_child(lv: &Value, cv: &Value, parent: Node<'_>, key: &str) -> Value {
    let node = parent.property(key);
    match (lv, cv) {
        (Value::Object(_), Value::Object(_)) => merge(lv, cv, node),
        (Value::Array(la), Value::Array(ca)) => match list_kind(parent, key) {
            ListKind::Set => {
                let mut out = la.clone();
                out.extend(ca.iter().filter(|i| !la.contains(i)).cloned());
                Value::Array(out)
            }
            ListKind::Map(keys) => {
                let (Some(lk), Some(ck)) = (keyed(la, &keys), keyed(ca, &keys)) else {
                    return cv.clone();
                };
                let item_node = node.items();
                let mut out = la.clone();
                for (e, ci) in ck.iter().zip(ca) {
                    match lk.iter().position(|x| x == e) {
                        Some(p) => out[p] = merge(&la[p], ci, item_node),
                        None => out.push(ci.clone()),
                    }
                }
                Value::Array(out)
            }
            ListKind::Atomic => cv.clone(),
        },
        _ => cv.clone(),
    }
}

/// Removes every path of `set` from `v` (an object at `node`).
pub(crate) fn remove(v: &mut Value, set: &FieldSet, node: Node<'_>) {
    let Value::Object(m) = v else { return };
    for (pe, child) in &set.children {
        let Some(k) = pe.strip_prefix("f:") else {
            continue;
        };
        let granular = m.get(k).is_some_and(Value::is_object) && !atomic_map(node.property(k));
        if child.member && !granular {
            m.remove(k);
            continue;
        }
        let Some(target) = m.get_mut(k) else { continue };
        if child.member {
            // A granular map that is itself in the set (an Update created it): its fields go
            // one by one, and the map with them once nothing is left.
            remove(target, child, node.property(k));
            if target.as_object().is_some_and(Map::is_empty) {
                m.remove(k);
            }
            continue;
        }
        match target {
            Value::Object(_) => remove(target, child, node.property(k)),
            Value::Array(items) => {
                let kind = list_kind(node, k);
                let item_node = node.property(k).items();
                remove_items(items, child, &kind, item_node);
            }
            _ => {}
        }
    }
}

fn remove_items(items: &mut Vec<Value>, set: &FieldSet, kind: &ListKind, item_node: Node<'_>) {
    for (pe, child) in &set.children {
        let pos = match kind {
            ListKind::Set => items.iter().position(|i| &value_element(i) == pe),
            ListKind::Map(keys) => items
                .iter()
                .position(|i| key_element(i, keys).as_ref() == Some(pe)),
            ListKind::Atomic => None,
        };
        let Some(p) = pos else { continue };
        if child.member {
            items.remove(p);
        } else {
            remove(&mut items[p], child, item_node);
        }
    }
}
