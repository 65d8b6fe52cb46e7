//! Rules 3.15 (`dryRun=All`), 3.16 (`fieldValidation`), 2.12 (504 for slow requests) and the
//! garbage collector of 3.13.

mod support;

use std::time::Duration;

use http::{Method, StatusCode};
use kapi_testserver::{Fault, TestServer, Verb};
use serde_json::json;
use support::{install_crd, rv, start, start_with, widget, widget_crd, Client, WIDGETS};

const CMS: &str = "/api/v1/namespaces/default/configmaps";

fn warnings(r: &support::Resp) -> Vec<String> {
    r.headers
        .get_all("warning")
        .iter()
        .map(|v| v.to_str().unwrap().to_owned())
        .collect()
}

#[tokio::test]
async fn dryrun_3_15_every_verb_stores_nothing() {
    let (s, c) = start().await;
    let existing = c.configmap("default", "keep", json!({})).await;
    let mut watch = c
        .watch(&format!("{CMS}?watch=1&resourceVersion={}", rv(&existing)))
        .await;
    let before = s.resource_version();
    let gen =
        json!({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"generateName": "gen-"}});
    let r = c.post(&format!("{CMS}?dryRun=All"), &gen).await;
    assert_eq!(r.status, StatusCode::CREATED);
    let o = r.json();
    assert!(o["metadata"]["name"].as_str().unwrap().starts_with("gen-"));
    assert!(o["metadata"]["uid"].is_string() && o["metadata"]["creationTimestamp"].is_string());
    assert!(o["metadata"].get("resourceVersion").is_none(), "{o}");
    let mut upd = existing.clone();
    upd["data"] = json!({"changed": "yes"});
    let r = c.put(&format!("{CMS}/keep?dryRun=All"), &upd).await;
    assert_eq!(r.json()["data"]["changed"], "yes");
    let r = c
        .patch(
            &format!("{CMS}/keep?dryRun=All"),
            "application/merge-patch+json",
            &json!({"data": {"p": "1"}}),
        )
        .await;
    assert_eq!(r.json()["data"]["p"], "1");
    let r = c.delete(&format!("{CMS}/keep?dryRun=All")).await;
    assert_eq!(r.status, StatusCode::OK);
    let r = c.delete(&format!("{CMS}?dryRun=All")).await;
    assert_eq!(r.status, StatusCode::OK);
    assert_eq!(s.resource_version(), before, "nothing was written");
    assert_eq!(c.get(&format!("{CMS}/keep")).await.json(), existing);
    watch.quiet_for(Duration::from_millis(300)).await;
    // Full validation still happens; other values are rejected.
    let r = c
        .post(
            &format!("{CMS}?dryRun=All"),
            &json!({"metadata": {"name": "Bad_Name"}}),
        )
        .await;
    assert_eq!(r.status.as_u16(), 422);
    let r = c.post(&format!("{CMS}?dryRun=Some"), &gen).await;
    assert_eq!(r.status.as_u16(), 422);
    assert_eq!(r.json()["details"]["causes"][0]["field"], "dryRun");
    // A dry-run CRD is not served.
    let r = c
        .post(&format!("{}?dryRun=All", support::CRDS), &widget_crd())
        .await;
    assert_eq!(r.status, StatusCode::CREATED);
    assert_eq!(
        c.get("/apis/example.com/v1").await.status,
        StatusCode::NOT_FOUND
    );
}

#[tokio::test]
async fn fieldvalidation_3_16_strict_warn_ignore() {
    let (_s, c) = start().await;
    let body = json!({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "a", "bogus": 1}, "data": {"k": "v"}, "spec": {"foo": 1}});
    let r = c
        .post(&format!("{CMS}?fieldValidation=Strict"), &body)
        .await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
    assert_eq!(
        r.json()["message"],
        "strict decoding error: unknown field \"metadata.bogus\", unknown field \"spec\""
    );
    let r = c.post(CMS, &body).await;
    assert_eq!(r.status, StatusCode::CREATED);
    assert_eq!(
        warnings(&r),
        [
            "299 - \"unknown field \\\"metadata.bogus\\\"\"",
            "299 - \"unknown field \\\"spec\\\"\""
        ]
    );
    assert!(r.json().get("spec").is_none(), "unknown fields are dropped");
    let mut b = body.clone();
    b["metadata"]["name"] = json!("b");
    let r = c.post(&format!("{CMS}?fieldValidation=Ignore"), &b).await;
    assert_eq!(r.status, StatusCode::CREATED);
    assert!(warnings(&r).is_empty());
    assert!(r.json().get("spec").is_none());
    let r = c.post(&format!("{CMS}?fieldValidation=Loose"), &b).await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
    // Duplicate fields.
    let dup = br#"{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"d"},"data":{"k":"1","k":"2"}}"#;
    let ct = [("content-type", "application/json")];
    let r = c
        .send(
            Method::POST,
            &format!("{CMS}?fieldValidation=Strict"),
            &ct,
            dup.to_vec(),
        )
        .await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
    assert_eq!(
        r.json()["message"],
        "strict decoding error: duplicate field \"data.k\""
    );
    let r = c.send(Method::POST, CMS, &ct, dup.to_vec()).await;
    assert_eq!(r.status, StatusCode::CREATED);
    assert_eq!(warnings(&r), ["299 - \"duplicate field \\\"data.k\\\"\""]);
    // Patches and custom resources too.
    let r = c
        .patch(
            &format!("{CMS}/a?fieldValidation=Strict"),
            "application/merge-patch+json",
            &json!({"nope": 1}),
        )
        .await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
    install_crd(&c, &widget_crd()).await;
    let mut w = widget("w", 1);
    w["spec"]["foo"] = json!(1);
    let r = c
        .post(&format!("{WIDGETS}?fieldValidation=Strict"), &w)
        .await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
    assert_eq!(
        r.json()["message"],
        "strict decoding error: unknown field \"spec.foo\""
    );
}

