//! Emits the resource catalog: `src/catalog/generated.rs` (one entry per resource) and
//! `src/catalog/openapi.json` (the description-stripped spec, one line per entry).

use std::fmt::Write as _;

use serde_json::{Map, Value};

use crate::emit_types::{resource_info_expr, verb_const};
use crate::model::{Gvk, Model};
use crate::{shortnames, HEADER};

fn str_slice(items: &[&str]) -> String {
    let quoted: Vec<String> = items.iter().map(|s| format!("{s:?}")).collect();
    format!("&[{}]", quoted.join(", "))
}

fn opt_str(s: Option<&str>) -> String {
    s.map_or_else(|| "None".to_owned(), |s| format!("Some({s:?})"))
}

fn verbs_expr(verbs: &std::collections::BTreeSet<&'static str>) -> String {
    let mut it = verbs.iter();
    match it.next() {
        None => "Verbs::NONE".to_owned(),
        Some(first) => {
            let mut s = format!("Verbs::{}", verb_const(first));
            for v in it {
                let _ = write!(s, ".union(Verbs::{})", verb_const(v));
            }
            s
        }
    }
}

fn gvk_expr(g: Option<&Gvk>) -> String {
    g.map_or_else(
        || "None".to_owned(),
        |g| {
            format!(
                "Some(GroupVersionKindRef {{ group: {:?}, version: {:?}, kind: {:?} }})",
                g.group, g.version, g.kind
            )
        },
    )
}

/// `src/catalog/generated.rs`.
pub(crate) fn emit_entries(model: &Model) -> String {
    let mut out = String::from(HEADER);
    out.push_str(
        "\n//! The catalog table: one entry per built-in resource, sorted by group, version and plural.\n\n",
    );
    out.push_str("use std::borrow::Cow;\n\nuse kapi_apimachinery::Verbs;\n\n");
    out.push_str("use super::{CatalogEntry, GroupVersionKindRef, SubresourceEntry};\n\n");
    let _ = writeln!(
        out,
        "/// Every built-in resource of Kubernetes {}.",
        model.k8s_version
    );
    out.push_str("pub(super) static ENTRIES: &[CatalogEntry] = &[\n");
    for r in &model.resources {
        let (short, cats) = shortnames::lookup(&r.group, &r.plural);
        let def = r.definition.as_ref().and_then(|n| model.defs.get(n));
        let rust_type = def
            .filter(|d| d.has_object_meta)
            .map(|d| format!("kapi_api::{}::{}", d.module.path(), d.rust));
        let feature = def.and_then(|d| model.modules[&d.module].feature.clone());
        let _ = writeln!(out, "    CatalogEntry {{");
        let _ = writeln!(
            out,
            "        info: {},",
            resource_info_expr(r, "        ").replace("std::borrow::Cow", "Cow")
        );
        let _ = writeln!(out, "        short_names: {},", str_slice(short));
        let _ = writeln!(out, "        categories: {},", str_slice(cats));
        let _ = writeln!(
            out,
            "        definition: {},",
            opt_str(r.definition.as_deref())
        );
        let _ = writeln!(
            out,
            "        list_definition: {},",
            opt_str(r.list_definition.as_deref())
        );
        let _ = writeln!(
            out,
            "        has_status: {},",
            r.subresources.contains_key("status")
        );
        let _ = writeln!(out, "        subresources: &[");
        for (name, s) in &r.subresources {
            let body_def = s.gvk.as_ref().and_then(|g| model.gvk_defs.get(g));
            let connect: Vec<&str> = s.connect.iter().map(String::as_str).collect();
            let _ = writeln!(
                out,
                "            SubresourceEntry {{ name: {name:?}, kind: {}, definition: {}, verbs: {}, connect: {} }},",
                gvk_expr(s.gvk.as_ref()),
                opt_str(body_def.map(String::as_str)),
                verbs_expr(&s.verbs),
                str_slice(&connect),
            );
        }
        let _ = writeln!(out, "        ],");
        let _ = writeln!(out, "        rust_type: {},", opt_str(rust_type.as_deref()));
        let _ = writeln!(out, "        feature: {},", opt_str(feature.as_deref()));
        let _ = writeln!(out, "    }},");
    }
    out.push_str("];\n");
    out
}

