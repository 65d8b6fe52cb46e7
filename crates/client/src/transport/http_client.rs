//! The bottom of the stack: hyper-util's pooled client over [`Connector`].
//!
//! When an exec plugin hands out a new client certificate, the pool is replaced, so no request
//! keeps riding a connection authenticated with the old certificate.

use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::sync::{Arc, Mutex, PoisonError};
use std::task::{Context, Poll};

use http::{Request, Response};
use hyper::body::Incoming;
use hyper_util::client::legacy;
use hyper_util::rt::{TokioExecutor, TokioTimer};
use tower::Service;

use super::connector::{Connector, TimedOut};
use crate::auth::ExecAuth;
use crate::body::Body;
use crate::config::Timeouts;
use crate::error::{BoxError, Error};

type Pool = legacy::Client<Connector, Body>;

/// Sends requests over pooled connections.
#[derive(Clone)]
pub(crate) struct HttpService {
    shared: Arc<Shared>,
}

struct Shared {
    builder: legacy::Builder,
    connector: Connector,
    exec: Option<ExecAuth>,
    pool: Mutex<(u64, Pool)>,
    server: String,
}

impl fmt::Debug for HttpService {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("HttpService")
            .field("server", &self.shared.server)
            .finish_non_exhaustive()
    }
}

impl HttpService {
    pub(crate) fn new(
        connector: Connector,
        timeouts: &Timeouts,
        exec: Option<ExecAuth>,
        server: String,
    ) -> Self {
        let mut builder = legacy::Client::builder(TokioExecutor::new());
        builder
            .timer(TokioTimer::new())
            .pool_timer(TokioTimer::new())
            .pool_idle_timeout(timeouts.pool_idle)
            .pool_max_idle_per_host(25)
            .http2_keep_alive_interval(timeouts.http2_read_idle)
            .http2_keep_alive_timeout(timeouts.http2_ping_timeout)
            .http2_keep_alive_while_idle(true);
        let generation = exec.as_ref().map_or(0, ExecAuth::cert_generation);
        let pool = builder.build(connector.clone());
        Self {
            shared: Arc::new(Shared {
                builder,
                connector,
                exec,
                pool: Mutex::new((generation, pool)),
                server,
            }),
        }
    }

    fn pool(&self) -> Pool {
        let s = &self.shared;
        let mut pool = s.pool.lock().unwrap_or_else(PoisonError::into_inner);
        if let Some(exec) = &s.exec {
            let generation = exec.cert_generation();
            if generation != pool.0 {
                tracing::debug!(
                    "exec plugin returned a new client certificate; starting a new connection pool"
                );
                *pool = (generation, s.builder.build(s.connector.clone()));
            }
        }
        pool.1.clone()
    }
}

impl Service<Request<Body>> for HttpService {
    type Response = Response<Incoming>;
    type Error = Error;
    type Future = Pin<Box<dyn Future<Output = Result<Response<Incoming>, Error>> + Send>>;

    fn poll_ready(&mut self, _cx: &mut Context<'_>) -> Poll<Result<(), Error>> {
        Poll::Ready(Ok(()))
    }

    fn call(&mut self, req: Request<Body>) -> Self::Future {
        let pool = self.pool();
        let server = self.shared.server.clone();
        Box::pin(async move { pool.request(req).await.map_err(|e| map_error(e, server)) })
    }
}

/// Sorts hyper's errors into ours: timeouts, connection failures, and the rest.
fn map_error(e: legacy::Error, server: String) -> Error {
    let mut cur: Option<&(dyn std::error::Error + 'static)> = Some(&e);
    while let Some(err) = cur {
        if let Some(t) = err.downcast_ref::<TimedOut>() {
            return Error::Timeout(t.0);
        }
        cur = err.source();
    }
    if e.is_connect() {
        return Error::Connect {
            url: server,
            source: connect_cause(&e),
        };
    }
    Error::Http(Box::new(e))
}

/// Keeps the deepest cause readable (`connection refused`, TLS alerts).
fn connect_cause(e: &legacy::Error) -> BoxError {
    let mut parts: Vec<String> = Vec::new();
    let mut cur = std::error::Error::source(e);
    while let Some(err) = cur {
        let text = err.to_string();
        if !parts.iter().any(|p| p.contains(&text)) {
            parts.push(text);
        }
        cur = err.source();
    }
    if parts.is_empty() {
        parts.push(e.to_string());
    }
    parts.join(": ").into()
}
