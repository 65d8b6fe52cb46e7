//! Spec §8 fault injection, and §5 errors (Status shape, Retry-After, 401): each fault
//! switched on and off at run time, scoped by resource and verb, and counted.

mod support;

use std::time::{Duration, Instant};

use http::StatusCode;
use kapi_testserver::{Fault, FaultKind, TestServer, Verb};
use serde_json::json;
use support::{start, start_with, Client, Next};

const CMS: &str = "/api/v1/namespaces/default/configmaps";

#[tokio::test]
async fn errors_5_1_status_shape_and_retry_after() {
    let (s, c) = start().await;
    let id = s.faults().inject(
        Fault::too_many_requests(3)
            .resource("configmaps")
            .verb(Verb::List),
    );
    let r = c.get(CMS).await;
    assert_eq!(r.status, StatusCode::TOO_MANY_REQUESTS);
    assert_eq!(r.header("retry-after"), Some("3"));
    let st = r.json();
    assert_eq!(st["kind"], "Status");
    assert_eq!(st["apiVersion"], "v1");
    assert_eq!(st["metadata"], json!({}));
    assert_eq!(st["status"], "Failure");
    assert_eq!(st["reason"], "TooManyRequests");
    assert_eq!(st["code"], 429);
    assert_eq!(st["details"]["retryAfterSeconds"], 3);
    // Scoped: other verbs and resources are untouched.
    assert_eq!(
        c.get("/api/v1/namespaces/default/secrets").await.status,
        StatusCode::OK
    );
    c.configmap("default", "a", json!({})).await;
    assert_eq!(c.get(&format!("{CMS}/a")).await.status, StatusCode::OK);
    assert_eq!(s.faults().fired(id), 1);
    s.faults().remove(id);
    assert_eq!(c.get(CMS).await.status, StatusCode::OK);
    assert_eq!(s.faults().fired(id), 1);
}

#[tokio::test]
async fn errors_5_2_auth_401() {
    let s = TestServer::builder().token("s3cret").start().await.unwrap();
    let c = Client::new(&s);
    assert_eq!(c.get("/api/v1/namespaces").await.status, StatusCode::OK);
    let r = c.clone().without_token().get("/api/v1/namespaces").await;
    assert_eq!(r.status, StatusCode::UNAUTHORIZED);
    assert_eq!(r.json()["reason"], "Unauthorized");
    assert_eq!(
        c.clone().with_token("wrong").get("/api").await.status,
        StatusCode::UNAUTHORIZED
    );
    assert_eq!(
        c.without_token().get("/healthz").await.status,
        StatusCode::OK
    );
    assert!(s.kubeconfig().contains("token: s3cret"));
}

#[tokio::test]
async fn faults_8_server_errors_with_and_without_retry_after_and_times() {
    let (s, c) = start().await;
    let f = s.faults();
    let a = f.inject(Fault::status(503).retry_after(2).verb(Verb::Get).times(2));
    let b = f.inject(Fault::status(500).resource("secrets"));
    let d = f.inject(Fault::status(504).resource("pods").verb(Verb::List));
    let r = c.get("/api/v1/namespaces/default").await;
    assert_eq!(r.status, StatusCode::SERVICE_UNAVAILABLE);
    assert_eq!(r.header("retry-after"), Some("2"));
    assert_eq!(
        c.get("/api/v1/namespaces/default").await.status,
        StatusCode::SERVICE_UNAVAILABLE
    );
    assert_eq!(
        c.get("/api/v1/namespaces/default").await.status,
        StatusCode::OK,
        "only twice"
    );
    let r = c.get("/api/v1/namespaces/default/secrets").await;
    assert_eq!(r.status, StatusCode::INTERNAL_SERVER_ERROR);
    assert!(r.header("retry-after").is_none());
    assert_eq!(r.json()["reason"], "InternalError");
    let r = c.get("/api/v1/pods").await;
    assert_eq!(r.status, StatusCode::GATEWAY_TIMEOUT);
    assert_eq!(r.json()["reason"], "Timeout");
    assert_eq!((f.fired(a), f.fired(b), f.fired(d)), (2, 1, 1));
    f.clear();
    assert_eq!(c.get("/api/v1/pods").await.status, StatusCode::OK);
}

#[tokio::test]
async fn faults_8_forced_expired_for_lists_and_watches() {
    let (s, c) = start().await;
    let id = s.faults().inject(Fault::expired().resource("configmaps"));
    let r = c.get(&format!("{CMS}?limit=1")).await;
    assert_eq!(r.status, StatusCode::GONE);
    assert_eq!(r.json()["reason"], "Expired");
    let now = s.resource_version();
    let mut w = c
        .watch(&format!("{CMS}?watch=1&resourceVersion={now}"))
        .await;
    assert_eq!(w.status, StatusCode::OK);
    let e = w.event().await;
    assert_eq!(e["type"], "ERROR");
    assert_eq!(e["object"]["code"], 410);
    assert_eq!(w.next_within(Duration::from_secs(2)).await, Next::End);
    assert_eq!(s.faults().fired(id), 2);
}

