//! Building the rustls `ClientConfig`, re-reading files for rotation, and the client
//! certificate resolver shared with exec plugins.

use std::sync::{Arc, Mutex, OnceLock};
use std::time::{Duration, Instant};

use tokio_rustls::rustls::client::danger::{
    HandshakeSignatureValid, ServerCertVerified, ServerCertVerifier,
};
use tokio_rustls::rustls::client::ResolvesClientCert;
use tokio_rustls::rustls::crypto::{self, CryptoProvider};
use tokio_rustls::rustls::pki_types::{CertificateDer, ServerName, UnixTime};
use tokio_rustls::rustls::sign::CertifiedKey;
use tokio_rustls::rustls::{
    version, ClientConfig, DigitallySignedStruct, RootCertStore, SignatureScheme,
};

use super::{pem, TlsConfig};
use crate::auth::ExecAuth;
use crate::error::{Result, TlsError};

/// How often files are re-read (client-go re-reads the CA every five minutes).
const RELOAD_EVERY: Duration = Duration::from_secs(300);

/// The crypto provider: `ring`, set explicitly rather than taken from a process default.
pub(crate) fn provider() -> Arc<CryptoProvider> {
    static PROVIDER: OnceLock<Arc<CryptoProvider>> = OnceLock::new();
    PROVIDER
        .get_or_init(|| Arc::new(crypto::ring::default_provider()))
        .clone()
}

/// The current rustls config for new connections, rebuilt from files every few minutes.
#[derive(Debug)]
pub(crate) struct TlsState {
    source: TlsConfig,
    exec: Option<ExecAuth>,
    reloads: bool,
    current: Mutex<(Arc<ClientConfig>, Instant)>,
}

impl TlsState {
    /// Builds the initial config; errors if anything is unusable.
    pub(crate) fn new(source: &TlsConfig, exec: Option<ExecAuth>) -> Result<Self> {
        let config = build(source, exec.as_ref())?;
        if source.insecure_skip_verify {
            tracing::warn!(
                "TLS certificate verification is disabled (insecure-skip-tls-verify); \
                 the connection is open to interception"
            );
        }
        let reloads = source
            .root_ca
            .as_ref()
            .is_some_and(super::PemSource::is_file)
            || source
                .client_identity
                .as_ref()
                .is_some_and(|i| i.certificate.is_file() || i.key.is_file());
        Ok(Self {
            source: source.clone(),
            exec,
            reloads,
            current: Mutex::new((Arc::new(config), Instant::now())),
        })
    }

    /// The config to use for a new connection.
    pub(crate) fn client_config(&self) -> Arc<ClientConfig> {
        let mut current = self
            .current
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        if self.reloads && current.1.elapsed() >= RELOAD_EVERY {
            match build(&self.source, self.exec.as_ref()) {
                Ok(config) => current.0 = Arc::new(config),
                Err(e) => {
                    tracing::warn!(error = %e, "re-reading TLS files failed; keeping the previous ones");
                }
            }
            current.1 = Instant::now();
        }
        current.0.clone()
    }
}

/// Builds a rustls client config from the settings.
pub(crate) fn build(source: &TlsConfig, exec: Option<&ExecAuth>) -> Result<ClientConfig> {
    if source.root_ca.is_some() && source.insecure_skip_verify {
        return Err(TlsError::CaWithInsecure.into());
    }
    let provider = provider();
    let builder = ClientConfig::builder_with_provider(provider.clone())
        .with_protocol_versions(&[&version::TLS13, &version::TLS12])
        .map_err(TlsError::from)?;
    let builder = if source.insecure_skip_verify {
        builder
            .dangerous()
            .with_custom_certificate_verifier(Arc::new(NoVerification(provider.clone())))
    } else {
        let roots = match &source.root_ca {
            Some(ca) => pem::root_store(&pem::read(ca, "certificate authority")?, &ca.origin())?,
            None => system_roots(),
        };
        builder.with_root_certificates(roots)
    };
    let identity = match &source.client_identity {
        Some(id) => Some(pem::certified_key(
            &pem::read(&id.certificate, "client certificate")?,
            &id.certificate.origin(),
            &pem::read(&id.key, "client key")?,
            &id.key.origin(),
            &provider,
        )?),
        None => None,
    };
    let mut config = if identity.is_some() || exec.is_some() {
        builder.with_client_cert_resolver(Arc::new(IdentityResolver {
            identity,
            exec: exec.cloned(),
        }))
    } else {
        builder.with_no_client_auth()
    };
    config.alpn_protocols = vec![b"h2".to_vec(), b"http/1.1".to_vec()];
    Ok(config)
}

