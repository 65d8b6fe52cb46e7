//! The manager's probe and metrics endpoint: `/healthz`, `/livez`, `/readyz`, `/metrics`.

use std::convert::Infallible;
use std::net::SocketAddr;
use std::sync::Arc;

use bytes::Bytes;
use http::{Request, Response, StatusCode};
use http_body_util::Full;
use hyper::body::Incoming;
use hyper::service::service_fn;
use hyper_util::rt::TokioIo;
use tokio::net::TcpListener;
use tokio::sync::watch;

use crate::metrics::MetricsRegistry;

/// What the endpoint reports.
#[derive(Clone)]
pub(crate) struct Probes {
    pub(crate) ready: watch::Receiver<bool>,
    pub(crate) metrics: Arc<MetricsRegistry>,
}

fn respond(probes: &Probes, path: &str) -> Response<Full<Bytes>> {
    let text = |code: StatusCode, body: String, ctype: &'static str| {
        let mut r = Response::new(Full::new(Bytes::from(body)));
        *r.status_mut() = code;
        r.headers_mut().insert(
            http::header::CONTENT_TYPE,
            http::HeaderValue::from_static(ctype),
        );
        r
    };
    match path {
        "/healthz" | "/livez" => text(StatusCode::OK, "ok".into(), "text/plain; charset=utf-8"),
        "/readyz" if *probes.ready.borrow() => {
            text(StatusCode::OK, "ok".into(), "text/plain; charset=utf-8")
        }
        "/readyz" => text(
            StatusCode::SERVICE_UNAVAILABLE,
            "caches not synced".into(),
            "text/plain; charset=utf-8",
        ),
        "/metrics" => text(
            StatusCode::OK,
            probes.metrics.render(),
            "text/plain; version=0.0.4; charset=utf-8",
        ),
        _ => text(
            StatusCode::NOT_FOUND,
            "not found".into(),
            "text/plain; charset=utf-8",
        ),
    }
}

/// Binds `addr` and serves until `stop` turns `true`. Returns the bound address at once.
pub(crate) async fn serve(
    addr: SocketAddr,
    probes: Probes,
    mut stop: watch::Receiver<bool>,
) -> std::io::Result<SocketAddr> {
    let listener = TcpListener::bind(addr).await?;
    let bound = listener.local_addr()?;
    tokio::spawn(async move {
        loop {
            let accepted = tokio::select! {
                a = listener.accept() => a,
                () = async { let _ = stop.wait_for(|s| *s).await; } => return,
            };
            let Ok((stream, _)) = accepted else { continue };
            let probes = probes.clone();
            tokio::spawn(async move {
                let svc = service_fn(move |req: Request<Incoming>| {
                    let resp = respond(&probes, req.uri().path());
                    async move { Ok::<_, Infallible>(resp) }
                });
                let _ = hyper::server::conn::http1::Builder::new()
                    .serve_connection(TokioIo::new(stream), svc)
                    .await;
            });
        }
    });
    Ok(bound)
}
