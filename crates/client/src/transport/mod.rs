//! The HTTP stack: hyper 1 under a column of tower layers.
//!
//! From the caller down, each request passes through:
//!
//! | layer | does |
//! |---|---|
//! | caller layers | whatever [`ClientBuilder::layer`](crate::ClientBuilder::layer) added |
//! | trace | a `kapi.request` span per request (method, path, status) |
//! | timeout | [`Timeouts::request`](crate::Timeouts::request) over the whole exchange, body included; not for watches and streams |
//! | retry | 429 / 5xx with `Retry-After`, and connection resets on GET/HEAD/OPTIONS, up to [`Config::max_retries`](crate::Config::max_retries); never with a streaming body |
//! | auth | `Authorization` unless the caller set one; renew and resend once on 401 |
//! | rate limit | the config's shared token bucket ([`RateLimit`]); watches exempt |
//! | headers | cluster URL, `User-Agent`, impersonation headers |
//! | attempt layers | whatever [`ClientBuilder::attempt_layer`](crate::ClientBuilder::attempt_layer) added: they see every attempt |
//! | warnings | `Warning` headers to tracing and the [`WarningHandler`] |
//! | decompression | gzip responses, unless `disable-compression` |
//! | http | hyper-util's pooled client: HTTP/2 via ALPN (with keep-alive pings) or HTTP/1.1, over kapi's connector (proxy, TLS, timeouts) |

mod connector;
mod headers;
mod http_client;
mod proxy;
mod rate_limit;
mod retry;
mod timeout;
mod trace;
mod warning;

use http::{Method, Request};

pub(crate) use proxy::redact as redact_url;
pub use proxy::{Proxy, ProxyUrl};
pub use rate_limit::{RateLimit, RateLimitStats};
pub use warning::{Warning, WarningHandler};

pub(crate) use connector::Connector;
pub(crate) use headers::HeadersLayer;
pub(crate) use http_client::HttpService;
pub(crate) use rate_limit::RateLimitLayer;
pub(crate) use retry::{retry_after_seconds, RetryLayer};
pub(crate) use timeout::TimeoutLayer;
pub(crate) use trace::TraceLayer;
pub(crate) use warning::WarningLayer;

use crate::body::Body;

/// What kind of request this is; set it as a request extension to override detection.
///
/// Watches (`watch=true`/`watch=1` in the query, or a `/watch/` path) are detected
/// automatically; [`Client::request_stream`](crate::Client::request_stream) marks its
/// requests [`RequestKind::Stream`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum RequestKind {
    /// An ordinary request: rate limited, subject to the request timeout.
    Normal,
    /// A watch: not rate limited, no request timeout.
    Watch,
    /// A long-lived stream such as `logs?follow=true`: rate limited, no request timeout.
    Stream,
}

impl RequestKind {
    /// The kind of `req`: its extension if set, else detected from the URL.
    pub fn of<B>(req: &Request<B>) -> RequestKind {
        if let Some(kind) = req.extensions().get::<RequestKind>() {
            return *kind;
        }
        let uri = req.uri();
        let query_says = |key: &str| {
            uri.query()
                .is_some_and(|q| form_pairs(q).any(|(k, v)| k == key && matches!(v, "true" | "1")))
        };
        if query_says("watch") || uri.path().contains("/watch/") {
            RequestKind::Watch
        } else if query_says("follow") {
            RequestKind::Stream
        } else {
            RequestKind::Normal
        }
    }
}

fn form_pairs(query: &str) -> impl Iterator<Item = (&str, &str)> {
    query
        .split('&')
        .map(|pair| pair.split_once('=').unwrap_or((pair, "")))
}

/// A copy of a request whose body can be replayed (`None` for a streaming body).
pub(crate) fn clone_request(req: &Request<Body>) -> Option<Request<Body>> {
    let body = req.body().try_clone()?;
    let mut copy = Request::new(body);
    *copy.method_mut() = req.method().clone();
    *copy.uri_mut() = req.uri().clone();
    *copy.version_mut() = req.version();
    *copy.headers_mut() = req.headers().clone();
    *copy.extensions_mut() = req.extensions().clone();
    Some(copy)
}

/// Methods that are safe to resend after a connection failure.
pub(crate) fn is_idempotent(method: &Method) -> bool {
    matches!(*method, Method::GET | Method::HEAD | Method::OPTIONS)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn kind(uri: &str) -> RequestKind {
        RequestKind::of(&Request::get(uri).body(()).expect("request"))
    }

    #[test]
    fn detects_watches_and_streams() {
        assert_eq!(kind("/api/v1/pods?watch=true"), RequestKind::Watch);
        assert_eq!(kind("/api/v1/pods?limit=1&watch=1"), RequestKind::Watch);
        assert_eq!(kind("/api/v1/watch/pods"), RequestKind::Watch);
        assert_eq!(kind("/api/v1/pods?watch=false"), RequestKind::Normal);
        assert_eq!(
            kind("/api/v1/namespaces/d/pods/p/log?follow=true"),
            RequestKind::Stream
        );
        let mut r = Request::get("/x").body(()).expect("request");
        r.extensions_mut().insert(RequestKind::Watch);
        assert_eq!(RequestKind::of(&r), RequestKind::Watch);
    }
}
