//! PATCH (rule 3.8): JSON patch, merge patch and strategic merge patch, applied under the
//! store lock to the current object, then stored like an update. A `resourceVersion` left in
//! the patched object is a precondition.

use std::sync::Arc;

use http::header::CONTENT_TYPE;
use kapi_apimachinery::meta::{cause, reason, Status, StatusCause};
use serde_json::Value;

use http::StatusCode;

use super::admit::{duplicate_fields, report};
use super::create::{store_new, NewCtx};
use super::meta::meta_mut;
use super::scale;
use super::update::{apply_update, check_identity, committed_response, UpdateCtx};
use super::{check_type, dry_run, manager, object_response, served_bytes, Committed, Managed};
use crate::http::{Fail, HResult, Req, ResourcePath};
use crate::patch::{apply_json_patch, apply_merge_patch, apply_strategic_merge_patch, PatchError};
use crate::registry::ResourceDef;
use crate::shared::Shared;
use crate::store::{object_key, StoredObject};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum PatchType {
    Json,
    Merge,
    Strategic,
    Apply,
}

const ACCEPTED: &str = "application/json-patch+json, application/merge-patch+json, application/apply-patch+yaml, application/strategic-merge-patch+json";
const ACCEPTED_CUSTOM: &str =
    "application/json-patch+json, application/merge-patch+json, application/apply-patch+yaml";

