//! In-cluster configuration end to end, with an injected service-account directory.

use kapi_client::{Client, InCluster};
use serde_json::Value;

use crate::support::{echo, get, Ca, Options, Server};

fn service_account(ca: &Ca, token: &str, namespace: Option<&str>) -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("tempdir");
    std::fs::write(dir.path().join("token"), token).expect("token");
    std::fs::write(dir.path().join("ca.crt"), &ca.pem.cert).expect("ca");
    if let Some(ns) = namespace {
        std::fs::write(dir.path().join("namespace"), format!("{ns}\n")).expect("namespace");
    }
    dir
}

#[tokio::test]
async fn talks_to_the_server_with_the_mounted_token_and_ca() {
    let ca = Ca::new("cluster-ca");
    let server = Server::start(Options::new(ca.localhost()), echo()).await;
    let sa = service_account(&ca, "sa-token\n", Some("team-a"));
    let incluster = InCluster::new("127.0.0.1", server.addr.port().to_string()).base_dir(sa.path());
    let mut config = incluster.clone().into_config().expect("config");
    config.proxy = kapi_client::Proxy::None;
    assert_eq!(config.default_namespace, "team-a");
    let client = Client::new(config).expect("client");
    assert_eq!(client.default_namespace(), "team-a");
    let v: Value = client.request_json(get("/api")).await.expect("request");
    assert_eq!(v["authorization"], "Bearer sa-token");

    // POD_NAMESPACE wins over the file; without either the namespace is `default`.
    let config = incluster
        .clone()
        .pod_namespace(Some("from-env".into()))
        .into_config()
        .expect("config");
    assert_eq!(config.default_namespace, "from-env");
    std::fs::remove_file(sa.path().join("namespace")).expect("rm");
    assert_eq!(
        incluster.into_config().expect("config").default_namespace,
        "default"
    );
}

#[test]
fn missing_files_are_clear_errors() {
    let dir = tempfile::tempdir().expect("tempdir");
    let err = InCluster::new("10.0.0.1", "443")
        .base_dir(dir.path())
        .into_config()
        .expect_err("no token");
    assert!(err.to_string().contains("token"), "{err}");
    std::fs::write(dir.path().join("token"), "t").expect("token");
    let err = InCluster::new("10.0.0.1", "443")
        .base_dir(dir.path())
        .into_config()
        .expect_err("no CA");
    assert!(err.to_string().contains("ca.crt"), "{err}");
}