/// The operating system's trust roots, loaded once.
fn system_roots() -> RootCertStore {
    static ROOTS: OnceLock<RootCertStore> = OnceLock::new();
    ROOTS
        .get_or_init(|| {
            let loaded = rustls_native_certs::load_native_certs();
            for e in &loaded.errors {
                tracing::warn!(error = %e, "could not load some system CA certificates");
            }
            let mut store = RootCertStore::empty();
            let (added, ignored) = store.add_parsable_certificates(loaded.certs);
            tracing::debug!(added, ignored, "loaded system CA certificates");
            store
        })
        .clone()
}

/// The server name for a host (`tls-server-name` wins); IPv6 brackets are removed.
pub(crate) fn server_name(host: &str, override_name: Option<&str>) -> Result<ServerName<'static>> {
    let name = override_name.unwrap_or(host);
    let bare = name.trim_start_matches('[').trim_end_matches(']');
    ServerName::try_from(bare.to_owned())
        .map_err(|_| TlsError::InvalidServerName(name.to_owned()).into())
}

/// Presents the static client certificate, or the one an exec plugin returned most recently.
#[derive(Debug)]
struct IdentityResolver {
    identity: Option<Arc<CertifiedKey>>,
    exec: Option<ExecAuth>,
}

impl ResolvesClientCert for IdentityResolver {
    fn resolve(&self, _hints: &[&[u8]], _schemes: &[SignatureScheme]) -> Option<Arc<CertifiedKey>> {
        self.exec
            .as_ref()
            .and_then(ExecAuth::certified_key)
            .or_else(|| self.identity.clone())
    }

    fn has_certs(&self) -> bool {
        true
    }
}

/// Accepts any server certificate (insecure-skip-tls-verify) but still checks handshake
/// signatures, so the session is at least bound to the presented key.
#[derive(Debug)]
struct NoVerification(Arc<CryptoProvider>);

impl ServerCertVerifier for NoVerification {
    fn verify_server_cert(
        &self,
        _end_entity: &CertificateDer<'_>,
        _intermediates: &[CertificateDer<'_>],
        _server_name: &ServerName<'_>,
        _ocsp: &[u8],
        _now: UnixTime,
    ) -> std::result::Result<ServerCertVerified, tokio_rustls::rustls::Error> {
        Ok(ServerCertVerified::assertion())
    }

    fn verify_tls12_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> std::result::Result<HandshakeSignatureValid, tokio_rustls::rustls::Error> {
        crypto::verify_tls12_signature(
            message,
            cert,
            dss,
            &self.0.signature_verification_algorithms,
        )
    }

    fn verify_tls13_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> std::result::Result<HandshakeSignatureValid, tokio_rustls::rustls::Error> {
        crypto::verify_tls13_signature(
            message,
            cert,
            dss,
            &self.0.signature_verification_algorithms,
        )
    }

    fn supported_verify_schemes(&self) -> Vec<SignatureScheme> {
        self.0.signature_verification_algorithms.supported_schemes()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::tls::PemSource;

    #[test]
    fn files_are_reread_after_the_interval() {
        let ca = |name: &str| {
            let key = rcgen::KeyPair::generate().expect("key");
            let mut params = rcgen::CertificateParams::new(Vec::<String>::new()).expect("params");
            params.is_ca = rcgen::IsCa::Ca(rcgen::BasicConstraints::Unconstrained);
            params
                .distinguished_name
                .push(rcgen::DnType::CommonName, name);
            params.self_signed(&key).expect("cert").pem()
        };
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join("ca.crt");
        std::fs::write(&path, ca("one")).expect("write");
        let source = TlsConfig {
            root_ca: Some(PemSource::File(path.clone())),
            ..TlsConfig::default()
        };
        let state = TlsState::new(&source, None).expect("state");
        let first = state.client_config();
        assert!(
            Arc::ptr_eq(&first, &state.client_config()),
            "no re-read before the interval"
        );

        std::fs::write(&path, ca("two")).expect("write");
        let age = |state: &TlsState| {
            let mut current = state.current.lock().expect("lock");
            current.1 = Instant::now().checked_sub(RELOAD_EVERY).expect("instant");
        };
        age(&state);
        let second = state.client_config();
        assert!(!Arc::ptr_eq(&first, &second), "re-read after the interval");

        // A broken file keeps the last good config.
        std::fs::write(&path, "garbage").expect("write");
        age(&state);
        assert!(Arc::ptr_eq(&second, &state.client_config()));
    }
}
