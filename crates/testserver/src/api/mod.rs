//! Resource handlers: one file per verb family, all working on JSON values and stored bytes.

pub(crate) mod admit;
mod create;
mod delete;
mod get;
mod list;
pub(crate) mod meta;
mod patch;
mod scale;
mod update;
mod watch;
mod write;

use std::sync::Arc;
use std::time::Duration;

use bytes::Bytes;
use http::{Method, StatusCode};
use kapi_apimachinery::meta::{cause, Status, StatusCause};
use kapi_apimachinery::Verbs;
use serde_json::Value;

use crate::faults::{FaultKind, Verb};
use crate::http::{json_bytes, HResult, Req, ResourcePath};
use crate::registry::ResourceDef;
use crate::shared::Shared;
use crate::store::StoredObject;

pub(crate) use create::prepare_new;
pub(crate) use delete::{delete_object, DeleteOptions};
pub(crate) use write::{commit_update, Committed, Managed};

/// Handles a request on a resource path.
pub(crate) async fn handle(sh: &Arc<Shared>, rp: ResourcePath, req: &Req) -> HResult {
    let watch = rp.watch_prefix || req.query.flag("watch")?.unwrap_or(false);
    let verb = classify(&req.method, &rp, watch)?;
    check_verb(&rp, verb, &req.method)?;
    let writes_crd =
        crate::crd::is_crd(&rp.def) && !matches!(verb, Verb::Get | Verb::List | Verb::Watch);
    let resp = if verb == Verb::Watch {
        run(sh, &rp, req, verb).await
    } else {
        let limit = request_timeout(sh, req)?;
        match tokio::time::timeout(limit, run(sh, &rp, req, verb)).await {
            Ok(r) => r,
            Err(_) => Err(Status::timeout(
                "Timeout: request did not complete within requested timeout - context deadline exceeded",
            )
            .into()),
        }
    };
    if writes_crd {
        crate::crd::reconcile(sh);
        sh.controllers.notify_one();
    }
    resp
}

/// The time a non-watch request may take: the server's limit, or a shorter `?timeout=`.
fn request_timeout(sh: &Shared, req: &Req) -> Result<Duration, crate::http::Fail> {
    let limit = sh.settings.request_timeout;
    let Some(t) = req.query.get("timeout").filter(|t| !t.is_empty()) else {
        return Ok(limit);
    };
    let parsed = parse_duration(t).ok_or_else(|| {
        crate::http::Fail::from(Status::bad_request(format!("invalid timeout {t:?}")))
    })?;
    Ok(parsed.min(limit))
}

/// A Go-style duration (`30s`, `1m30s`, `500ms`, `2h`).
fn parse_duration(s: &str) -> Option<Duration> {
    let mut total = Duration::ZERO;
    let mut rest = s;
    while !rest.is_empty() {
        let digits = rest
            .find(|c: char| !c.is_ascii_digit() && c != '.')
            .unwrap_or(rest.len());
        let n: f64 = rest[..digits].parse().ok()?;
        rest = &rest[digits..];
        let unit_len = rest
            .find(|c: char| c.is_ascii_digit())
            .unwrap_or(rest.len());
        let factor = match &rest[..unit_len] {
            "ms" => 0.001,
            "s" | "" => 1.0,
            "m" => 60.0,
            "h" => 3600.0,
            _ => return None,
        };
        rest = &rest[unit_len..];
        total += Duration::from_secs_f64(n * factor);
    }
    Some(total)
}

async fn run(sh: &Arc<Shared>, rp: &ResourcePath, req: &Req, verb: Verb) -> HResult {
    let faults = sh.faults.take(&rp.def.plural, &rp.def.group, verb);
    for f in &faults {
        match f {
            FaultKind::Status { code, retry_after } => {
                return Err(fault_status(*code, *retry_after).into())
            }
            FaultKind::SlowHeaders(d) => tokio::time::sleep(*d).await,
            FaultKind::Expired if verb != Verb::Watch => {
                return Err(Status::expired(
                    "The resourceVersion for the provided list is too old.",
                )
                .into())
            }
            _ => {}
        }
    }
    let resp = match verb {
        Verb::Get => match rp.sub.as_deref() {
            Some("scale") => scale::get(sh, rp, req).await,
            _ => get::get(sh, rp, req).await,
        },
        Verb::List => list::list(sh, rp, req).await,
        Verb::Watch => watch::watch(sh, rp, req, &faults).await,
        Verb::Create => create::create(sh, rp, req),
        Verb::Update => match rp.sub.as_deref() {
            Some("scale") => scale::update(sh, rp, req),
            _ => update::update(sh, rp, req),
        },
        Verb::Patch => patch::patch(sh, rp, req),
        Verb::Delete => delete::delete(sh, rp, req),
        Verb::DeleteCollection => delete::delete_collection(sh, rp, req),
    }?;
    let slow = faults.iter().find_map(|f| match f {
        FaultKind::SlowBody(d) => Some(*d),
        _ => None,
    });
    Ok(match slow {
        Some(d) if verb != Verb::Watch => crate::http::slow_body(resp, d),
        _ => resp,
    })
}

