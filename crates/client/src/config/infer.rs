//! [`Config::infer`]: find a configuration the way most tools expect.

use super::Config;
use crate::error::{Error, InClusterError, Result};
use crate::kubeconfig::{Kubeconfig, KubeconfigOptions};

/// A place [`Config::infer_from`] may find a configuration.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum ConfigSource {
    /// The files in `KUBECONFIG` when it is set, else `~/.kube/config`. Skipped when none of
    /// them exists; an existing file that does not parse or resolve is an error.
    Kubeconfig,
    /// The pod's service account. Skipped when `KUBERNETES_SERVICE_HOST`/`_PORT` are unset.
    InCluster,
}

impl ConfigSource {
    /// The order [`Config::infer`] uses: kubeconfig, then in-cluster.
    pub const DEFAULT_ORDER: [ConfigSource; 2] =
        [ConfigSource::Kubeconfig, ConfigSource::InCluster];
}

impl Config {
    /// The kubeconfig (`KUBECONFIG`, else `~/.kube/config`), else the in-cluster config.
    pub fn infer() -> Result<Self> {
        Self::infer_from(&ConfigSource::DEFAULT_ORDER, &KubeconfigOptions::default())
    }

    /// Tries `sources` in order, applying `options` to a kubeconfig. A source that is absent is
    /// skipped; one that is present but broken stops the search with its error.
    pub fn infer_from(sources: &[ConfigSource], options: &KubeconfigOptions) -> Result<Self> {
        let mut tried = Vec::new();
        for source in sources {
            match source {
                ConfigSource::Kubeconfig => {
                    if let Some(kubeconfig) = Kubeconfig::from_env()? {
                        return Config::from_custom_kubeconfig(&kubeconfig, options);
                    }
                    tracing::debug!("no kubeconfig file found");
                    tried.push("kubeconfig (KUBECONFIG or ~/.kube/config)");
                }
                ConfigSource::InCluster => match Config::incluster() {
                    Err(Error::InCluster(InClusterError::NotInCluster)) => {
                        tried.push("in-cluster (KUBERNETES_SERVICE_HOST/PORT unset)");
                    }
                    other => return other,
                },
            }
        }
        Err(Error::NoConfig {
            tried: tried.join(", "),
        })
    }
}
