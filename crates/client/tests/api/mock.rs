//! Requests the test server does not serve yet (logs, eviction, token requests, tables,
//! server-side apply), checked against a small local HTTP server that records what it got
//! and answers like the API server does.

use std::convert::Infallible;
use std::sync::{Arc, Mutex};

use bytes::Bytes;
use futures::TryStreamExt;
use http_body_util::{BodyExt, Full, StreamBody};
use hyper::body::Frame;
use hyper_util::rt::{TokioExecutor, TokioIo};
use kapi_api::apps::v1::Deployment;
use kapi_api::authentication::v1::{TokenRequest, TokenRequestSpec};
use kapi_api::core::v1::{Pod, ServiceAccount};
use kapi_apimachinery::options::{CreateOptions, DeleteOptions, ListOptions, PatchOptions};
use kapi_client::{Api, Client, Config, LogParams, Patch, RateLimit};
use serde_json::json;

/// One request as the mock saw it.
#[derive(Clone, Debug)]
struct Seen {
    method: String,
    path_and_query: String,
    accept: String,
    content_type: String,
    body: String,
}

type BoxBody = http_body_util::combinators::BoxBody<Bytes, Infallible>;

/// Serves `answer(seen)` for every request; returns a client and the record.
async fn mock(
    answer: impl Fn(&Seen) -> (u16, BoxBody) + Send + Sync + 'static,
) -> (Client, Arc<Mutex<Vec<Seen>>>) {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let addr = listener.local_addr().expect("addr");
    let seen = Arc::new(Mutex::new(Vec::new()));
    let record = Arc::clone(&seen);
    let answer = Arc::new(answer);
    tokio::spawn(async move {
        while let Ok((stream, _)) = listener.accept().await {
            let record = Arc::clone(&record);
            let answer = Arc::clone(&answer);
            tokio::spawn(async move {
                let svc =
                    hyper::service::service_fn(move |req: http::Request<hyper::body::Incoming>| {
                        let record = Arc::clone(&record);
                        let answer = Arc::clone(&answer);
                        async move {
                            let header = |n: &str| {
                                req.headers()
                                    .get(n)
                                    .and_then(|v| v.to_str().ok())
                                    .unwrap_or("")
                                    .to_owned()
                            };
                            let (accept, content_type) = (header("accept"), header("content-type"));
                            let method = req.method().to_string();
                            let path_and_query = req
                                .uri()
                                .path_and_query()
                                .map(ToString::to_string)
                                .unwrap_or_default();
                            let body = req
                                .into_body()
                                .collect()
                                .await
                                .map(http_body_util::Collected::to_bytes)
                                .unwrap_or_default();
                            let s = Seen {
                                method,
                                path_and_query,
                                accept,
                                content_type,
                                body: String::from_utf8_lossy(&body).into_owned(),
                            };
                            let (code, body) = answer(&s);
                            record.lock().expect("lock").push(s);
                            Ok::<_, Infallible>(
                                http::Response::builder()
                                    .status(code)
                                    .header("content-type", "application/json")
                                    .body(body)
                                    .expect("response"),
                            )
                        }
                    });
                let _ = hyper_util::server::conn::auto::Builder::new(TokioExecutor::new())
                    .serve_connection(TokioIo::new(stream), svc)
                    .await;
            });
        }
    });
    let mut config = Config::from_url(&format!("http://{addr}")).expect("config");
    config.rate_limit = RateLimit::disabled();
    config.proxy = kapi_client::Proxy::None;
    (Client::new(config).expect("client"), seen)
}

fn full(text: impl Into<Bytes>) -> BoxBody {
    Full::new(text.into()).boxed()
}

fn last(seen: &Arc<Mutex<Vec<Seen>>>) -> Seen {
    seen.lock()
        .expect("lock")
        .last()
        .cloned()
        .expect("a request")
}

