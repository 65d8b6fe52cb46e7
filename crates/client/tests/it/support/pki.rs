//! Test certificates made with rcgen: a CA, server certificates and client certificates.

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};

use rcgen::{
    BasicConstraints, CertificateParams, DnType, ExtendedKeyUsagePurpose, IsCa, Issuer, KeyPair,
    KeyUsagePurpose, SanType,
};

/// A PEM certificate and its PEM key.
#[derive(Clone, Debug)]
pub(crate) struct Pem {
    pub(crate) cert: String,
    pub(crate) key: String,
}

/// A certificate authority that signs test certificates.
pub(crate) struct Ca {
    pub(crate) pem: Pem,
    issuer: Issuer<'static, KeyPair>,
}

impl Ca {
    pub(crate) fn new(name: &str) -> Ca {
        let key = KeyPair::generate().expect("CA key");
        let mut params = CertificateParams::new(Vec::<String>::new()).expect("params");
        params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
        params.distinguished_name.push(DnType::CommonName, name);
        params.key_usages = vec![
            KeyUsagePurpose::KeyCertSign,
            KeyUsagePurpose::CrlSign,
            KeyUsagePurpose::DigitalSignature,
        ];
        let cert = params.self_signed(&key).expect("self-signed CA");
        let pem = Pem {
            cert: cert.pem(),
            key: key.serialize_pem(),
        };
        Ca {
            pem,
            issuer: Issuer::new(params, key),
        }
    }

    /// A server certificate for DNS `names` and IP `ips`.
    pub(crate) fn server(&self, names: &[&str], ips: &[IpAddr]) -> Pem {
        let key = KeyPair::generate().expect("server key");
        let mut params =
            CertificateParams::new(names.iter().map(|s| (*s).to_owned()).collect::<Vec<_>>())
                .expect("params");
        params
            .subject_alt_names
            .extend(ips.iter().map(|ip| SanType::IpAddress(*ip)));
        params
            .distinguished_name
            .push(DnType::CommonName, names.first().copied().unwrap_or("ip"));
        params.extended_key_usages = vec![ExtendedKeyUsagePurpose::ServerAuth];
        let cert = params.signed_by(&key, &self.issuer).expect("sign server");
        Pem {
            cert: cert.pem(),
            key: key.serialize_pem(),
        }
    }

    /// The usual server certificate: `localhost`, `kapi.test`, 127.0.0.1 and ::1.
    pub(crate) fn localhost(&self) -> Pem {
        self.server(
            &["localhost", "kapi.test"],
            &[
                IpAddr::V4(Ipv4Addr::LOCALHOST),
                IpAddr::V6(Ipv6Addr::LOCALHOST),
            ],
        )
    }

    /// A client certificate with common name `cn`, for `key` (a fresh ECDSA key when `None`).
    pub(crate) fn client(&self, cn: &str, key: Option<KeyPair>) -> Pem {
        let key = key.unwrap_or_else(|| KeyPair::generate().expect("client key"));
        let mut params = CertificateParams::new(Vec::<String>::new()).expect("params");
        params.distinguished_name.push(DnType::CommonName, cn);
        params.extended_key_usages = vec![ExtendedKeyUsagePurpose::ClientAuth];
        let cert = params.signed_by(&key, &self.issuer).expect("sign client");
        Pem {
            cert: cert.pem(),
            key: key.serialize_pem(),
        }
    }
}
