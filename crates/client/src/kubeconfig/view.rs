//! `kubectl config view --minify --flatten` in kapi terms.

use std::path::Path;

use base64::Engine as _;

use super::resolve::resolve_path;
use super::Kubeconfig;
use crate::error::{Entry, KubeconfigError, KubeconfigErrorKind, Result};

impl Kubeconfig {
    /// Keeps only the current context (or `context`), its cluster and its user — like `kubectl
    /// config view --minify`.
    pub fn minify(&self, context: Option<&str>) -> Result<Kubeconfig> {
        let name = context
            .map(str::to_owned)
            .or_else(|| self.current_context.clone())
            .filter(|n| !n.is_empty())
            .ok_or_else(|| KubeconfigError::new(KubeconfigErrorKind::NoCurrentContext))?;
        let ctx = self.context(&name).ok_or_else(|| {
            KubeconfigError::new(KubeconfigErrorKind::ContextNotFound(name.clone()))
        })?;
        let mut out = Kubeconfig {
            kind: self.kind.clone(),
            api_version: self.api_version.clone(),
            preferences: self.preferences.clone(),
            current_context: Some(name.clone()),
            contexts: vec![ctx.clone()],
            extensions: self.extensions.clone(),
            ..Kubeconfig::default()
        };
        let entry = || Entry::Context(name.clone());
        if !ctx.context.cluster.is_empty() {
            let c = self.cluster(&ctx.context.cluster).ok_or_else(|| {
                let kind = KubeconfigErrorKind::ClusterNotFound(ctx.context.cluster.clone());
                KubeconfigError::new(kind).entry(entry()).field("cluster")
            })?;
            out.clusters.push(c.clone());
        }
        if !ctx.context.user.is_empty() {
            let u = self.user(&ctx.context.user).ok_or_else(|| {
                let kind = KubeconfigErrorKind::UserNotFound(ctx.context.user.clone());
                KubeconfigError::new(kind).entry(entry()).field("user")
            })?;
            out.auth_infos.push(u.clone());
        }
        Ok(out)
    }

    /// Replaces `certificate-authority`, `client-certificate` and `client-key` file references
    /// by their `*-data` contents, reading each file relative to the file that named it — like
    /// `kubectl config view --flatten`. Setting both a file and its data is an error here.
    pub fn flatten(&mut self) -> Result<()> {
        for c in &mut self.clusters {
            let entry = Entry::Cluster(c.name.clone());
            let origin = c.origin.as_deref();
            if let Some(path) = c.cluster.certificate_authority.take() {
                let data = inline(
                    &path,
                    origin,
                    c.cluster.certificate_authority_data.is_some(),
                )
                .map_err(|e| e.entry(entry.clone()).field("certificate-authority"))?;
                c.cluster.certificate_authority_data = Some(data);
            }
        }
        for u in &mut self.auth_infos {
            let entry = Entry::User(u.name.clone());
            let origin = u.origin.as_deref();
            if let Some(path) = u.user.client_certificate.take() {
                let data = inline(&path, origin, u.user.client_certificate_data.is_some())
                    .map_err(|e| e.entry(entry.clone()).field("client-certificate"))?;
                u.user.client_certificate_data = Some(data);
            }
            if let Some(path) = u.user.client_key.take() {
                let data = inline(&path, origin, u.user.client_key_data.is_some())
                    .map_err(|e| e.entry(entry.clone()).field("client-key"))?;
                u.user.client_key_data = Some(data.into());
            }
        }
        Ok(())
    }
}

fn inline(path: &str, origin: Option<&Path>, has_data: bool) -> Result<String, KubeconfigError> {
    let file = origin.map(Path::to_path_buf);
    if has_data {
        let kind = KubeconfigErrorKind::Invalid("both a file and its data are set".into());
        return Err(KubeconfigError::new(kind).file(file));
    }
    let full = resolve_path(path, origin);
    let bytes = std::fs::read(&full)
        .map_err(|e| KubeconfigError::new(KubeconfigErrorKind::Read(e)).file(Some(full)))?;
    Ok(base64::engine::general_purpose::STANDARD.encode(bytes))
}
