//! A plain hyper client for the integration tests: HTTPS with the server's CA, JSON helpers,
//! and a line reader for watch streams.
#![allow(dead_code, unreachable_pub)]

use std::time::Duration;

use bytes::Bytes;
use http::header::{HeaderMap, CONTENT_TYPE};
use http::{Method, Request, StatusCode};
use http_body_util::{BodyExt, Full};
use hyper::body::Incoming;
use hyper_rustls::{HttpsConnector, HttpsConnectorBuilder};
use hyper_util::client::legacy::connect::HttpConnector;
use hyper_util::client::legacy::Client as HyperClient;
use hyper_util::rt::TokioExecutor;
use kapi_testserver::TestServer;
use serde_json::Value;

/// A response read in full.
#[derive(Debug)]
pub struct Resp {
    pub status: StatusCode,
    pub headers: HeaderMap,
    pub body: Bytes,
}

impl Resp {
    pub fn json(&self) -> Value {
        serde_json::from_slice(&self.body)
            .unwrap_or_else(|e| panic!("not JSON ({e}): {}", String::from_utf8_lossy(&self.body)))
    }

    pub fn text(&self) -> String {
        String::from_utf8_lossy(&self.body).into_owned()
    }

    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).and_then(|v| v.to_str().ok())
    }
}

/// A client for one server.
#[derive(Clone, Debug)]
pub struct Client {
    base: String,
    token: Option<String>,
    inner: HyperClient<HttpsConnector<HttpConnector>, Full<Bytes>>,
}

fn tls_config(ca_pem: Option<&str>) -> rustls::ClientConfig {
    let mut roots = rustls::RootCertStore::empty();
    if let Some(pem) = ca_pem {
        let b64: String = pem.lines().filter(|l| !l.starts_with("-----")).collect();
        let der = base64::Engine::decode(&base64::engine::general_purpose::STANDARD, b64)
            .expect("CA PEM");
        roots
            .add(rustls::pki_types::CertificateDer::from(der))
            .expect("CA cert");
    }
    let provider = std::sync::Arc::new(rustls::crypto::ring::default_provider());
    rustls::ClientConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .expect("protocol versions")
        .with_root_certificates(roots)
        .with_no_client_auth()
}

impl Client {
    pub fn new(server: &TestServer) -> Self {
        Self::with_http2(server, false)
    }

    pub fn with_http2(server: &TestServer, h2: bool) -> Self {
        let b = HttpsConnectorBuilder::new()
            .with_tls_config(tls_config(server.ca_pem()))
            .https_or_http();
        let conn = if h2 {
            b.enable_http2().build()
        } else {
            b.enable_http1().build()
        };
        let mut builder = HyperClient::builder(TokioExecutor::new());
        if h2 {
            builder.http2_only(true);
        }
        Self {
            base: server.url().to_owned(),
            token: server.token().map(str::to_owned),
            inner: builder.build(conn),
        }
    }

    pub fn without_token(mut self) -> Self {
        self.token = None;
        self
    }

    pub fn with_token(mut self, t: &str) -> Self {
        self.token = Some(t.to_owned());
        self
    }

    pub async fn send_raw(
        &self,
        method: Method,
        path: &str,
        headers: &[(&str, &str)],
        body: Vec<u8>,
    ) -> http::Response<Incoming> {
        let mut req = Request::builder()
            .method(method)
            .uri(format!("{}{path}", self.base));
        if let Some(t) = &self.token {
            req = req.header("authorization", format!("Bearer {t}"));
        }
        for (k, v) in headers {
            req = req.header(*k, *v);
        }
        let req = req.body(Full::new(Bytes::from(body))).expect("request");
        tokio::time::timeout(Duration::from_secs(20), self.inner.request(req))
            .await
            .expect("response in time")
            .expect("request failed")
    }

    pub async fn send(
        &self,
        method: Method,
        path: &str,
        headers: &[(&str, &str)],
        body: Vec<u8>,
    ) -> Resp {
        let r = self.send_raw(method, path, headers, body).await;
        let (parts, body) = r.into_parts();
        let body = tokio::time::timeout(Duration::from_secs(20), body.collect())
            .await
            .expect("body in time")
            .expect("body")
            .to_bytes();
        Resp {
            status: parts.status,
            headers: parts.headers,
            body,
        }
    }

    pub async fn get(&self, path: &str) -> Resp {
        self.send(Method::GET, path, &[], Vec::new()).await
    }

    pub async fn post(&self, path: &str, body: &Value) -> Resp {
        self.send(
            Method::POST,
            path,
            &[("content-type", "application/json")],
            body.to_string().into_bytes(),
        )
        .await
    }

    pub async fn put(&self, path: &str, body: &Value) -> Resp {
        self.send(
            Method::PUT,
            path,
            &[("content-type", "application/json")],
            body.to_string().into_bytes(),
        )
        .await
    }

