//! A tracing span per request: `kapi.request{method, path, status}`.

use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll};

use http::{Request, Response};
use tower::{Layer, Service, ServiceExt};
use tracing::Instrument as _;

use crate::body::Body;
use crate::error::Error;

/// Opens the span.
#[derive(Clone, Copy, Debug)]
pub(crate) struct TraceLayer;

impl<S> Layer<S> for TraceLayer {
    type Service = Trace<S>;
    fn layer(&self, inner: S) -> Trace<S> {
        Trace { inner }
    }
}

/// The service made by [`TraceLayer`].
#[derive(Clone, Debug)]
pub(crate) struct Trace<S> {
    inner: S,
}

impl<S> Service<Request<Body>> for Trace<S>
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
        let span = tracing::debug_span!(
            "kapi.request",
            method = %req.method(),
            path = %req.uri().path(),
            status = tracing::field::Empty,
        );
        let inner = self.inner.clone();
        let fut = async move {
            let result = inner.oneshot(req).await;
            match &result {
                Ok(resp) => {
                    tracing::Span::current().record("status", resp.status().as_u16());
                }
                Err(e) => tracing::debug!(error = %e, "request failed"),
            }
            result
        };
        Box::pin(fut.instrument(span))
    }
}