#[tokio::test]
async fn faults_8_drop_and_close_watches() {
    let (s, c) = start_with(TestServer::builder().http()).await;
    let f = s.faults();
    let now = s.resource_version();
    let drop_id = f.inject(Fault::drop_watch_after(2).resource("configmaps").times(1));
    let mut dropped = c
        .watch(&format!("{CMS}?watch=1&resourceVersion={now}"))
        .await;
    let close_id = f.inject(Fault::close_watch_after(1).resource("configmaps").times(1));
    let mut closed = c
        .watch(&format!("{CMS}?watch=1&resourceVersion={now}"))
        .await;
    // Read as events come, as a client does.
    c.configmap("default", "a", json!({})).await;
    assert!(matches!(
        closed.next_within(Duration::from_secs(2)).await,
        Next::Event(_)
    ));
    assert_eq!(
        closed.next_within(Duration::from_secs(2)).await,
        Next::End,
        "clean end"
    );
    assert!(matches!(
        dropped.next_within(Duration::from_secs(2)).await,
        Next::Event(_)
    ));
    c.configmap("default", "b", json!({})).await;
    let second = dropped.next_within(Duration::from_secs(2)).await;
    assert!(matches!(second, Next::Event(_)), "{second:?}");
    c.configmap("default", "c", json!({})).await;
    assert_eq!(
        dropped.next_within(Duration::from_secs(2)).await,
        Next::Error,
        "connection aborted"
    );
    assert_eq!((f.fired(drop_id), f.fired(close_id)), (1, 1));
}

#[tokio::test]
async fn faults_8_random_drops_are_seeded() {
    async fn events_before_drop(seed: u64) -> usize {
        let (s, c) = start().await;
        for i in 0..40 {
            c.configmap("default", &format!("cm-{i}"), json!({})).await;
        }
        s.faults().inject(Fault::drop_watch_randomly(0.2, seed));
        let mut w = c.watch(&format!("{CMS}?watch=1")).await;
        let mut n = 0;
        loop {
            match w.next_within(Duration::from_secs(2)).await {
                Next::Event(_) => n += 1,
                Next::Error => return n,
                other => panic!("expected a drop, got {other:?} after {n}"),
            }
        }
    }
    assert_eq!(events_before_drop(7).await, events_before_drop(7).await);
}

#[tokio::test]
async fn faults_8_slow_headers_and_body() {
    let (s, c) = start().await;
    let id = s.faults().inject(
        Fault::slow_headers(Duration::from_millis(300))
            .verb(Verb::Get)
            .times(1),
    );
    let t = Instant::now();
    assert_eq!(
        c.get("/api/v1/namespaces/default").await.status,
        StatusCode::OK
    );
    assert!(t.elapsed() >= Duration::from_millis(290));
    assert_eq!(s.faults().fired(id), 1);
    s.faults()
        .inject(Fault::slow_body(Duration::from_millis(300)).verb(Verb::List));
    let t = Instant::now();
    let r = c.get("/api/v1/namespaces").await;
    assert_eq!(r.status, StatusCode::OK);
    assert_eq!(r.json()["kind"], "NamespaceList");
    assert!(t.elapsed() >= Duration::from_millis(290));
}

#[tokio::test]
async fn faults_8_watch_list_without_end_bookmark() {
    let (s, c) = start().await;
    c.configmap("default", "a", json!({})).await;
    s.faults()
        .inject(Fault::no_initial_events_end().resource("configmaps"));
    let q =
        "watch=1&sendInitialEvents=true&resourceVersionMatch=NotOlderThan&allowWatchBookmarks=true";
    let mut w = c.watch(&format!("{CMS}?{q}")).await;
    assert_eq!(w.event().await["type"], "ADDED");
    assert_eq!(
        w.next_within(Duration::from_millis(400)).await,
        Next::Timeout,
        "the end bookmark never comes"
    );
    assert!(matches!(
        Fault::no_initial_events_end().kind(),
        FaultKind::NoInitialEventsEnd
    ));
}

#[tokio::test]
async fn faults_8_refuse_connections_keeps_state() {
    let (s, c) = start_with(TestServer::builder().http()).await;
    c.configmap("default", "kept", json!({})).await;
    let mut w = c
        .watch(&format!(
            "{CMS}?watch=1&resourceVersion={}",
            s.resource_version()
        ))
        .await;
    s.faults().refuse_connections(Duration::from_millis(500));
    tokio::time::sleep(Duration::from_millis(100)).await;
    let refused = tokio::net::TcpStream::connect(s.address()).await;
    assert!(refused.is_err(), "connections are refused");
    assert!(
        matches!(
            w.next_within(Duration::from_secs(1)).await,
            Next::Error | Next::End
        ),
        "open watches are cut"
    );
    tokio::time::sleep(Duration::from_millis(600)).await;
    let fresh = Client::new(&s);
    assert_eq!(
        fresh.get(&format!("{CMS}/kept")).await.status,
        StatusCode::OK
    );
}