fn fault_status(code: u16, retry_after: Option<u32>) -> Status {
    let mut st = match code {
        429 => Status::too_many_requests(1),
        500 => Status::internal("Internal error occurred: injected fault"),
        503 => Status::service_unavailable("the server is currently unable to handle the request"),
        504 => Status::timeout("Timeout: request did not complete within the allowed duration"),
        410 => Status::expired("too old resource version"),
        c => Status::failure(
            c,
            kapi_apimachinery::error::reason_for_code(c),
            format!("injected fault {c}"),
        ),
    };
    if let Some(d) = st.details.as_mut() {
        d.retry_after_seconds = None;
    }
    if st
        .details
        .as_ref()
        .is_some_and(|d| d == &Default::default())
    {
        st.details = None;
    }
    match retry_after {
        Some(s) => st.with_retry_after(i32::try_from(s).unwrap_or(i32::MAX)),
        None if code == 429 => st.with_retry_after(1),
        None => st,
    }
}

fn classify(method: &Method, rp: &ResourcePath, watch: bool) -> Result<Verb, crate::http::Fail> {
    let named = rp.name.is_some();
    let sub = rp.sub.is_some();
    let verb = match *method {
        Method::GET if watch && !sub => Some(Verb::Watch),
        Method::GET if named => Some(Verb::Get),
        Method::GET if !sub => Some(Verb::List),
        Method::POST if !named && !sub && (rp.namespace.is_some() || !rp.def.namespaced) => {
            Some(Verb::Create)
        }
        Method::PUT if named => Some(Verb::Update),
        Method::PATCH if named => Some(Verb::Patch),
        Method::DELETE if named && !sub => Some(Verb::Delete),
        Method::DELETE if !named => Some(Verb::DeleteCollection),
        _ => None,
    };
    verb.ok_or_else(|| Status::method_not_allowed(method.as_str()).into())
}

fn check_verb(rp: &ResourcePath, verb: Verb, method: &Method) -> Result<(), crate::http::Fail> {
    let def = &rp.def;
    if let Some(sub) = &rp.sub {
        let supported =
            matches!(sub.as_str(), "status" | "scale") && def.subresource(sub).is_some();
        if !supported {
            return Err(if def.subresource(sub).is_some() {
                Status::method_not_allowed(method.as_str())
            } else {
                Status::not_found(&def.group, &def.plural, rp.name.as_deref().unwrap_or(""))
            }
            .into());
        }
        return match verb {
            Verb::Get | Verb::Update | Verb::Patch => Ok(()),
            _ => Err(Status::method_not_allowed(method.as_str()).into()),
        };
    }
    let needed = match verb {
        Verb::Get => Verbs::GET,
        Verb::List => Verbs::LIST,
        Verb::Watch => Verbs::WATCH,
        Verb::Create => Verbs::CREATE,
        Verb::Update => Verbs::UPDATE,
        Verb::Patch => Verbs::PATCH,
        Verb::Delete => Verbs::DELETE,
        Verb::DeleteCollection => Verbs::DELETE_COLLECTION,
    };
    if def.allows(needed) {
        Ok(())
    } else {
        Err(Status::method_not_allowed(method.as_str()).into())
    }
}

/// The stored bytes of `obj` as served at `def`'s version (rewriting `apiVersion` when it
/// is not the storage version), with `rv` stamped instead of its own when given.
pub(crate) fn served_bytes(def: &ResourceDef, obj: &StoredObject, rv: Option<u64>) -> Bytes {
    if def.is_storage_version && rv.is_none() {
        return obj.bytes.clone();
    }
    let mut v = obj.value();
    if let Some(m) = v.as_object_mut() {
        m.insert("apiVersion".into(), Value::String(def.api_version()));
    }
    if let Some(rv) = rv {
        crate::store::set_rv(&mut v, rv);
    }
    Bytes::from(serde_json::to_vec(&v).unwrap_or_default())
}

