//! [`ClientBuilder`]: the standard stack plus the caller's own tower layers.

use std::fmt;
use std::sync::Arc;

use http::{Request, Response};
use hyper::body::Incoming;
use tower::util::BoxCloneSyncService;
use tower::{Layer, Service, ServiceBuilder, ServiceExt};
use tower_http::decompression::DecompressionLayer;

use super::Client;
use crate::auth::AuthLayer;
use crate::body::Body;
use crate::config::Config;
use crate::error::{Error, Result};
use crate::tls::TlsState;
use crate::transport::{
    Connector, HeadersLayer, HttpService, RateLimitLayer, RetryLayer, TimeoutLayer, TraceLayer,
    WarningLayer,
};

/// The type-erased service at every level of the stack.
pub type ClientService = BoxCloneSyncService<Request<Body>, Response<Body>, Error>;

type Wrap = Box<dyn FnOnce(ClientService) -> ClientService + Send>;

/// Builds a [`Client`], optionally with extra tower layers.
///
/// ```no_run
/// # async fn demo() -> Result<(), kapi_client::Error> {
/// use kapi_client::{Client, Config};
/// use tower::util::MapRequestLayer;
///
/// let client = Client::builder(Config::infer()?)
///     // Sees each call once, before retries and rate limiting.
///     .layer(MapRequestLayer::new(|mut req: http::Request<kapi_client::Body>| {
///         req.headers_mut().insert("x-team", http::HeaderValue::from_static("infra"));
///         req
///     }))
///     .build()?;
/// # drop(client); Ok(()) }
/// ```
pub struct ClientBuilder {
    config: Config,
    outer: Vec<Wrap>,
    attempt: Vec<Wrap>,
}

impl fmt::Debug for ClientBuilder {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ClientBuilder")
            .field("config", &self.config)
            .field("layers", &self.outer.len())
            .field("attempt_layers", &self.attempt.len())
            .finish()
    }
}

fn wrap<L>(layer: L) -> Wrap
where
    L: Layer<ClientService> + Send + 'static,
    L::Service: Service<Request<Body>, Response = Response<Body>, Error = Error>
        + Clone
        + Send
        + Sync
        + 'static,
    <L::Service as Service<Request<Body>>>::Future: Send + 'static,
{
    Box::new(move |inner| BoxCloneSyncService::new(layer.layer(inner)))
}

impl ClientBuilder {
    /// Starts from `config`.
    pub fn new(config: Config) -> Self {
        Self {
            config,
            outer: Vec::new(),
            attempt: Vec::new(),
        }
    }

    /// Adds a layer on the outside of the stack: it sees each call once, before tracing,
    /// timeouts, retries, auth and rate limiting. Layers added later wrap earlier ones.
    #[must_use]
    pub fn layer<L>(mut self, layer: L) -> Self
    where
        L: Layer<ClientService> + Send + 'static,
        L::Service: Service<Request<Body>, Response = Response<Body>, Error = Error>
            + Clone
            + Send
            + Sync
            + 'static,
        <L::Service as Service<Request<Body>>>::Future: Send + 'static,
    {
        self.outer.push(wrap(layer));
        self
    }

    /// Adds a layer just above the HTTP connection: it sees every attempt (retries and the
    /// resend after a 401 included) with its final URL and headers, credentials included.
    #[must_use]
    pub fn attempt_layer<L>(mut self, layer: L) -> Self
    where
        L: Layer<ClientService> + Send + 'static,
        L::Service: Service<Request<Body>, Response = Response<Body>, Error = Error>
            + Clone
            + Send
            + Sync
            + 'static,
        <L::Service as Service<Request<Body>>>::Future: Send + 'static,
    {
        self.attempt.push(wrap(layer));
        self
    }

    /// Checks the config, loads TLS material and builds the client. Needs a Tokio runtime only
    /// when requests are sent.
    pub fn build(self) -> Result<Client> {
        let config = self.config;
        config.check()?;
        let exec = config.auth.exec().cloned();
        let https = config.cluster_url.scheme_str() == Some("https");
        let tls = if https {
            Some(Arc::new(TlsState::new(&config.tls, exec.clone())?))
        } else {
            None
        };
        let route = config.proxy.route(&config.cluster_url)?;
        let connector = Connector::new(
            route,
            tls,
            config.tls.server_name.clone(),
            config.timeouts.connect,
            config.timeouts.tls_handshake,
        );
        let http = HttpService::new(connector, &config.timeouts, exec, config.server());
        let to_body = |r: Response<_>| r.map(Body::wrap);
        let mut svc: ClientService = if config.disable_compression {
            BoxCloneSyncService::new(http.map_response(|r: Response<Incoming>| r.map(Body::wrap)))
        } else {
            BoxCloneSyncService::new(
                ServiceBuilder::new()
                    .map_response(to_body)
                    .layer(DecompressionLayer::new())
                    .service(http),
            )
        };
        svc = BoxCloneSyncService::new(WarningLayer(config.warning_handler.clone()).layer(svc));
        for wrap in self.attempt {
            svc = wrap(svc);
        }
        let headers = HeadersLayer::new(
            config.cluster_url.clone(),
            &config.user_agent,
            config.impersonate.as_ref(),
        )?;
        let stack = ServiceBuilder::new()
            .layer(TraceLayer)
            .layer(TimeoutLayer(config.timeouts.request))
            .layer(RetryLayer {
                max_retries: config.max_retries,
            })
            .layer(AuthLayer::new(config.auth.clone()))
            .layer(RateLimitLayer(config.rate_limit.clone()))
            .layer(headers)
            .service(svc);
        let mut svc = BoxCloneSyncService::new(stack);
        for wrap in self.outer {
            svc = wrap(svc);
        }
        Ok(Client {
            service: svc,
            default_namespace: config.default_namespace.into(),
            rate_limit: config.rate_limit,
            cluster_url: config.cluster_url,
        })
    }
}