#[tokio::test]
async fn timeout_2_12_slow_requests_answer_504() {
    let (s, c) =
        start_with(TestServer::builder().request_timeout(Duration::from_millis(300))).await;
    let id = s.faults().inject(
        Fault::slow_headers(Duration::from_secs(2))
            .resource("configmaps")
            .verb(Verb::List),
    );
    let r = c.get(CMS).await;
    assert_eq!(r.status, StatusCode::GATEWAY_TIMEOUT);
    assert_eq!(r.json()["reason"], "Timeout");
    assert_eq!(s.faults().fired(id), 1);
    // A request's own shorter timeout.
    s.faults().clear();
    s.faults().inject(
        Fault::slow_headers(Duration::from_millis(200))
            .resource("secrets")
            .times(1),
    );
    let r = c
        .get("/api/v1/namespaces/default/secrets?timeout=50ms")
        .await;
    assert_eq!(r.status, StatusCode::GATEWAY_TIMEOUT);
    // Watches are long-running: no limit.
    let mut w = c.watch(&format!("{CMS}?watch=1&timeoutSeconds=1")).await;
    assert_eq!(w.status, StatusCode::OK);
    tokio::time::sleep(Duration::from_millis(500)).await;
    c.configmap("default", "late", json!({})).await;
    assert_eq!(w.change().await["type"], "ADDED");
}

async fn gone(c: &Client, path: &str) -> bool {
    for _ in 0..100 {
        if c.get(path).await.status == StatusCode::NOT_FOUND {
            return true;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    false
}

#[tokio::test]
async fn gc_3_13_dangling_owners_and_foreground() {
    let (s, c) = start().await;
    // A dependent whose owner is gone is collected, even when created after the owner's deletion.
    let ghost = c.configmap("default", "ghost", json!({})).await;
    c.delete(&format!("{CMS}/ghost")).await;
    let mut d = json!({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "orphan",
        "ownerReferences": [{"apiVersion": "v1", "kind": "ConfigMap", "name": "ghost", "uid": ghost["metadata"]["uid"]}]}});
    c.post(CMS, &d).await;
    assert!(gone(&c, &format!("{CMS}/orphan")).await);
    // Fixtures pointing at owners the server never held are left alone.
    s.insert([json!({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "fixture", "namespace": "default",
        "ownerReferences": [{"apiVersion": "v1", "kind": "ConfigMap", "name": "x", "uid": "00000000-0000-0000-0000-000000000000"}]}})])
        .unwrap();
    tokio::time::sleep(Duration::from_millis(700)).await;
    assert_eq!(
        c.get(&format!("{CMS}/fixture")).await.status,
        StatusCode::OK
    );
    // Foreground: dependents (and theirs) first, then the owner.
    let owner = c.configmap("default", "owner", json!({})).await;
    let oref = |o: &serde_json::Value, block: bool| json!([{"apiVersion": "v1", "kind": "ConfigMap", "name": o["metadata"]["name"], "uid": o["metadata"]["uid"], "blockOwnerDeletion": block}]);
    d["metadata"] = json!({"name": "child", "ownerReferences": oref(&owner, true), "finalizers": ["example.com/hold"]});
    let child = c.post(CMS, &d).await.json();
    d["metadata"] = json!({"name": "grandchild", "ownerReferences": oref(&child, true)});
    c.post(CMS, &d).await;
    let r = c
        .delete_with(
            &format!("{CMS}/owner"),
            &json!({"propagationPolicy": "Foreground"}),
        )
        .await;
    assert_eq!(
        r.json()["metadata"]["finalizers"],
        json!(["foregroundDeletion"])
    );
    assert!(gone(&c, &format!("{CMS}/grandchild")).await);
    // The child is held by its own finalizer; the owner waits for it.
    tokio::time::sleep(Duration::from_millis(200)).await;
    assert_eq!(c.get(&format!("{CMS}/owner")).await.status, StatusCode::OK);
    assert!(
        c.get(&format!("{CMS}/child")).await.json()["metadata"]["deletionTimestamp"].is_string()
    );
    c.patch(
        &format!("{CMS}/child"),
        "application/merge-patch+json",
        &json!({"metadata": {"finalizers": null}}),
    )
    .await;
    assert!(gone(&c, &format!("{CMS}/child")).await);
    assert!(gone(&c, &format!("{CMS}/owner")).await);
}
