//! [`ExecAuth`]: credentials from an exec plugin (`client.authentication.k8s.io` v1/v1beta1).
//!
//! The plugin runs without a shell (its command and arguments are passed to the OS as they
//! are), with `KUBERNETES_EXEC_INFO` describing the request and the kubeconfig's `env` entries
//! added to the environment. Its stderr goes to ours (as in kubectl); its stdout — the
//! credential — is never logged. The credential is cached until its `expirationTimestamp` or a
//! 401, shared by every clone (so by every client built from one config), and only one plugin
//! run is in flight at a time.

mod run;

use std::fmt;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, PoisonError, RwLock};
use std::time::Duration;

use serde::Serialize;
use tokio_rustls::rustls::sign::CertifiedKey;

use crate::error::{ExecError, Result};
use crate::kubeconfig::{ExecConfig, ExecInteractiveMode};
use crate::secret::SecretString;

/// `client.authentication.k8s.io/v1`.
pub const EXEC_API_V1: &str = "client.authentication.k8s.io/v1";
/// `client.authentication.k8s.io/v1beta1`.
pub const EXEC_API_V1BETA1: &str = "client.authentication.k8s.io/v1beta1";

/// Credentials this close to expiry are refreshed before use.
const EXPIRY_SKEW: Duration = Duration::from_secs(2);

/// The cluster details given to a plugin with `provideClusterInfo: true`.
#[derive(Clone, Default, PartialEq, Serialize)]
#[serde(rename_all = "kebab-case")]
#[non_exhaustive]
pub struct ExecClusterInfo {
    /// The API server URL.
    pub server: String,
    /// `tls-server-name`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub tls_server_name: Option<String>,
    /// `insecure-skip-tls-verify`.
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub insecure_skip_tls_verify: bool,
    /// The CA bundle, base64 of the PEM bytes.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub certificate_authority_data: Option<String>,
    /// `proxy-url`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub proxy_url: Option<String>,
    /// `disable-compression`.
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub disable_compression: bool,
    /// The cluster's `client.authentication.k8s.io/exec` extension, if any.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub config: Option<serde_json::Value>,
}

impl ExecClusterInfo {
    /// Cluster info for `server`.
    pub fn new(server: impl Into<String>) -> Self {
        Self {
            server: server.into(),
            ..Self::default()
        }
    }
}

impl fmt::Debug for ExecClusterInfo {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ExecClusterInfo")
            .field("server", &crate::transport::redact_url(&self.server))
            .field("tls_server_name", &self.tls_server_name)
            .field("insecure_skip_tls_verify", &self.insecure_skip_tls_verify)
            .field(
                "proxy_url",
                &self.proxy_url.as_deref().map(crate::transport::redact_url),
            )
            .finish_non_exhaustive()
    }
}

/// An exec credential plugin and its shared credential cache. Clones share the cache.
#[derive(Clone)]
pub struct ExecAuth {
    inner: Arc<Inner>,
}

struct Inner {
    config: ExecConfig,
    api_version: &'static str,
    mode: ExecInteractiveMode,
    cluster: Option<ExecClusterInfo>,
    cached: tokio::sync::Mutex<Option<Cached>>,
    cert: RwLock<Option<Arc<CertifiedKey>>>,
    generation: AtomicU64,
    cert_generation: AtomicU64,
    runs: AtomicU64,
}

struct Cached {
    token: Option<SecretString>,
    expires: Option<jiff::Timestamp>,
    generation: u64,
}

impl ExecAuth {
    /// Checks the plugin's settings: `apiVersion` must be v1 or v1beta1; v1 requires
    /// `interactiveMode`, v1beta1 defaults it to `IfAvailable`.
    pub fn new(config: ExecConfig) -> Result<Self, ExecError> {
        let version = config.api_version.clone().unwrap_or_default();
        let api_version = match version.as_str() {
            EXEC_API_V1 => EXEC_API_V1,
            EXEC_API_V1BETA1 => EXEC_API_V1BETA1,
            _ => return Err(ExecError::UnsupportedApiVersion(version)),
        };
        let mode = match (config.interactive_mode, api_version) {
            (Some(m), _) => m,
            (None, EXEC_API_V1BETA1) => ExecInteractiveMode::IfAvailable,
            (None, _) => return Err(ExecError::MissingInteractiveMode(config.command.clone())),
        };
        Ok(Self::from_parts(config, api_version, mode, None))
    }