#[tokio::test]
async fn pod_logs_whole_and_streamed() {
    let (client, seen) = mock(|s| {
        if s.path_and_query.contains("follow=true") {
            let chunks =
                ["line 1\nli", "ne 2\n", "\n", "last"].map(|c| Ok(Frame::data(Bytes::from(c))));
            (200, StreamBody::new(futures::stream::iter(chunks)).boxed())
        } else {
            (200, full("one\ntwo\n"))
        }
    })
    .await;
    let pods: Api<Pod> = Api::namespaced(client, "ns");
    let params = LogParams {
        container: Some("app".into()),
        tail_lines: Some(10),
        timestamps: true,
        follow: true,
        ..LogParams::default()
    };
    assert_eq!(
        pods.logs("web-0", &params).await.expect("logs"),
        "one\ntwo\n"
    );
    let s = last(&seen);
    assert_eq!(s.method, "GET");
    assert_eq!(
        s.path_and_query,
        "/api/v1/namespaces/ns/pods/web-0/log?container=app&timestamps=true&tailLines=10"
    );
    let lines: Vec<String> = pods
        .log_stream("web-0", &params)
        .await
        .expect("stream")
        .lines()
        .try_collect()
        .await
        .expect("lines");
    assert_eq!(lines, ["line 1", "line 2", "", "last"]);
    assert!(last(&seen).path_and_query.contains("follow=true"));
}

