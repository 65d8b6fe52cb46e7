//! UPDATE (rules 3.4–3.7, 3.10) and the shared steps of PUT and PATCH.

use std::sync::Arc;

use http::StatusCode;
use kapi_apimachinery::meta::{cause, Status, StatusCause};
use serde_json::Value;

use super::admit::{admit, duplicate_fields, report};
use super::meta::{meta_mut, meta_str};
use super::{
    check_type, commit_update, dry_run, manager, parse_object, served_bytes, Committed, Managed,
};
use crate::http::{json_bytes, Fail, HResult, Req, ResourcePath};
use crate::registry::ResourceDef;
use crate::shared::Shared;
use crate::store::{object_key, StoredObject, Txn};

/// 409 Conflict with the standard optimistic-concurrency message.
pub(crate) fn conflict(def: &ResourceDef, name: &str) -> Fail {
    Status::conflict(&def.group, &def.plural, name, Status::MODIFIED).into()
}

/// Checks name and namespace of a body against the URL (400), filling an empty namespace.
pub(crate) fn check_identity(rp: &ResourcePath, v: &mut Value) -> Result<(), Fail> {
    let name = rp.name.as_deref().unwrap_or("");
    let body_name = meta_str(v, "name");
    if body_name != name {
        return Err(Status::bad_request(format!(
            "the name of the object ({body_name}) does not match the name on the URL ({name})"
        ))
        .into());
    }
    let url_ns = rp.namespace.as_deref().unwrap_or("");
    let meta = meta_mut(v);
    match meta.get("namespace").and_then(Value::as_str) {
        Some(ns) if !ns.is_empty() && ns != url_ns => Err(Status::bad_request(
            "the namespace of the provided object does not match the namespace sent on the request",
        )
        .into()),
        _ => {
            if rp.def.namespaced {
                meta.insert("namespace".into(), Value::String(url_ns.to_owned()));
            } else {
                meta.remove("namespace");
            }
            Ok(())
        }
    }
}

/// What an update needs from its request.
#[derive(Debug, Clone, Copy)]
pub(crate) struct UpdateCtx<'a> {
    /// The request (for `fieldValidation` and warnings).
    pub(crate) req: &'a Req,
    /// `dryRun=All`.
    pub(crate) dry: bool,
    /// How `managedFields` change.
    pub(crate) managed: &'a Managed,
}

/// Applies a requested new state `v` (already checked) to the object at `rp` inside `txn`:
/// resourceVersion precondition, status split, admission, then [`commit_update`].
pub(crate) fn apply_update(
    txn: &mut Txn<'_>,
    sdef: &ResourceDef,
    rp: &ResourcePath,
    current: &Arc<StoredObject>,
    mut v: Value,
    ctx: UpdateCtx<'_>,
) -> Result<Committed, Fail> {
    let def = &rp.def;
    let name = rp.name.as_deref().unwrap_or("");
    let rv = meta_str(&v, "resourceVersion");
    if !rv.is_empty() {
        match rv.parse::<u64>() {
            Ok(n) if n == current.rv => {}
            Ok(_) => return Err(conflict(def, name)),
            Err(_) => {
                return Err(Status::invalid(
                    &def.group,
                    &def.kind,
                    name,
                    vec![StatusCause::new(
                        cause::FIELD_VALUE_INVALID,
                        format!("Invalid value: {rv:?}: must be a number"),
                        "metadata.resourceVersion",
                    )],
                )
                .into())
            }
        }
    } else if def.custom {
        return Err(Status::invalid(
            &def.group,
            &def.kind,
            name,
            vec![StatusCause::new(
                cause::FIELD_VALUE_INVALID,
                "Invalid value: 0: must be specified for an update",
                "metadata.resourceVersion",
            )],
        )
        .into());
    }
    let cur = current.value();
    if def.has_status {
        let status = if rp.sub.as_deref() == Some("status") {
            // Only `.status` comes from the request; everything else from storage.
            let s = v.get("status").cloned();
            let applied_fields = matches!(ctx.managed, Managed::Applied)
                .then(|| {
                    v.get("metadata")
                        .and_then(|m| m.get("managedFields"))
                        .cloned()
                })
                .flatten();
            v = cur.clone();
            if let Some(mf) = applied_fields {
                meta_mut(&mut v).insert("managedFields".into(), mf);
            }
            s
        } else {
            cur.get("status").cloned()
        };
        if let Some(m) = v.as_object_mut() {
            match status {
                Some(s) => m.insert("status".into(), s),
                None => m.remove("status"),
            };
        }
    }
    admit(def, &mut v, ctx.req)?;
    Ok(commit_update(
        txn,
        sdef,
        current,
        &cur,
        v,
        ctx.dry,
        ctx.managed,
    ))
}

/// The response of a committed update.
pub(crate) fn committed_response(
    sh: &Shared,
    def: &ResourceDef,
    c: &Committed,
    req: &Req,
) -> crate::http::Resp {
    if let Committed::Removed(_) = c {
        sh.controllers.notify_one();
    }
    json_bytes(
        StatusCode::OK,
        served_bytes(def, c.object(), None),
        req.pretty,
    )
}

/// `PUT .../{name}` and `PUT .../{name}/status`.
pub(crate) fn update(sh: &Arc<Shared>, rp: &ResourcePath, req: &Req) -> HResult {
    let def = &rp.def;
    let mut v = parse_object(&req.body)?;
    check_type(def, &mut v, &def.kind, &def.api_version())?;
    check_identity(rp, &mut v)?;
    let dry = dry_run(def, req)?;
    report(req, &duplicate_fields(&req.body))?;
    let managed = Managed::Update(manager(req, def, rp.sub.as_deref())?);
    let ctx = UpdateCtx {
        req,
        dry,
        managed: &managed,
    };
    let sdef = sh.storage_def(def);
    let key = object_key(
        rp.namespace.as_deref().unwrap_or(""),
        rp.name.as_deref().unwrap_or(""),
    );
    let c = sh.store.write(|txn| {
        let current = txn.get(&sdef.storage_key, &key).ok_or_else(|| {
            Fail::from(Status::not_found(
                &def.group,
                &def.plural,
                rp.name.as_deref().unwrap_or(""),
            ))
        })?;
        apply_update(txn, &sdef, rp, &current, v, ctx)
    })?;
    Ok(committed_response(sh, def, &c, req))
}