/// A response carrying one object.
pub(crate) fn object_response(
    code: StatusCode,
    def: &ResourceDef,
    obj: &StoredObject,
    req: &Req,
) -> crate::http::Resp {
    json_bytes(code, served_bytes(def, obj, None), req.pretty)
}

/// Waits for the store to reach `rv` (rule 2.2); 504 with `ResourceVersionTooLarge` when it
/// does not in time.
pub(crate) async fn wait_for_rv(sh: &Shared, rv: u64) -> Result<(), crate::http::Fail> {
    if sh.store.wait_for(rv, sh.settings.rv_wait).await {
        return Ok(());
    }
    let current = sh.store.current_rv();
    Err(Status::timeout(format!(
        "Timeout: Too large resource version: {rv}, current: {current}"
    ))
    .with_cause(StatusCause {
        reason: Some(cause::RESOURCE_VERSION_TOO_LARGE.into()),
        message: Some("Too large resource version".into()),
        field: None,
    })
    .with_retry_after(1)
    .into())
}

/// Parses a request body as a JSON object (400 otherwise).
pub(crate) fn parse_object(body: &[u8]) -> Result<Value, crate::http::Fail> {
    let v: Value = serde_json::from_slice(body).map_err(|e| {
        Status::bad_request(format!(
            "the body of the request was in an unknown format - accepted media types include: application/json, application/yaml: {e}"
        ))
    })?;
    if !v.is_object() {
        return Err(Status::bad_request("the body of the request must be a JSON object").into());
    }
    Ok(v)
}

/// Checks `apiVersion`/`kind` of a body against the URL's, filling them when absent (400 on
/// a mismatch).
pub(crate) fn check_type(
    def: &ResourceDef,
    v: &mut Value,
    kind: &str,
    api_version: &str,
) -> Result<(), crate::http::Fail> {
    let Some(m) = v.as_object_mut() else {
        return Ok(());
    };
    match m.get("apiVersion").and_then(Value::as_str) {
        Some(a) if a != api_version => {
            return Err(Status::bad_request(format!(
                "the API version in the data ({a}) does not match the expected API version ({api_version})"
            ))
            .into())
        }
        _ => {}
    }
    match m.get("kind").and_then(Value::as_str) {
        Some(k) if k != kind => {
            return Err(Status::bad_request(format!(
                "the kind in the data ({k}) does not match the expected kind ({kind}) for {}",
                def.qualified()
            ))
            .into())
        }
        _ => {}
    }
    m.insert("apiVersion".into(), Value::String(api_version.into()));
    m.insert("kind".into(), Value::String(kind.into()));
    Ok(())
}

/// `dryRun`: `All` → `true`, absent → `false`, anything else → 422.
pub(crate) fn dry_run(def: &ResourceDef, req: &Req) -> Result<bool, crate::http::Fail> {
    match req.query.get("dryRun") {
        None | Some("") => Ok(false),
        Some("All") => Ok(true),
        Some(other) => Err(Status::invalid(
            &def.group,
            &def.kind,
            "",
            vec![StatusCause::new(
                kapi_apimachinery::meta::cause::FIELD_VALUE_NOT_SUPPORTED,
                format!("Unsupported value: {other:?}: supported values: \"All\""),
                "dryRun",
            )],
        )
        .into()),
    }
}

/// The field manager of a write (rule 3.9): `fieldManager`, else the User-Agent up to its
/// first `/`.
pub(crate) fn manager(
    req: &Req,
    def: &ResourceDef,
    subresource: Option<&str>,
) -> Result<crate::ssa::Manager, crate::http::Fail> {
    let name = match req.query.get("fieldManager") {
        Some(m) if !m.is_empty() => m.to_owned(),
        _ => req
            .headers
            .get(http::header::USER_AGENT)
            .and_then(|v| v.to_str().ok())
            .map(|ua| ua.split('/').next().unwrap_or("").to_owned())
            .filter(|m| !m.is_empty())
            .unwrap_or_else(|| "unknown".to_owned()),
    };
    if name.chars().count() > 128 {
        return Err(Status::invalid(
            &def.group,
            &def.kind,
            "",
            vec![StatusCause::new(
                cause::FIELD_VALUE_TOO_LONG,
                "Too long: may not be more than 128 bytes",
                "fieldManager",
            )],
        )
        .into());
    }
    Ok(crate::ssa::Manager {
        name,
        api_version: def.api_version(),
        subresource: subresource
            .filter(|s| matches!(*s, "status" | "scale"))
            .map(str::to_owned),
    })
}

/// The default watch timeout: a random 30–60 minutes.
pub(crate) fn default_watch_timeout() -> Duration {
    Duration::from_secs(rand::random_range(1800..3600))
}
