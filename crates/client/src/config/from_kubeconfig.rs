//! Turning a resolved kubeconfig context into a [`Config`].

use std::path::Path;

use base64::Engine as _;
use bytes::Bytes;

use super::{Config, Impersonate};
use crate::auth::{Auth, ExecAuth, ExecClusterInfo, TokenFile};
use crate::error::{Entry, Error, KubeconfigError, KubeconfigErrorKind, Result};
use crate::kubeconfig::{resolve_path, Kubeconfig, KubeconfigOptions, ResolvedContext};
use crate::tls::{ClientIdentity, PemSource, TlsConfig};
use crate::transport::{Proxy, ProxyUrl};

/// The name of the cluster extension handed to exec plugins as `spec.cluster.config`.
const EXEC_EXTENSION: &str = "client.authentication.k8s.io/exec";

impl Config {
    /// Loads `KUBECONFIG` (or `~/.kube/config`) and resolves it with `options`.
    pub fn from_kubeconfig(options: &KubeconfigOptions) -> Result<Self> {
        let kubeconfig = Kubeconfig::from_env()?
            .ok_or_else(|| KubeconfigError::new(KubeconfigErrorKind::NoFiles))?;
        Self::from_custom_kubeconfig(&kubeconfig, options)
    }

    /// Resolves an already loaded kubeconfig with `options`.
    pub fn from_custom_kubeconfig(
        kubeconfig: &Kubeconfig,
        options: &KubeconfigOptions,
    ) -> Result<Self> {
        Self::from_resolved(&kubeconfig.resolve(options)?)
    }

