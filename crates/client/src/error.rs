//! [`Error`]: everything that can go wrong in this crate, one typed variant per cause.
//!
//! No message here ever contains a secret: tokens, passwords, key material and exec-plugin
//! output are never formatted, and messages that come from parsers (which may echo the input)
//! are sanitized first (quoted input removed).

use std::fmt;
use std::path::PathBuf;

pub use kapi_apimachinery::ApiError;

/// A boxed error from a lower layer (hyper, rustls, I/O).
pub type BoxError = Box<dyn std::error::Error + Send + Sync>;

/// `Result` with this crate's [`Error`].
pub type Result<T, E = Error> = std::result::Result<T, E>;

/// Everything that can go wrong while configuring or using a client.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// The API server answered with a non-2xx status.
    #[error("API error: {0}")]
    Api(#[from] ApiError),
    /// A kubeconfig could not be read, parsed or resolved.
    #[error(transparent)]
    Kubeconfig(#[from] KubeconfigError),
    /// The in-cluster configuration is missing or broken.
    #[error(transparent)]
    InCluster(#[from] InClusterError),
    /// [`Config::infer`](crate::Config::infer) found no source of configuration.
    #[error("no Kubernetes configuration found (tried: {tried})")]
    NoConfig {
        /// The sources that were tried, in order.
        tried: String,
    },
    /// The configuration is inconsistent (see the message).
    #[error("invalid configuration: {0}")]
    InvalidConfig(String),
    /// TLS material or settings are unusable.
    #[error(transparent)]
    Tls(#[from] TlsError),
    /// Credentials are unusable.
    #[error(transparent)]
    Auth(#[from] AuthError),
    /// An exec credential plugin failed.
    #[error(transparent)]
    Exec(#[from] ExecError),
    /// A connection to the server (or the proxy) could not be established.
    #[error("cannot connect to {url}: {}", chain(&**source))]
    Connect {
        /// The server URL (without credentials).
        url: String,
        /// What failed: DNS, TCP, proxy handshake or TLS handshake.
        #[source]
        source: BoxError,
    },
    /// The HTTP exchange failed after the connection was made (reset, EOF, protocol error).
    #[error("HTTP request failed: {}", chain(&**.0))]
    Http(#[source] BoxError),
    /// Something took longer than its configured limit.
    #[error("timed out: {0}")]
    Timeout(TimeoutKind),
    /// A response body did not decode into the expected type.
    #[error("cannot decode response as {target}: {message}")]
    Decode {
        /// The target type (or `text` for UTF-8 bodies).
        target: String,
        /// The decoder's message, with any echoed input removed.
        message: String,
    },
    /// The request cannot be sent as built.
    #[error("invalid request: {0}")]
    InvalidRequest(String),
    /// Discovery does not know the resource asked for, or its documents are unusable.
    #[error("discovery: {0}")]
    Discovery(String),
    /// A watch event line was longer than the decoder's cap (the event is skipped).
    #[error("watch event of more than {limit} bytes skipped")]
    EventTooLarge {
        /// The cap, in bytes.
        limit: usize,
    },
}

impl Error {
    /// The [`ApiError`] when the server answered with a failure status.
    pub fn as_api(&self) -> Option<&ApiError> {
        match self {
            Error::Api(e) => Some(e),
            _ => None,
        }
    }

    /// The server's [`ApiError`] (its `Status`), if the server answered with a failure.
    ///
    /// ```
    /// use kapi_client::{ApiError, Error};
    /// use kapi_apimachinery::meta::Status;
    /// let err = Error::Api(ApiError::new(Status::not_found("", "pods", "web")));
    /// assert_eq!(err.api().map(ApiError::code), Some(404));
    /// assert!(err.is_not_found());
    /// ```
    pub fn api(&self) -> Option<&ApiError> {
        self.as_api()
    }

    fn api_is(&self, f: impl Fn(&ApiError) -> bool) -> bool {
        self.as_api().is_some_and(f)
    }

    /// 404 NotFound from the server.
    pub fn is_not_found(&self) -> bool {
        self.api_is(ApiError::is_not_found)
    }

    /// 409 Conflict (a stale resourceVersion or a failed precondition).
    pub fn is_conflict(&self) -> bool {
        self.api_is(ApiError::is_conflict)
    }

    /// 409 AlreadyExists.
    pub fn is_already_exists(&self) -> bool {
        self.api_is(ApiError::is_already_exists)
    }

    /// 410 Expired/Gone: the resourceVersion or continue token is too old.
    pub fn is_expired(&self) -> bool {
        self.api_is(|e| e.is_expired() || e.is_gone())
    }

    /// 422 Invalid.
    pub fn is_invalid(&self) -> bool {
        self.api_is(ApiError::is_invalid)
    }

    /// 403 Forbidden.
    pub fn is_forbidden(&self) -> bool {
        self.api_is(ApiError::is_forbidden)
    }

    /// 429 TooManyRequests.
    pub fn is_too_many_requests(&self) -> bool {
        self.api_is(ApiError::is_too_many_requests)
    }

    /// No connection could be made (DNS, TCP, proxy or TLS handshake).
    pub fn is_connect(&self) -> bool {
        matches!(self, Error::Connect { .. })
    }

    /// The exchange failed after connecting (reset, EOF, protocol error): the request may or
    /// may not have reached the server.
    pub fn is_transport(&self) -> bool {
        matches!(self, Error::Http(_))
    }

    /// A client-side limit ran out ([`Error::Timeout`]) or the server answered 504 Timeout.
    pub fn is_timeout(&self) -> bool {
        matches!(self, Error::Timeout(_)) || self.api_is(ApiError::is_timeout)
    }

    /// A response body did not decode.
    pub fn is_decode(&self) -> bool {
        matches!(self, Error::Decode { .. } | Error::EventTooLarge { .. })
    }

    /// Worth retrying the same request later: no connection, a broken exchange, a timeout,
    /// 429, or a 5xx.
    pub fn is_retryable(&self) -> bool {
        self.is_connect()
            || self.is_transport()
            || self.is_timeout()
            || self.api_is(|e| e.is_too_many_requests() || e.code() >= 500)
    }

    /// How long the server asked us to wait (`Retry-After` or `retryAfterSeconds`).
    pub fn retry_after(&self) -> Option<std::time::Duration> {
        self.as_api().and_then(ApiError::retry_after)
    }

    pub(crate) fn decode(target: impl Into<String>, message: &str) -> Self {
        Error::Decode {
            target: target.into(),
            message: sanitize(message),
        }
    }
}

/// Which limit was exceeded.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum TimeoutKind {
    /// TCP connect (including a proxy handshake).
    Connect,
    /// TLS handshake.
    TlsHandshake,
    /// The whole request, per [`Timeouts::request`](crate::Timeouts::request).
    Request,
    /// A watch with `timeoutSeconds` that the server did not end in time.
    Watch,
}

impl fmt::Display for TimeoutKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            TimeoutKind::Connect => "TCP connect",
            TimeoutKind::TlsHandshake => "TLS handshake",
            TimeoutKind::Request => "request",
            TimeoutKind::Watch => "watch (the server did not end it after timeoutSeconds)",
        })
    }
}

/// Which kubeconfig entry an error is about.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum Entry {
    /// A context, by name.
    Context(String),
    /// A cluster, by name.
    Cluster(String),
    /// A user (auth info), by name.
    User(String),
}

