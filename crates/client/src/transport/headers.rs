//! Request preparation: the cluster URL, `User-Agent` and impersonation headers.

use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};

use http::header::{HeaderName, USER_AGENT};
use http::uri::{PathAndQuery, Uri};
use http::{HeaderValue, Request, Response};
use tower::{Layer, Service, ServiceExt};

use crate::body::Body;
use crate::config::Impersonate;
use crate::error::{AuthError, Error, Result};

/// Prepared header values, computed once per client.
#[derive(Debug)]
struct Prepared {
    base: Uri,
    user_agent: HeaderValue,
    impersonate: Vec<(HeaderName, HeaderValue)>,
}

/// Points requests at the cluster and adds the default headers.
#[derive(Clone, Debug)]
pub(crate) struct HeadersLayer(Arc<Prepared>);

impl HeadersLayer {
    pub(crate) fn new(
        base: Uri,
        user_agent: &str,
        impersonate: Option<&Impersonate>,
    ) -> Result<Self> {
        let user_agent = HeaderValue::from_str(user_agent)
            .map_err(|_| Error::InvalidConfig("user agent is not a valid header value".into()))?;
        let impersonate = impersonate
            .map(impersonation_headers)
            .transpose()?
            .unwrap_or_default();
        Ok(Self(Arc::new(Prepared {
            base,
            user_agent,
            impersonate,
        })))
    }
}

/// `Impersonate-User`, `-Uid`, one `-Group` per group, `Impersonate-Extra-<key>` per value.
fn impersonation_headers(i: &Impersonate) -> Result<Vec<(HeaderName, HeaderValue)>> {
    if i.user.is_empty() {
        if i.uid.is_some() || !i.groups.is_empty() || !i.extra.is_empty() {
            return Err(AuthError::ImpersonationWithoutUser.into());
        }
        return Ok(Vec::new());
    }
    let value = |v: &str| {
        HeaderValue::from_str(v)
            .map_err(|_| Error::from(AuthError::InvalidHeaderValue("impersonation value")))
    };
    let mut out: Vec<(HeaderName, HeaderValue)> =
        vec![(HeaderName::from_static("impersonate-user"), value(&i.user)?)];
    if let Some(uid) = &i.uid {
        out.push((HeaderName::from_static("impersonate-uid"), value(uid)?));
    }
    for g in &i.groups {
        out.push((HeaderName::from_static("impersonate-group"), value(g)?));
    }
    for (key, values) in &i.extra {
        let name =
            HeaderName::from_bytes(format!("impersonate-extra-{}", escape_key(key)).as_bytes())
                .map_err(|_| AuthError::InvalidHeaderValue("impersonation extra key"))?;
        for v in values {
            out.push((name.clone(), value(v)?));
        }
    }
    Ok(out)
}

/// Percent-encodes every byte of an extra key that is not an HTTP token character (and `%`).
fn escape_key(key: &str) -> String {
    let mut out = String::with_capacity(key.len());
    for b in key.bytes() {
        let token = b.is_ascii_alphanumeric() || b"!#$&'*+-.^_`|~".contains(&b);
        if token {
            out.push(char::from(b));
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// Joins a path-only URI onto the cluster URL (keeping the server's path prefix). Absolute
/// URIs are accepted only for the cluster's own scheme and authority: credentials never go
/// elsewhere.
fn join(base: &Uri, uri: &Uri) -> Result<Uri> {
    if uri.authority().is_some() || uri.scheme().is_some() {
        if uri.scheme() == base.scheme() && uri.authority() == base.authority() {
            return Ok(uri.clone());
        }
        return Err(Error::InvalidRequest(format!(
            "request URL {}://{} is not the cluster's; kapi sends requests only to the configured server",
            uri.scheme_str().unwrap_or(""),
            uri.host().unwrap_or("")
        )));
    }
    let prefix = base.path().trim_end_matches('/');
    let rest = uri.path_and_query().map_or("/", PathAndQuery::as_str);
    let rest = if rest.starts_with('/') {
        rest.to_owned()
    } else {
        format!("/{rest}")
    };
    let mut parts = base.clone().into_parts();
    parts.path_and_query = Some(
        format!("{prefix}{rest}")
            .parse()
            .map_err(|_| Error::InvalidRequest("request path is not a valid URI path".into()))?,
    );
    Uri::from_parts(parts).map_err(|e| Error::InvalidRequest(e.to_string()))
}

impl<S> Layer<S> for HeadersLayer {
    type Service = Headers<S>;
    fn layer(&self, inner: S) -> Headers<S> {
        Headers {
            inner,
            prepared: self.0.clone(),
        }
    }
}

/// The service made by [`HeadersLayer`].
#[derive(Clone, Debug)]
pub(crate) struct Headers<S> {
    inner: S,
    prepared: Arc<Prepared>,
}

impl<S> Service<Request<Body>> for Headers<S>
where
    S: Service<Request<Body>, Response = Response<Body>, Error = Error> + Clone + Send + 'static,
    S::Future: Send,
{
    type Response = Response<Body>;
    type Error = Error;
    type Future = Pin<Box<dyn Future<Output = Result<Response<Body>>> + Send>>;

    fn poll_ready(&mut self, _cx: &mut Context<'_>) -> Poll<Result<()>> {
        Poll::Ready(Ok(()))
    }

    fn call(&mut self, mut req: Request<Body>) -> Self::Future {
        let p = &self.prepared;
        let uri = match join(&p.base, req.uri()) {
            Ok(u) => u,
            Err(e) => return Box::pin(async move { Err(e) }),
        };
        *req.uri_mut() = uri;
        let headers = req.headers_mut();
        if !headers.contains_key(USER_AGENT) {
            headers.insert(USER_AGENT, p.user_agent.clone());
        }
        // A caller that impersonates explicitly keeps its own headers.
        if !headers.contains_key("impersonate-user") {
            for (name, value) in &p.impersonate {
                headers.append(name.clone(), value.clone());
            }
        }
        let inner = self.inner.clone();
        Box::pin(inner.oneshot(req))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn joins_paths_under_the_server_prefix() {
        let base: Uri = "https://h:6443/prefix/".parse().expect("uri");
        let j = |u: &str| join(&base, &u.parse().expect("uri")).map(|u| u.to_string());
        assert_eq!(
            j("/api/v1/pods?limit=1").ok().as_deref(),
            Some("https://h:6443/prefix/api/v1/pods?limit=1")
        );
        assert!(j("https://evil.example/api").is_err());
        assert!(j("https://h:6443/api").is_ok());
    }

    #[test]
    fn escapes_extra_keys() {
        assert_eq!(escape_key("example.com/scopes"), "example.com%2Fscopes");
        assert_eq!(escape_key("a%b"), "a%25b");
    }
}
