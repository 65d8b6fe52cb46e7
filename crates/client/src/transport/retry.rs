//! Retries, as client-go does them:
//!
//! - a 429, or any 5xx, that carries `Retry-After: <seconds>` is retried after that long;
//! - a connection reset / unexpected EOF on a GET, HEAD or OPTIONS request counts as a 500 with
//!   `Retry-After: 1`;
//! - at most `max_retries` times (default 10), and never when the request body is streaming
//!   (it cannot be replayed).

use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll};
use std::time::Duration;

use http::header::RETRY_AFTER;
use http::{Request, Response, StatusCode};
use tower::{Layer, Service, ServiceExt};

use super::{clone_request, is_idempotent};
use crate::body::Body;
use crate::error::Error;

/// Retries per the module rules.
#[derive(Clone, Copy, Debug)]
pub(crate) struct RetryLayer {
    pub(crate) max_retries: u32,
}

impl<S> Layer<S> for RetryLayer {
    type Service = Retry<S>;
    fn layer(&self, inner: S) -> Retry<S> {
        Retry {
            inner,
            max_retries: self.max_retries,
        }
    }
}

/// The service made by [`RetryLayer`].
#[derive(Clone, Debug)]
pub(crate) struct Retry<S> {
    inner: S,
    max_retries: u32,
}

/// `Retry-After` in whole seconds, if the header is present and numeric.
pub(crate) fn retry_after_seconds<B>(resp: &Response<B>) -> Option<u64> {
    resp.headers()
        .get(RETRY_AFTER)?
        .to_str()
        .ok()?
        .trim()
        .parse()
        .ok()
}

/// How long to wait before retrying this response, if it should be retried.
fn wait_for_response<B>(resp: &Response<B>) -> Option<Duration> {
    let s = resp.status();
    if s == StatusCode::TOO_MANY_REQUESTS || s.is_server_error() {
        retry_after_seconds(resp).map(Duration::from_secs)
    } else {
        None
    }
}

/// `true` for a connection that broke under the request (reset, EOF, closed).
pub(crate) fn is_connection_lost(e: &Error) -> bool {
    let Error::Http(source) = e else { return false };
    let mut cur: Option<&(dyn std::error::Error + 'static)> = Some(&**source);
    while let Some(err) = cur {
        if let Some(io) = err.downcast_ref::<std::io::Error>() {
            use std::io::ErrorKind::*;
            if matches!(
                io.kind(),
                ConnectionReset | ConnectionAborted | BrokenPipe | UnexpectedEof
            ) {
                return true;
            }
        }
        if let Some(h) = err.downcast_ref::<hyper::Error>() {
            if h.is_incomplete_message() || h.is_closed() || h.is_canceled() {
                return true;
            }
        }
        cur = err.source();
    }
    false
}

impl<S> Service<Request<Body>> for Retry<S>
where
    S: Service<Request<Body>, Response = Response<Body>, Error = Error> + Clone + Send + 'static,
    S::Future: Send,
{
    type Response = Response<Body>;
    type Error = Error;
    type Future = Pin<Box<dyn Future<Output = Result<Response<Body>, Error>> + Send>>;

    fn poll_ready(&mut self, _cx: &mut Context<'_>) -> Poll<Result<(), Error>> {
        Poll::Ready(Ok(()))
    }

    fn call(&mut self, req: Request<Body>) -> Self::Future {
        let inner = self.inner.clone();
        let max = self.max_retries;
        Box::pin(async move {
            let mut req = req;
            let mut attempt = 0;
            loop {
                let replay = if attempt < max {
                    clone_request(&req)
                } else {
                    None
                };
                let method = req.method().clone();
                let result = inner.clone().oneshot(req).await;
                let Some(next) = replay else { return result };
                let wait = match &result {
                    Ok(resp) => match wait_for_response(resp) {
                        Some(w) => w,
                        None => return result,
                    },
                    Err(e) if is_idempotent(&method) && is_connection_lost(e) => {
                        Duration::from_secs(1)
                    }
                    Err(_) => return result,
                };
                attempt += 1;
                match &result {
                    Ok(resp) => tracing::debug!(
                        status = resp.status().as_u16(),
                        ?wait,
                        attempt,
                        "retrying after Retry-After"
                    ),
                    Err(e) => {
                        tracing::debug!(error = %e, ?wait, attempt, "connection lost; retrying");
                    }
                }
                drop(result);
                tokio::time::sleep(wait).await;
                req = next;
            }
        })
    }
}