fn patch_type(req: &Req, custom: bool) -> Result<PatchType, Fail> {
    let ct = req
        .headers
        .get(CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .split(';')
        .next()
        .unwrap_or("")
        .trim()
        .to_ascii_lowercase();
    match ct.as_str() {
        "application/json-patch+json" => Ok(PatchType::Json),
        "application/merge-patch+json" => Ok(PatchType::Merge),
        "application/strategic-merge-patch+json" if !custom => Ok(PatchType::Strategic),
        "application/apply-patch+yaml" | "application/apply-patch+json" => Ok(PatchType::Apply),
        _ => Err(Status::failure(
            415,
            reason::UNSUPPORTED_MEDIA_TYPE,
            format!(
                "the body of the request was in an unknown format - accepted media types include: {}",
                if custom { ACCEPTED_CUSTOM } else { ACCEPTED }
            ),
        )
        .into()),
    }
}

fn invalid_option(def: &ResourceDef, field: &str, reason: &str, msg: &str) -> Fail {
    let _ = def;
    Status::invalid(
        "meta.k8s.io",
        "PatchOptions",
        "",
        vec![StatusCause::new(reason, msg, field)],
    )
    .into()
}

/// The applied configuration of an apply patch (YAML or JSON), checked against the URL.
fn applied_config(rp: &ResourcePath, body: &[u8]) -> Result<Value, Fail> {
    let def = &rp.def;
    let mut v: Value = serde_yaml::from_slice(body)
        .map_err(|e| Status::bad_request(format!("error decoding YAML: {e}")))?;
    if !v.is_object() {
        return Err(Status::bad_request("the applied configuration must be an object").into());
    }
    for k in ["apiVersion", "kind"] {
        if v.get(k).and_then(Value::as_str).is_none_or(str::is_empty) {
            return Err(Status::bad_request(format!(
                "invalid object type: {k} must be set in an apply patch"
            ))
            .into());
        }
    }
    let (kind, api_version) = if rp.sub.as_deref() == Some("scale") {
        ("Scale".to_owned(), "autoscaling/v1".to_owned())
    } else {
        (def.kind.clone(), def.api_version())
    };
    check_type(def, &mut v, &kind, &api_version)?;
    let name = rp.name.as_deref().unwrap_or("");
    let meta = meta_mut(&mut v);
    match meta.get("name").and_then(Value::as_str) {
        Some(n) if n != name => {
            return Err(Status::bad_request(format!(
                "the name of the object ({n}) does not match the name on the URL ({name})"
            ))
            .into())
        }
        _ => {
            meta.insert("name".into(), Value::String(name.to_owned()));
        }
    }
    Ok(v)
}

/// `PATCH .../{name}[/status|/scale]`.
pub(crate) fn patch(sh: &Arc<Shared>, rp: &ResourcePath, req: &Req) -> HResult {
    let def = &rp.def;
    let pt = patch_type(req, def.custom)?;
    let force = req.query.flag("force")?;
    if force.is_some() && pt != PatchType::Apply {
        return Err(invalid_option(
            def,
            "force",
            cause::FIELD_VALUE_FORBIDDEN,
            "Forbidden: may not be specified for non-apply patch",
        ));
    }
    if pt == PatchType::Apply && req.query.get("fieldManager").is_none_or(str::is_empty) {
        return Err(invalid_option(
            def,
            "fieldManager",
            cause::FIELD_VALUE_REQUIRED,
            "Required value: is required for apply patch",
        ));
    }
    let dry = dry_run(def, req)?;
    if matches!(pt, PatchType::Merge | PatchType::Strategic) {
        report(req, &duplicate_fields(&req.body))?;
    }
    let mgr = manager(req, def, rp.sub.as_deref())?;
    let config = match pt {
        PatchType::Apply => Some(applied_config(rp, &req.body)?),
        _ => None,
    };
    let managed = if pt == PatchType::Apply {
        Managed::Applied
    } else {
        Managed::Update(mgr.clone())
    };
    let ctx = UpdateCtx {
        req,
        dry,
        managed: &managed,
    };
    let sdef = sh.storage_def(def);
    let name = rp.name.as_deref().unwrap_or("");
    let key = object_key(rp.namespace.as_deref().unwrap_or(""), name);
    let is_scale = rp.sub.as_deref() == Some("scale");
    let outcome = sh.store.write(|txn| -> Result<Outcome, Fail> {
        let Some(current) = txn.get(&sdef.storage_key, &key) else {
            let (Some(cfg), None) = (&config, &rp.sub) else {
                return Err(Status::not_found(&def.group, &def.plural, name).into());
            };
            let mut v = crate::ssa::apply(def, None, cfg.clone(), &mgr, force == Some(true))
                .map_err(|e| apply_failure(rp, e))?;
            let meta = meta_mut(&mut v);
            meta.remove("resourceVersion");
            if def.namespaced {
                meta.insert(
                    "namespace".into(),
                    Value::String(rp.namespace.clone().unwrap_or_default()),
                );
            }
            let nctx = NewCtx {
                req,
                dry,
                record: None,
            };
            return store_new(txn, sh, def, &sdef, v, nctx).map(Outcome::Created);
        };
        let served: Value =
            serde_json::from_slice(&served_bytes(def, &current, None)).unwrap_or(Value::Null);
        let (mut target, definition) = if is_scale {
            (
                scale::scale_of(def, &served),
                "io.k8s.api.autoscaling.v1.Scale".to_owned(),
            )
        } else {
            (served.clone(), def.definition.clone().unwrap_or_default())
        };
        let applied = match pt {
            PatchType::Json => apply_json_patch(&mut target, &req.body),
            PatchType::Merge => apply_merge_patch(&mut target, &req.body),
            PatchType::Strategic => {
                apply_strategic_merge_patch(&mut target, &req.body, &def.schemas, &definition)
            }
            PatchType::Apply => Ok(()),
        };
        applied.map_err(|e| patch_failure(rp, e))?;
        if let (PatchType::Apply, Some(cfg), false) = (pt, &config, is_scale) {
            target = crate::ssa::apply(def, Some(&served), cfg.clone(), &mgr, force == Some(true))
                .map_err(|e| apply_failure(rp, e))?;
        } else if let (PatchType::Apply, Some(cfg)) = (pt, &config) {
            let bytes = serde_json::to_vec(cfg).unwrap_or_default();
            apply_merge_patch(&mut target, &bytes).map_err(|e| patch_failure(rp, e))?;
        }
        let mut new = if is_scale {
            scale::apply_scale(def, &served, &target)?
        } else {
            target
        };
        if let Some(m) = new.as_object_mut() {
            m.insert("apiVersion".into(), Value::String(def.api_version()));
            m.insert("kind".into(), Value::String(def.kind.clone()));
        }
        check_identity(rp, &mut new)?;
        let scale_managed = Managed::Update(mgr.clone());
        let ctx = if is_scale {
            UpdateCtx {
                managed: &scale_managed,
                ..ctx
            }
        } else {
            ctx
        };
        apply_update(txn, &sdef, rp, &current, new, ctx).map(Outcome::Updated)
    })?;
    match outcome {
        Outcome::Created(obj) => Ok(object_response(StatusCode::CREATED, def, &obj, req)),
        Outcome::Updated(c) if is_scale => Ok(scale::scale_response(def, &c, req)),
        Outcome::Updated(c) => Ok(committed_response(sh, def, &c, req)),
    }
}

enum Outcome {
    Created(Arc<StoredObject>),
    Updated(Committed),
}

fn apply_failure(rp: &ResourcePath, e: crate::ssa::ApplyError) -> Fail {
    match e {
        crate::ssa::ApplyError::Conflicts(c) => {
            crate::ssa::conflict_status(&rp.def, rp.name.as_deref().unwrap_or(""), &c).into()
        }
        crate::ssa::ApplyError::Invalid(msg) => Status::invalid(
            &rp.def.group,
            &rp.def.kind,
            rp.name.as_deref().unwrap_or(""),
            vec![StatusCause::new(cause::FIELD_VALUE_INVALID, msg, "")],
        )
        .into(),
    }
}

fn patch_failure(rp: &ResourcePath, e: PatchError) -> Fail {
    match e {
        PatchError::Malformed(_) => Status::bad_request(e.to_string()).into(),
        PatchError::OperationFailed(msg) | PatchError::InvalidDirective(msg) => Status::invalid(
            &rp.def.group,
            &rp.def.kind,
            rp.name.as_deref().unwrap_or(""),
            vec![StatusCause::new(cause::FIELD_VALUE_INVALID, msg, "")],
        )
        .into(),
    }
}
