//! CREATE (rules 3.1–3.3, 3.10, 3.15, 3.17).

use std::sync::Arc;

use http::StatusCode;
use kapi_apimachinery::meta::{cause, Status, StatusCause};
use serde_json::{json, Value};

use super::admit::{admit, duplicate_fields, report};
use super::meta::{generate_name, meta_mut, meta_str, name_required, new_uid, now, validate_name};
use super::{check_type, dry_run, manager, object_response, parse_object};
use crate::http::{json as json_resp, Fail, HResult, Req, ResourcePath};
use crate::registry::ResourceDef;
use crate::shared::Shared;
use crate::ssa::Manager;
use crate::store::{object_key, StoredObject, Txn};

/// 404 / 403 when `ns` is missing or terminating (rule 3.17).
pub(crate) fn check_namespace(
    txn: &Txn<'_>,
    sh: &Shared,
    def: &ResourceDef,
    ns: &str,
    name: &str,
) -> Result<(), Fail> {
    let Some(nsdef) = sh.namespaces() else {
        return Ok(());
    };
    let Some(obj) = txn.get(&nsdef.storage_key, ns) else {
        return Err(Status::not_found("", "namespaces", ns).into());
    };
    let v = obj.value();
    let terminating = super::meta::is_deleting(&v)
        || v.get("status")
            .and_then(|s| s.get("phase"))
            .and_then(Value::as_str)
            == Some("Terminating");
    if terminating {
        let what = def.qualified();
        return Err(Status::failure(
            403,
            kapi_apimachinery::meta::reason::FORBIDDEN,
            format!("{what} \"{name}\" is forbidden: unable to create new content in namespace {ns} because it is being terminated"),
        )
        .with_details(&def.group, &def.plural, name)
        .with_cause(StatusCause::new(
            cause::NAMESPACE_TERMINATING,
            format!("namespace {ns} is being terminated"),
            "metadata.namespace",
        ))
        .into());
    }
    Ok(())
}

/// Server-set fields and defaults of a new object.
pub(crate) fn prepare_new(def: &ResourceDef, v: &mut Value) {
    let meta = meta_mut(v);
    meta.insert("uid".into(), Value::String(new_uid()));
    meta.insert("creationTimestamp".into(), Value::String(now()));
    for k in [
        "deletionTimestamp",
        "deletionGracePeriodSeconds",
        "generation",
        "selfLink",
    ] {
        meta.remove(k);
    }
    if def.tracks_generation || def.custom {
        meta.insert("generation".into(), Value::from(1));
    }
    if meta
        .get("finalizers")
        .and_then(Value::as_array)
        .is_some_and(Vec::is_empty)
    {
        meta.remove("finalizers");
    }
    let Some(m) = v.as_object_mut() else { return };
    if def.has_status && !crate::crd::is_crd(def) {
        m.remove("status");
    }
    if crate::crd::is_crd(def) {
        m.insert(
            "status".into(),
            json!({"acceptedNames": {"plural": "", "kind": ""}, "conditions": [], "storedVersions": []}),
        );
    }
    match (def.group.as_str(), def.plural.as_str()) {
        ("", "namespaces") => {
            let name = m
                .get("metadata")
                .and_then(|x| x.get("name"))
                .cloned()
                .unwrap_or(Value::Null);
            if let Some(labels) = m
                .get_mut("metadata")
                .and_then(Value::as_object_mut)
                .map(|x| x.entry("labels").or_insert_with(|| json!({})))
                .and_then(Value::as_object_mut)
            {
                // With generateName the label is set once the name is chosen.
                if name.is_string() {
                    labels.insert("kubernetes.io/metadata.name".into(), name);
                }
            }
            let spec = m.entry("spec").or_insert_with(|| json!({}));
            if spec.get("finalizers").is_none() {
                spec["finalizers"] = json!(["kubernetes"]);
            }
            m.insert("status".into(), json!({"phase": "Active"}));
        }
        ("", "pods") => {
            m.insert(
                "status".into(),
                json!({"phase": "Pending", "qosClass": "BestEffort"}),
            );
        }
        _ => {}
    }
}

/// `POST` to a collection.
pub(crate) fn create(sh: &Arc<Shared>, rp: &ResourcePath, req: &Req) -> HResult {
    let def = &rp.def;
    let mut v = parse_object(&req.body)?;
    check_type(def, &mut v, &def.kind, &def.api_version())?;
    let dry = dry_run(def, req)?;
    report(req, &duplicate_fields(&req.body))?;
    let url_ns = rp.namespace.clone().unwrap_or_default();
    {
        let meta = meta_mut(&mut v);
        if def.namespaced {
            match meta.get("namespace").and_then(Value::as_str) {
                Some(ns) if !ns.is_empty() && ns != url_ns => {
                    return Err(Status::bad_request(
                        "the namespace of the provided object does not match the namespace sent on the request",
                    )
                    .into())
                }
                _ => {
                    meta.insert("namespace".into(), Value::String(url_ns.clone()));
                }
            }
        } else {
            meta.remove("namespace");
        }
        if meta
            .get("resourceVersion")
            .and_then(Value::as_str)
            .is_some_and(|r| !r.is_empty())
        {
            return Err(Status::internal(
                "resourceVersion should not be set on objects to be created",
            )
            .into());
        }
        meta.remove("resourceVersion");
    }
    if !def.allows(kapi_apimachinery::Verbs::GET) {
        let name = meta_str(&v, "name");
        if name.is_empty() && meta_str(&v, "generateName").is_empty() {
            return Err(name_required(def));
        }
        return Ok(virtual_create(def, v, req));
    }
    let mgr = manager(req, def, None)?;
    let sdef = sh.storage_def(def);
    let ctx = NewCtx {
        req,
        dry,
        record: Some(&mgr),
    };
    let result = sh
        .store
        .write(|txn| store_new(txn, sh, def, &sdef, v, ctx))?;
    if def.plural == "namespaces" {
        sh.controllers.notify_one();
    }
    Ok(object_response(StatusCode::CREATED, def, &result, req))
}

