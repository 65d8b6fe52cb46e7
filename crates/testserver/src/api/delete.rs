//! DELETE and DeleteCollection (rules 3.12–3.14): preconditions, finalizers, propagation
//! policy, and the object-or-Status answer.

use std::sync::Arc;

use http::StatusCode;
use kapi_apimachinery::meta::{cause, Status, StatusCause};
use serde_json::{json, Value};

use super::list::filter_for;
use super::meta::{finalizers, is_deleting, meta_mut, now};
use super::{dry_run, served_bytes};
use crate::http::{json as json_resp, json_bytes, Fail, HResult, ListParams, Req, ResourcePath};
use crate::registry::ResourceDef;
use crate::shared::Shared;
use crate::store::{object_key, StoredObject, Txn};

/// Delete options from the body and the query.
#[derive(Debug, Default, Clone)]
pub(crate) struct DeleteOptions {
    propagation: Option<String>,
    orphan_dependents: Option<bool>,
    precondition_uid: Option<String>,
    precondition_rv: Option<String>,
}

impl DeleteOptions {
    /// Background propagation (what controllers use).
    pub(crate) fn background() -> Self {
        Self {
            propagation: Some("Background".into()),
            ..Self::default()
        }
    }

    /// Foreground propagation (dependents of an owner deleted in the foreground).
    pub(crate) fn foreground() -> Self {
        Self {
            propagation: Some("Foreground".into()),
            ..Self::default()
        }
    }

    fn parse(def: &ResourceDef, req: &Req) -> Result<Self, Fail> {
        let body: Value = if req.body.iter().all(u8::is_ascii_whitespace) {
            Value::Null
        } else {
            serde_json::from_slice(&req.body)
                .map_err(|e| Status::bad_request(format!("invalid DeleteOptions body: {e}")))?
        };
        let s = |k: &str| body.get(k).and_then(Value::as_str).map(str::to_owned);
        let pre = |k: &str| {
            body.get("preconditions")
                .and_then(|p| p.get(k))
                .and_then(Value::as_str)
                .map(str::to_owned)
        };
        let opts = Self {
            propagation: s("propagationPolicy")
                .or_else(|| req.query.get("propagationPolicy").map(str::to_owned)),
            orphan_dependents: body
                .get("orphanDependents")
                .and_then(Value::as_bool)
                .or(req.query.flag("orphanDependents")?),
            precondition_uid: pre("uid"),
            precondition_rv: pre("resourceVersion"),
        };
        let invalid = |field: &str, reason: &str, msg: String| -> Fail {
            Status::invalid(
                &def.group,
                &def.kind,
                "",
                vec![StatusCause::new(reason, msg, field)],
            )
            .into()
        };
        if opts.propagation.is_some() && opts.orphan_dependents.is_some() {
            return Err(invalid(
                "propagationPolicy",
                cause::FIELD_VALUE_INVALID,
                "Invalid value: \"\": orphanDependents and deletionPropagation cannot be both set"
                    .into(),
            ));
        }
        if let Some(p) = &opts.propagation {
            if !matches!(p.as_str(), "Orphan" | "Foreground" | "Background") {
                return Err(invalid(
                    "propagationPolicy",
                    cause::FIELD_VALUE_NOT_SUPPORTED,
                    format!("Unsupported value: {p:?}: supported values: \"Foreground\", \"Background\", \"Orphan\""),
                ));
            }
        }
        Ok(opts)
    }
}

/// What a delete did.
#[derive(Debug)]
pub(crate) enum Deleted {
    /// Gone; the last state, stamped with the deletion's revision.
    Removed(Arc<StoredObject>),
    /// Finalizers remain: `deletionTimestamp` set, object kept.
    Pending(Arc<StoredObject>),
}

