//! LIST (rules 2.3–2.6, 4.1, 4.2): resourceVersion semantics, pagination with continue
//! tokens, selectors, and the list body streamed from stored bytes.

use std::sync::Arc;

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use bytes::Bytes;
use http::header::{HeaderValue, CONTENT_TYPE};
use http::{Response, StatusCode};
use kapi_apimachinery::meta::{cause, ListMeta, Status, StatusCause};
use serde_json::{json, Value};

use super::{served_bytes, wait_for_rv};
use crate::http::{json, HResult, ListBody, ListParams, Req, ResourcePath, JSON};
use crate::registry::ResourceDef;
use crate::shared::Shared;
use crate::store::{Filter, StoredObject};
use crate::table::Shape;

/// 422 on a `ListOptions` field (details group `meta.k8s.io`, kind `ListOptions`).
pub(crate) fn invalid_list_option(field: &str, reason: &str, message: &str) -> crate::http::Fail {
    Status::invalid(
        "meta.k8s.io",
        "ListOptions",
        "",
        vec![StatusCause::new(reason, message, field)],
    )
    .into()
}

/// The filter a list or watch selects with (400 for unsupported field labels).
pub(crate) fn filter_for(rp: &ResourcePath, lp: &ListParams) -> Result<Filter, crate::http::Fail> {
    for t in lp.fields.terms() {
        if !rp.def.field_labels.supports(t.field()) {
            return Err(
                Status::bad_request(format!("field label not supported: {}", t.field())).into(),
            );
        }
    }
    Ok(Filter {
        namespace: rp.namespace.clone(),
        labels: lp.labels.clone(),
        fields: lp.fields.clone(),
    })
}

struct Token {
    rv: i64,
    start: String,
}

fn encode_token(rv: i64, last_key: &str) -> String {
    let t = json!({"v": "meta.k8s.io/v1", "rv": rv, "start": format!("{last_key}\u{0}")});
    URL_SAFE_NO_PAD.encode(t.to_string())
}

fn decode_token(s: &str) -> Result<Token, crate::http::Fail> {
    let bad = |why: &str| Status::bad_request(format!("invalid continue token: {why}"));
    let raw = URL_SAFE_NO_PAD
        .decode(s.trim_end_matches('='))
        .map_err(|e| bad(&e.to_string()))?;
    let v: Value = serde_json::from_slice(&raw).map_err(|e| bad(&e.to_string()))?;
    if v.get("v").and_then(Value::as_str) != Some("meta.k8s.io/v1") {
        return Err(bad("unsupported version").into());
    }
    let rv = v
        .get("rv")
        .and_then(Value::as_i64)
        .ok_or_else(|| bad("missing rv"))?;
    let start = v
        .get("start")
        .and_then(Value::as_str)
        .ok_or_else(|| bad("missing start"))?;
    Ok(Token {
        rv,
        start: start.trim_end_matches('\u{0}').to_owned(),
    })
}

const EXPIRED_CONTINUE: &str = "The provided continue parameter is too old to display a consistent list result. \
You can start a new list without the continue parameter, or use the continue token in this response to \
retrieve the remainder of the results. Continuing with the provided token results in an inconsistent list - \
objects that were created, modified, or deleted between the time the first chunk was returned and now may \
show up in the list.";