    pub async fn patch(&self, path: &str, content_type: &str, body: &Value) -> Resp {
        self.send(
            Method::PATCH,
            path,
            &[("content-type", content_type)],
            body.to_string().into_bytes(),
        )
        .await
    }

    pub async fn delete(&self, path: &str) -> Resp {
        self.send(Method::DELETE, path, &[], Vec::new()).await
    }

    pub async fn delete_with(&self, path: &str, body: &Value) -> Resp {
        self.send(
            Method::DELETE,
            path,
            &[("content-type", "application/json")],
            body.to_string().into_bytes(),
        )
        .await
    }

    /// Creates a ConfigMap in `ns` and returns it.
    pub async fn configmap(&self, ns: &str, name: &str, labels: Value) -> Value {
        let body = serde_json::json!({
            "apiVersion": "v1", "kind": "ConfigMap",
            "metadata": {"name": name, "labels": labels},
            "data": {"k": "v"},
        });
        let r = self
            .post(&format!("/api/v1/namespaces/{ns}/configmaps"), &body)
            .await;
        assert_eq!(r.status, StatusCode::CREATED, "{}", r.text());
        r.json()
    }

    pub async fn watch(&self, path: &str) -> Watch {
        let r = self.send_raw(Method::GET, path, &[], Vec::new()).await;
        let status = r.status();
        let headers = r.headers().clone();
        Watch {
            status,
            headers,
            body: r.into_body(),
            buf: Vec::new(),
            ended: false,
        }
    }
}

impl Watch {
    /// Reads a watch from a response already received.
    pub fn from_response(r: http::Response<Incoming>) -> Self {
        let status = r.status();
        let headers = r.headers().clone();
        Watch {
            status,
            headers,
            body: r.into_body(),
            buf: Vec::new(),
            ended: false,
        }
    }
}

/// A watch response read line by line.
#[derive(Debug)]
pub struct Watch {
    pub status: StatusCode,
    pub headers: HeaderMap,
    body: Incoming,
    buf: Vec<u8>,
    pub ended: bool,
}

/// How a read of a watch ended.
#[derive(Debug, PartialEq)]
pub enum Next {
    Event(Value),
    /// Clean end of the stream.
    End,
    /// The connection failed (dropped).
    Error,
    /// Nothing within the timeout.
    Timeout,
}

impl Watch {
    pub async fn next_within(&mut self, timeout: Duration) -> Next {
        let deadline = tokio::time::Instant::now() + timeout;
        loop {
            if let Some(pos) = self.buf.iter().position(|b| *b == b'\n') {
                let line: Vec<u8> = self.buf.drain(..=pos).collect();
                let v: Value = serde_json::from_slice(&line).unwrap_or_else(|e| {
                    panic!("bad event line ({e}): {}", String::from_utf8_lossy(&line))
                });
                return Next::Event(v);
            }
            if self.ended {
                return Next::End;
            }
            match tokio::time::timeout_at(deadline, self.body.frame()).await {
                Err(_) => return Next::Timeout,
                Ok(None) => {
                    self.ended = true;
                    if self.buf.is_empty() {
                        return Next::End;
                    }
                }
                Ok(Some(Err(_))) => return Next::Error,
                Ok(Some(Ok(f))) => {
                    if let Ok(d) = f.into_data() {
                        self.buf.extend_from_slice(&d);
                    }
                }
            }
        }
    }

    /// The next event (panics on timeout or end).
    pub async fn event(&mut self) -> Value {
        match self.next_within(Duration::from_secs(5)).await {
            Next::Event(v) => v,
            other => panic!("expected an event, got {other:?}"),
        }
    }

    /// The next non-BOOKMARK event.
    pub async fn change(&mut self) -> Value {
        loop {
            let e = self.event().await;
            if e["type"] != "BOOKMARK" {
                return e;
            }
        }
    }

    /// Asserts nothing but bookmarks arrives for `d`.
    pub async fn quiet_for(&mut self, d: Duration) {
        let deadline = tokio::time::Instant::now() + d;
        loop {
            let left = deadline.saturating_duration_since(tokio::time::Instant::now());
            if left.is_zero() {
                return;
            }
            match self.next_within(left).await {
                Next::Timeout => return,
                Next::Event(e) if e["type"] == "BOOKMARK" => continue,
                other => panic!("expected silence, got {other:?}"),
            }
        }
    }
}

/// A server over HTTPS and a client for it.
pub async fn start() -> (TestServer, Client) {
    let s = TestServer::start().await.expect("server starts");
    let c = Client::new(&s);
    (s, c)
}

/// A server built with `b` and a client for it.
pub async fn start_with(b: kapi_testserver::TestServerBuilder) -> (TestServer, Client) {
    let s = b.start().await.expect("server starts");
    let c = Client::new(&s);
    (s, c)
}

