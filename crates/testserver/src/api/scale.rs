//! The `/scale` subresource (rule 1.3): an `autoscaling/v1` `Scale` view of `spec.replicas`.

use std::sync::Arc;

use http::StatusCode;
use kapi_apimachinery::labels::from_label_selector_parts;
use kapi_apimachinery::meta::{cause, Status, StatusCause};
use serde_json::{json, Value};

use super::get::read;
use super::update::{apply_update, UpdateCtx};
use super::{check_type, dry_run, manager, parse_object, served_bytes, Managed};
use crate::crd::jsonpath::{first, set};
use crate::http::{json as json_resp, Fail, HResult, Req, ResourcePath};
use crate::registry::ResourceDef;
use crate::shared::Shared;
use crate::store::object_key;

fn selector_string(sel: Option<&Value>) -> String {
    let Some(sel) = sel else { return String::new() };
    if sel.get("matchLabels").is_some() || sel.get("matchExpressions").is_some() {
        let labels: std::collections::BTreeMap<String, String> = sel
            .get("matchLabels")
            .and_then(Value::as_object)
            .map(|m| {
                m.iter()
                    .filter_map(|(k, v)| v.as_str().map(|v| (k.clone(), v.to_owned())))
                    .collect()
            })
            .unwrap_or_default();
        let exprs: Vec<(String, String, Vec<String>)> = sel
            .get("matchExpressions")
            .and_then(Value::as_array)
            .map(|a| {
                a.iter()
                    .map(|e| {
                        let s = |k: &str| e.get(k).and_then(Value::as_str).unwrap_or("").to_owned();
                        let values = e
                            .get("values")
                            .and_then(Value::as_array)
                            .map(|v| {
                                v.iter()
                                    .filter_map(Value::as_str)
                                    .map(str::to_owned)
                                    .collect()
                            })
                            .unwrap_or_default();
                        (s("key"), s("operator"), values)
                    })
                    .collect()
            })
            .unwrap_or_default();
        let parts = exprs
            .iter()
            .map(|(k, o, v)| (k.as_str(), o.as_str(), v.as_slice()));
        return from_label_selector_parts(&labels, parts)
            .map(|s| s.to_string())
            .unwrap_or_default();
    }
    // A plain map (ReplicationController).
    sel.as_object()
        .map(|m| {
            m.iter()
                .filter_map(|(k, v)| v.as_str().map(|v| format!("{k}={v}")))
                .collect::<Vec<_>>()
                .join(",")
        })
        .unwrap_or_default()
}

/// Where a resource keeps its replicas: `(spec replicas, status replicas, selector)` JSON
/// paths, and whether the selector is a label-selector string (custom resources).
fn paths(def: &ResourceDef) -> (String, String, Option<String>, bool) {
    match def.crd.as_ref().and_then(|c| c.scale.clone()) {
        Some(s) => (s.spec_replicas, s.status_replicas, s.label_selector, true),
        None => (
            ".spec.replicas".into(),
            ".status.replicas".into(),
            Some(".spec.selector".into()),
            false,
        ),
    }
}

/// The Scale of an object (as served).
pub(crate) fn scale_of(def: &ResourceDef, obj: &Value) -> Value {
    let (spec_path, status_path, selector_path, selector_is_string) = paths(def);
    let meta = obj.get("metadata").cloned().unwrap_or_else(|| json!({}));
    let mut m = serde_json::Map::new();
    for k in [
        "name",
        "namespace",
        "uid",
        "resourceVersion",
        "creationTimestamp",
    ] {
        if let Some(v) = meta.get(k) {
            m.insert(k.into(), v.clone());
        }
    }
    let default_replicas = i64::from(!selector_is_string);
    let replicas = first(obj, &spec_path)
        .and_then(|v| v.as_i64())
        .unwrap_or(default_replicas);
    let status_replicas = first(obj, &status_path)
        .and_then(|v| v.as_i64())
        .unwrap_or(0);
    let selector_value = selector_path.as_deref().and_then(|p| first(obj, p));
    let selector = if selector_is_string {
        selector_value
            .as_ref()
            .and_then(Value::as_str)
            .unwrap_or("")
            .to_owned()
    } else {
        selector_string(selector_value.as_ref())
    };
    let mut status = json!({"replicas": status_replicas});
    if !selector.is_empty() {
        status["selector"] = Value::String(selector);
    }
    json!({
        "kind": "Scale",
        "apiVersion": "autoscaling/v1",
        "metadata": m,
        "spec": {"replicas": replicas},
        "status": status,
    })
}

