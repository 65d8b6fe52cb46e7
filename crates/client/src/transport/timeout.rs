//! The request timeout: one deadline over the whole exchange — rate-limit waits, retries and
//! reading the body — for everything but watches and streams.

use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll};
use std::time::Duration;

use http::{Request, Response};
use tower::{Layer, Service, ServiceExt};

use super::RequestKind;
use crate::body::Body;
use crate::error::{Error, TimeoutKind};

/// Applies [`Timeouts::request`](crate::Timeouts::request).
#[derive(Clone, Copy, Debug)]
pub(crate) struct TimeoutLayer(pub(crate) Option<Duration>);

impl<S> Layer<S> for TimeoutLayer {
    type Service = Timeout<S>;
    fn layer(&self, inner: S) -> Timeout<S> {
        Timeout {
            inner,
            timeout: self.0,
        }
    }
}

/// The service made by [`TimeoutLayer`].
#[derive(Clone, Debug)]
pub(crate) struct Timeout<S> {
    inner: S,
    timeout: Option<Duration>,
}

impl<S> Service<Request<Body>> for Timeout<S>
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
        let timeout = self
            .timeout
            .filter(|_| RequestKind::of(&req) == RequestKind::Normal);
        Box::pin(async move {
            let Some(timeout) = timeout else {
                return inner.oneshot(req).await;
            };
            let deadline = tokio::time::Instant::now() + timeout;
            match tokio::time::timeout_at(deadline, inner.oneshot(req)).await {
                Ok(resp) => resp.map(|r| r.map(|b| b.with_deadline(deadline))),
                Err(_) => Err(Error::Timeout(TimeoutKind::Request)),
            }
        })
    }
}