/// What creating an object needs from its request.
#[derive(Debug, Clone, Copy)]
pub(crate) struct NewCtx<'a> {
    /// The request (for `fieldValidation` and warnings).
    pub(crate) req: &'a Req,
    /// `dryRun=All`.
    pub(crate) dry: bool,
    /// Record an Update by this manager (`None`: `v` carries its `managedFields`).
    pub(crate) record: Option<&'a Manager>,
}

/// Stores a new object `v` (its namespace already set from the URL) inside `txn`: name or
/// generated name, server-set fields, admission, managed fields, namespace checks and
/// uniqueness.
pub(crate) fn store_new(
    txn: &mut Txn<'_>,
    sh: &Shared,
    def: &ResourceDef,
    sdef: &ResourceDef,
    mut v: Value,
    ctx: NewCtx<'_>,
) -> Result<Arc<StoredObject>, Fail> {
    let url_ns = meta_str(&v, "namespace").to_owned();
    let name = meta_str(&v, "name").to_owned();
    let generate = meta_str(&v, "generateName").to_owned();
    if name.is_empty() && generate.is_empty() {
        return Err(name_required(def));
    }
    if !name.is_empty() {
        validate_name(def, &name)?;
    }
    if def.crd.as_ref().is_some_and(|c| c.terminating) {
        let mut st =
            Status::method_not_allowed("POST").with_details(&def.group, &def.plural, &name);
        st.message =
            Some("create not allowed while custom resource definition is terminating".into());
        return Err(st.into());
    }
    prepare_new(def, &mut v);
    admit(def, &mut v, ctx.req)?;
    if let Some(mgr) = ctx.record {
        crate::ssa::record_update(def, None, &mut v, mgr);
    }
    if let Some(m) = v.as_object_mut() {
        m.insert("apiVersion".into(), Value::String(sdef.api_version()));
    }
    if def.namespaced {
        check_namespace(
            txn,
            sh,
            def,
            &url_ns,
            if name.is_empty() { &generate } else { &name },
        )?;
    }
    let name = if name.is_empty() {
        let free = (0..8).map(|_| generate_name(&generate)).find(|n| {
            txn.get(&sdef.storage_key, &object_key(&url_ns, n))
                .is_none()
        });
        let Some(n) = free else {
            return Err(Status::already_exists(&def.group, &def.plural, &generate)
                .with_retry_after(1)
                .into());
        };
        validate_name(def, &n)?;
        meta_mut(&mut v).insert("name".into(), Value::String(n.clone()));
        if def.group.is_empty() && def.plural == "namespaces" {
            if let Some(labels) = meta_mut(&mut v)
                .get_mut("labels")
                .and_then(Value::as_object_mut)
            {
                labels.insert(
                    "kubernetes.io/metadata.name".into(),
                    Value::String(n.clone()),
                );
            }
        }
        n
    } else {
        name
    };
    if txn
        .get(&sdef.storage_key, &object_key(&url_ns, &name))
        .is_some()
    {
        return Err(Status::already_exists(&def.group, &def.plural, &name).into());
    }
    if ctx.dry {
        return Ok(Arc::new(StoredObject::new(&v, 0, &sdef.field_labels)));
    }
    Ok(txn.put(sdef, &mut v))
}

/// Create-only resources (reviews): answered, never stored.
fn virtual_create(def: &ResourceDef, mut v: Value, req: &Req) -> crate::http::Resp {
    let status = match def.plural.as_str() {
        "tokenreviews" => json!({"authenticated": true, "user": {"username": "kapi-testserver"}}),
        "selfsubjectreviews" => {
            json!({"userInfo": {"username": "kapi-testserver", "groups": ["system:masters"]}})
        }
        p if p.ends_with("accessreviews") => json!({"allowed": true}),
        "selfsubjectrulesreviews" => {
            json!({"resourceRules": [{"verbs": ["*"], "apiGroups": ["*"], "resources": ["*"]}], "nonResourceRules": [{"verbs": ["*"], "nonResourceURLs": ["*"]}], "incomplete": false})
        }
        _ => Value::Null,
    };
    if let Some(m) = v.as_object_mut() {
        if !status.is_null() {
            m.insert("status".into(), status);
        }
    }
    json_resp(StatusCode::CREATED, &v, req.pretty)
}
