//! PEM parsing with rustls' own types; errors never echo the input.

use std::sync::Arc;

use tokio_rustls::rustls::crypto::CryptoProvider;
use tokio_rustls::rustls::pki_types::pem::{self, PemObject};
use tokio_rustls::rustls::pki_types::{CertificateDer, PrivateKeyDer};
use tokio_rustls::rustls::sign::CertifiedKey;
use tokio_rustls::rustls::RootCertStore;

use super::PemSource;
use crate::error::TlsError;

/// Reads a source's bytes (a file is read now).
pub(crate) fn read(source: &PemSource, what: &'static str) -> Result<Vec<u8>, TlsError> {
    match source {
        PemSource::Pem(b) => Ok(b.to_vec()),
        PemSource::File(path) => std::fs::read(path).map_err(|source| TlsError::Read {
            what,
            path: path.clone(),
            source,
        }),
    }
}

fn pem_error(what: &'static str, origin: &str, e: &pem::Error) -> TlsError {
    let reason = match e {
        pem::Error::MissingSectionEnd { .. } => "a PEM section has no END line".to_owned(),
        pem::Error::IllegalSectionStart { .. } => "malformed PEM BEGIN line".to_owned(),
        pem::Error::Base64Decode(_) => "PEM body is not valid base64".to_owned(),
        pem::Error::NoItemsFound => format!("no {what} found in the PEM data"),
        pem::Error::SectionTooLarge => "PEM section too large".to_owned(),
        _ => "unreadable PEM".to_owned(),
    };
    TlsError::Pem {
        what,
        origin: origin.to_owned(),
        reason,
    }
}

/// All `CERTIFICATE` blocks of a PEM bundle (other blocks are ignored); at least one.
pub(crate) fn certificates(
    bytes: &[u8],
    what: &'static str,
    origin: &str,
) -> Result<Vec<CertificateDer<'static>>, TlsError> {
    let certs = CertificateDer::pem_slice_iter(bytes)
        .collect::<Result<Vec<_>, _>>()
        .map_err(|e| pem_error(what, origin, &e))?;
    if certs.is_empty() {
        return Err(pem_error(what, origin, &pem::Error::NoItemsFound));
    }
    Ok(certs)
}

/// The first private key (PKCS#1, PKCS#8 or SEC1) of a PEM document.
pub(crate) fn private_key(bytes: &[u8], origin: &str) -> Result<PrivateKeyDer<'static>, TlsError> {
    PrivateKeyDer::from_pem_slice(bytes).map_err(|e| pem_error("client key", origin, &e))
}

/// A root store holding every certificate of a CA bundle.
pub(crate) fn root_store(bytes: &[u8], origin: &str) -> Result<RootCertStore, TlsError> {
    let mut store = RootCertStore::empty();
    for (i, cert) in certificates(bytes, "certificate authority", origin)?
        .into_iter()
        .enumerate()
    {
        store.add(cert).map_err(|e| TlsError::Pem {
            what: "certificate authority",
            origin: origin.to_owned(),
            reason: format!("certificate #{} is not a usable trust anchor: {e}", i + 1),
        })?;
    }
    Ok(store)
}

/// A certificate chain and key, checked to belong together.
pub(crate) fn certified_key(
    cert_pem: &[u8],
    cert_origin: &str,
    key_pem: &[u8],
    key_origin: &str,
    provider: &CryptoProvider,
) -> Result<Arc<CertifiedKey>, TlsError> {
    let chain = certificates(cert_pem, "client certificate", cert_origin)?;
    let key = private_key(key_pem, key_origin)?;
    CertifiedKey::from_der(chain, key, provider)
        .map(Arc::new)
        .map_err(|e| TlsError::Pem {
            what: "client key",
            origin: key_origin.to_owned(),
            reason: format!("unusable with the client certificate: {e}"),
        })
}