    /// Builds a config from a resolved context: reads and checks every referenced file and
    /// PEM block now, so errors name the file, entry and field.
    pub fn from_resolved(r: &ResolvedContext) -> Result<Self> {
        let cluster_name = r.context.cluster.clone();
        let user_name = r.context.user.clone();
        let c = &r.cluster;
        let u = &r.user;
        let corigin = r.cluster_origin.as_deref();
        let uorigin = r.user_origin.as_deref();
        let cerr = |field: &'static str, kind| {
            KubeconfigError::new(kind)
                .file(r.cluster_origin.clone())
                .entry(Entry::Cluster(cluster_name.clone()))
                .field(field)
        };
        let uerr = |field: &'static str, kind| {
            KubeconfigError::new(kind)
                .file(r.user_origin.clone())
                .entry(Entry::User(user_name.clone()))
                .field(field)
        };

        let mut tls = TlsConfig {
            insecure_skip_verify: c.insecure_skip_tls_verify,
            server_name: c.tls_server_name.clone().filter(|s| !s.is_empty()),
            ..TlsConfig::default()
        };
        tls.root_ca = pem_source(
            c.certificate_authority_data.as_deref(),
            c.certificate_authority.as_deref(),
            corigin,
        )
        .map_err(|(field, kind)| {
            cerr(
                if field {
                    "certificate-authority"
                } else {
                    "certificate-authority-data"
                },
                kind,
            )
        })?;
        if tls.root_ca.is_some() && tls.insecure_skip_verify {
            let kind = KubeconfigErrorKind::Invalid(
                "a certificate authority and insecure-skip-tls-verify cannot both be set".into(),
            );
            return Err(cerr("insecure-skip-tls-verify", kind).into());
        }
        let cert = pem_source(
            u.client_certificate_data.as_deref(),
            u.client_certificate.as_deref(),
            uorigin,
        )
        .map_err(|(f, k)| {
            uerr(
                if f {
                    "client-certificate"
                } else {
                    "client-certificate-data"
                },
                k,
            )
        })?;
        let key_data = u
            .client_key_data
            .as_ref()
            .map(crate::secret::SecretString::expose_secret);
        let key = pem_source(key_data, u.client_key.as_deref(), uorigin)
            .map_err(|(f, k)| uerr(if f { "client-key" } else { "client-key-data" }, k))?;
        tls.client_identity = match (cert, key) {
            (Some(certificate), Some(key)) => Some(ClientIdentity { certificate, key }),
            (None, None) => None,
            (Some(_), None) => {
                return Err(uerr(
                    "client-key",
                    KubeconfigErrorKind::Invalid("a client certificate needs a client key".into()),
                )
                .into())
            }
            (None, Some(_)) => {
                return Err(uerr(
                    "client-certificate",
                    KubeconfigErrorKind::Invalid("a client key needs a client certificate".into()),
                )
                .into())
            }
        };
        // Parse every certificate and key now, so a bad PEM is reported against its entry.
        if let Err(e) = tls.validate() {
            let is_client = matches!(&e, Error::Tls(crate::error::TlsError::Pem { what, .. }) if what.starts_with("client"));
            let kind = KubeconfigErrorKind::Invalid(e.to_string());
            return Err(if is_client {
                uerr("client-certificate/client-key", kind)
            } else {
                cerr("certificate-authority", kind)
            }
            .into());
        }

        let server = c.server.clone().unwrap_or_default();
        let server = if server.contains("://") {
            server
        } else {
            let tlsish =
                tls.root_ca.is_some() || tls.client_identity.is_some() || tls.insecure_skip_verify;
            format!("{}://{server}", if tlsish { "https" } else { "http" })
        };
        let url = server.parse().map_err(|_| {
            cerr(
                "server",
                KubeconfigErrorKind::Invalid(format!("{server:?} is not a URL")),
            )
        })?;
        let mut config = Config::new(url);
        config.default_namespace.clone_from(&r.namespace);
        config.disable_compression = c.disable_compression;
        if let Some(p) = c.proxy_url.as_deref().filter(|p| !p.is_empty()) {
            config.proxy = Proxy::Url(
                ProxyUrl::parse(p)
                    .map_err(|e| cerr("proxy-url", KubeconfigErrorKind::Invalid(e.to_string())))?,
            );
        }

        config.auth = auth(r, &tls, &uerr)?;
        config.tls = tls;
        if u.impersonate.is_some()
            || u.impersonate_uid.is_some()
            || !u.impersonate_groups.is_empty()
            || !u.impersonate_user_extra.is_empty()
        {
            config.impersonate = Some(Impersonate {
                user: u.impersonate.clone().unwrap_or_default(),
                uid: u.impersonate_uid.clone(),
                groups: u.impersonate_groups.clone(),
                extra: u.impersonate_user_extra.clone(),
            });
        }
        if config.cluster_url.scheme_str() == Some("http")
            && (!config.auth.is_none() || config.tls.client_identity.is_some())
        {
            tracing::warn!(server = %config.server(), "the server URL is plain http://; user credentials are not sent");
            config.auth = Auth::None;
            config.tls.client_identity = None;
        }
        Ok(config)
    }
}

/// `*-data` (base64) wins over the file, as in client-go. Errors say whether the file
/// (`true`) or the data (`false`) field is at fault.
fn pem_source(
    data: Option<&str>,
    file: Option<&str>,
    origin: Option<&Path>,
) -> std::result::Result<Option<PemSource>, (bool, KubeconfigErrorKind)> {
    if let Some(data) = data.filter(|d| !d.trim().is_empty()) {
        let compact: String = data.chars().filter(|c| !c.is_whitespace()).collect();
        let bytes = base64::engine::general_purpose::STANDARD
            .decode(compact)
            .map_err(|_| {
                (
                    false,
                    KubeconfigErrorKind::Invalid("not valid base64".into()),
                )
            })?;
        return Ok(Some(PemSource::Pem(Bytes::from(bytes))));
    }
    match file.filter(|f| !f.is_empty()) {
        None => Ok(None),
        Some(f) => {
            let path = resolve_path(f, origin);
            std::fs::metadata(&path).map_err(|e| (true, KubeconfigErrorKind::Read(e)))?;
            Ok(Some(PemSource::File(path)))
        }
    }
}

