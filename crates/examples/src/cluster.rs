//! [`Cluster`]: where the examples run — the cluster of `$KUBECONFIG` (or the pod's service
//! account) when one answers, otherwise the embedded test server, started in-process.

use std::time::Duration;

use kapi_apimachinery::meta::ObjectMeta;
use kapi_apimachinery::options::{CreateOptions, DeleteOptions};
use kapi_client::discovery::Discovery;
use kapi_client::kubeconfig::{Kubeconfig, KubeconfigOptions};
use kapi_client::{Api, Client, Config, RateLimit};
use kapi_testserver::TestServer;

use crate::error::Result;

/// Set to `1` to use the embedded test server even when a cluster is configured.
pub const EMBEDDED_ENV: &str = "KAPI_EMBEDDED";

/// How long the reachability probe (`GET /version`) may take.
pub const PROBE_TIMEOUT: Duration = Duration::from_secs(3);

/// A connected cluster: a client, and the embedded server when there is one (kept alive as
/// long as this value).
#[derive(Debug)]
pub struct Cluster {
    client: Client,
    server: Option<TestServer>,
    description: String,
}

impl Cluster {
    /// Uses the configured cluster when it answers `GET /version` within [`PROBE_TIMEOUT`]
    /// (`Config::infer`: `$KUBECONFIG` or `~/.kube/config`, else in-cluster), otherwise starts
    /// the embedded test server. [`EMBEDDED_ENV`]`=1` skips the probe.
    ///
    /// # Errors
    /// When neither works (the embedded server cannot start).
    pub async fn connect() -> Result<Self> {
        if std::env::var(EMBEDDED_ENV).is_ok_and(|v| v == "1") {
            return Self::embedded_because(&format!("{EMBEDDED_ENV}=1")).await;
        }
        match Self::configured().await {
            Ok(cluster) => Ok(cluster),
            Err(why) => Self::embedded_because(&why).await,
        }
    }

    /// The configured cluster, or why it cannot be used.
    async fn configured() -> std::result::Result<Self, String> {
        let mut config = Config::infer().map_err(|e| match e {
            kapi_client::Error::NoConfig { .. } => "no cluster configured".to_owned(),
            other => format!("cluster configuration unusable: {other}"),
        })?;
        // controller-runtime's budget; client-go's 5 qps would make the demo crawl.
        config.rate_limit = RateLimit::new(20.0, 40);
        let url = config
            .cluster_url
            .to_string()
            .trim_end_matches('/')
            .to_owned();
        let client = Client::new(config).map_err(|e| format!("{url}: {e}"))?;
        let discovery = Discovery::new(client.clone());
        match tokio::time::timeout(PROBE_TIMEOUT, discovery.server_version()).await {
            Ok(Ok(version)) => Ok(Self {
                client,
                server: None,
                description: format!("cluster at {url} (Kubernetes {})", version.git_version),
            }),
            Ok(Err(e)) => Err(format!("{url} did not answer /version: {e}")),
            Err(_) => Err(format!(
                "{url} did not answer /version within {PROBE_TIMEOUT:?}"
            )),
        }
    }

    async fn embedded_because(why: &str) -> Result<Self> {
        let mut cluster = Self::embedded().await?;
        cluster.description = format!("{} ({why})", cluster.description);
        Ok(cluster)
    }

    /// Starts the embedded test server (HTTPS on a free port) and connects to it through the
    /// kubeconfig it hands out, exactly as to a real cluster.
    ///
    /// # Errors
    /// When the server cannot start.
    pub async fn embedded() -> Result<Self> {
        let server = TestServer::start().await?;
        let kubeconfig = Kubeconfig::from_yaml(&server.kubeconfig())?;
        let mut config =
            Config::from_custom_kubeconfig(&kubeconfig, &KubeconfigOptions::default())?;
        config.rate_limit = RateLimit::disabled();
        let client = Client::new(config)?;
        Ok(Self {
            client,
            description: format!("embedded test server at {}", server.url()),
            server: Some(server),
        })
    }

    /// A client for the cluster (cheap to clone).
    pub fn client(&self) -> Client {
        self.client.clone()
    }

    /// The embedded server, for fault injection; `None` on a real cluster.
    pub fn test_server(&self) -> Option<&TestServer> {
        self.server.as_ref()
    }

    /// `true` when running against the embedded test server.
    pub fn is_embedded(&self) -> bool {
        self.server.is_some()
    }

    /// One line saying where we run and why.
    pub fn description(&self) -> &str {
        &self.description
    }

    /// Creates a fresh namespace named `<prefix><5 random characters>` and returns its name.
    ///
    /// # Errors
    /// When the server refuses.
    pub async fn create_namespace(&self, prefix: &str) -> Result<String> {
        use kapi_api::core::v1::Namespace;
        let api = Api::<Namespace>::all(self.client());
        loop {
            // Named here rather than with `generateName`: the embedded server labels a
            // generated namespace `kubernetes.io/metadata.name: null` (reported).
            let name = format!("{prefix}{}", random_suffix());
            let ns = Namespace {
                metadata: ObjectMeta {
                    name: Some(name.as_str().into()),
                    labels: [(
                        "app.kubernetes.io/created-by".into(),
                        "kapi-examples".into(),
                    )]
                    .into(),
                    ..ObjectMeta::default()
                },
                ..Namespace::default()
            };
            match api.create(&CreateOptions::default(), &ns).await {
                Ok(_) => return Ok(name),
                Err(e) if e.is_already_exists() => continue,
                Err(e) => return Err(e.into()),
            }
        }
    }

    /// Deletes a namespace made by [`Cluster::create_namespace`] (the server removes its
    /// content in the background).
    ///
    /// # Errors
    /// When the server refuses (a namespace already gone is fine).
    pub async fn delete_namespace(&self, name: &str) -> Result<()> {
        use kapi_api::core::v1::Namespace;
        match Api::<Namespace>::all(self.client())
            .delete(name, &DeleteOptions::default())
            .await
        {
            Ok(_) => Ok(()),
            Err(e) if e.is_not_found() => Ok(()),
            Err(e) => Err(e.into()),
        }
    }

    /// Stops the embedded server (if any) and waits for it.
    pub async fn stop(self) {
        if let Some(server) = self.server {
            server.stop().await;
        }
    }
}

/// Five characters from the alphabet Kubernetes uses for generated names.
pub(crate) fn random_suffix() -> String {
    use std::hash::{BuildHasher, Hasher};
    const ALPHABET: &[u8] = b"bcdfghjklmnpqrstvwxz2456789";
    let mut hasher = std::collections::hash_map::RandomState::new().build_hasher();
    hasher.write_u128(
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap_or_default()
            .as_nanos(),
    );
    let mut bits = hasher.finish();
    let alphabet = ALPHABET.len() as u64;
    (0..5)
        .map(|_| {
            let c = ALPHABET[usize::try_from(bits % alphabet).unwrap_or(0)];
            bits /= alphabet;
            char::from(c)
        })
        .collect()
}