/// `GET` of a collection.
pub(crate) async fn list(sh: &Arc<Shared>, rp: &ResourcePath, req: &Req) -> HResult {
    let lp = ListParams::parse(&req.query)?;
    let filter = filter_for(rp, &lp)?;
    let shape = crate::table::shape(req)?;
    if lp.send_initial_events.is_some() {
        return Err(invalid_list_option(
            "sendInitialEvents",
            cause::FIELD_VALUE_FORBIDDEN,
            "Forbidden: sendInitialEvents is forbidden for list",
        ));
    }
    let rv = lp.rv_number()?;
    let token = lp.continue_.as_deref().map(decode_token).transpose()?;
    if token.is_some() {
        if lp.rv_match.is_some() {
            return Err(invalid_list_option(
                "resourceVersionMatch",
                cause::FIELD_VALUE_FORBIDDEN,
                "Forbidden: resourceVersionMatch is forbidden when continue is provided",
            ));
        }
        if rv.is_some_and(|r| r > 0) {
            return Err(Status::bad_request(
                "specifying resource version is not allowed when using continue",
            )
            .into());
        }
    }
    let rv_match = lp.rv_match.as_deref();
    match (rv_match, rv) {
        (None, _) => {}
        (Some("Exact"), Some(x)) if x > 0 => {}
        (Some("Exact"), _) => {
            return Err(invalid_list_option(
                "resourceVersionMatch",
                cause::FIELD_VALUE_FORBIDDEN,
                "Forbidden: resourceVersionMatch \"exact\" is forbidden for resourceVersion \"0\" or unset",
            ))
        }
        (Some("NotOlderThan"), Some(_)) => {}
        (Some("NotOlderThan"), None) => {
            return Err(invalid_list_option(
                "resourceVersionMatch",
                cause::FIELD_VALUE_FORBIDDEN,
                "Forbidden: resourceVersionMatch is forbidden unless resourceVersion is provided",
            ))
        }
        (Some(other), _) => {
            return Err(invalid_list_option(
                "resourceVersionMatch",
                cause::FIELD_VALUE_NOT_SUPPORTED,
                &format!("Unsupported value: {other:?}: supported values: \"Exact\", \"NotOlderThan\""),
            ))
        }
    }
    // Which revision to read, whether to page, and where to start.
    let mut limit = lp.limit;
    let mut at = None;
    let mut after = None;
    match (&token, rv) {
        (Some(t), _) => {
            at = (t.rv > 0).then(|| u64::try_from(t.rv).unwrap_or(0));
            after = Some(t.start.clone());
        }
        (None, Some(0)) => limit = 0,
        (None, Some(x)) => {
            wait_for_rv(sh, x).await?;
            if rv_match == Some("Exact") || (rv_match.is_none() && limit > 0) {
                at = Some(x);
            }
        }
        (None, None) => {}
    }
    let storage_key = &rp.def.storage_key;
    let (read_rv, items) =
        match sh
            .store
            .list(storage_key, rp.namespace.as_deref(), after.as_deref(), at)
        {
            Ok(r) => r,
            Err(_) if token.is_some() => {
                let fresh = encode_token(-1, after.as_deref().unwrap_or(""));
                let mut st = Status::expired(EXPIRED_CONTINUE);
                st.metadata.continue_ = Some(fresh);
                return Err(st.into());
            }
            Err(_) => {
                return Err(Status::expired(
                    "The resourceVersion for the provided list is too old.",
                )
                .into());
            }
        };
    let mut matching: Vec<Arc<StoredObject>> =
        items.into_iter().filter(|o| filter.matches(o)).collect();
    let mut meta = ListMeta {
        resource_version: Some(read_rv.to_string()),
        ..ListMeta::default()
    };
    if limit > 0 && matching.len() as u64 > limit {
        let rest = matching.split_off(usize::try_from(limit).unwrap_or(usize::MAX));
        if let Some(last) = matching.last() {
            meta.continue_ = Some(encode_token(
                i64::try_from(read_rv).unwrap_or(i64::MAX),
                &last.key,
            ));
        }
        if !filter.has_selectors() {
            meta.remaining_item_count = Some(i64::try_from(rest.len()).unwrap_or(i64::MAX));
        }
    }
    if shape != Shape::Full {
        let values: Vec<Value> = matching
            .iter()
            .map(|o| serde_json::from_slice(&served_bytes(&rp.def, o, None)).unwrap_or_default())
            .collect();
        let meta = serde_json::to_value(&meta).unwrap_or_default();
        let v = match shape {
            Shape::Table(version) => crate::table::table(
                &rp.def,
                &values,
                &meta,
                &version,
                &crate::table::include(req),
            ),
            _ => crate::table::partial_list(&values, &meta),
        };
        return Ok(json(StatusCode::OK, &v, req.pretty));
    }
    Ok(list_response(&rp.def, &meta, matching, req.pretty))
}

/// A `<Kind>List` response streamed from stored bytes.
pub(crate) fn list_response(
    def: &ResourceDef,
    meta: &ListMeta,
    items: Vec<Arc<StoredObject>>,
    pretty: bool,
) -> crate::http::Resp {
    let kind = format!("{}List", def.kind);
    if pretty || !def.is_storage_version {
        let items: Vec<Value> = items
            .iter()
            .map(|o| serde_json::from_slice(&served_bytes(def, o, None)).unwrap_or(Value::Null))
            .collect();
        let v = json!({"kind": kind, "apiVersion": def.api_version(), "metadata": meta, "items": items});
        return json(StatusCode::OK, &v, pretty);
    }
    let meta = serde_json::to_string(meta).unwrap_or_else(|_| "{}".into());
    let prefix = format!(
        "{{\"kind\":\"{kind}\",\"apiVersion\":\"{}\",\"metadata\":{meta},\"items\":[",
        def.api_version()
    );
    let body = ListBody::new(Bytes::from(prefix), items, Bytes::from_static(b"]}"));
    let mut r = Response::new(crate::http::boxed(body));
    *r.status_mut() = StatusCode::OK;
    r.headers_mut()
        .insert(CONTENT_TYPE, HeaderValue::from_static(JSON));
    r
}
