//! The HTTP front: authentication, routing, non-resource endpoints (discovery, version,
//! health), request logging, and the response helpers the handlers use.

mod body;
mod params;
mod protobuf;
mod response;
mod route;

use std::convert::Infallible;
use std::sync::Arc;
use std::time::{Duration, Instant};

use bytes::Bytes;
use http::header::{HeaderMap, ACCEPT, AUTHORIZATION, CONTENT_TYPE, ETAG, IF_NONE_MATCH};
use http::{Method, Request, Response, StatusCode};
use http_body_util::{BodyExt, Limited};
use hyper::body::Incoming;
use kapi_apimachinery::meta::{reason, Status, AGGREGATED_DISCOVERY_V2};
use serde_json::json;

pub(crate) use body::{ChannelBody, ListBody};
pub(crate) use params::{parse_rv, ListParams, Query};
pub(crate) use response::{json, json_bytes, plain, Fail, HResult, Resp, JSON};
pub(crate) use route::ResourcePath;
use route::Route;

use crate::shared::Shared;

/// A Swagger 2.0 document in gnostic's protobuf form: `swagger: "2.0"`, `info: {title:
/// "Kubernetes", version: "v1.36.0"}`, empty `paths`.
const OPENAPI_V2_PROTOBUF: &[u8] = b"\x0a\x032.0\x12\x15\x0a\x0aKubernetes\x12\x07v1.36.0\x42\x00";

/// Largest accepted request body (upstream's limit is about 3 MiB).
const MAX_BODY: usize = 3 * 1024 * 1024;

/// A request, read in full.
#[derive(Debug)]
pub(crate) struct Req {
    /// Method.
    pub(crate) method: Method,
    /// Headers.
    pub(crate) headers: HeaderMap,
    /// Query parameters.
    pub(crate) query: Query,
    /// Body.
    pub(crate) body: Bytes,
    /// `?pretty=true`.
    pub(crate) pretty: bool,
    /// `Warning` headers to send (rule 3.16).
    pub(crate) warnings: std::sync::Mutex<Vec<String>>,
}

impl Req {
    /// Adds a `Warning: 299 - "..."` header to the response.
    pub(crate) fn warn(&self, message: String) {
        self.warnings
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .push(message);
    }
}

/// Boxes any body into [`body::Body`].
pub(crate) fn boxed<B>(b: B) -> body::Body
where
    B: hyper::body::Body<Data = Bytes, Error = std::io::Error> + Send + 'static,
{
    b.boxed_unsync()
}

/// Wraps a response so each body chunk is delayed (the slow-body fault).
pub(crate) fn slow_body(resp: Resp, delay: Duration) -> Resp {
    let (parts, mut inner) = resp.into_parts();
    let (tx, body) = ChannelBody::new(1);
    tokio::spawn(async move {
        while let Some(frame) = inner.frame().await {
            tokio::time::sleep(delay).await;
            let msg = match frame {
                Ok(f) => match f.into_data() {
                    Ok(d) => Ok(d),
                    Err(_) => continue,
                },
                Err(e) => Err(e),
            };
            if tx.send(msg).await.is_err() {
                return;
            }
        }
    });
    Response::from_parts(parts, boxed(body))
}

/// Serves one HTTP request.
pub(crate) async fn serve(sh: Arc<Shared>, req: Request<Incoming>) -> Result<Resp, Infallible> {
    let start = Instant::now();
    let method = req.method().clone();
    let path = req.uri().path().to_owned();
    let query = req.uri().query().map(str::to_owned);
    let resp = serve_inner(&sh, req).await;
    if sh.settings.log_requests {
        let q = query.map(|q| format!("?{q}")).unwrap_or_default();
        tracing::info!(
            target: "kapi_testserver",
            "{method} {path}{q} {} {:.1}ms",
            resp.status().as_u16(),
            start.elapsed().as_secs_f64() * 1000.0
        );
    }
    Ok(resp)
}

