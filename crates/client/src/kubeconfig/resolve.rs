//! Picking the context, cluster and user: [`KubeconfigOptions`] → [`ResolvedContext`].
//!
//! Precedence (as in client-go): an explicit context override beats the file's
//! `current-context`; cluster and user overrides replace the context's; a server override
//! replaces the cluster's URL; the namespace is the override, else the context's, else
//! `default`.

use std::path::{Component, Path, PathBuf};

use super::{AuthInfo, Cluster, Context, Kubeconfig};
use crate::error::{Entry, KubeconfigError, KubeconfigErrorKind, Result};

/// Overrides applied while resolving a kubeconfig (the `--context`, `--cluster`, `--user`,
/// `--namespace` and `--server` of kubectl).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct KubeconfigOptions {
    /// Use this context instead of `current-context`.
    pub context: Option<String>,
    /// Use this cluster instead of the context's.
    pub cluster: Option<String>,
    /// Use this user instead of the context's.
    pub user: Option<String>,
    /// Use this namespace instead of the context's.
    pub namespace: Option<String>,
    /// Use this server URL instead of the cluster's.
    pub server: Option<String>,
}

impl KubeconfigOptions {
    /// No overrides.
    pub fn new() -> Self {
        Self::default()
    }
    /// Overrides the context.
    pub fn context(mut self, name: impl Into<String>) -> Self {
        self.context = Some(name.into());
        self
    }
    /// Overrides the cluster.
    pub fn cluster(mut self, name: impl Into<String>) -> Self {
        self.cluster = Some(name.into());
        self
    }
    /// Overrides the user.
    pub fn user(mut self, name: impl Into<String>) -> Self {
        self.user = Some(name.into());
        self
    }
    /// Overrides the namespace.
    pub fn namespace(mut self, ns: impl Into<String>) -> Self {
        self.namespace = Some(ns.into());
        self
    }
    /// Overrides the server URL.
    pub fn server(mut self, url: impl Into<String>) -> Self {
        self.server = Some(url.into());
        self
    }
}

/// The context, cluster and user a kubeconfig resolves to, before any file is read.
#[derive(Clone, Debug, PartialEq)]
#[non_exhaustive]
pub struct ResolvedContext {
    /// The context's name (`None` when only overrides were used).
    pub context_name: Option<String>,
    /// The context, with overrides applied.
    pub context: Context,
    /// The cluster, with a server override applied.
    pub cluster: Cluster,
    /// The file the cluster came from.
    pub cluster_origin: Option<PathBuf>,
    /// The user (empty when the context names none).
    pub user: AuthInfo,
    /// The file the user came from.
    pub user_origin: Option<PathBuf>,
    /// The namespace to use by default.
    pub namespace: String,
}

impl Kubeconfig {
    /// Resolves the context to use with `options` applied.
    pub fn resolve(&self, options: &KubeconfigOptions) -> Result<ResolvedContext> {
        let name = options
            .context
            .clone()
            .or_else(|| self.current_context.clone())
            .filter(|n| !n.is_empty());
        let mut context = match &name {
            Some(n) => match self.context(n) {
                Some(c) => c.context.clone(),
                None => {
                    let e = KubeconfigError::new(KubeconfigErrorKind::ContextNotFound(n.clone()));
                    return Err(e
                        .field(if options.context.is_some() {
                            "context (override)"
                        } else {
                            "current-context"
                        })
                        .into());
                }
            },
            None if options.cluster.is_some() || options.server.is_some() => Context::default(),
            None => return Err(KubeconfigError::new(KubeconfigErrorKind::NoCurrentContext).into()),
        };
        if let Some(c) = &options.cluster {
            context.cluster.clone_from(c);
        }
        if let Some(u) = &options.user {
            context.user.clone_from(u);
        }
        let ctx_entry = || Entry::Context(name.clone().unwrap_or_default());

        let (mut cluster, cluster_origin) = if context.cluster.is_empty() {
            (Cluster::default(), None)
        } else {
            match self.cluster(&context.cluster) {
                Some(c) => (c.cluster.clone(), c.origin.clone()),
                None => {
                    let kind = KubeconfigErrorKind::ClusterNotFound(context.cluster.clone());
                    return Err(KubeconfigError::new(kind)
                        .entry(ctx_entry())
                        .field("cluster")
                        .into());
                }
            }
        };
        if let Some(server) = &options.server {
            cluster.server = Some(server.clone());
        }
        if cluster.server.as_deref().is_none_or(str::is_empty) {
            let e = KubeconfigError::new(KubeconfigErrorKind::MissingServer).file(cluster_origin);
            let e = if context.cluster.is_empty() {
                e.entry(ctx_entry())
            } else {
                e.entry(Entry::Cluster(context.cluster.clone()))
            };
            return Err(e.field("server").into());
        }

        let (user, user_origin) = if context.user.is_empty() {
            (AuthInfo::default(), None)
        } else {
            match self.user(&context.user) {
                Some(u) => (u.user.clone(), u.origin.clone()),
                None => {
                    let kind = KubeconfigErrorKind::UserNotFound(context.user.clone());
                    return Err(KubeconfigError::new(kind)
                        .entry(ctx_entry())
                        .field("user")
                        .into());
                }
            }
        };
        let namespace = options
            .namespace
            .clone()
            .or_else(|| context.namespace.clone())
            .filter(|n| !n.is_empty())
            .unwrap_or_else(|| "default".to_owned());
        Ok(ResolvedContext {
            context_name: name,
            context,
            cluster,
            cluster_origin,
            user,
            user_origin,
            namespace,
        })
    }
}