impl fmt::Display for Entry {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Entry::Context(n) => write!(f, "context {n:?}"),
            Entry::Cluster(n) => write!(f, "cluster {n:?}"),
            Entry::User(n) => write!(f, "user {n:?}"),
        }
    }
}

/// A kubeconfig problem, naming the file, the entry and the field where known.
#[derive(Debug)]
#[non_exhaustive]
pub struct KubeconfigError {
    /// The file that holds the offending value (or that could not be read).
    pub file: Option<PathBuf>,
    /// The context, cluster or user concerned.
    pub entry: Option<Entry>,
    /// The field concerned, spelled as in the kubeconfig (`certificate-authority-data`).
    pub field: Option<&'static str>,
    /// What is wrong.
    pub kind: KubeconfigErrorKind,
}

impl KubeconfigError {
    pub(crate) fn new(kind: KubeconfigErrorKind) -> Self {
        Self {
            file: None,
            entry: None,
            field: None,
            kind,
        }
    }
    pub(crate) fn file(mut self, file: Option<PathBuf>) -> Self {
        self.file = file;
        self
    }
    pub(crate) fn entry(mut self, entry: Entry) -> Self {
        self.entry = Some(entry);
        self
    }
    pub(crate) fn field(mut self, field: &'static str) -> Self {
        self.field = Some(field);
        self
    }
}