fn authorized(sh: &Shared, headers: &HeaderMap) -> bool {
    let Some(token) = &sh.settings.token else {
        return true;
    };
    headers
        .get(AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
        .is_some_and(|t| t.trim() == token)
}

async fn serve_inner(sh: &Arc<Shared>, req: Request<Incoming>) -> Resp {
    let (parts, body) = req.into_parts();
    let query = Query::parse(parts.uri.query());
    let pretty = query.pretty();
    let path = parts.uri.path().to_owned();
    let public = matches!(
        route_head(&path),
        "healthz" | "livez" | "readyz" | "version"
    );
    if !public && !authorized(sh, &parts.headers) {
        return response::status(
            &Status::failure(401, reason::UNAUTHORIZED, "Unauthorized"),
            pretty,
        );
    }
    if !accepts_json(&parts.headers) && path.trim_end_matches('/') == "/openapi/v2" {
        // kubectl asks for the protobuf form of the Swagger document only (as a fallback
        // after /openapi/v3): a minimal document without definitions, so kinds v3 does not
        // know are left unvalidated, as upstream leaves kinds its documents lack.
        return response::with_type(
            StatusCode::OK,
            "application/com.github.proto-openapi.spec.v2.v1.0+protobuf",
            Bytes::from_static(OPENAPI_V2_PROTOBUF),
        );
    }
    if !accepts_json(&parts.headers) {
        let st = Status::failure(
            406,
            reason::NOT_ACCEPTABLE,
            "only the following media types are accepted: application/json, application/yaml",
        );
        return response::status(&st, pretty);
    }
    let body = match Limited::new(body, MAX_BODY).collect().await {
        Ok(b) => b.to_bytes(),
        Err(e) => {
            let too_large = e
                .downcast_ref::<http_body_util::LengthLimitError>()
                .is_some();
            let st = if too_large {
                Status::failure(
                    413,
                    reason::REQUEST_ENTITY_TOO_LARGE,
                    "the request body is too large",
                )
            } else {
                Status::bad_request(format!("reading the request body failed: {e}"))
            };
            return response::status(&st, pretty);
        }
    };
    let is_protobuf = parts
        .headers
        .get(CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with(protobuf::PROTOBUF));
    let body = if is_protobuf {
        match protobuf::decode(&body) {
            Ok(v) => Bytes::from(serde_json::to_vec(&v).unwrap_or_default()),
            Err(why) => {
                let st = Status::failure(415, reason::UNSUPPORTED_MEDIA_TYPE, why);
                return response::status(&st, pretty);
            }
        }
    } else {
        body
    };
    let req = Req {
        method: parts.method,
        headers: parts.headers,
        query,
        body,
        pretty,
        warnings: std::sync::Mutex::default(),
    };
    let result = dispatch(sh, &path, &req).await;
    let mut resp = match result {
        Ok(r) => r,
        Err(Fail(st)) => response::status(&st, pretty),
    };
    let warnings = std::mem::take(
        &mut *req
            .warnings
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner),
    );
    for w in warnings {
        let escaped = w.replace('\\', "\\\\").replace('"', "\\\"");
        if let Ok(v) = http::HeaderValue::from_str(&format!("299 - \"{escaped}\"")) {
            resp.headers_mut().append(http::header::WARNING, v);
        }
    }
    resp
}

fn route_head(path: &str) -> &str {
    path.trim_start_matches('/').split('/').next().unwrap_or("")
}

/// `false` only when `Accept` names media types none of which is JSON (rule 7.5).
fn accepts_json(headers: &HeaderMap) -> bool {
    let Some(accept) = headers.get(ACCEPT).and_then(|v| v.to_str().ok()) else {
        return true;
    };
    if accept.trim().is_empty() {
        return true;
    }
    accept.split(',').any(|m| {
        let t = m
            .split(';')
            .next()
            .unwrap_or("")
            .trim()
            .to_ascii_lowercase();
        matches!(
            t.as_str(),
            "application/json"
                | "*/*"
                | "application/*"
                | "application/yaml"
                | "text/plain"
                | "text/*"
                | ""
        )
    })
}

/// `true` when `Accept` asks for aggregated discovery v2.
fn wants_aggregated(headers: &HeaderMap) -> bool {
    let Some(accept) = headers.get(ACCEPT).and_then(|v| v.to_str().ok()) else {
        return false;
    };
    accept.split(',').any(|m| {
        let params: Vec<String> = m.split(';').map(|p| p.trim().replace(' ', "")).collect();
        params.first().is_some_and(|t| t == "application/json")
            && params.iter().any(|p| p == "g=apidiscovery.k8s.io")
            && params.iter().any(|p| p == "v=v2")
            && params.iter().any(|p| p == "as=APIGroupDiscoveryList")
    })
}

