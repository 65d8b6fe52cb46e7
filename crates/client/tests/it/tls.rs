//! TLS: CA verification, server-name override, IP names, ALPN, insecure mode.

use std::net::{IpAddr, Ipv6Addr};

use bytes::Bytes;
use kapi_client::{Client, Error, PemSource, TlsConfig};
use serde_json::Value;

use crate::support::{config_for, echo, get, Ca, Options, Server};

#[tokio::test]
async fn right_ca_is_accepted_and_wrong_ca_rejected() {
    let ca = Ca::new("right");
    let server = Server::start(Options::new(ca.localhost()), echo()).await;
    let client = Client::new(config_for(&server, &ca)).expect("client");
    let v: Value = client.request_json(get("/ok")).await.expect("trusted");
    assert_eq!(v["path"], "/ok");

    let wrong = Ca::new("wrong");
    let client = Client::new(config_for(&server, &wrong)).expect("client");
    let err = client
        .request_json::<Value>(get("/ok"))
        .await
        .expect_err("untrusted");
    assert!(matches!(err, Error::Connect { .. }), "{err:?}");
    assert!(
        err.to_string().to_lowercase().contains("certificate"),
        "{err}"
    );
}

#[tokio::test]
async fn tls_server_name_overrides_the_url_host() {
    let ca = Ca::new("ca");
    // The certificate names only kapi.test: connecting to 127.0.0.1 must fail without an
    // override and succeed with one.
    let server = Server::start(Options::new(ca.server(&["kapi.test"], &[])), echo()).await;
    let client = Client::new(config_for(&server, &ca)).expect("client");
    let err = client
        .request_text(get("/"))
        .await
        .expect_err("name mismatch");
    assert!(matches!(err, Error::Connect { .. }), "{err:?}");

    let mut config = config_for(&server, &ca);
    config.tls.server_name = Some("kapi.test".into());
    let client = Client::new(config).expect("client");
    client
        .request_text(get("/"))
        .await
        .expect("override accepted");
}

#[tokio::test]
async fn ip_address_server_names() {
    let ca = Ca::new("ca");
    let server = Server::start(
        Options::new(ca.server(&[], &["127.0.0.1".parse().expect("ip")])),
        echo(),
    )
    .await;
    assert!(server.url().starts_with("https://127.0.0.1:"));
    Client::new(config_for(&server, &ca))
        .expect("client")
        .request_text(get("/"))
        .await
        .expect("IP SAN");

    // IPv6, where the machine has it.
    let mut opts = Options::new(ca.server(&[], &[IpAddr::V6(Ipv6Addr::LOCALHOST)]));
    opts.bind = IpAddr::V6(Ipv6Addr::LOCALHOST);
    if std::net::TcpListener::bind("[::1]:0").is_ok() {
        let v6 = Server::start(opts, echo()).await;
        assert!(v6.url().starts_with("https://[::1]:"));
        Client::new(config_for(&v6, &ca))
            .expect("client")
            .request_text(get("/"))
            .await
            .expect("IPv6 SAN");
    }
}

#[tokio::test]
async fn http2_is_negotiated_when_offered() {
    let ca = Ca::new("ca");
    let h2 = Server::start(Options::new(ca.localhost()), echo()).await;
    let v: Value = Client::new(config_for(&h2, &ca))
        .expect("client")
        .request_json(get("/"))
        .await
        .expect("h2");
    assert_eq!(v["version"], "HTTP/2.0");

    let mut opts = Options::new(ca.localhost());
    opts.h2 = false;
    let h1 = Server::start(opts, echo()).await;
    let v: Value = Client::new(config_for(&h1, &ca))
        .expect("client")
        .request_json(get("/"))
        .await
        .expect("h1");
    assert_eq!(v["version"], "HTTP/1.1");
}

#[tokio::test]
async fn insecure_mode_only_when_asked_and_never_with_a_ca() {
    let ca = Ca::new("ca");
    let server = Server::start(Options::new(ca.localhost()), echo()).await;
    let mut config = config_for(&server, &Ca::new("other"));
    config.tls.root_ca = None;
    config.tls.insecure_skip_verify = true;
    Client::new(config)
        .expect("client")
        .request_text(get("/"))
        .await
        .expect("insecure accepts any cert");

    let mut config = config_for(&server, &ca);
    config.tls.insecure_skip_verify = true;
    let err = Client::new(config).expect_err("CA + insecure");
    assert!(err.to_string().contains("insecure"), "{err}");
}

#[tokio::test]
async fn ca_file_is_used_and_validated() {
    let ca = Ca::new("ca");
    let server = Server::start(Options::new(ca.localhost()), echo()).await;
    let dir = tempfile::tempdir().expect("tempdir");
    let ca_file = dir.path().join("ca.crt");
    std::fs::write(&ca_file, &ca.pem.cert).expect("write");
    let mut config = config_for(&server, &ca);
    config.tls.root_ca = Some(PemSource::File(ca_file.clone()));
    Client::new(config)
        .expect("client")
        .request_text(get("/"))
        .await
        .expect("CA from file");

    let mut bad = TlsConfig::default();
    bad.root_ca = Some(PemSource::Pem(Bytes::from_static(b"not pem")));
    let err = bad.validate().expect_err("bad PEM");
    assert!(err.to_string().contains("certificate authority"), "{err}");
}

#[tokio::test]
async fn a_silent_server_hits_the_handshake_timeout() {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let addr = listener.local_addr().expect("addr");
    let hold = tokio::spawn(async move {
        let mut held = Vec::new();
        while let Ok((socket, _)) = listener.accept().await {
            held.push(socket); // accept TCP, never speak TLS
        }
    });
    let mut config = kapi_client::Config::from_url(&format!("https://{addr}")).expect("url");
    config.proxy = kapi_client::Proxy::None;
    config.max_retries = 0;
    config.timeouts.tls_handshake = std::time::Duration::from_millis(300);
    let started = std::time::Instant::now();
    let err = Client::new(config)
        .expect("client")
        .request_text(get("/"))
        .await
        .expect_err("timeout");
    assert!(
        matches!(
            err,
            Error::Timeout(kapi_client::error::TimeoutKind::TlsHandshake)
        ),
        "{err:?}"
    );
    assert!(started.elapsed() < std::time::Duration::from_secs(5));
    hold.abort();
}