impl fmt::Display for KubeconfigError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("kubeconfig")?;
        if let Some(file) = &self.file {
            write!(f, " {}", file.display())?;
        }
        if let Some(entry) = &self.entry {
            write!(f, ", {entry}")?;
        }
        if let Some(field) = self.field {
            write!(f, ", field `{field}`")?;
        }
        write!(f, ": {}", self.kind)
    }
}

impl std::error::Error for KubeconfigError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        self.kind.source()
    }
}

/// What is wrong with a kubeconfig.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum KubeconfigErrorKind {
    /// The file (or a file it names) could not be read.
    #[error("cannot read file: {0}")]
    Read(#[source] std::io::Error),
    /// The file is not valid YAML/JSON for a kubeconfig.
    #[error("cannot parse: {0}")]
    Parse(String),
    /// Two entries of one list in one file share a name.
    #[error("duplicate name {0:?}")]
    DuplicateName(String),
    /// No current context and none requested.
    #[error("no current-context is set and no context was requested")]
    NoCurrentContext,
    /// The requested or current context does not exist.
    #[error("context {0:?} not found")]
    ContextNotFound(String),
    /// The context names a cluster that does not exist.
    #[error("cluster {0:?} not found")]
    ClusterNotFound(String),
    /// The context names a user that does not exist.
    #[error("user {0:?} not found")]
    UserNotFound(String),
    /// The cluster has no server URL.
    #[error("no server URL is set")]
    MissingServer,
    /// A value is malformed.
    #[error("invalid value: {0}")]
    Invalid(String),
    /// A feature kapi does not support.
    #[error("unsupported: {0}")]
    Unsupported(String),
    /// The KUBECONFIG files named all do not exist.
    #[error("none of the kubeconfig files exist")]
    NoFiles,
}

/// In-cluster configuration problems.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum InClusterError {
    /// `KUBERNETES_SERVICE_HOST` or `KUBERNETES_SERVICE_PORT` is unset: not running in a pod.
    #[error(
        "not running in a cluster: KUBERNETES_SERVICE_HOST and KUBERNETES_SERVICE_PORT must be set"
    )]
    NotInCluster,
    /// A service-account file could not be read.
    #[error("cannot read {}: {source}", path.display())]
    Read {
        /// The file.
        path: PathBuf,
        /// The I/O error.
        #[source]
        source: std::io::Error,
    },
    /// The host/port do not form a URL.
    #[error("invalid API server address {0:?}")]
    InvalidAddress(String),
}

/// TLS problems.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum TlsError {
    /// A CA bundle and `insecure-skip-tls-verify` were both given.
    #[error("specifying a root certificate authority together with insecure-skip-tls-verify is not allowed")]
    CaWithInsecure,
    /// PEM material (CA, client certificate or key) could not be used.
    #[error("invalid {what} ({origin}): {reason}")]
    Pem {
        /// `certificate authority`, `client certificate` or `client key`.
        what: &'static str,
        /// The file, or `inline data`.
        origin: String,
        /// What was wrong (never the key material).
        reason: String,
    },
    /// A TLS file could not be read.
    #[error("cannot read {what} file {}: {source}", path.display())]
    Read {
        /// What the file should hold.
        what: &'static str,
        /// The file.
        path: PathBuf,
        /// The I/O error.
        #[source]
        source: std::io::Error,
    },
    /// The server name (or `tls-server-name`) is not a valid DNS name or IP address.
    #[error("invalid TLS server name {0:?}")]
    InvalidServerName(String),
    /// rustls refused the configuration.
    #[error("TLS configuration: {0}")]
    Rustls(#[from] tokio_rustls::rustls::Error),
}

/// Credential problems.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum AuthError {
    /// A token file could not be read (and no earlier token is cached).
    #[error("cannot read token file {}: {source}", path.display())]
    TokenFile {
        /// The token file.
        path: PathBuf,
        /// The I/O error.
        #[source]
        source: std::io::Error,
    },
    /// A token file is empty.
    #[error("token file {} is empty", .0.display())]
    EmptyTokenFile(PathBuf),
    /// A credential cannot be put in an HTTP header (e.g. it contains a newline).
    #[error("{0} contains characters not allowed in an HTTP header")]
    InvalidHeaderValue(&'static str),
    /// More than one way to authenticate was configured.
    #[error("more than one authentication method configured: {0}")]
    Conflict(String),
    /// An `auth-provider` kapi does not implement.
    #[error("auth-provider {0:?} is not supported; use an exec credential plugin instead (for example kubelogin for OIDC)")]
    UnsupportedProvider(String),
    /// Credentials would be sent over plain HTTP.
    #[error("refusing to send credentials over plain http:// to {0}; use https://")]
    InsecureTransport(String),
    /// Impersonation of groups, uid or extras without a user name.
    #[error("impersonating groups, uid or extra fields requires a user name")]
    ImpersonationWithoutUser,
}

