//! Unions (`anyOf`/`oneOf`, which is how `schemars` describes enums) → one structural node.
//!
//! A structural schema gives every node one type, and its `anyOf`/`oneOf` may only add value
//! checks, never new fields or types. So the alternatives are merged:
//!
//! | alternatives | result |
//! |---|---|
//! | strings (unit variants) | `type: string` with the union of their `enum`s |
//! | objects (struct, tagged and untagged variants) | one object with every variant's properties; `required` = what all variants require; externally tagged enums also get `oneOf: [{required: [variant]}…]` |
//! | integers and strings | `x-kubernetes-int-or-string: true` |
//! | one scalar type | that type (`integer` + `number` → `number`) |
//! | arrays | an array whose items merge the same way |
//! | anything else (unit and data variants mixed, …) | `x-kubernetes-preserve-unknown-fields: true` |

use serde_json::{json, Map, Value};

use super::structural::preserve_unknown;

/// Merges already-structural alternatives into one node.
pub(crate) fn merge(variants: Vec<Map<String, Value>>) -> Map<String, Value> {
    let mut variants = variants;
    let mut descriptions = Vec::new();
    let mut nullable = false;
    for variant in &mut variants {
        descriptions.push(variant.remove("description"));
        nullable |= variant.remove("nullable") == Some(Value::Bool(true));
    }
    let mut out = merge_plain(&variants);
    // A property found in several variants keeps its description when they agree.
    if let Some(Some(description)) = descriptions.first() {
        if descriptions.iter().all(|d| d.as_ref() == Some(description)) {
            out.insert("description".into(), description.clone());
        }
    }
    if nullable {
        out.insert("nullable".into(), Value::Bool(true));
    }
    out
}

fn merge_plain(variants: &[Map<String, Value>]) -> Map<String, Value> {
    let Some(first) = variants.first() else {
        return preserve_unknown();
    };
    if variants.iter().all(|v| v == first) {
        return first.clone();
    }
    let mut types = Vec::new();
    for variant in variants {
        let ty = if variant.get("x-kubernetes-int-or-string") == Some(&Value::Bool(true)) {
            "int-or-string"
        } else {
            match variant.get("type").and_then(Value::as_str) {
                Some(ty) => ty,
                None => return preserve_unknown(),
            }
        };
        if !types.contains(&ty) {
            types.push(ty);
        }
    }
    types.sort_unstable();
    match types.as_slice() {
        ["object"] => objects(variants),
        ["array"] => arrays(variants),
        ["integer", "number"] => scalars(variants, "number"),
        [ty @ ("string" | "integer" | "number" | "boolean")] => scalars(variants, ty),
        ["int-or-string" | "integer", ..] if types.iter().all(|t| is_int_or_string_part(t)) => {
            int_or_string(None)
        }
        _ => preserve_unknown(),
    }
}

fn is_int_or_string_part(ty: &str) -> bool {
    matches!(ty, "int-or-string" | "integer" | "string")
}

/// `x-kubernetes-int-or-string: true` with the `anyOf` the API server allows next to it.
pub(crate) fn int_or_string(pattern: Option<&Value>) -> Map<String, Value> {
    let mut out = Map::new();
    out.insert("x-kubernetes-int-or-string".into(), Value::Bool(true));
    out.insert(
        "anyOf".into(),
        json!([{ "type": "integer" }, { "type": "string" }]),
    );
    if let Some(Value::String(p)) = pattern {
        out.insert("pattern".into(), Value::String(p.clone()));
    }
    out
}

/// An `enum` without a `type`: typed when all values are strings (or all integers).
pub(crate) fn typed_enum(values: &Value) -> Map<String, Value> {
    let Value::Array(values) = values else {
        return preserve_unknown();
    };
    let ty = if values.iter().all(Value::is_string) {
        "string"
    } else if values.iter().all(|v| v.is_i64() || v.is_u64()) {
        "integer"
    } else {
        return preserve_unknown();
    };
    let mut out = Map::new();
    out.insert("type".into(), json!(ty));
    out.insert("enum".into(), Value::Array(values.clone()));
    out
}

