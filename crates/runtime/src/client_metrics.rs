//! Client request metrics: a tower layer counting requests by method and status code with
//! their latency (to response headers), plus the client-side rate limiter's waits.
//!
//! ```no_run
//! # fn demo(config: kapi_client::Config) -> Result<(), kapi_client::Error> {
//! use kapi_runtime::ClientMetrics;
//! let metrics = ClientMetrics::new();
//! let client = kapi_client::Client::builder(config).layer(metrics.layer()).build()?;
//! let mut manager = kapi_runtime::Manager::new(client);
//! manager.register_client_metrics(&metrics);
//! # Ok(()) }
//! ```

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::future::Future;
use std::pin::Pin;
use std::sync::{Arc, Mutex};
use std::task::{Context, Poll};
use std::time::Instant;

use http::{Request, Response};
use kapi_client::{Body, Error, RateLimit};
use tower::{Layer, Service};

#[derive(Debug, Default)]
struct Counts {
    /// (method, code) → (requests, total seconds)
    by_call: BTreeMap<(String, u16), (u64, f64)>,
}

/// Shared request counters; clone the layer into every client you want measured.
#[derive(Debug, Clone, Default)]
pub struct ClientMetrics {
    counts: Arc<Mutex<Counts>>,
}

impl ClientMetrics {
    /// Empty counters.
    pub fn new() -> Self {
        Self::default()
    }

    /// The layer to add with `ClientBuilder::layer`.
    pub fn layer(&self) -> ClientMetricsLayer {
        ClientMetricsLayer {
            metrics: self.clone(),
        }
    }

    fn record(&self, method: &str, code: u16, seconds: f64) {
        let mut c = self
            .counts
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        let e = c.by_call.entry((method.to_owned(), code)).or_default();
        e.0 += 1;
        e.1 += seconds;
    }

    /// Requests recorded so far with this method and code (0 = no response).
    pub fn requests(&self, method: &str, code: u16) -> u64 {
        let c = self
            .counts
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        c.by_call.get(&(method.to_owned(), code)).map_or(0, |e| e.0)
    }

    /// Appends `rest_client_*` families in the Prometheus text format.
    pub fn render(&self, out: &mut String, limiter: Option<&RateLimit>) {
        let c = self
            .counts
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        let _ = writeln!(out, "# HELP rest_client_requests_total Requests by method and status code (0: no response).\n# TYPE rest_client_requests_total counter");
        for ((m, code), (n, _)) in &c.by_call {
            let _ = writeln!(
                out,
                "rest_client_requests_total{{code=\"{code}\",method=\"{m}\"}} {n}"
            );
        }
        let _ = writeln!(out, "# HELP rest_client_request_duration_seconds_sum Time to response headers.\n# TYPE rest_client_request_duration_seconds_sum counter");
        let mut by_method: BTreeMap<&str, (u64, f64)> = BTreeMap::new();
        for ((m, _), (n, s)) in &c.by_call {
            let e = by_method.entry(m).or_default();
            e.0 += n;
            e.1 += s;
        }
        for (m, (_, s)) in &by_method {
            let _ = writeln!(
                out,
                "rest_client_request_duration_seconds_sum{{method=\"{m}\"}} {s}"
            );
        }
        let _ = writeln!(
            out,
            "# TYPE rest_client_request_duration_seconds_count counter"
        );
        for (m, (n, _)) in &by_method {
            let _ = writeln!(
                out,
                "rest_client_request_duration_seconds_count{{method=\"{m}\"}} {n}"
            );
        }
        if let Some(l) = limiter {
            let st = l.stats();
            let _ = writeln!(out, "# HELP rest_client_rate_limiter_requests_total Requests through the client-side limiter.\n# TYPE rest_client_rate_limiter_requests_total counter\nrest_client_rate_limiter_requests_total {}", st.requests);
            let _ = writeln!(out, "# HELP rest_client_rate_limiter_throttled_total Requests that waited for a token.\n# TYPE rest_client_rate_limiter_throttled_total counter\nrest_client_rate_limiter_throttled_total {}", st.throttled);
            let _ = writeln!(out, "# HELP rest_client_rate_limiter_wait_seconds_total Time spent waiting for tokens.\n# TYPE rest_client_rate_limiter_wait_seconds_total counter\nrest_client_rate_limiter_wait_seconds_total {}", st.total_wait.as_secs_f64());
        }
    }
}

/// See [`ClientMetrics::layer`].
#[derive(Debug, Clone)]
pub struct ClientMetricsLayer {
    metrics: ClientMetrics,
}

impl<S> Layer<S> for ClientMetricsLayer {
    type Service = Metered<S>;
    fn layer(&self, inner: S) -> Metered<S> {
        Metered {
            inner,
            metrics: self.metrics.clone(),
        }
    }
}

/// A service that records each call in [`ClientMetrics`].
#[derive(Debug, Clone)]
pub struct Metered<S> {
    inner: S,
    metrics: ClientMetrics,
}

impl<S> Service<Request<Body>> for Metered<S>
where
    S: Service<Request<Body>, Response = Response<Body>, Error = Error>,
    S::Future: Send + 'static,
{
    type Response = Response<Body>;
    type Error = Error;
    type Future = Pin<Box<dyn Future<Output = Result<Response<Body>, Error>> + Send>>;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), Error>> {
        self.inner.poll_ready(cx)
    }

    fn call(&mut self, req: Request<Body>) -> Self::Future {
        let method = req.method().as_str().to_owned();
        let started = Instant::now();
        let fut = self.inner.call(req);
        let metrics = self.metrics.clone();
        Box::pin(async move {
            let r = fut.await;
            let code = r.as_ref().map_or(0, |resp| resp.status().as_u16());
            metrics.record(&method, code, started.elapsed().as_secs_f64());
            r
        })
    }
}
