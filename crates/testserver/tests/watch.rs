//! Rules 1.2 and 2.7–2.13: watch start modes, watch-list, 410 ERROR events, framing,
//! bookmarks, timeouts, selector transitions, and slow watchers.

mod support;

use std::time::Duration;

use http::StatusCode;
use kapi_testserver::TestServer;
use serde_json::json;
use support::{enc, rv, start, start_with, Next};

const CMS: &str = "/api/v1/namespaces/default/configmaps";

#[tokio::test]
async fn watch_2_7_rv_unset_sends_current_state_then_changes() {
    let (_s, c) = start().await;
    c.configmap("default", "a", json!({})).await;
    let mut w = c.watch(&format!("{CMS}?watch=true")).await;
    assert_eq!(w.status, StatusCode::OK);
    let e = w.event().await;
    assert_eq!(e["type"], "ADDED");
    assert_eq!(e["object"]["metadata"]["name"], "a");
    c.configmap("default", "b", json!({})).await;
    assert_eq!(w.event().await["object"]["metadata"]["name"], "b");
    let mut w0 = c.watch(&format!("{CMS}?watch=1&resourceVersion=0")).await;
    assert_eq!(w0.event().await["type"], "ADDED");
    assert_eq!(w0.event().await["type"], "ADDED");
}

#[tokio::test]
async fn watch_2_7_from_rv_sends_only_later_events() {
    let (_s, c) = start().await;
    let a = c.configmap("default", "a", json!({})).await;
    c.configmap("default", "b", json!({})).await;
    let mut w = c
        .watch(&format!("{CMS}?watch=1&resourceVersion={}", rv(&a)))
        .await;
    let e = w.event().await;
    assert_eq!(e["type"], "ADDED");
    assert_eq!(e["object"]["metadata"]["name"], "b");
    w.quiet_for(Duration::from_millis(200)).await;
    let bad = c.get(&format!("{CMS}?watch=1&continue=abc")).await;
    assert_eq!(bad.status, StatusCode::BAD_REQUEST);
}

#[tokio::test]
async fn watch_2_9_future_rv_waits() {
    let (s, c) = start().await;
    let future = s.resource_version() + 2;
    let mut w = c
        .watch(&format!("{CMS}?watch=1&resourceVersion={future}"))
        .await;
    assert_eq!(w.status, StatusCode::OK);
    c.configmap("default", "a", json!({})).await; // rv future-1
    c.configmap("default", "b", json!({})).await; // rv future
    c.configmap("default", "c", json!({})).await; // rv future+1
    let e = w.event().await;
    assert_eq!(e["object"]["metadata"]["name"], "c");
}

#[tokio::test]
async fn watch_2_8_watch_list_with_end_bookmark() {
    let (_s, c) = start().await;
    c.configmap("default", "a", json!({})).await;
    c.configmap("default", "b", json!({})).await;
    let q =
        "watch=1&sendInitialEvents=true&resourceVersionMatch=NotOlderThan&allowWatchBookmarks=true";
    let mut w = c.watch(&format!("{CMS}?{q}")).await;
    assert_eq!(w.event().await["type"], "ADDED");
    assert_eq!(w.event().await["type"], "ADDED");
    let b = w.event().await;
    assert_eq!(b["type"], "BOOKMARK");
    assert_eq!(b["object"]["kind"], "ConfigMap");
    assert_eq!(b["object"]["apiVersion"], "v1");
    assert_eq!(
        b["object"]["metadata"]["annotations"]["k8s.io/initial-events-end"],
        "true"
    );
    assert!(b["object"]["metadata"]["resourceVersion"]
        .as_str()
        .is_some());
    c.configmap("default", "c", json!({})).await;
    assert_eq!(w.change().await["object"]["metadata"]["name"], "c");
    // The rules around it.
    for bad in [
        "watch=1&sendInitialEvents=true&allowWatchBookmarks=true",
        "watch=1&sendInitialEvents=true&resourceVersionMatch=NotOlderThan",
        "watch=1&resourceVersionMatch=NotOlderThan&resourceVersion=1",
    ] {
        let r = c.get(&format!("{CMS}?{bad}")).await;
        assert_eq!(r.status.as_u16(), 422, "{bad}");
    }
}

#[tokio::test]
async fn watch_2_9_too_old_rv_is_an_error_event() {
    let (_s, c) = start_with(TestServer::builder().history_events(2)).await;
    let a = c.configmap("default", "a", json!({})).await;
    for n in ["b", "c", "d"] {
        c.configmap("default", n, json!({})).await;
    }
    let mut w = c
        .watch(&format!("{CMS}?watch=1&resourceVersion={}", rv(&a)))
        .await;
    assert_eq!(w.status, StatusCode::OK);
    let e = w.event().await;
    assert_eq!(e["type"], "ERROR");
    assert_eq!(e["object"]["kind"], "Status");
    assert_eq!(e["object"]["code"], 410);
    assert_eq!(e["object"]["reason"], "Expired");
    assert!(e["object"]["message"]
        .as_str()
        .unwrap()
        .starts_with("too old resource version: "));
    assert_eq!(w.next_within(Duration::from_secs(2)).await, Next::End);
}

