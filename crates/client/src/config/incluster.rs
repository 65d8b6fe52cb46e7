//! In-cluster configuration from the pod's service account.

use std::path::PathBuf;

use http::Uri;

use super::Config;
use crate::auth::{Auth, TokenFile};
use crate::error::{InClusterError, Result};
use crate::tls::PemSource;

/// Where Kubernetes mounts the service account's token, CA and namespace.
pub const SERVICE_ACCOUNT_DIR: &str = "/var/run/secrets/kubernetes.io/serviceaccount";

/// The inputs of an in-cluster config; [`InCluster::from_env`] reads them from the pod.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct InCluster {
    /// `KUBERNETES_SERVICE_HOST` (an IPv6 address is bracketed when joined with the port).
    pub host: String,
    /// `KUBERNETES_SERVICE_PORT`.
    pub port: String,
    /// The directory holding `token`, `ca.crt` and `namespace`.
    pub base_dir: PathBuf,
    /// `POD_NAMESPACE`, which wins over the `namespace` file.
    pub pod_namespace: Option<String>,
}

impl InCluster {
    /// Reads `KUBERNETES_SERVICE_HOST`, `KUBERNETES_SERVICE_PORT` and `POD_NAMESPACE`;
    /// [`InClusterError::NotInCluster`] when either of the first two is unset or empty.
    pub fn from_env() -> Result<Self> {
        let var = |k: &str| std::env::var(k).ok().filter(|v| !v.is_empty());
        match (
            var("KUBERNETES_SERVICE_HOST"),
            var("KUBERNETES_SERVICE_PORT"),
        ) {
            (Some(host), Some(port)) => {
                Ok(Self::new(host, port).pod_namespace(var("POD_NAMESPACE")))
            }
            _ => Err(InClusterError::NotInCluster.into()),
        }
    }

    /// Explicit host and port, with the standard service-account directory.
    pub fn new(host: impl Into<String>, port: impl Into<String>) -> Self {
        Self {
            host: host.into(),
            port: port.into(),
            base_dir: PathBuf::from(SERVICE_ACCOUNT_DIR),
            pod_namespace: None,
        }
    }

    /// Reads the service-account files from `dir` instead (tests, unusual mounts).
    pub fn base_dir(mut self, dir: impl Into<PathBuf>) -> Self {
        self.base_dir = dir.into();
        self
    }

    /// Sets the namespace that wins over the `namespace` file.
    pub fn pod_namespace(mut self, ns: Option<String>) -> Self {
        self.pod_namespace = ns.filter(|n| !n.is_empty());
        self
    }

    /// `https://host:port`, IPv6-safe.
    pub fn url(&self) -> Result<Uri> {
        let host = self.host.trim();
        let host = if host.contains(':') && !host.starts_with('[') {
            format!("[{host}]")
        } else {
            host.to_owned()
        };
        let url = format!("https://{host}:{}", self.port.trim());
        url.parse()
            .map_err(|_| InClusterError::InvalidAddress(url).into())
    }

    /// Builds the config: the token file is re-read for rotation, the CA file for renewal.
    pub fn into_config(self) -> Result<Config> {
        let read = |name: &str| {
            let path = self.base_dir.join(name);
            std::fs::read_to_string(&path).map_err(|source| InClusterError::Read { path, source })
        };
        let mut config = Config::new(self.url()?);
        let token = TokenFile::new(self.base_dir.join("token"));
        read("token")?;
        token.token()?;
        read("ca.crt")?;
        config.tls.root_ca = Some(PemSource::File(self.base_dir.join("ca.crt")));
        config.auth = Auth::TokenFile(token);
        config.default_namespace = match self.pod_namespace {
            Some(ns) => ns,
            None => read("namespace")
                .ok()
                .map(|s| s.trim().to_owned())
                .filter(|s| !s.is_empty())
                .unwrap_or_else(|| "default".to_owned()),
        };
        Ok(config)
    }
}

impl Config {
    /// The in-cluster config of the current pod ([`InCluster::from_env`]).
    pub fn incluster() -> Result<Self> {
        InCluster::from_env()?.into_config()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ipv6_hosts_are_bracketed() {
        let url = |h: &str| {
            InCluster::new(h, "443")
                .url()
                .map(|u| u.to_string())
                .unwrap_or_default()
        };
        assert_eq!(url("10.0.0.1"), "https://10.0.0.1:443/");
        assert_eq!(url("fd00::1"), "https://[fd00::1]:443/");
        assert_eq!(url("[fd00::1]"), "https://[fd00::1]:443/");
    }
}