pub fn content_type(r: &Resp) -> &str {
    r.headers
        .get(CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
}

pub fn rv(v: &Value) -> u64 {
    v["metadata"]["resourceVersion"]
        .as_str()
        .and_then(|s| s.parse().ok())
        .expect("resourceVersion")
}

/// Percent-encodes a query value.
pub fn enc(s: &str) -> String {
    form_urlencoded::byte_serialize(s.as_bytes()).collect()
}

/// A namespaced `Widget` CRD (`widgets.example.com`, v1 storage + v2 served) with a schema
/// exercising validation, defaults, a status and a scale subresource, printer columns and a
/// selectable field.
pub fn widget_crd() -> Value {
    let schema = serde_json::json!({
        "type": "object",
        "description": "A widget.",
        "properties": {
            "spec": {"type": "object", "required": ["size"], "properties": {
                "size": {"type": "integer", "minimum": 1, "maximum": 10, "description": "How big."},
                "color": {"type": "string", "enum": ["red", "blue"], "default": "red"},
                "name": {"type": "string", "maxLength": 8, "pattern": "^[a-z]+$"},
                "tags": {"type": "array", "maxItems": 3, "items": {"type": "string"}, "x-kubernetes-list-type": "set"},
                "ports": {"type": "array", "x-kubernetes-list-type": "map", "x-kubernetes-list-map-keys": ["name"],
                    "items": {"type": "object", "required": ["name"], "properties": {
                        "name": {"type": "string"}, "port": {"type": "integer"}}}},
                "extra": {"type": "object", "x-kubernetes-preserve-unknown-fields": true},
                "selector": {"type": "string"},
            }},
            "status": {"type": "object", "properties": {
                "replicas": {"type": "integer"}, "selector": {"type": "string"}, "phase": {"type": "string"}}},
        },
    });
    let version = |name: &str, storage: bool| {
        serde_json::json!({
            "name": name, "served": true, "storage": storage,
            "schema": {"openAPIV3Schema": schema},
            "subresources": {"status": {}, "scale": {
                "specReplicasPath": ".spec.size", "statusReplicasPath": ".status.replicas",
                "labelSelectorPath": ".status.selector"}},
            "additionalPrinterColumns": [
                {"name": "Size", "type": "integer", "jsonPath": ".spec.size"},
                {"name": "Color", "type": "string", "jsonPath": ".spec.color"},
                {"name": "Phase", "type": "string", "jsonPath": ".status.phase", "priority": 1},
                {"name": "Age", "type": "date", "jsonPath": ".metadata.creationTimestamp"},
            ],
            "selectableFields": [{"jsonPath": ".spec.color"}],
        })
    };
    serde_json::json!({
        "apiVersion": "apiextensions.k8s.io/v1", "kind": "CustomResourceDefinition",
        "metadata": {"name": "widgets.example.com"},
        "spec": {
            "group": "example.com", "scope": "Namespaced",
            "names": {"plural": "widgets", "singular": "widget", "kind": "Widget", "shortNames": ["wd"], "categories": ["all"]},
            "versions": [version("v1", true), version("v2", false)],
        },
    })
}

pub const CRDS: &str = "/apis/apiextensions.k8s.io/v1/customresourcedefinitions";
pub const WIDGETS: &str = "/apis/example.com/v1/namespaces/default/widgets";

/// Creates a CRD and waits until its resource is served.
pub async fn install_crd(c: &Client, crd: &Value) -> Value {
    let r = c.post(CRDS, crd).await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text());
    let group = crd["spec"]["group"].as_str().unwrap();
    let version = crd["spec"]["versions"][0]["name"].as_str().unwrap();
    for _ in 0..100 {
        if c.get(&format!("/apis/{group}/{version}")).await.status == StatusCode::OK {
            return r.json();
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    panic!("CRD {} never served", crd["metadata"]["name"]);
}

/// A Widget object.
pub fn widget(name: &str, size: i64) -> Value {
    serde_json::json!({"apiVersion": "example.com/v1", "kind": "Widget", "metadata": {"name": name}, "spec": {"size": size}})
}

/// Sends a request with extra headers and a JSON body.
pub async fn send_json(
    c: &Client,
    method: Method,
    path: &str,
    headers: &[(&str, &str)],
    body: &Value,
) -> Resp {
    let mut h = vec![("content-type", "application/json")];
    h.extend_from_slice(headers);
    c.send(method, path, &h, body.to_string().into_bytes())
        .await
}

/// Server-side apply of a YAML (or JSON) document.
pub async fn apply(c: &Client, path: &str, query: &str, body: &str) -> Resp {
    c.send(
        Method::PATCH,
        &format!("{path}?{query}"),
        &[("content-type", "application/apply-patch+yaml")],
        body.as_bytes().to_vec(),
    )
    .await
}
