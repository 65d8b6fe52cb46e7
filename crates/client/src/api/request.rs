//! Building requests for an [`Api`] and decoding what comes back.

use bytes::Bytes;
use http::header::{ACCEPT, CONTENT_TYPE};
use http::{Method, Request};
use kapi_apimachinery::meta::{
    PARTIAL_OBJECT_METADATA_ACCEPT, PARTIAL_OBJECT_METADATA_LIST_ACCEPT,
};
use serde::de::DeserializeOwned;
use serde::Serialize;

use super::{Api, Format};
use crate::body::Body;
use crate::error::{Error, Result};
use crate::transport::RequestKind;

/// Plain JSON.
pub(crate) const JSON: &str = "application/json";

/// Refuses a URL path segment (name, namespace, subresource) that would change the URL:
/// empty, `.`/`..`, or containing `/`, `%`, `?`, `#` or control characters — the API server
/// refuses such names too.
pub(crate) fn check_segment(what: &str, value: &str) -> Result<()> {
    let bad = value.is_empty()
        || value == "."
        || value == ".."
        || value
            .chars()
            .any(|c| matches!(c, '/' | '%' | '?' | '#') || c.is_control() || c.is_whitespace());
    if bad {
        Err(Error::InvalidRequest(format!(
            "invalid {what} {value:?}: must be non-empty and contain no '/', '%', '?', '#' or whitespace"
        )))
    } else {
        Ok(())
    }
}

/// One request, before it becomes an `http::Request`.
#[derive(Debug)]
pub(crate) struct Call {
    pub(crate) method: Method,
    pub(crate) path: String,
    pub(crate) query: String,
    pub(crate) accept: &'static str,
    pub(crate) content_type: Option<&'static str>,
    pub(crate) body: Body,
    pub(crate) kind: Option<RequestKind>,
}

impl Call {
    pub(crate) fn new(method: Method, path: String) -> Self {
        Self {
            method,
            path,
            query: String::new(),
            accept: JSON,
            content_type: None,
            body: Body::empty(),
            kind: None,
        }
    }

    /// Appends an already encoded query string (`a=b&c=d`).
    pub(crate) fn query(mut self, query: &str) -> Self {
        if !query.is_empty() {
            if !self.query.is_empty() {
                self.query.push('&');
            }
            self.query.push_str(query);
        }
        self
    }

    pub(crate) fn accept(mut self, accept: &'static str) -> Self {
        self.accept = accept;
        self
    }

    pub(crate) fn kind(mut self, kind: RequestKind) -> Self {
        self.kind = Some(kind);
        self
    }

    /// A JSON body.
    pub(crate) fn json<T: Serialize + ?Sized>(self, body: &T) -> Result<Self> {
        let bytes = serde_json::to_vec(body)
            .map_err(|e| Error::InvalidRequest(format!("cannot serialize the body: {e}")))?;
        Ok(self.body(JSON, Bytes::from(bytes)))
    }

    pub(crate) fn body(mut self, content_type: &'static str, body: Bytes) -> Self {
        self.content_type = Some(content_type);
        self.body = Body::from(body);
        self
    }

    pub(crate) fn build(self) -> Result<Request<Body>> {
        let uri = if self.query.is_empty() {
            self.path
        } else {
            format!("{}?{}", self.path, self.query)
        };
        let mut builder = Request::builder()
            .method(self.method)
            .uri(uri)
            .header(ACCEPT, self.accept);
        if let Some(ct) = self.content_type {
            builder = builder.header(CONTENT_TYPE, ct);
        }
        let mut req = builder
            .body(self.body)
            .map_err(|e| Error::InvalidRequest(e.to_string()))?;
        if let Some(kind) = self.kind {
            req.extensions_mut().insert(kind);
        }
        Ok(req)
    }
}

impl<K> Api<K> {
    /// `Accept` for single objects.
    pub(crate) fn object_accept(&self) -> &'static str {
        match self.format {
            Format::Full => JSON,
            Format::Metadata => PARTIAL_OBJECT_METADATA_ACCEPT,
        }
    }

    /// `Accept` for lists.
    pub(crate) fn list_accept(&self) -> &'static str {
        match self.format {
            Format::Full => JSON,
            Format::Metadata => PARTIAL_OBJECT_METADATA_LIST_ACCEPT,
        }
    }

    /// The path of one object (or of one of its subresources).
    pub(crate) fn object_path(&self, name: &str, sub: Option<&str>) -> Result<String> {
        check_segment("name", name)?;
        if let Some(sub) = sub {
            check_segment("subresource", sub)?;
        }
        let ns = self.url_namespace(true)?;
        Ok(self.info.object_path(ns, name, sub))
    }

    /// The path of the collection; `require_namespace` for creates and deletecollection.
    pub(crate) fn collection_path(&self, require_namespace: bool) -> Result<String> {
        let ns = self.url_namespace(require_namespace)?;
        Ok(self.info.collection_path(ns))
    }

    /// Fails unless the resource has the subresource `name`.
    pub(crate) fn require_subresource(&self, name: &str) -> Result<()> {
        if self.info.has_subresource(name) {
            Ok(())
        } else {
            Err(Error::InvalidRequest(format!(
                "{} has no {name:?} subresource",
                self.what()
            )))
        }
    }

    /// Sends a call and decodes a 2xx JSON body as `T`.
    pub(crate) async fn fetch<T: DeserializeOwned>(&self, call: Call) -> Result<T> {
        let body = self.fetch_bytes(call).await?;
        decode(&body)
    }

    /// Sends a call and returns a 2xx body.
    pub(crate) async fn fetch_bytes(&self, call: Call) -> Result<Bytes> {
        let resp = self.client.checked(call.build()?).await?;
        resp.into_body().collect_bytes().await
    }
}

/// Decodes JSON as `T`, with a sanitized message on failure.
pub(crate) fn decode<T: DeserializeOwned>(body: &[u8]) -> Result<T> {
    serde_json::from_slice(body)
        .map_err(|e| Error::decode(std::any::type_name::<T>(), &e.to_string()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn segments_that_would_change_the_url_are_refused() {
        for bad in ["", ".", "..", "a/b", "a%2f", "a?b", "a#b", "a b", "a\nb"] {
            assert!(check_segment("name", bad).is_err(), "{bad:?}");
        }
        for good in ["web-0", "a.b", "x_y", "UPPER", "ns"] {
            assert!(check_segment("name", good).is_ok(), "{good:?}");
        }
    }
}
