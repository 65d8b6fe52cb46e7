//! Building responses: JSON (compact, or indented with `?pretty=true`), Status errors with
//! `Retry-After`, and plain text.

use bytes::Bytes;
use http::header::{HeaderValue, CONTENT_TYPE, RETRY_AFTER};
use http::{Response, StatusCode};
use kapi_apimachinery::meta::Status;
use serde::Serialize;
use serde_json::Value;

use super::body::{full, Body};

/// A response.
pub(crate) type Resp = Response<Body>;

/// A failed request: the Status to answer with.
#[derive(Debug)]
pub(crate) struct Fail(pub(crate) Box<Status>);

impl From<Status> for Fail {
    fn from(s: Status) -> Self {
        Self(Box::new(s))
    }
}

/// What handlers return.
pub(crate) type HResult = Result<Resp, Fail>;

/// JSON content type.
pub(crate) const JSON: &str = "application/json";

/// A JSON response from already serialized compact bytes.
pub(crate) fn json_bytes(code: StatusCode, bytes: Bytes, pretty: bool) -> Resp {
    let bytes = if pretty {
        match serde_json::from_slice::<Value>(&bytes) {
            Ok(v) => pretty_bytes(&v),
            Err(_) => bytes,
        }
    } else {
        bytes
    };
    with_type(code, JSON, bytes)
}

/// A JSON response from a serializable value.
pub(crate) fn json<T: Serialize + ?Sized>(code: StatusCode, value: &T, pretty: bool) -> Resp {
    let bytes = if pretty {
        serde_json::to_vec_pretty(value)
    } else {
        serde_json::to_vec(value)
    };
    with_type(code, JSON, Bytes::from(bytes.unwrap_or_default()))
}

fn pretty_bytes(v: &Value) -> Bytes {
    Bytes::from(serde_json::to_vec_pretty(v).unwrap_or_default())
}

/// A response with a body and a content type.
pub(crate) fn with_type(code: StatusCode, content_type: &str, bytes: Bytes) -> Resp {
    let mut r = Response::new(full(bytes));
    *r.status_mut() = code;
    if let Ok(v) = HeaderValue::from_str(content_type) {
        r.headers_mut().insert(CONTENT_TYPE, v);
    }
    r
}

/// A Status response: its code, and `Retry-After` when `retryAfterSeconds` is set.
pub(crate) fn status(st: &Status, pretty: bool) -> Resp {
    let code = StatusCode::from_u16(st.http_code()).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    let mut r = json(code, st, pretty);
    if let Some(secs) = st.details.as_ref().and_then(|d| d.retry_after_seconds) {
        r.headers_mut().insert(RETRY_AFTER, HeaderValue::from(secs));
    }
    r
}

/// A plain-text response.
pub(crate) fn plain(code: StatusCode, text: &str) -> Resp {
    with_type(
        code,
        "text/plain; charset=utf-8",
        Bytes::from(text.to_owned()),
    )
}

/// The plain 404 of an unknown path.
pub(crate) fn page_not_found() -> Resp {
    plain(StatusCode::NOT_FOUND, "404 page not found\n")
}