/// Removes `description` from schema and operation objects (never from maps of names such as
/// `properties`).
fn strip(v: &Value, names: bool) -> Value {
    match v {
        Value::Object(m) => {
            let mut out = Map::new();
            for (k, child) in m {
                if !names && k == "description" {
                    continue;
                }
                let child_names = !names
                    && matches!(
                        k.as_str(),
                        "properties" | "responses" | "fields-to-discriminateBy"
                    );
                out.insert(k.clone(), strip(child, child_names));
            }
            Value::Object(out)
        }
        Value::Array(a) => Value::Array(a.iter().map(|x| strip(x, false)).collect()),
        other => other.clone(),
    }
}

/// Keeps what a test server needs of an operation: id, action, GVK, parameters and the schemas of
/// its responses.
fn strip_operation(op: &Value) -> Value {
    let mut out = Map::new();
    if let Some(m) = op.as_object() {
        for (k, v) in m {
            match k.as_str() {
                "operationId"
                | "x-kubernetes-action"
                | "x-kubernetes-group-version-kind"
                | "parameters" => {
                    out.insert(k.clone(), strip(v, false));
                }
                "responses" => {
                    let mut rs = Map::new();
                    for (code, r) in v.as_object().into_iter().flatten() {
                        if r.get("schema").is_some() {
                            rs.insert(code.clone(), strip(r, false));
                        }
                    }
                    out.insert(k.clone(), Value::Object(rs));
                }
                _ => {}
            }
        }
    }
    Value::Object(out)
}

fn write_section(out: &mut String, key: &str, entries: &[(String, Value)], last: bool) {
    let _ = writeln!(out, "{}: {{", Value::String(key.to_owned()));
    for (i, (k, v)) in entries.iter().enumerate() {
        let comma = if i + 1 < entries.len() { "," } else { "" };
        let _ = writeln!(out, "{}: {}{comma}", Value::String(k.clone()), v);
    }
    let _ = writeln!(out, "}}{}", if last { "" } else { "," });
}

/// `src/catalog/openapi.json`: the spec without descriptions, one definition/path per line.
pub(crate) fn emit_openapi(model: &Model) -> String {
    let spec = &model.spec;
    let sorted = |v: Option<&Value>, f: &dyn Fn(&Value) -> Value| -> Vec<(String, Value)> {
        let mut e: Vec<(String, Value)> = v
            .and_then(Value::as_object)
            .into_iter()
            .flatten()
            .map(|(k, v)| (k.clone(), f(v)))
            .collect();
        e.sort_by(|a, b| a.0.cmp(&b.0));
        e
    };
    let mut out = String::from("{\n");
    for key in ["info", "security", "securityDefinitions", "swagger"] {
        if let Some(v) = spec.get(key) {
            let _ = writeln!(
                out,
                "{}: {},",
                Value::String(key.to_owned()),
                strip(v, false)
            );
        }
    }
    let params = sorted(spec.get("parameters"), &|v| strip(v, false));
    write_section(&mut out, "parameters", &params, false);
    let paths = sorted(spec.get("paths"), &|item| {
        let mut m = Map::new();
        for (k, v) in item.as_object().into_iter().flatten() {
            if k == "parameters" {
                m.insert(k.clone(), strip(v, false));
            } else {
                m.insert(k.clone(), strip_operation(v));
            }
        }
        Value::Object(m)
    });
    write_section(&mut out, "paths", &paths, false);
    let defs = sorted(spec.get("definitions"), &|v| strip(v, false));
    write_section(&mut out, "definitions", &defs, true);
    out.push_str("}\n");
    out
}
