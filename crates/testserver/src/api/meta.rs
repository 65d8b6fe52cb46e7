//! Helpers over `metadata` of JSON objects: field access, server-set values, names.

use kapi_apimachinery::meta::{cause, Status, StatusCause};
use kapi_apimachinery::{validation, Time};
use serde_json::{Map, Value};

use crate::http::Fail;
use crate::registry::ResourceDef;

/// `metadata` of `v`, created when missing (only for objects).
pub(crate) fn meta_mut(v: &mut Value) -> &mut Map<String, Value> {
    if !v.is_object() {
        *v = Value::Object(Map::new());
    }
    let Value::Object(top) = v else {
        unreachable!("made an object above")
    };
    let meta = top
        .entry("metadata")
        .or_insert_with(|| Value::Object(Map::new()));
    if !meta.is_object() {
        *meta = Value::Object(Map::new());
    }
    let Value::Object(m) = meta else {
        unreachable!("made an object above")
    };
    m
}

/// A string field of `metadata` (`""` when absent).
pub(crate) fn meta_str<'a>(v: &'a Value, field: &str) -> &'a str {
    v.get("metadata")
        .and_then(|m| m.get(field))
        .and_then(Value::as_str)
        .unwrap_or("")
}

/// `metadata.finalizers`.
pub(crate) fn finalizers(v: &Value) -> Vec<String> {
    v.get("metadata")
        .and_then(|m| m.get("finalizers"))
        .and_then(Value::as_array)
        .map(|a| {
            a.iter()
                .filter_map(Value::as_str)
                .map(str::to_owned)
                .collect()
        })
        .unwrap_or_default()
}

/// `true` when `metadata.deletionTimestamp` is set.
pub(crate) fn is_deleting(v: &Value) -> bool {
    v.get("metadata")
        .and_then(|m| m.get("deletionTimestamp"))
        .is_some_and(|t| !t.is_null())
}

/// Now, as an RFC 3339 UTC timestamp with seconds.
pub(crate) fn now() -> String {
    Time::now().to_string()
}

/// A random version-4 UUID.
pub(crate) fn new_uid() -> String {
    let a: u64 = rand::random();
    let b: u64 = rand::random();
    let b = (b & 0x3fff_ffff_ffff_ffff) | 0x8000_0000_0000_0000;
    let a = (a & 0xffff_ffff_ffff_0fff) | 0x4000;
    format!(
        "{:08x}-{:04x}-{:04x}-{:04x}-{:012x}",
        a >> 32,
        (a >> 16) & 0xffff,
        a & 0xffff,
        b >> 48,
        b & 0xffff_ffff_ffff
    )
}

const NAME_CHARS: &[u8] = b"bcdfghjklmnpqrstvwxz2456789";

/// `generateName` completion: the base cut to 58 characters plus 5 random characters.
pub(crate) fn generate_name(base: &str) -> String {
    let cut: String = base.chars().take(58).collect();
    let suffix: String = (0..5)
        .map(|_| char::from(NAME_CHARS[rand::random_range(0..NAME_CHARS.len())]))
        .collect();
    format!("{cut}{suffix}")
}

/// Checks `metadata.name` for the resource's naming rule (422 on failure).
pub(crate) fn validate_name(def: &ResourceDef, name: &str) -> Result<(), Fail> {
    let check = if def.plural == "namespaces" {
        validation::is_dns1123_label(name)
    } else if matches!(def.plural.as_str(), "services") {
        validation::is_dns1035_label(name)
    } else if def.group == "rbac.authorization.k8s.io" {
        path_segment_name(name)
    } else {
        validation::is_dns1123_subdomain(name)
    };
    check.map_err(|e| {
        let causes = e
            .messages()
            .iter()
            .map(|m| {
                StatusCause::new(
                    cause::FIELD_VALUE_INVALID,
                    format!("Invalid value: {name:?}: {m}"),
                    "metadata.name",
                )
            })
            .collect();
        Fail::from(Status::invalid(&def.group, &def.kind, name, causes))
    })
}

/// Most built-ins only need a DNS subdomain; a few (RBAC) accept any path segment.
fn path_segment_name(name: &str) -> Result<(), validation::ValidationError> {
    if name.contains('/') || name.contains('%') || name == "." || name == ".." || name.len() > 253 {
        validation::is_dns1123_subdomain(name)
    } else {
        Ok(())
    }
}

/// 422 for a missing name.
pub(crate) fn name_required(def: &ResourceDef) -> Fail {
    Status::invalid(
        &def.group,
        &def.kind,
        "",
        vec![StatusCause::new(
            cause::FIELD_VALUE_REQUIRED,
            "Required value: name or generateName is required",
            "metadata.name",
        )],
    )
    .into()
}
