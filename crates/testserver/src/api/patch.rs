//! PATCH (rule 3.8): JSON patch, merge patch and strategic merge patch, applied under the
//! store lock to the current object, then stored like an update. A `resourceVersion` left in
//! the patched object is a precondition.

use std::sync::Arc;

use http::header::CONTENT_TYPE;
use kapi_apimachinery::meta::{cause, reason, Status, StatusCause};
use serde_json::Value;

use super::scale;
use super::update::{apply_update, check_identity, committed_response};
use super::{dry_run, served_bytes};
use crate::http::{Fail, HResult, Req, ResourcePath};
use crate::patch::{apply_json_patch, apply_merge_patch, apply_strategic_merge_patch, PatchError};
use crate::shared::Shared;
use crate::store::object_key;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum PatchType {
    Json,
    Merge,
    Strategic,
}

const ACCEPTED: &str = "application/json-patch+json, application/merge-patch+json, application/apply-patch+yaml, application/strategic-merge-patch+json";

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
    let unsupported = |what: &str| -> Fail {
        Status::failure(415, reason::UNSUPPORTED_MEDIA_TYPE, format!("the body of the request was in an unknown format - accepted media types include: {what}")).into()
    };
    match ct.as_str() {
        "application/json-patch+json" => Ok(PatchType::Json),
        "application/merge-patch+json" => Ok(PatchType::Merge),
        "application/strategic-merge-patch+json" if !custom => Ok(PatchType::Strategic),
        "application/apply-patch+yaml" => Err(Status::failure(
            415,
            reason::UNSUPPORTED_MEDIA_TYPE,
            "server-side apply (application/apply-patch+yaml) is not supported by this kapi-testserver version",
        )
        .into()),
        _ => Err(unsupported(ACCEPTED)),
    }
}

/// `PATCH .../{name}[/status|/scale]`.
pub(crate) fn patch(sh: &Arc<Shared>, rp: &ResourcePath, req: &Req) -> HResult {
    let def = &rp.def;
    let pt = patch_type(req, def.custom)?;
    if req.query.get("force").is_some() {
        return Err(Status::invalid(
            &def.group,
            &def.kind,
            rp.name.as_deref().unwrap_or(""),
            vec![StatusCause::new(
                cause::FIELD_VALUE_FORBIDDEN,
                "Forbidden: may not be specified for non-apply patch",
                "force",
            )],
        )
        .into());
    }
    let dry = dry_run(def, req)?;
    let sdef = Arc::clone(sh.storage_def(def));
    let name = rp.name.as_deref().unwrap_or("");
    let key = object_key(rp.namespace.as_deref().unwrap_or(""), name);
    let is_scale = rp.sub.as_deref() == Some("scale");
    let c = sh.store.write(|txn| {
        let current = txn
            .get(&sdef.storage_key, &key)
            .ok_or_else(|| Fail::from(Status::not_found(&def.group, &def.plural, name)))?;
        let served: Value =
            serde_json::from_slice(&served_bytes(def, &current, None)).unwrap_or(Value::Null);
        let (mut target, definition) = if is_scale {
            (
                scale::scale_of(&served),
                "io.k8s.api.autoscaling.v1.Scale".to_owned(),
            )
        } else {
            (served.clone(), def.definition.clone().unwrap_or_default())
        };
        let applied = match pt {
            PatchType::Json => apply_json_patch(&mut target, &req.body),
            PatchType::Merge => apply_merge_patch(&mut target, &req.body),
            PatchType::Strategic => {
                apply_strategic_merge_patch(&mut target, &req.body, &sh.schemas, &definition)
            }
        };
        applied.map_err(|e| patch_failure(rp, e))?;
        let mut new = if is_scale {
            scale::apply_scale(&served, &target)?
        } else {
            target
        };
        if let Some(m) = new.as_object_mut() {
            m.insert("apiVersion".into(), Value::String(def.api_version()));
            m.insert("kind".into(), Value::String(def.kind.clone()));
        }
        check_identity(rp, &mut new)?;
        apply_update(txn, &sdef, rp, &current, new, dry)
    })?;
    if is_scale {
        return Ok(scale::scale_response(def, &c, req));
    }
    Ok(committed_response(sh, def, &c, req))
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
