//! The server handle: kubeconfig contents, fixed ports, insert, stop and drop.

mod support;

use http::StatusCode;
use kapi_testserver::{Error, TestServer};
use serde_json::json;
use support::Client;

#[tokio::test]
async fn kubeconfig_document_points_at_the_server() {
    let s = TestServer::start().await.unwrap();
    let doc: serde_yaml::Value = serde_yaml::from_str(&s.kubeconfig()).expect("valid YAML");
    assert_eq!(doc["current-context"], "kapi-testserver");
    let cluster = &doc["clusters"][0]["cluster"];
    assert_eq!(cluster["server"].as_str(), Some(s.url()));
    let ca = cluster["certificate-authority-data"]
        .as_str()
        .expect("CA data");
    let pem = base64::Engine::decode(&base64::engine::general_purpose::STANDARD, ca).unwrap();
    assert_eq!(String::from_utf8(pem).unwrap(), s.ca_pem().unwrap());
    assert!(doc["users"][0]["user"]["token"].is_string());
    let path = std::env::temp_dir().join(format!("kapi-ts-kc-{}", std::process::id()));
    s.write_kubeconfig(&path).unwrap();
    assert_eq!(std::fs::read_to_string(&path).unwrap(), s.kubeconfig());
    let _ = std::fs::remove_file(path);
    let plain = TestServer::builder().http().start().await.unwrap();
    assert!(!plain.kubeconfig().contains("certificate-authority-data"));
}

#[tokio::test]
async fn a_given_port_and_a_taken_port() {
    let probe = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = probe.local_addr().unwrap().port();
    drop(probe);
    let s = TestServer::builder()
        .port(port)
        .http()
        .start()
        .await
        .unwrap();
    assert_eq!(s.address().port(), port);
    let taken = TestServer::builder().port(port).http().start().await;
    assert!(matches!(taken, Err(Error::Bind { .. })));
}

#[tokio::test]
async fn insert_stores_fixtures_as_given() {
    let s = TestServer::start().await.unwrap();
    let pod = json!({
        "apiVersion": "v1", "kind": "Pod",
        "metadata": {"name": "p", "namespace": "fixtures", "resourceVersion": "999"},
        "spec": {"containers": [{"name": "c", "image": "i"}]},
        "status": {"phase": "Running", "podIP": "10.0.0.1"},
    });
    assert_eq!(s.insert([pod]).unwrap(), 1);
    let c = Client::new(&s);
    let got = c.get("/api/v1/namespaces/fixtures/pods/p").await.json();
    assert_eq!(got["status"]["phase"], "Running");
    assert!(got["metadata"]["uid"].is_string());
    assert_ne!(got["metadata"]["resourceVersion"], "999");
    assert_eq!(
        c.get("/api/v1/namespaces/fixtures").await.status,
        StatusCode::OK
    );
    let bad = s.insert([json!({"apiVersion": "v9", "kind": "Nope", "metadata": {"name": "x"}})]);
    assert!(matches!(bad, Err(Error::InvalidObject(_))));
}

#[tokio::test]
async fn stop_and_drop_release_the_port() {
    let s = TestServer::builder().http().start().await.unwrap();
    let addr = s.address();
    s.stop().await;
    assert!(tokio::net::TcpStream::connect(addr).await.is_err());
    let s = TestServer::builder().http().start().await.unwrap();
    let addr = s.address();
    drop(s);
    tokio::time::sleep(std::time::Duration::from_millis(300)).await;
    assert!(tokio::net::TcpStream::connect(addr).await.is_err());
}

#[test]
fn start_blocking_outside_a_runtime() {
    let s = TestServer::builder().http().start_blocking().unwrap();
    assert!(s.url().starts_with("http://"));
    assert!(
        s.resource_version() >= 4,
        "the default namespaces were written"
    );
}
