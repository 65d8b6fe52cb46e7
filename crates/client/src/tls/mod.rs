//! TLS settings ([`TlsConfig`]) and their rustls realisation.
//!
//! - Trust: a custom CA bundle ([`TlsConfig::root_ca`]) replaces the system roots; without one
//!   the operating system's roots are used. `insecure_skip_verify` disables verification (and
//!   logs a warning); combining it with a CA is an error, as in client-go.
//! - The server name checked (and sent as SNI) is [`TlsConfig::server_name`] when set, else the
//!   URL's host; IP addresses are checked against the certificate's IP SANs.
//! - Client certificates: PEM chain plus an RSA, ECDSA or Ed25519 key in PKCS#1, PKCS#8 or SEC1
//!   form; exec plugins may supply them at run time instead.
//! - Files (CA bundle, client certificate and key) are re-read every five minutes, so rotated
//!   material is picked up by new connections; a failed re-read keeps the last good material.
//! - TLS 1.2 and 1.3 only, with the `ring` provider set explicitly; ALPN offers `h2` and
//!   `http/1.1`.

mod pem;
mod state;

use std::fmt;
use std::path::PathBuf;

use bytes::Bytes;

pub(crate) use state::{server_name, TlsState};

/// How to trust the server and (optionally) identify ourselves with a certificate.
#[derive(Clone, Debug, Default)]
#[non_exhaustive]
pub struct TlsConfig {
    /// A PEM bundle of CA certificates to trust instead of the system roots.
    pub root_ca: Option<PemSource>,
    /// Skip server certificate verification. Dangerous; logs a warning.
    pub insecure_skip_verify: bool,
    /// Verify the server certificate against (and send as SNI) this name instead of the URL's
    /// host.
    pub server_name: Option<String>,
    /// A client certificate and key to present.
    pub client_identity: Option<ClientIdentity>,
}

/// PEM material, inline or in a file (re-read periodically).
#[derive(Clone, PartialEq, Eq)]
pub enum PemSource {
    /// PEM bytes.
    Pem(Bytes),
    /// A file holding PEM.
    File(PathBuf),
}

impl PemSource {
    /// Where the material comes from, for error messages.
    pub(crate) fn origin(&self) -> String {
        match self {
            PemSource::Pem(_) => "inline data".to_owned(),
            PemSource::File(p) => p.display().to_string(),
        }
    }

    pub(crate) fn is_file(&self) -> bool {
        matches!(self, PemSource::File(_))
    }
}

impl fmt::Debug for PemSource {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            PemSource::Pem(b) => write!(f, "Pem(<{} bytes>)", b.len()),
            PemSource::File(p) => f.debug_tuple("File").field(p).finish(),
        }
    }
}

/// A client certificate (chain) and its private key.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ClientIdentity {
    /// The PEM certificate chain, leaf first.
    pub certificate: PemSource,
    /// The PEM private key (its bytes never appear in `Debug`).
    pub key: PemSource,
}

impl TlsConfig {
    /// Checks the settings and parses every certificate and key once.
    pub fn validate(&self) -> crate::Result<()> {
        state::build(self, None).map(drop)
    }
}

/// A client certificate and key from PEM text (exec plugin output), checked to match.
pub(crate) fn certified_key_from_pem(
    cert: &[u8],
    key: &[u8],
    origin: &str,
) -> Result<std::sync::Arc<tokio_rustls::rustls::sign::CertifiedKey>, crate::error::TlsError> {
    pem::certified_key(cert, origin, key, origin, &state::provider())
}