fn auth(
    r: &ResolvedContext,
    tls: &TlsConfig,
    uerr: &dyn Fn(&'static str, KubeconfigErrorKind) -> KubeconfigError,
) -> Result<Auth> {
    let u = &r.user;
    if let Some(p) = &u.auth_provider {
        let e = crate::error::AuthError::UnsupportedProvider(p.name.clone());
        return Err(uerr(
            "auth-provider",
            KubeconfigErrorKind::Unsupported(e.to_string()),
        )
        .into());
    }
    let token = u.token.as_ref().filter(|t| !t.is_empty());
    let token_file = u.token_file.as_deref().filter(|t| !t.is_empty());
    let basic = u.username.as_deref().is_some_and(|s| !s.is_empty())
        || u.password.as_ref().is_some_and(|p| !p.is_empty());
    let mut methods = Vec::new();
    if token.is_some() || token_file.is_some() {
        methods.push("token");
    }
    if basic {
        methods.push("basic auth");
    }
    if u.exec.is_some() {
        methods.push("exec");
    }
    if methods.len() > 1 {
        let kind = KubeconfigErrorKind::Invalid(format!(
            "more than one authentication method: {}",
            methods.join(", ")
        ));
        return Err(uerr("user", kind).into());
    }
    if let Some(t) = token {
        return Ok(Auth::Bearer(t.clone()));
    }
    if let Some(f) = token_file {
        let file = TokenFile::new(resolve_path(f, r.user_origin.as_deref()));
        file.token()
            .map_err(|e| uerr("tokenFile", KubeconfigErrorKind::Invalid(e.to_string())))?;
        return Ok(Auth::TokenFile(file));
    }
    if basic {
        return Ok(Auth::basic(
            u.username.clone().unwrap_or_default(),
            u.password.clone().unwrap_or_default(),
        ));
    }
    let Some(exec) = &u.exec else {
        return Ok(Auth::None);
    };
    let mut exec = exec.clone();
    if exec.command.is_empty() {
        return Err(uerr(
            "exec.command",
            KubeconfigErrorKind::Invalid("the command is empty".into()),
        )
        .into());
    }
    // A command with a path separator is relative to the kubeconfig that named it.
    if exec.command.contains(std::path::MAIN_SEPARATOR) || exec.command.contains('/') {
        exec.command = resolve_path(&exec.command, r.user_origin.as_deref())
            .to_string_lossy()
            .into_owned();
    }
    let provide = exec.provide_cluster_info;
    let mut plugin = ExecAuth::new(exec)
        .map_err(|e| uerr("exec", KubeconfigErrorKind::Invalid(e.to_string())))?;
    if provide {
        plugin = plugin.with_cluster_info(cluster_info(r, tls)?);
    }
    Ok(Auth::Exec(plugin))
}

fn cluster_info(r: &ResolvedContext, tls: &TlsConfig) -> Result<ExecClusterInfo> {
    let c = &r.cluster;
    let ca = match &tls.root_ca {
        Some(PemSource::Pem(b)) => Some(base64::engine::general_purpose::STANDARD.encode(b)),
        Some(PemSource::File(p)) => {
            let bytes = std::fs::read(p).map_err(|e| {
                KubeconfigError::new(KubeconfigErrorKind::Read(e)).file(Some(p.clone()))
            })?;
            Some(base64::engine::general_purpose::STANDARD.encode(bytes))
        }
        None => None,
    };
    let mut info = ExecClusterInfo::new(c.server.clone().unwrap_or_default());
    info.tls_server_name.clone_from(&c.tls_server_name);
    info.insecure_skip_tls_verify = c.insecure_skip_tls_verify;
    info.certificate_authority_data = ca;
    info.proxy_url.clone_from(&c.proxy_url);
    info.disable_compression = c.disable_compression;
    info.config = c
        .extensions
        .iter()
        .find(|e| e.name == EXEC_EXTENSION)
        .map(|e| e.extension.clone());
    Ok(info)
}