/// Same scalar type: the union of the `enum`s (none if any alternative allows every value);
/// `format` and bounds kept only when every alternative has the same.
fn scalars(variants: &[Map<String, Value>], ty: &str) -> Map<String, Value> {
    let mut out = Map::new();
    out.insert("type".into(), json!(ty));
    if variants.iter().all(|v| v.contains_key("enum")) {
        let mut values: Vec<Value> = Vec::new();
        for v in variants.iter().filter_map(|v| v.get("enum")?.as_array()) {
            for value in v {
                if !values.contains(value) {
                    values.push(value.clone());
                }
            }
        }
        out.insert("enum".into(), Value::Array(values));
    }
    for key in [
        "format",
        "pattern",
        "minimum",
        "maximum",
        "minLength",
        "maxLength",
    ] {
        let first = variants[0].get(key);
        if first.is_some() && variants.iter().all(|v| v.get(key) == first) {
            out.insert(key.into(), first.cloned().unwrap_or_default());
        }
    }
    out
}

fn arrays(variants: &[Map<String, Value>]) -> Map<String, Value> {
    let items = variants
        .iter()
        .map(|v| match v.get("items") {
            Some(Value::Object(items)) => items.clone(),
            _ => preserve_unknown(),
        })
        .collect();
    let mut out = Map::new();
    out.insert("type".into(), json!("array"));
    out.insert("items".into(), Value::Object(merge(items)));
    out
}

/// Objects: properties unioned (a property in several variants is merged the same way),
/// `required` intersected.
fn objects(variants: &[Map<String, Value>]) -> Map<String, Value> {
    let mut out = Map::new();
    out.insert("type".into(), json!("object"));
    let open = variants.iter().any(|v| {
        v.contains_key("additionalProperties")
            || v.get("x-kubernetes-preserve-unknown-fields") == Some(&Value::Bool(true))
    });
    if open {
        out.insert(
            "x-kubernetes-preserve-unknown-fields".into(),
            Value::Bool(true),
        );
    }

    let mut by_name: Vec<(String, Vec<Map<String, Value>>)> = Vec::new();
    for variant in variants {
        let Some(Value::Object(props)) = variant.get("properties") else {
            continue;
        };
        for (name, schema) in props {
            let schema = schema.as_object().cloned().unwrap_or_default();
            match by_name.iter_mut().find(|(n, _)| n == name) {
                Some((_, schemas)) => schemas.push(schema),
                None => by_name.push((name.clone(), vec![schema])),
            }
        }
    }
    let required_of = |v: &Map<String, Value>| -> Vec<Value> {
        v.get("required")
            .and_then(Value::as_array)
            .cloned()
            .unwrap_or_default()
    };
    let mut required = required_of(&variants[0]);
    for variant in &variants[1..] {
        let theirs = required_of(variant);
        required.retain(|r| theirs.contains(r));
    }
    if !required.is_empty() {
        out.insert("required".into(), Value::Array(required));
    }
    if let Some(one_of) = externally_tagged(variants) {
        out.insert("oneOf".into(), one_of);
    }
    if !by_name.is_empty() {
        let mut properties = Map::new();
        for (name, schemas) in by_name {
            let merged = if schemas.len() == 1 {
                schemas.into_iter().next().unwrap_or_default()
            } else {
                merge(schemas)
            };
            properties.insert(name, Value::Object(merged));
        }
        out.insert("properties".into(), Value::Object(properties));
    }
    out
}

/// Each variant is `{"<Variant>": …}` with that one key required, all keys distinct: then
/// exactly one must be present, which `oneOf: [{required: [..]}…]` says structurally.
fn externally_tagged(variants: &[Map<String, Value>]) -> Option<Value> {
    let mut keys: Vec<&str> = Vec::new();
    for variant in variants {
        let props = variant.get("properties")?.as_object()?;
        let required = variant.get("required")?.as_array()?;
        let (key, _) = props.iter().next()?;
        let only_key = props.len() == 1 && required.len() == 1 && required[0] == *key;
        if !only_key || keys.contains(&key.as_str()) {
            return None;
        }
        keys.push(key);
    }
    Some(Value::Array(
        keys.iter().map(|k| json!({ "required": [k] })).collect(),
    ))
}