async fn dispatch(sh: &Arc<Shared>, path: &str, req: &Req) -> HResult {
    let api = sh.api();
    let route = route::route(&api.registry, path);
    if let Route::Resource(rp) = route {
        return crate::api::handle(sh, rp, req).await;
    }
    if matches!(route, Route::NotFound) {
        return Ok(response::page_not_found());
    }
    if req.method != Method::GET && req.method != Method::HEAD {
        return Err(Status::method_not_allowed(req.method.as_str()).into());
    }
    let d = &api.discovery;
    Ok(match route {
        Route::Api if wants_aggregated(&req.headers) => aggregated(&d.aggregated_core, req),
        Route::Apis if wants_aggregated(&req.headers) => aggregated(&d.aggregated_groups, req),
        Route::Api => {
            let v = json!({
                "kind": "APIVersions",
                "versions": ["v1"],
                "serverAddressByClientCIDRs": [{"clientCIDR": "0.0.0.0/0", "serverAddress": sh.address}],
            });
            json(StatusCode::OK, &v, req.pretty)
        }
        Route::Apis => json_bytes(StatusCode::OK, d.group_list.clone(), req.pretty),
        Route::Group(g) => match d.groups.get(&g) {
            Some(b) => json_bytes(StatusCode::OK, b.clone(), req.pretty),
            None => response::page_not_found(),
        },
        Route::GroupVersion(g, v) => match d.resource_lists.get(&(g, v)) {
            Some(b) => json_bytes(StatusCode::OK, b.clone(), req.pretty),
            None => response::page_not_found(),
        },
        Route::Version => json(StatusCode::OK, &version_info(), req.pretty),
        Route::Health => plain(StatusCode::OK, "ok"),
        Route::OpenApiV2 => json_bytes(StatusCode::OK, api.openapi.v2(&api.registry), req.pretty),
        Route::OpenApiV3 => json_bytes(
            StatusCode::OK,
            api.openapi.v3(&api.registry).index.clone(),
            req.pretty,
        ),
        Route::OpenApiV3Doc(p) => match api.openapi.v3(&api.registry).docs.get(&p) {
            Some(doc) => json_bytes(StatusCode::OK, doc.0.clone(), req.pretty),
            None => response::page_not_found(),
        },
        Route::UnknownResource => {
            return Err(Status::failure(
                404,
                reason::NOT_FOUND,
                "the server could not find the requested resource",
            )
            .with_details("", "", "")
            .into())
        }
        Route::Resource(_) | Route::NotFound => response::page_not_found(),
    })
}

fn aggregated(doc: &(Bytes, String), req: &Req) -> Resp {
    let (bytes, etag) = doc;
    let matches = req
        .headers
        .get(IF_NONE_MATCH)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.split(',').any(|t| t.trim() == etag));
    let mut r = if matches {
        let mut r = Response::new(body::empty());
        *r.status_mut() = StatusCode::NOT_MODIFIED;
        r
    } else {
        json_bytes(StatusCode::OK, bytes.clone(), req.pretty)
    };
    r.headers_mut().insert(
        CONTENT_TYPE,
        http::HeaderValue::from_static(AGGREGATED_DISCOVERY_V2),
    );
    if let Ok(v) = http::HeaderValue::from_str(etag) {
        r.headers_mut().insert(ETAG, v);
    }
    r
}

/// The `/version` document (rule 1.7).
pub(crate) fn version_info() -> serde_json::Value {
    json!({
        "major": "1",
        "minor": "36",
        "emulationMajor": "1",
        "emulationMinor": "36",
        "minCompatibilityMajor": "1",
        "minCompatibilityMinor": "35",
        "gitVersion": "v1.36.0-kapi-testserver",
        "gitCommit": "0000000000000000000000000000000000000000",
        "gitTreeState": "clean",
        "buildDate": "2026-01-01T00:00:00Z",
        "goVersion": "go1.25.0",
        "compiler": "gc",
        "platform": "linux/amd64",
    })
}