/// The object with the replicas (and resourceVersion precondition) of `scale` applied.
pub(crate) fn apply_scale(def: &ResourceDef, obj: &Value, scale: &Value) -> Result<Value, Fail> {
    let name = obj
        .get("metadata")
        .and_then(|m| m.get("name"))
        .and_then(Value::as_str)
        .unwrap_or("");
    let replicas = scale.get("spec").and_then(|s| s.get("replicas"));
    let n = match replicas {
        None | Some(Value::Null) => 0,
        Some(v) => match v.as_i64() {
            Some(n) if n >= 0 => n,
            _ => {
                return Err(Status::invalid(
                    "autoscaling",
                    "Scale",
                    name,
                    vec![StatusCause::new(
                        cause::FIELD_VALUE_INVALID,
                        format!("Invalid value: {v}: must be greater than or equal to 0"),
                        "spec.replicas",
                    )],
                )
                .into())
            }
        },
    };
    let mut new = obj.clone();
    set(&mut new, &paths(def).0, Value::from(n));
    let rv = scale
        .get("metadata")
        .and_then(|m| m.get("resourceVersion"))
        .cloned();
    if let Some(meta) = new.get_mut("metadata").and_then(Value::as_object_mut) {
        match rv {
            Some(rv) => meta.insert("resourceVersion".into(), rv),
            None => meta.remove("resourceVersion"),
        };
    }
    Ok(new)
}

/// `GET .../{name}/scale`.
pub(crate) async fn get(sh: &Arc<Shared>, rp: &ResourcePath, req: &Req) -> HResult {
    let obj = read(sh, rp)?;
    let served: Value =
        serde_json::from_slice(&served_bytes(&rp.def, &obj, None)).unwrap_or(Value::Null);
    Ok(json_resp(
        StatusCode::OK,
        &scale_of(&rp.def, &served),
        req.pretty,
    ))
}

/// `PUT .../{name}/scale`.
pub(crate) fn update(sh: &Arc<Shared>, rp: &ResourcePath, req: &Req) -> HResult {
    let def = &rp.def;
    let mut body = parse_object(&req.body)?;
    check_type(def, &mut body, "Scale", "autoscaling/v1")?;
    let name = rp.name.as_deref().unwrap_or("");
    let body_name = body
        .get("metadata")
        .and_then(|m| m.get("name"))
        .and_then(Value::as_str)
        .unwrap_or("");
    if body_name != name {
        return Err(Status::bad_request(format!(
            "the name of the object ({body_name}) does not match the name on the URL ({name})"
        ))
        .into());
    }
    let dry = dry_run(def, req)?;
    let managed = Managed::Update(manager(req, def, Some("scale"))?);
    let ctx = UpdateCtx {
        req,
        dry,
        managed: &managed,
    };
    let sdef = sh.storage_def(def);
    let key = object_key(rp.namespace.as_deref().unwrap_or(""), name);
    let main = main_path(rp);
    let c = sh.store.write(|txn| {
        let current = txn
            .get(&sdef.storage_key, &key)
            .ok_or_else(|| Fail::from(Status::not_found(&def.group, &def.plural, name)))?;
        let served: Value =
            serde_json::from_slice(&served_bytes(def, &current, None)).unwrap_or(Value::Null);
        let new = apply_scale(def, &served, &body)?;
        apply_update(txn, &sdef, &main, &current, new, ctx)
    })?;
    if let super::Committed::Removed(_) = c {
        sh.controllers.notify_one();
    }
    Ok(scale_response(def, &c, req))
}

/// The Scale of a committed update, as a response.
pub(crate) fn scale_response(
    def: &ResourceDef,
    c: &super::Committed,
    req: &Req,
) -> crate::http::Resp {
    let served: Value =
        serde_json::from_slice(&served_bytes(def, c.object(), None)).unwrap_or(Value::Null);
    json_resp(StatusCode::OK, &scale_of(def, &served), req.pretty)
}

/// A copy of a path without its subresource (scale writes update the main object).
fn main_path(rp: &ResourcePath) -> ResourcePath {
    ResourcePath {
        def: Arc::clone(&rp.def),
        namespace: rp.namespace.clone(),
        name: rp.name.clone(),
        sub: None,
        watch_prefix: false,
    }
}
