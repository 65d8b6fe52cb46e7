//! [`Config`]: everything a [`Client`](crate::Client) needs to reach and authenticate to one
//! API server, fully typed.
//!
//! Build one with [`Config::new`] (a URL, then set fields), [`Config::infer`] (kubeconfig, else
//! in-cluster), [`Config::from_kubeconfig`] / [`Config::from_custom_kubeconfig`], or
//! [`Config::incluster`] / [`InCluster`].

mod from_kubeconfig;
mod incluster;
mod infer;

use std::collections::BTreeMap;
use std::time::Duration;

use http::Uri;

pub use incluster::{InCluster, SERVICE_ACCOUNT_DIR};
pub use infer::ConfigSource;

use crate::auth::Auth;
use crate::error::{Error, Result};
use crate::tls::TlsConfig;
use crate::transport::{Proxy, RateLimit, WarningHandler};

/// The default `User-Agent`: `kapi/<version> (<os>/<arch>)`.
pub fn default_user_agent() -> String {
    format!(
        "kapi/{} ({}/{})",
        env!("CARGO_PKG_VERSION"),
        std::env::consts::OS,
        std::env::consts::ARCH
    )
}

/// How to reach and authenticate to one API server, and how the transport behaves.
///
/// Cloning a config shares its rate limiter and credential caches (token file, exec plugin):
/// every client built from it draws from one QPS budget and runs the plugin once.
#[derive(Clone, Debug)]
#[non_exhaustive]
pub struct Config {
    /// The API server's URL; a path prefix (`https://host/k8s/clusters/c1`) is kept.
    pub cluster_url: Uri,
    /// The namespace for namespaced requests that name none.
    pub default_namespace: String,
    /// TLS trust and client certificate.
    pub tls: TlsConfig,
    /// How requests authenticate.
    pub auth: Auth,
    /// Act as another user (`Impersonate-*` headers).
    pub impersonate: Option<Impersonate>,
    /// Proxy selection (default: from the environment).
    pub proxy: Proxy,
    /// Do not ask for gzip-compressed responses.
    pub disable_compression: bool,
    /// The `User-Agent` header (default [`default_user_agent`]).
    pub user_agent: String,
    /// Connection and request time limits.
    pub timeouts: Timeouts,
    /// Client-side rate limit (default 5 QPS, burst 10), shared by clones.
    pub rate_limit: RateLimit,
    /// How often a request may be retried (429/5xx with `Retry-After`, connection resets).
    pub max_retries: u32,
    /// Receives the server's `Warning` headers (they are always logged through tracing too).
    pub warning_handler: Option<WarningHandler>,
}

/// Connection and request time limits.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct Timeouts {
    /// TCP connect, including a proxy handshake (default 30 s).
    pub connect: Duration,
    /// TLS handshake (default 10 s).
    pub tls_handshake: Duration,
    /// The whole exchange of an ordinary request, body included (default: none, as in
    /// client-go). Watches and streams are never cut off by it.
    pub request: Option<Duration>,
    /// Send an HTTP/2 ping after this long without reading anything (default 30 s).
    pub http2_read_idle: Duration,
    /// Close the connection when a ping is not answered in this long (default 15 s).
    pub http2_ping_timeout: Duration,
    /// Close pooled connections idle for this long (default 90 s).
    pub pool_idle: Duration,
}

impl Default for Timeouts {
    fn default() -> Self {
        Self {
            connect: Duration::from_secs(30),
            tls_handshake: Duration::from_secs(10),
            request: None,
            http2_read_idle: Duration::from_secs(30),
            http2_ping_timeout: Duration::from_secs(15),
            pool_idle: Duration::from_secs(90),
        }
    }
}

/// Whom to impersonate.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct Impersonate {
    /// `Impersonate-User`.
    pub user: String,
    /// `Impersonate-Uid`.
    pub uid: Option<String>,
    /// `Impersonate-Group`, one header each.
    pub groups: Vec<String>,
    /// `Impersonate-Extra-<key>`, one header per value.
    pub extra: BTreeMap<String, Vec<String>>,
}

impl Impersonate {
    /// Impersonate `user`.
    pub fn user(user: impl Into<String>) -> Self {
        Self {
            user: user.into(),
            ..Self::default()
        }
    }

    /// Also impersonate `group`.
    pub fn group(mut self, group: impl Into<String>) -> Self {
        self.groups.push(group.into());
        self
    }
}

impl Config {
    /// A config for `cluster_url` with every default: namespace `default`, system roots, no
    /// credentials, proxy from the environment, 5 QPS / burst 10, 10 retries.
    pub fn new(cluster_url: Uri) -> Self {
        Self {
            cluster_url,
            default_namespace: "default".to_owned(),
            tls: TlsConfig::default(),
            auth: Auth::None,
            impersonate: None,
            proxy: Proxy::default(),
            disable_compression: false,
            user_agent: default_user_agent(),
            timeouts: Timeouts::default(),
            rate_limit: RateLimit::default(),
            max_retries: 10,
            warning_handler: None,
        }
    }

    /// Parses `url` and calls [`Config::new`].
    pub fn from_url(url: &str) -> Result<Self> {
        let uri: Uri = url.parse().map_err(|_| {
            let shown = crate::transport::redact_url(url);
            Error::InvalidConfig(format!("server URL {shown:?} is not a valid URL"))
        })?;
        Ok(Self::new(uri))
    }

    /// Checks the parts that do not need the network: URL scheme, TLS/credential combination.
    pub(crate) fn check(&self) -> Result<()> {
        if self
            .cluster_url
            .authority()
            .is_some_and(|a| a.as_str().contains('@'))
        {
            return Err(Error::InvalidConfig(
                "credentials in the server URL are not supported; use Config::auth".into(),
            ));
        }
        match self.cluster_url.scheme_str() {
            Some("https") => Ok(()),
            Some("http") if self.auth.is_none() && self.tls.client_identity.is_none() => Ok(()),
            Some("http") => Err(crate::error::AuthError::InsecureTransport(self.server()).into()),
            _ => Err(Error::InvalidConfig(format!(
                "server URL {} must start with https:// or http://",
                self.server()
            ))),
        }
    }

    /// The server URL without any user information, for messages.
    pub(crate) fn server(&self) -> String {
        let u = &self.cluster_url;
        format!(
            "{}://{}{}",
            u.scheme_str().unwrap_or("https"),
            u.host().map_or(String::new(), |h| match u.port_u16() {
                Some(p) => format!("{h}:{p}"),
                None => h.to_owned(),
            }),
            u.path().trim_end_matches('/')
        )
    }
}