#[tokio::test]
async fn watch_2_9_history_window_in_time() {
    let (s, c) = start_with(TestServer::builder().history_age(Duration::from_millis(100))).await;
    let a = c.configmap("default", "a", json!({})).await;
    c.configmap("default", "b", json!({})).await;
    tokio::time::sleep(Duration::from_millis(250)).await;
    let mut w = c
        .watch(&format!("{CMS}?watch=1&resourceVersion={}", rv(&a)))
        .await;
    assert_eq!(w.event().await["type"], "ERROR");
    // Compaction by hand does the same.
    let x = c.configmap("default", "x", json!({})).await;
    c.configmap("default", "y", json!({})).await;
    s.compact();
    let mut w = c
        .watch(&format!("{CMS}?watch=1&resourceVersion={}", rv(&x)))
        .await;
    assert_eq!(w.event().await["type"], "ERROR");
}

#[tokio::test]
async fn watch_2_10_framing() {
    let (_s, c) = start().await;
    let mut w = c
        .watch(&format!("{CMS}?watch=1&resourceVersion={}", 1))
        .await;
    assert_eq!(w.status, StatusCode::OK);
    assert_eq!(w.headers.get("content-type").unwrap(), "application/json");
    assert!(
        w.headers.get("content-length").is_none(),
        "streamed, not sized"
    );
    let a = c.configmap("default", "a", json!({})).await;
    c.put(&format!("{CMS}/a"), &json!({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "a"}, "data": {"k": "2"}})).await;
    let del = c.delete(&format!("{CMS}/a")).await.json();
    let types: Vec<String> = {
        let mut t = Vec::new();
        for _ in 0..3 {
            let e = w.event().await;
            assert_eq!(e.as_object().unwrap().len(), 2, "only type and object");
            assert_eq!(e["object"]["kind"], "ConfigMap");
            assert_eq!(e["object"]["apiVersion"], "v1");
            if e["type"] == "DELETED" {
                assert_eq!(e["object"]["data"]["k"], "2", "last state");
                assert!(rv(&e["object"]) > rv(&a), "stamped with the deletion's RV");
                assert_eq!(del["details"]["name"], "a");
            }
            t.push(e["type"].as_str().unwrap().to_owned());
        }
        t
    };
    assert_eq!(types, ["ADDED", "MODIFIED", "DELETED"]);
}

#[tokio::test]
async fn watch_2_11_bookmarks_only_when_allowed() {
    let (s, c) =
        start_with(TestServer::builder().bookmark_interval(Duration::from_millis(100))).await;
    let now = s.resource_version();
    let mut w = c
        .watch(&format!(
            "{CMS}?watch=1&resourceVersion={now}&allowWatchBookmarks=true"
        ))
        .await;
    let b = w.event().await;
    assert_eq!(b["type"], "BOOKMARK");
    assert_eq!(b["object"]["kind"], "ConfigMap");
    assert_eq!(
        b["object"]["metadata"].as_object().unwrap().len(),
        1,
        "only resourceVersion"
    );
    assert_eq!(rv(&b["object"]), now);
    let mut plain = c
        .watch(&format!("{CMS}?watch=1&resourceVersion={now}"))
        .await;
    assert_eq!(
        plain.next_within(Duration::from_millis(350)).await,
        Next::Timeout
    );
}

#[tokio::test]
async fn watch_2_12_timeout_ends_cleanly_with_a_last_bookmark() {
    let (s, c) = start().await;
    let now = s.resource_version();
    let t = std::time::Instant::now();
    let mut w = c
        .watch(&format!(
            "{CMS}?watch=1&resourceVersion={now}&timeoutSeconds=1"
        ))
        .await;
    assert_eq!(w.next_within(Duration::from_secs(3)).await, Next::End);
    assert!(t.elapsed() >= Duration::from_millis(900));
    let mut w = c
        .watch(&format!(
            "{CMS}?watch=1&resourceVersion={now}&timeoutSeconds=2&allowWatchBookmarks=true"
        ))
        .await;
    assert_eq!(
        w.event().await["type"],
        "BOOKMARK",
        "a bookmark shortly before the deadline"
    );
    assert_eq!(w.next_within(Duration::from_secs(3)).await, Next::End);
}