/// Resolves `path` against the directory of `origin` when it is relative, then cleans it
/// lexically (like Go's `filepath.Join`).
pub(crate) fn resolve_path(path: &str, origin: Option<&Path>) -> PathBuf {
    let p = Path::new(path);
    let joined = match origin.and_then(Path::parent) {
        Some(dir) if p.is_relative() => dir.join(p),
        _ => p.to_path_buf(),
    };
    clean(&joined)
}

fn clean(path: &Path) -> PathBuf {
    let mut out = PathBuf::new();
    for c in path.components() {
        match c {
            Component::CurDir => {}
            Component::ParentDir => {
                if !out.pop() {
                    out.push("..");
                }
            }
            other => out.push(other.as_os_str()),
        }
    }
    if out.as_os_str().is_empty() {
        out.push(".");
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    const KC: &str = r#"
current-context: a
clusters:
- name: c1
  cluster: {server: "https://one"}
- name: c2
  cluster: {server: "https://two"}
users:
- name: u1
  user: {token: t}
contexts:
- name: a
  context: {cluster: c1, user: u1, namespace: ns-a}
- name: b
  context: {cluster: c2}
- name: broken
  context: {cluster: nope}
"#;

    #[test]
    fn overrides_take_precedence() {
        let k = Kubeconfig::from_yaml(KC).expect("parse");
        let r = k.resolve(&KubeconfigOptions::new()).expect("resolve");
        assert_eq!(
            (r.cluster.server.as_deref(), r.namespace.as_str()),
            (Some("https://one"), "ns-a")
        );
        let r = k
            .resolve(&KubeconfigOptions::new().context("b"))
            .expect("resolve");
        assert_eq!(
            (r.cluster.server.as_deref(), r.namespace.as_str()),
            (Some("https://two"), "default")
        );
        let o = KubeconfigOptions::new()
            .cluster("c2")
            .namespace("x")
            .server("https://s");
        let r = k.resolve(&o).expect("resolve");
        assert_eq!(
            (r.cluster.server.as_deref(), r.namespace.as_str()),
            (Some("https://s"), "x")
        );
        let e = k
            .resolve(&KubeconfigOptions::new().context("broken"))
            .expect_err("missing");
        assert!(e.to_string().contains("cluster \"nope\" not found"), "{e}");
        let e = k
            .resolve(&KubeconfigOptions::new().user("ghost"))
            .expect_err("missing");
        assert!(e.to_string().contains("user \"ghost\" not found"), "{e}");
    }

    #[test]
    fn paths_resolve_against_origin() {
        let origin = Path::new("/k/dir/config");
        assert_eq!(
            resolve_path("ca.crt", Some(origin)),
            Path::new("/k/dir/ca.crt")
        );
        assert_eq!(resolve_path("../x/./y", Some(origin)), Path::new("/k/x/y"));
        assert_eq!(resolve_path("/abs", Some(origin)), Path::new("/abs"));
    }
}