#[tokio::test]
async fn pod_eviction_posts_an_eviction() {
    let (client, seen) = mock(|_| {
        (201, full(r#"{"kind":"Status","apiVersion":"v1","metadata":{},"status":"Success","code":201}"#))
    })
    .await;
    let pods: Api<Pod> = Api::namespaced(client, "ns");
    let status = pods
        .evict(
            "web-0",
            &DeleteOptions {
                grace_period_seconds: Some(5),
                ..DeleteOptions::default()
            },
        )
        .await
        .expect("evict");
    assert!(status.is_success());
    let s = last(&seen);
    assert_eq!(
        (s.method.as_str(), s.path_and_query.as_str()),
        ("POST", "/api/v1/namespaces/ns/pods/web-0/eviction")
    );
    let body: serde_json::Value = serde_json::from_str(&s.body).expect("json");
    assert_eq!(body["kind"], "Eviction");
    assert_eq!(body["apiVersion"], "policy/v1");
    assert_eq!(
        body["metadata"],
        json!({"name": "web-0", "namespace": "ns"})
    );
    assert_eq!(body["deleteOptions"]["gracePeriodSeconds"], 5);
}

#[tokio::test]
async fn service_account_token_requests() {
    let (client, seen) = mock(|s| {
        let mut answer: serde_json::Value = serde_json::from_str(&s.body).unwrap_or_default();
        answer["status"] =
            json!({"token": "header.payload.sig", "expirationTimestamp": "2030-01-01T00:00:00Z"});
        (201, full(answer.to_string()))
    })
    .await;
    let sas: Api<ServiceAccount> = Api::namespaced(client, "ns");
    let req = TokenRequest {
        spec: Some(TokenRequestSpec {
            audiences: vec!["vault".into()].into(),
            expiration_seconds: Some(600),
            ..TokenRequestSpec::default()
        }),
        ..TokenRequest::default()
    };
    let out = sas
        .create_token("builder", &CreateOptions::default(), &req)
        .await
        .expect("token");
    assert_eq!(
        out.status.and_then(|s| s.token).as_deref(),
        Some("header.payload.sig")
    );
    let s = last(&seen);
    assert_eq!(
        s.path_and_query,
        "/api/v1/namespaces/ns/serviceaccounts/builder/token"
    );
    assert!(s.body.contains(r#""audiences":["vault"]"#), "{}", s.body);
}

#[tokio::test]
async fn server_side_apply_sends_apply_patch_yaml_with_manager_and_force() {
    let (client, seen) = mock(|_| {
        (
            200,
            full(r#"{"apiVersion":"apps/v1","kind":"Deployment","metadata":{"name":"web"}}"#),
        )
    })
    .await;
    let deploys: Api<Deployment> = Api::namespaced(client, "ns");
    let intent = json!({"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": "web"}, "spec": {"replicas": 2}});
    let opts = PatchOptions {
        dry_run: true,
        ..PatchOptions::apply("ctl").force()
    };
    deploys
        .patch("web", &opts, &Patch::Apply(&intent))
        .await
        .expect("apply");
    let s = last(&seen);
    assert_eq!(s.method, "PATCH");
    assert_eq!(s.content_type, "application/apply-patch+yaml");
    assert_eq!(
        s.path_and_query,
        "/apis/apps/v1/namespaces/ns/deployments/web?dryRun=All&fieldManager=ctl&force=true"
    );
    assert_eq!(
        serde_json::from_str::<serde_json::Value>(&s.body).expect("json"),
        intent
    );
    for (patch, ct) in [
        (Patch::Json(&intent), "application/json-patch+json"),
        (Patch::Merge(&intent), "application/merge-patch+json"),
        (
            Patch::Strategic(&intent),
            "application/strategic-merge-patch+json",
        ),
    ] {
        deploys
            .patch("web", &PatchOptions::default(), &patch)
            .await
            .expect("patch");
        assert_eq!(last(&seen).content_type, ct);
    }
    deploys
        .patch_status("web", &PatchOptions::apply("ctl"), &Patch::Apply(&intent))
        .await
        .expect("status");
    assert_eq!(
        last(&seen).path_and_query,
        "/apis/apps/v1/namespaces/ns/deployments/web/status?fieldManager=ctl"
    );
}

#[tokio::test]
async fn tables_and_metadata_accept_headers() {
    let table = json!({
        "kind": "Table", "apiVersion": "meta.k8s.io/v1", "metadata": {"resourceVersion": "9"},
        "columnDefinitions": [{"name": "Name", "type": "string", "format": "name", "description": "", "priority": 0}],
        "rows": [{"cells": ["web-0"], "object": {"kind": "PartialObjectMetadata", "apiVersion": "meta.k8s.io/v1", "metadata": {"name": "web-0"}}}]
    });
    let (client, seen) = mock(move |s| {
        if s.accept.contains("as=Table") {
            (200, full(table.to_string()))
        } else {
            (
                200,
                full(r#"{"kind":"PodList","apiVersion":"v1","metadata":{},"items":[]}"#),
            )
        }
    })
    .await;
    let pods: Api<Pod> = Api::namespaced(client.clone(), "ns");
    let t = pods
        .list_table(&ListOptions::default().limit(5))
        .await
        .expect("table");
    assert_eq!(t.column_definitions[0].name, "Name");
    assert_eq!(t.rows[0].cells[0], "web-0");
    let s = last(&seen);
    assert_eq!(s.accept, kapi_apimachinery::meta::TABLE_ACCEPT);
    assert_eq!(s.path_and_query, "/api/v1/namespaces/ns/pods?limit=5");
    pods.get_table("web-0").await.expect("one row");
    assert_eq!(
        last(&seen).path_and_query,
        "/api/v1/namespaces/ns/pods/web-0"
    );

    let meta = Api::<kapi_apimachinery::meta::PartialObjectMetadata>::metadata(
        client,
        &<Pod as kapi_apimachinery::Resource>::INFO,
        Some("ns"),
    );
    meta.list(&ListOptions::default()).await.expect("list");
    assert_eq!(
        last(&seen).accept,
        kapi_apimachinery::meta::PARTIAL_OBJECT_METADATA_LIST_ACCEPT
    );
}

#[tokio::test]
async fn a_list_instead_of_a_table_is_a_decode_error() {
    let (client, _) = mock(|_| {
        (
            200,
            full(r#"{"kind":"PodList","apiVersion":"v1","metadata":{},"items":[]}"#),
        )
    })
    .await;
    let pods: Api<Pod> = Api::namespaced(client, "ns");
    let err = pods
        .list_table(&ListOptions::default())
        .await
        .expect_err("not a table");
    assert!(err.is_decode(), "{err}");
}
