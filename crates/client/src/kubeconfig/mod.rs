//! The kubeconfig file format: typed, tolerant of unknown fields, with upstream's merge rules.
//!
//! - [`Kubeconfig`] and its parts mirror the `v1` `Config` file (YAML or JSON). Fields kapi does
//!   not know are ignored, never fatal; `null` reads as empty.
//! - [`Kubeconfig::read`] reads one file; [`Kubeconfig::load`] reads and merges a list with
//!   client-go's rules (first file wins); [`Kubeconfig::from_env`] uses `KUBECONFIG` or
//!   `~/.kube/config`.
//! - [`Kubeconfig::resolve`] picks the context, cluster and user (with [`KubeconfigOptions`]
//!   overrides) as a [`ResolvedContext`], which [`Config`](crate::Config) is built from.
//! - [`Kubeconfig::minify`] and [`Kubeconfig::flatten`] behave like `kubectl config view
//!   --minify --flatten`.
//!
//! Secrets (`token`, `password`, `client-key-data`, auth-provider config, exec `env` values) are
//! [`SecretString`]s: `Debug` never shows them.

mod load;
mod resolve;
mod serde_util;
mod view;

use std::collections::BTreeMap;
use std::fmt;
use std::path::PathBuf;

use serde::{Deserialize, Serialize};

use crate::secret::SecretString;
use serde_util::{is_false, null_default};

pub use load::KUBECONFIG_ENV;
pub(crate) use resolve::resolve_path;
pub use resolve::{KubeconfigOptions, ResolvedContext};

/// A kubeconfig file (`apiVersion: v1`, `kind: Config`), or several merged.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub struct Kubeconfig {
    /// `kind` (normally `Config`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub kind: Option<String>,
    /// `apiVersion` (normally `v1`).
    #[serde(
        default,
        rename = "apiVersion",
        skip_serializing_if = "Option::is_none"
    )]
    pub api_version: Option<String>,
    /// `preferences`, kept as written.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub preferences: Option<serde_json::Value>,
    /// `clusters`.
    #[serde(default, deserialize_with = "null_default")]
    pub clusters: Vec<NamedCluster>,
    /// `users`.
    #[serde(default, rename = "users", deserialize_with = "null_default")]
    pub auth_infos: Vec<NamedAuthInfo>,
    /// `contexts`.
    #[serde(default, deserialize_with = "null_default")]
    pub contexts: Vec<NamedContext>,
    /// `current-context`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub current_context: Option<String>,
    /// `extensions`.
    #[serde(
        default,
        deserialize_with = "null_default",
        skip_serializing_if = "Vec::is_empty"
    )]
    pub extensions: Vec<NamedExtension>,
}

/// A named cluster entry.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct NamedCluster {
    /// The entry's name.
    #[serde(default)]
    pub name: String,
    /// The cluster (absent or `null` reads as empty).
    #[serde(default, deserialize_with = "null_default")]
    pub cluster: Cluster,
    /// The file this entry was read from (not serialized). Relative paths resolve against it.
    #[serde(skip)]
    pub origin: Option<PathBuf>,
}

/// How to reach and trust an API server.
#[derive(Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub struct Cluster {
    /// `server`: the API server URL.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub server: Option<String>,
    /// `tls-server-name`: the name to verify the server certificate against (and send as SNI).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tls_server_name: Option<String>,
    /// `insecure-skip-tls-verify`.
    #[serde(
        default,
        deserialize_with = "null_default",
        skip_serializing_if = "is_false"
    )]
    pub insecure_skip_tls_verify: bool,
    /// `certificate-authority`: a PEM CA bundle file.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub certificate_authority: Option<String>,
    /// `certificate-authority-data`: base64 of a PEM CA bundle.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub certificate_authority_data: Option<String>,
    /// `proxy-url`: `http://` (CONNECT) or `socks5://`/`socks5h://` proxy.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub proxy_url: Option<String>,
    /// `disable-compression`: do not ask for gzip responses.
    #[serde(
        default,
        deserialize_with = "null_default",
        skip_serializing_if = "is_false"
    )]
    pub disable_compression: bool,
    /// `extensions`.
    #[serde(
        default,
        deserialize_with = "null_default",
        skip_serializing_if = "Vec::is_empty"
    )]
    pub extensions: Vec<NamedExtension>,
}

impl fmt::Debug for Cluster {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // URLs may carry `user:password@`.
        let redact = |u: &Option<String>| u.as_deref().map(crate::transport::redact_url);
        f.debug_struct("Cluster")
            .field("server", &redact(&self.server))
            .field("tls_server_name", &self.tls_server_name)
            .field("insecure_skip_tls_verify", &self.insecure_skip_tls_verify)
            .field("certificate_authority", &self.certificate_authority)
            .field(
                "certificate_authority_data",
                &self.certificate_authority_data.as_ref().map(String::len),
            )
            .field("proxy_url", &redact(&self.proxy_url))
            .field("disable_compression", &self.disable_compression)
            .field("extensions", &self.extensions)
            .finish()
    }
}

/// A named user entry.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct NamedAuthInfo {
    /// The entry's name.
    #[serde(default)]
    pub name: String,
    /// The user (absent or `null` reads as empty).
    #[serde(default, deserialize_with = "null_default")]
    pub user: AuthInfo,
    /// The file this entry was read from (not serialized).
    #[serde(skip)]
    pub origin: Option<PathBuf>,
}