#[tokio::test]
async fn watch_2_13_selector_transitions() {
    let (s, c) = start().await;
    let now = s.resource_version();
    let mut w = c
        .watch(&format!(
            "{CMS}?watch=1&resourceVersion={now}&labelSelector={}",
            enc("app=web")
        ))
        .await;
    let put = |labels: serde_json::Value, data: &str| json!({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "a", "labels": labels}, "data": {"k": data}});
    c.configmap("default", "a", json!({"app": "db"})).await; // neither
    c.put(&format!("{CMS}/a"), &put(json!({"app": "web"}), "1"))
        .await; // only new → ADDED
    c.put(&format!("{CMS}/a"), &put(json!({"app": "web"}), "2"))
        .await; // both → MODIFIED
    let left = c
        .put(&format!("{CMS}/a"), &put(json!({"app": "db"}), "3"))
        .await
        .json(); // only old → DELETED
    let e = w.event().await;
    assert_eq!(
        (e["type"].as_str(), e["object"]["data"]["k"].as_str()),
        (Some("ADDED"), Some("1"))
    );
    let e = w.event().await;
    assert_eq!(
        (e["type"].as_str(), e["object"]["data"]["k"].as_str()),
        (Some("MODIFIED"), Some("2"))
    );
    let e = w.event().await;
    assert_eq!(e["type"], "DELETED");
    assert_eq!(e["object"]["data"]["k"], "2", "old content");
    assert_eq!(rv(&e["object"]), rv(&left), "new RV");
    w.quiet_for(Duration::from_millis(150)).await;
}

#[tokio::test]
async fn watch_1_2_legacy_prefix_and_single_object() {
    let (s, c) = start().await;
    let now = s.resource_version();
    let mut legacy = c
        .watch(&format!(
            "/api/v1/watch/namespaces/default/configmaps?resourceVersion={now}"
        ))
        .await;
    let mut single = c
        .watch(&format!("{CMS}/b?watch=1&resourceVersion={now}"))
        .await;
    let mut single_legacy = c
        .watch(&format!(
            "/api/v1/watch/namespaces/default/configmaps/b?resourceVersion={now}"
        ))
        .await;
    c.configmap("default", "a", json!({})).await;
    c.configmap("default", "b", json!({})).await;
    assert_eq!(legacy.event().await["object"]["metadata"]["name"], "a");
    assert_eq!(single.event().await["object"]["metadata"]["name"], "b");
    assert_eq!(
        single_legacy.event().await["object"]["metadata"]["name"],
        "b"
    );
    let bad = c
        .get(&format!(
            "{CMS}/b?watch=1&fieldSelector={}",
            enc("metadata.name=a")
        ))
        .await;
    assert_eq!(bad.status, StatusCode::BAD_REQUEST);
    let ok = c
        .watch(&format!(
            "{CMS}/b?watch=1&fieldSelector={}",
            enc("metadata.name=b")
        ))
        .await;
    assert_eq!(ok.status, StatusCode::OK);
}

#[tokio::test]
async fn watch_slow_watcher_is_closed_with_410_without_blocking_writers() {
    let (s, c) = start_with(TestServer::builder().watch_buffer(8)).await;
    let now = s.resource_version();
    // This watcher never reads.
    let mut slow = c
        .watch(&format!("{CMS}?watch=1&resourceVersion={now}"))
        .await;
    let mut fast = c
        .watch(&format!("{CMS}?watch=1&resourceVersion={now}"))
        .await;
    let t = std::time::Instant::now();
    let big = "x".repeat(64 * 1024);
    for i in 0..400 {
        let body = json!({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": format!("cm-{i}")}, "data": {"big": big}});
        assert_eq!(c.post(CMS, &body).await.status, StatusCode::CREATED);
        if i < 30 {
            assert_eq!(fast.event().await["type"], "ADDED");
        }
    }
    assert!(
        t.elapsed() < Duration::from_secs(10),
        "writers never wait for watchers"
    );
    let mut last = None;
    loop {
        match slow.next_within(Duration::from_secs(5)).await {
            Next::Event(e) => last = Some(e),
            Next::End => break,
            other => panic!("unexpected {other:?}"),
        }
    }
    let last = last.expect("some events");
    assert_eq!(last["type"], "ERROR");
    assert_eq!(last["object"]["code"], 410);
}

#[tokio::test]
async fn watch_2_7_namespaced_and_cluster_wide() {
    let (s, c) = start().await;
    let now = s.resource_version();
    let mut all = c
        .watch(&format!("/api/v1/configmaps?watch=1&resourceVersion={now}"))
        .await;
    let mut ns = c
        .watch(&format!(
            "/api/v1/namespaces/kube-system/configmaps?watch=1&resourceVersion={now}"
        ))
        .await;
    c.configmap("default", "a", json!({})).await;
    c.configmap("kube-system", "b", json!({})).await;
    assert_eq!(all.event().await["object"]["metadata"]["name"], "a");
    assert_eq!(all.event().await["object"]["metadata"]["name"], "b");
    assert_eq!(ns.event().await["object"]["metadata"]["name"], "b");
}
