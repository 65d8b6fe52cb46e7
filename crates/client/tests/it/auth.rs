//! Authentication over real HTTPS: bearer, basic, client certificates (every key form), token
//! file rotation, impersonation, and a caller-set Authorization header winning.

use std::sync::{Arc, Mutex};

use bytes::Bytes;
use kapi_client::{Auth, Client, ClientIdentity, Impersonate, PemSource};
use rcgen::KeyPair;
use serde_json::Value;

use crate::support::{config_for, echo, full, get, handler, json, Ca, Options, Server};

const FIXTURES: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/it/fixtures");

fn fixture(name: &str) -> String {
    std::fs::read_to_string(format!("{FIXTURES}/{name}")).expect("fixture")
}

#[tokio::test]
async fn bearer_and_basic() {
    let ca = Ca::new("ca");
    let server = Server::start(Options::new(ca.localhost()), echo()).await;
    let mut config = config_for(&server, &ca);
    config.auth = Auth::bearer("t0ken");
    let v: Value = Client::new(config)
        .expect("client")
        .request_json(get("/"))
        .await
        .expect("bearer");
    assert_eq!(v["authorization"], "Bearer t0ken");

    let mut config = config_for(&server, &ca);
    config.auth = Auth::basic("alice", "pw");
    let v: Value = Client::new(config)
        .expect("client")
        .request_json(get("/"))
        .await
        .expect("basic");
    assert_eq!(v["authorization"], "Basic YWxpY2U6cHc=");
}

#[tokio::test]
async fn caller_authorization_header_wins() {
    let ca = Ca::new("ca");
    let server = Server::start(Options::new(ca.localhost()), echo()).await;
    let mut config = config_for(&server, &ca);
    config.auth = Auth::bearer("configured");
    let client = Client::new(config).expect("client");
    let req = http::Request::get("/")
        .header("authorization", "Bearer mine")
        .body(kapi_client::Body::empty())
        .expect("request");
    let v: Value = client.request_json(req).await.expect("request");
    assert_eq!(v["authorization"], "Bearer mine");
}

#[tokio::test]
async fn client_certificates_in_every_key_form() {
    let ca = Ca::new("ca");
    let ecdsa = ca.client("ecdsa", None);
    let ed25519 = ca.client(
        "ed25519",
        Some(KeyPair::generate_for(&rcgen::PKCS_ED25519).expect("ed25519")),
    );
    let rsa_key = KeyPair::from_pem(&fixture("rsa-pkcs8.pem")).expect("rsa key");
    let rsa = ca.client("rsa", Some(rsa_key));
    let ec_key = KeyPair::from_pem(&fixture("ec-pkcs8.pem")).expect("ec key");
    let ec = ca.client("ec", Some(ec_key));

    let mut opts = Options::new(ca.localhost());
    opts.client_ca = Some(ca.pem.cert.clone());
    opts.clients = vec![
        ("ecdsa".into(), ecdsa.cert.clone()),
        ("ed25519".into(), ed25519.cert.clone()),
        ("rsa".into(), rsa.cert.clone()),
        ("ec".into(), ec.cert.clone()),
    ];
    let server = Server::start(opts, echo()).await;
    let cases = [
        ("ecdsa", ecdsa.cert.clone(), ecdsa.key.clone()),
        ("ed25519", ed25519.cert.clone(), ed25519.key.clone()),
        ("rsa", rsa.cert.clone(), fixture("rsa-pkcs8.pem")),
        ("rsa", rsa.cert.clone(), fixture("rsa-pkcs1.pem")),
        ("ec", ec.cert.clone(), fixture("ec-sec1.pem")),
    ];
    for (name, cert, key) in cases {
        let mut config = config_for(&server, &ca);
        config.tls.client_identity = Some(ClientIdentity {
            certificate: PemSource::Pem(Bytes::from(cert)),
            key: PemSource::Pem(Bytes::from(key)),
        });
        let v: Value = Client::new(config)
            .expect("client")
            .request_json(get("/"))
            .await
            .expect(name);
        assert_eq!(v["client"], name);
    }
    // Without a certificate the server sees no identity.
    let v: Value = Client::new(config_for(&server, &ca))
        .expect("client")
        .request_json(get("/"))
        .await
        .expect("anon");
    assert_eq!(v["client"], Value::Null);
}

#[tokio::test]
async fn mismatched_key_is_rejected_up_front() {
    let ca = Ca::new("ca");
    let a = ca.client("a", None);
    let b = ca.client("b", None);
    let server = Server::start(Options::new(ca.localhost()), echo()).await;
    let mut config = config_for(&server, &ca);
    config.tls.client_identity = Some(ClientIdentity {
        certificate: PemSource::Pem(Bytes::from(a.cert)),
        key: PemSource::Pem(Bytes::from(b.key)),
    });
    let err = Client::new(config).expect_err("mismatch");
    assert!(err.to_string().contains("client key"), "{err}");
}

#[tokio::test]
async fn token_file_rotation_is_picked_up_on_401() {
    let ca = Ca::new("ca");
    let accepted = Arc::new(Mutex::new("Bearer one".to_owned()));
    let gate = accepted.clone();
    let server = Server::start(
        Options::new(ca.localhost()),
        handler(move |seen| {
            let ok = seen.header("authorization").as_deref()
                == Some(gate.lock().expect("lock").as_str());
            async move {
                Ok(if ok {
                    json(200, &serde_json::json!({}))
                } else {
                    full(401, "text/plain", "Unauthorized")
                })
            }
        }),
    )
    .await;
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("token");
    std::fs::write(&path, "one\n").expect("write");
    let mut config = config_for(&server, &ca);
    config.auth = Auth::token_file(&path);
    let client = Client::new(config).expect("client");
    client.request_text(get("/")).await.expect("first token");

    // The token rotates on disk and the server stops accepting the old one.
    std::fs::write(&path, "two").expect("write");
    *accepted.lock().expect("lock") = "Bearer two".to_owned();
    client
        .request_text(get("/"))
        .await
        .expect("re-read after 401 and retried");
    let auths: Vec<_> = server
        .seen()
        .iter()
        .map(|s| s.header("authorization").unwrap_or_default())
        .collect();
    assert_eq!(auths, ["Bearer one", "Bearer one", "Bearer two"]);
}

#[tokio::test]
async fn impersonation_headers() {
    let ca = Ca::new("ca");
    let server = Server::start(Options::new(ca.localhost()), echo()).await;
    let mut config = config_for(&server, &ca);
    let mut imp = Impersonate::user("jane").group("devs").group("ops");
    imp.uid = Some("42".into());
    config.impersonate = Some(imp);
    let v: Value = Client::new(config)
        .expect("client")
        .request_json(get("/"))
        .await
        .expect("impersonate");
    assert_eq!(v["impersonateUser"], "jane");
    assert_eq!(v["impersonateGroups"], serde_json::json!(["devs", "ops"]));
    assert_eq!(v["impersonateUid"], "42");

    let mut config = config_for(&server, &ca);
    let mut groups_only = Impersonate::default();
    groups_only.groups.push("x".into());
    config.impersonate = Some(groups_only);
    assert!(Client::new(config).is_err());
}