/// Who to authenticate as.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub struct AuthInfo {
    /// `client-certificate`: a PEM certificate file.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub client_certificate: Option<String>,
    /// `client-certificate-data`: base64 of a PEM certificate (chain).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub client_certificate_data: Option<String>,
    /// `client-key`: a PEM private key file.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub client_key: Option<String>,
    /// `client-key-data`: base64 of a PEM private key.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub client_key_data: Option<SecretString>,
    /// `token`: a bearer token.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub token: Option<SecretString>,
    /// `tokenFile`: a file holding a bearer token, re-read periodically.
    #[serde(default, rename = "tokenFile", skip_serializing_if = "Option::is_none")]
    pub token_file: Option<String>,
    /// `as`: the user to impersonate.
    #[serde(default, rename = "as", skip_serializing_if = "Option::is_none")]
    pub impersonate: Option<String>,
    /// `as-uid`: the UID to impersonate.
    #[serde(default, rename = "as-uid", skip_serializing_if = "Option::is_none")]
    pub impersonate_uid: Option<String>,
    /// `as-groups`: the groups to impersonate.
    #[serde(
        default,
        rename = "as-groups",
        deserialize_with = "null_default",
        skip_serializing_if = "Vec::is_empty"
    )]
    pub impersonate_groups: Vec<String>,
    /// `as-user-extra`: extra fields to impersonate.
    #[serde(
        default,
        rename = "as-user-extra",
        deserialize_with = "null_default",
        skip_serializing_if = "BTreeMap::is_empty"
    )]
    pub impersonate_user_extra: BTreeMap<String, Vec<String>>,
    /// `username` for basic auth.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub username: Option<String>,
    /// `password` for basic auth.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub password: Option<SecretString>,
    /// `auth-provider` (kapi rejects it at resolution with a pointer to exec plugins).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub auth_provider: Option<AuthProviderConfig>,
    /// `exec`: an exec credential plugin.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub exec: Option<ExecConfig>,
    /// `extensions`.
    #[serde(
        default,
        deserialize_with = "null_default",
        skip_serializing_if = "Vec::is_empty"
    )]
    pub extensions: Vec<NamedExtension>,
}

/// A legacy `auth-provider` entry (`oidc`, `gcp`, `azure`).
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct AuthProviderConfig {
    /// The provider's name.
    #[serde(default)]
    pub name: String,
    /// Its settings (which hold tokens, so they are secrets).
    #[serde(default, deserialize_with = "null_default")]
    pub config: BTreeMap<String, SecretString>,
}

/// An exec credential plugin (`users[].user.exec`).
#[derive(Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ExecConfig {
    /// The program to run (a path, or a name looked up in `PATH`). Never run through a shell.
    #[serde(default)]
    pub command: String,
    /// Its arguments.
    #[serde(default, deserialize_with = "null_default")]
    pub args: Vec<String>,
    /// Extra environment variables for the plugin.
    #[serde(default, deserialize_with = "null_default")]
    pub env: Vec<ExecEnvVar>,
    /// `client.authentication.k8s.io/v1` or `v1beta1`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub api_version: Option<String>,
    /// Printed when the command is not found.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub install_hint: Option<String>,
    /// Pass the cluster's details to the plugin in `KUBERNETES_EXEC_INFO`.
    #[serde(default, deserialize_with = "null_default")]
    pub provide_cluster_info: bool,
    /// Whether the plugin may use the terminal.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub interactive_mode: Option<ExecInteractiveMode>,
}

impl fmt::Debug for ExecConfig {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // Arguments and environment may carry credentials: show only their count/names.
        f.debug_struct("ExecConfig")
            .field("command", &self.command)
            .field("args", &format_args!("<{} redacted>", self.args.len()))
            .field("env", &self.env)
            .field("api_version", &self.api_version)
            .field("provide_cluster_info", &self.provide_cluster_info)
            .field("interactive_mode", &self.interactive_mode)
            .finish_non_exhaustive()
    }
}

/// One environment variable for an exec plugin.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct ExecEnvVar {
    /// Its name.
    #[serde(default)]
    pub name: String,
    /// Its value (treated as a secret).
    #[serde(default)]
    pub value: SecretString,
}

/// `interactiveMode` of an exec plugin.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum ExecInteractiveMode {
    /// Never give the plugin the terminal.
    Never,
    /// Give it the terminal when stdin is one (the `v1beta1` default).
    IfAvailable,
    /// The plugin needs the terminal; fail when stdin is not one.
    Always,
}

/// A named context entry.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct NamedContext {
    /// The entry's name.
    #[serde(default)]
    pub name: String,
    /// The context (absent or `null` reads as empty).
    #[serde(default, deserialize_with = "null_default")]
    pub context: Context,
    /// The file this entry was read from (not serialized).
    #[serde(skip)]
    pub origin: Option<PathBuf>,
}

/// A (cluster, user, namespace) triple.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Context {
    /// The cluster's name.
    #[serde(default, deserialize_with = "null_default")]
    pub cluster: String,
    /// The user's name.
    #[serde(default, deserialize_with = "null_default")]
    pub user: String,
    /// The default namespace.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub namespace: Option<String>,
    /// `extensions`.
    #[serde(
        default,
        deserialize_with = "null_default",
        skip_serializing_if = "Vec::is_empty"
    )]
    pub extensions: Vec<NamedExtension>,
}

/// A named extension, kept as written.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct NamedExtension {
    /// The extension's name.
    #[serde(default)]
    pub name: String,
    /// Its value.
    #[serde(default)]
    pub extension: serde_json::Value,
}

impl Kubeconfig {
    /// The context named `name`.
    pub fn context(&self, name: &str) -> Option<&NamedContext> {
        self.contexts.iter().find(|c| c.name == name)
    }

    /// The cluster named `name`.
    pub fn cluster(&self, name: &str) -> Option<&NamedCluster> {
        self.clusters.iter().find(|c| c.name == name)
    }

    /// The user named `name`.
    pub fn user(&self, name: &str) -> Option<&NamedAuthInfo> {
        self.auth_infos.iter().find(|c| c.name == name)
    }
}