    fn from_parts(
        config: ExecConfig,
        api_version: &'static str,
        mode: ExecInteractiveMode,
        cluster: Option<ExecClusterInfo>,
    ) -> Self {
        Self {
            inner: Arc::new(Inner {
                config,
                api_version,
                mode,
                cluster,
                cached: tokio::sync::Mutex::new(None),
                cert: RwLock::new(None),
                generation: AtomicU64::new(0),
                cert_generation: AtomicU64::new(0),
                runs: AtomicU64::new(0),
            }),
        }
    }

    /// Passes `cluster` to the plugin when its config has `provideClusterInfo: true`.
    /// Call before cloning: the result has a cache of its own.
    pub fn with_cluster_info(self, cluster: ExecClusterInfo) -> Self {
        let i = &self.inner;
        Self::from_parts(i.config.clone(), i.api_version, i.mode, Some(cluster))
    }

    /// The plugin's settings.
    pub fn config(&self) -> &ExecConfig {
        &self.inner.config
    }

    /// How many times the plugin has run (for observability and tests).
    pub fn runs(&self) -> u64 {
        self.inner.runs.load(Ordering::Relaxed)
    }

    /// The current bearer token (if the plugin returns one), running the plugin when nothing is
    /// cached or the cached credential expired. The second value identifies the credential.
    pub(crate) async fn token(&self) -> Result<(Option<SecretString>, u64)> {
        let mut cached = self.inner.cached.lock().await;
        if let Some(c) = cached.as_ref() {
            let fresh = c.expires.is_none_or(|exp| {
                let skew = jiff::SignedDuration::try_from(EXPIRY_SKEW).unwrap_or_default();
                jiff::Timestamp::now()
                    .checked_add(skew)
                    .is_ok_and(|t| t < exp)
            });
            if fresh {
                return Ok((c.token.clone(), c.generation));
            }
        }
        self.run_locked(&mut cached).await
    }

    /// After a 401 with credential `generation`: runs the plugin again unless another request
    /// already did. `true` when a different credential is now cached.
    pub(crate) async fn refresh(&self, generation: u64) -> Result<bool> {
        let mut cached = self.inner.cached.lock().await;
        if cached.as_ref().is_some_and(|c| c.generation != generation) {
            return Ok(true);
        }
        self.run_locked(&mut cached).await.map(|_| true)
    }

    async fn run_locked(&self, cached: &mut Option<Cached>) -> Result<(Option<SecretString>, u64)> {
        let i = &self.inner;
        i.runs.fetch_add(1, Ordering::Relaxed);
        let out = run::run(&i.config, i.api_version, i.mode, i.cluster.as_ref()).await?;
        let generation = i.generation.fetch_add(1, Ordering::Relaxed) + 1;
        if let Some(key) = out.certified_key {
            *i.cert.write().unwrap_or_else(PoisonError::into_inner) = Some(key);
            i.cert_generation.fetch_add(1, Ordering::Relaxed);
        }
        *cached = Some(Cached {
            token: out.token.clone(),
            expires: out.expires,
            generation,
        });
        Ok((out.token, generation))
    }

    /// The client certificate the plugin returned last, for the TLS handshake.
    pub(crate) fn certified_key(&self) -> Option<Arc<CertifiedKey>> {
        self.inner
            .cert
            .read()
            .unwrap_or_else(PoisonError::into_inner)
            .clone()
    }

    /// Bumped whenever the plugin returns a new client certificate.
    pub(crate) fn cert_generation(&self) -> u64 {
        self.inner.cert_generation.load(Ordering::Relaxed)
    }
}

impl fmt::Debug for ExecAuth {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ExecAuth")
            .field("config", &self.inner.config)
            .field("interactive_mode", &self.inner.mode)
            .field("provides_cluster", &self.inner.cluster.is_some())
            .finish_non_exhaustive()
    }
}