/// Exec credential plugin problems. Never contains the plugin's output.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ExecError {
    /// The plugin binary was not found.
    #[error("exec plugin {command:?} not found{}", hint(install_hint))]
    NotFound {
        /// The command.
        command: String,
        /// The kubeconfig's `installHint`.
        install_hint: Option<String>,
    },
    /// The plugin could not be started.
    #[error("cannot start exec plugin {command:?}: {source}")]
    Spawn {
        /// The command.
        command: String,
        /// The I/O error.
        #[source]
        source: std::io::Error,
    },
    /// The plugin exited unsuccessfully.
    #[error("exec plugin {command:?} failed with {status}")]
    Failed {
        /// The command.
        command: String,
        /// The exit status, as text.
        status: String,
    },
    /// The plugin's output is not a usable ExecCredential.
    #[error("exec plugin {command:?} returned an invalid credential: {reason}")]
    InvalidOutput {
        /// The command.
        command: String,
        /// What is wrong (never the output itself).
        reason: String,
    },
    /// The plugin returned a credential that has already expired.
    #[error("exec plugin {command:?} returned a credential that expired at {expired_at}")]
    Expired {
        /// The command.
        command: String,
        /// `status.expirationTimestamp`.
        expired_at: String,
    },
    /// `interactiveMode: Always` but stdin is not a terminal.
    #[error("exec plugin {0:?} requires an interactive terminal (interactiveMode: Always) but stdin is not one")]
    InteractiveRequired(String),
    /// A `client.authentication.k8s.io/v1` plugin without `interactiveMode`.
    #[error("exec plugin {0:?}: interactiveMode must be set for client.authentication.k8s.io/v1 plugins (Never, IfAvailable or Always)")]
    MissingInteractiveMode(String),
    /// The configured apiVersion is missing or unsupported.
    #[error("exec plugin apiVersion {0:?} is not supported (use client.authentication.k8s.io/v1 or v1beta1)")]
    UnsupportedApiVersion(String),
}

fn hint(h: &Option<String>) -> String {
    match h {
        Some(h) if !h.trim().is_empty() => format!("\n\n{}", h.trim_end()),
        _ => String::new(),
    }
}

/// Formats an error with its sources, `a: b: c`.
pub(crate) fn chain(e: &(dyn std::error::Error + 'static)) -> String {
    let mut out = e.to_string();
    let mut cur = e.source();
    while let Some(s) = cur {
        let text = s.to_string();
        if !out.contains(&text) {
            out.push_str(": ");
            out.push_str(&text);
        }
        cur = s.source();
    }
    out
}

/// Removes text a parser quoted from its input (`invalid type: string "…"`), which may be secret.
pub(crate) fn sanitize(message: &str) -> String {
    let mut out = String::with_capacity(message.len());
    let mut in_quote = false;
    let mut escaped = false;
    for c in message.chars() {
        if in_quote {
            if escaped {
                escaped = false;
            } else if c == '\\' {
                escaped = true;
            } else if c == '"' {
                in_quote = false;
                out.push_str("…\"");
            }
            continue;
        }
        out.push(c);
        if c == '"' {
            in_quote = true;
        }
    }
    if in_quote {
        out.push_str("…\"");
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sanitize_drops_quoted_input() {
        assert_eq!(
            sanitize(r#"invalid type: string "s3cr\"et", expected u32 at line 1"#),
            r#"invalid type: string "…", expected u32 at line 1"#
        );
        assert_eq!(sanitize("missing field `kind`"), "missing field `kind`");
    }

    #[test]
    fn kubeconfig_error_names_everything() {
        let e = KubeconfigError::new(KubeconfigErrorKind::Invalid("not base64".into()))
            .file(Some("/k/config".into()))
            .entry(Entry::User("admin".into()))
            .field("client-key-data");
        assert_eq!(
            e.to_string(),
            "kubeconfig /k/config, user \"admin\", field `client-key-data`: invalid value: not base64"
        );
    }
}