/// Deletes `current` inside `txn` (preconditions, finalizers, propagation).
pub(crate) fn delete_object(
    txn: &mut Txn<'_>,
    sdef: &ResourceDef,
    current: &Arc<StoredObject>,
    opts: &DeleteOptions,
    dry: bool,
) -> Result<Deleted, Fail> {
    let name = current.name.as_str();
    if let Some(uid) = &opts.precondition_uid {
        if uid != &current.uid {
            let detail = format!(
                "Precondition failed: UID in precondition: {uid}, UID in object meta: {}",
                current.uid
            );
            return Err(Status::conflict(&sdef.group, &sdef.plural, name, &detail).into());
        }
    }
    if let Some(rv) = &opts.precondition_rv {
        if rv != &current.rv.to_string() {
            let detail = format!(
                "Precondition failed: ResourceVersion in precondition: {rv}, ResourceVersion in object meta: {}",
                current.rv
            );
            return Err(Status::conflict(&sdef.group, &sdef.plural, name, &detail).into());
        }
    }
    let mut v = current.value();
    let mut fins = finalizers(&v);
    let orphan =
        opts.propagation.as_deref() == Some("Orphan") || opts.orphan_dependents == Some(true);
    let foreground = opts.propagation.as_deref() == Some("Foreground");
    let added = if orphan && !fins.iter().any(|f| f == "orphan") {
        fins.push("orphan".into());
        true
    } else if foreground && !fins.iter().any(|f| f == "foregroundDeletion") {
        fins.push("foregroundDeletion".into());
        true
    } else {
        false
    };
    let namespace_pending = sdef.group.is_empty()
        && sdef.plural == "namespaces"
        && v.get("spec")
            .and_then(|s| s.get("finalizers"))
            .and_then(Value::as_array)
            .is_some_and(|a| !a.is_empty());
    if fins.is_empty() && !namespace_pending {
        if dry {
            return Ok(Deleted::Removed(Arc::clone(current)));
        }
        let key = current.key.clone();
        return Ok(match txn.remove(sdef, &key, v) {
            Some(o) => Deleted::Removed(o),
            None => Deleted::Removed(Arc::clone(current)),
        });
    }
    if is_deleting(&v) && !added {
        return Ok(Deleted::Pending(Arc::clone(current)));
    }
    let first = !is_deleting(&v);
    let meta = meta_mut(&mut v);
    if first {
        meta.insert("deletionTimestamp".into(), Value::String(now()));
        meta.insert("deletionGracePeriodSeconds".into(), Value::from(0));
        if let Some(g) = meta.get("generation").and_then(Value::as_i64) {
            meta.insert("generation".into(), Value::from(g + 1));
        }
    }
    if fins.is_empty() {
        meta.remove("finalizers");
    } else {
        meta.insert("finalizers".into(), json!(fins));
    }
    if namespace_pending {
        if let Some(m) = v.as_object_mut() {
            m.insert("status".into(), json!({"phase": "Terminating"}));
        }
    }
    if dry {
        return Ok(Deleted::Pending(Arc::new(StoredObject::new(
            &v,
            current.rv,
            &sdef.field_labels,
        ))));
    }
    Ok(Deleted::Pending(txn.put(sdef, &mut v)))
}

/// `DELETE .../{name}`.
pub(crate) fn delete(sh: &Arc<Shared>, rp: &ResourcePath, req: &Req) -> HResult {
    let def = &rp.def;
    let opts = DeleteOptions::parse(def, req)?;
    let dry = dry_run(def, req)?;
    let sdef = sh.storage_def(def);
    let name = rp.name.as_deref().unwrap_or("");
    let key = object_key(rp.namespace.as_deref().unwrap_or(""), name);
    let outcome = sh.store.write(|txn| {
        let current = txn
            .get(&sdef.storage_key, &key)
            .ok_or_else(|| Fail::from(Status::not_found(&def.group, &def.plural, name)))?;
        delete_object(txn, &sdef, &current, &opts, dry)
    })?;
    sh.controllers.notify_one();
    Ok(match outcome {
        Deleted::Pending(o) => {
            let code = if opts.orphan_dependents == Some(false) {
                StatusCode::ACCEPTED
            } else {
                StatusCode::OK
            };
            json_bytes(code, served_bytes(def, &o, None), req.pretty)
        }
        Deleted::Removed(o) if def.returns_deleted_object => {
            json_bytes(StatusCode::OK, served_bytes(def, &o, None), req.pretty)
        }
        Deleted::Removed(o) => {
            let mut st = Status::success().with_details(&def.group, &def.plural, name);
            if let Some(d) = st.details.as_mut() {
                d.uid = Some(o.uid.clone());
            }
            json_resp(StatusCode::OK, &st, req.pretty)
        }
    })
}

/// `DELETE` of a collection: every selected object, answered with a `<Kind>List` of them.
pub(crate) fn delete_collection(sh: &Arc<Shared>, rp: &ResourcePath, req: &Req) -> HResult {
    let def = &rp.def;
    let lp = ListParams::parse(&req.query)?;
    let filter = filter_for(rp, &lp)?;
    let opts = DeleteOptions::parse(def, req)?;
    let dry = dry_run(def, req)?;
    let sdef = sh.storage_def(def);
    let (_, items) = sh
        .store
        .list(&sdef.storage_key, rp.namespace.as_deref(), None, None)
        .map_err(|_| Fail::from(Status::internal("store unavailable")))?;
    let mut out = Vec::new();
    sh.store.write(|txn| {
        for obj in items.iter().filter(|o| filter.matches(o)) {
            let Some(current) = txn.get(&sdef.storage_key, &obj.key) else {
                continue;
            };
            match delete_object(txn, &sdef, &current, &opts, dry) {
                Ok(Deleted::Removed(o) | Deleted::Pending(o)) => out.push(o),
                Err(_) => continue,
            }
        }
    });
    sh.controllers.notify_one();
    let items: Vec<Value> = out
        .iter()
        .map(|o| serde_json::from_slice(&served_bytes(def, o, None)).unwrap_or(Value::Null))
        .collect();
    let list = json!({
        "kind": format!("{}List", def.kind),
        "apiVersion": def.api_version(),
        "metadata": {"resourceVersion": sh.store.current_rv().to_string()},
        "items": items,
    });
    Ok(json_resp(StatusCode::OK, &list, req.pretty))
}
