//! Swagger 2.0 → OpenAPI 3.0: one document per group-version from the catalog's paths, with
//! parameters inlined (kubectl looks for `fieldValidation` among a PATCH operation's
//! parameters) and only the schemas the paths reach.

use std::collections::{BTreeMap, BTreeSet};

use serde_json::{json, Map, Value};

const DEFINITIONS: &str = "#/definitions/";
const SCHEMAS: &str = "#/components/schemas/";

/// The group-version a path belongs to (`api/v1`, `apis/apps/v1`), if any.
fn group_version(path: &str) -> Option<String> {
    let segs: Vec<&str> = path.trim_matches('/').split('/').collect();
    match segs.as_slice() {
        ["api", v, ..] => Some(format!("api/{v}")),
        ["apis", g, v, ..] => Some(format!("apis/{g}/{v}")),
        _ => None,
    }
}

/// One document per built-in group-version.
pub(super) fn builtin_documents() -> BTreeMap<String, Value> {
    let mut by_gv: BTreeMap<String, Map<String, Value>> = BTreeMap::new();
    for (path, item) in kapi_api::catalog::paths() {
        if let Some(gv) = group_version(path) {
            by_gv
                .entry(gv)
                .or_default()
                .insert(path.clone(), path_item(item));
        }
    }
    by_gv
        .into_iter()
        .map(|(gv, paths)| {
            let doc = document(&paths, &|n| kapi_api::catalog::definition(n).cloned());
            (gv, doc)
        })
        .collect()
}

/// A document from converted paths, with the schemas they reach looked up by `definition`
/// (Swagger 2.0 form, converted here).
pub(super) fn document(
    paths: &Map<String, Value>,
    definition: &dyn Fn(&str) -> Option<Value>,
) -> Value {
    let mut wanted = BTreeSet::new();
    for p in paths.values() {
        collect_refs(p, &mut wanted);
    }
    let mut schemas = Map::new();
    let mut queue: Vec<String> = wanted.into_iter().collect();
    while let Some(name) = queue.pop() {
        if schemas.contains_key(&name) {
            continue;
        }
        let Some(def) = definition(&name) else {
            continue;
        };
        let converted = convert_refs(&def);
        let mut more = BTreeSet::new();
        collect_refs(&converted, &mut more);
        queue.extend(more.into_iter().filter(|n| !schemas.contains_key(n)));
        schemas.insert(name, converted);
    }
    json!({
        "openapi": "3.0.0",
        "info": {"title": "Kubernetes", "version": "v1.36.0"},
        "paths": paths,
        "components": {"schemas": schemas},
    })
}

/// Replaces every Swagger `#/definitions/` reference by its OpenAPI 3 form.
pub(super) fn convert_refs(v: &Value) -> Value {
    match v {
        Value::Object(m) => Value::Object(
            m.iter()
                .map(|(k, v)| match (k.as_str(), v) {
                    ("$ref", Value::String(r)) => {
                        (k.clone(), Value::String(r.replace(DEFINITIONS, SCHEMAS)))
                    }
                    _ => (k.clone(), convert_refs(v)),
                })
                .collect(),
        ),
        Value::Array(a) => Value::Array(a.iter().map(convert_refs).collect()),
        other => other.clone(),
    }
}

fn collect_refs(v: &Value, out: &mut BTreeSet<String>) {
    match v {
        Value::Object(m) => {
            for (k, v) in m {
                match (k.as_str(), v) {
                    ("$ref", Value::String(r)) => {
                        if let Some(n) = r.strip_prefix(SCHEMAS) {
                            out.insert(n.to_owned());
                        }
                    }
                    _ => collect_refs(v, out),
                }
            }
        }
        Value::Array(a) => a.iter().for_each(|v| collect_refs(v, out)),
        _ => {}
    }
}

fn resolve_parameter(p: &Value) -> Value {
    let name = p
        .get("$ref")
        .and_then(Value::as_str)
        .and_then(|r| r.strip_prefix("#/parameters/"));
    match name.and_then(|n| kapi_api::catalog::parameters().get(n)) {
        Some(resolved) => resolved.clone(),
        None => p.clone(),
    }
}

/// A Swagger path item in OpenAPI 3 form.
fn path_item(item: &Value) -> Value {
    let Some(m) = item.as_object() else {
        return json!({});
    };
    let mut out = Map::new();
    for (k, v) in m {
        if k == "parameters" {
            let params = v.as_array().map(Vec::as_slice).unwrap_or_default();
            let (_, params) = parameters(params);
            out.insert(k.clone(), Value::Array(params));
        } else {
            out.insert(k.clone(), operation(v));
        }
    }
    Value::Object(out)
}

/// Splits Swagger parameters into a request body and OpenAPI 3 parameters.
fn parameters(params: &[Value]) -> (Option<Value>, Vec<Value>) {
    let mut body = None;
    let mut out = Vec::new();
    for p in params.iter().map(resolve_parameter) {
        if p.get("in").and_then(Value::as_str) == Some("body") {
            let schema = convert_refs(p.get("schema").unwrap_or(&Value::Null));
            body = Some(json!({
                "content": {"*/*": {"schema": schema}},
                "required": p.get("required").and_then(Value::as_bool).unwrap_or(false),
            }));
            continue;
        }
        let mut q = Map::new();
        let mut schema = Map::new();
        if let Some(m) = p.as_object() {
            for (k, v) in m {
                match k.as_str() {
                    "in" | "name" | "required" => {
                        q.insert(k.clone(), v.clone());
                    }
                    "uniqueItems" => {
                        schema.insert(k.clone(), v.clone());
                    }
                    _ => {
                        schema.insert(k.clone(), v.clone());
                    }
                }
            }
        }
        q.insert("schema".into(), Value::Object(schema));
        out.push(Value::Object(q));
    }
    (body, out)
}

fn operation(op: &Value) -> Value {
    let Some(m) = op.as_object() else {
        return op.clone();
    };
    let mut out = Map::new();
    for (k, v) in m {
        match k.as_str() {
            "parameters" => {
                let params = v.as_array().map(Vec::as_slice).unwrap_or_default();
                let (body, params) = parameters(params);
                if let Some(b) = body {
                    out.insert("requestBody".into(), b);
                }
                out.insert(k.clone(), Value::Array(params));
            }
            "responses" => {
                let mut rs = Map::new();
                for (code, r) in v.as_object().into_iter().flatten() {
                    let mut resp = json!({"description": "OK"});
                    if let Some(s) = r.get("schema") {
                        resp["content"] = json!({"application/json": {"schema": convert_refs(s)}});
                    }
                    rs.insert(code.clone(), resp);
                }
                out.insert(k.clone(), Value::Object(rs));
            }
            _ => {
                out.insert(k.clone(), convert_refs(v));
            }
        }
    }
    Value::Object(out)
}

/// Converts an operation given in Swagger form (used for custom resources).
pub(super) fn convert_operation(op: &Value) -> Value {
    operation(op)
}

/// Converts path-level parameters given in Swagger form.
pub(super) fn convert_parameters(params: &[Value]) -> Vec<Value> {
    parameters(params).1
}
