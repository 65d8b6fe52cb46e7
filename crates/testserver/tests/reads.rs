//! Rules 2.1–2.6, 4.1 and 4.2: resourceVersions, GET, the LIST table, pagination, expired
//! continue tokens, label and field selectors.

mod support;

use std::time::{Duration, Instant};

use http::StatusCode;
use kapi_testserver::TestServer;
use serde_json::json;
use support::{rv, start, start_with, Client};

#[tokio::test]
async fn rv_2_1_one_counter_for_all_resources() {
    let (s, c) = start().await;
    let a = c.configmap("default", "a", json!({})).await;
    let secret = json!({"apiVersion": "v1", "kind": "Secret", "metadata": {"name": "s"}, "stringData": {"x": "y"}});
    let b = c
        .post("/api/v1/namespaces/default/secrets", &secret)
        .await
        .json();
    assert_eq!(rv(&b), rv(&a) + 1);
    let list = c.get("/api/v1/namespaces/default/configmaps").await.json();
    assert_eq!(rv(&list), rv(&b), "a list's RV is the store revision");
    assert_eq!(s.resource_version(), rv(&b));
}

#[tokio::test]
async fn rv_2_2_get_semantics_and_too_large() {
    let (_s, c) =
        start_with(TestServer::builder().resource_version_wait(Duration::from_millis(300))).await;
    let a = c.configmap("default", "a", json!({})).await;
    let r = rv(&a);
    for q in ["", "?resourceVersion=0", &format!("?resourceVersion={r}")] {
        let got = c
            .get(&format!("/api/v1/namespaces/default/configmaps/a{q}"))
            .await;
        assert_eq!(got.status, StatusCode::OK, "{q}");
    }
    let t = Instant::now();
    let too_large = c
        .get(&format!(
            "/api/v1/namespaces/default/configmaps/a?resourceVersion={}",
            r + 100
        ))
        .await;
    assert!(t.elapsed() >= Duration::from_millis(250));
    assert_eq!(too_large.status, StatusCode::GATEWAY_TIMEOUT);
    assert_eq!(too_large.header("retry-after"), Some("1"));
    let st = too_large.json();
    assert_eq!(st["reason"], "Timeout");
    assert!(st["message"]
        .as_str()
        .unwrap()
        .contains("Too large resource version"));
    assert_eq!(
        st["details"]["causes"][0]["reason"],
        "ResourceVersionTooLarge"
    );
    assert_eq!(st["details"]["retryAfterSeconds"], 1);
    let missing = c.get("/api/v1/namespaces/default/configmaps/nope").await;
    assert_eq!(missing.status, StatusCode::NOT_FOUND);
    assert_eq!(missing.json()["message"], "configmaps \"nope\" not found");
}

#[tokio::test]
async fn rv_2_2_get_waits_for_a_future_rv() {
    let (s, c) = start().await;
    let a = c.configmap("default", "a", json!({})).await;
    let target = rv(&a) + 1;
    let c2 = c.clone();
    let waiter = tokio::spawn(async move {
        c2.get(&format!(
            "/api/v1/namespaces/default/configmaps/a?resourceVersion={target}"
        ))
        .await
    });
    tokio::time::sleep(Duration::from_millis(100)).await;
    c.configmap("default", "b", json!({})).await;
    assert_eq!(waiter.await.unwrap().status, StatusCode::OK);
    drop(s);
}

async fn names(c: &Client, path: &str) -> Vec<String> {
    let r = c.get(path).await;
    assert_eq!(r.status, StatusCode::OK, "{path}: {}", r.text());
    r.json()["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["metadata"]["name"].as_str().unwrap().to_owned())
        .collect()
}

#[tokio::test]
async fn rv_2_3_list_table() {
    let (_s, c) = start().await;
    let a = c.configmap("default", "a", json!({})).await;
    let r1 = rv(&a);
    c.configmap("default", "b", json!({})).await;
    c.configmap("default", "c", json!({})).await;
    let base = "/api/v1/namespaces/default/configmaps";
    // unset: latest.
    assert_eq!(names(&c, base).await, ["a", "b", "c"]);
    // "0": any; limit ignored, no continue.
    let r = c
        .get(&format!("{base}?resourceVersion=0&limit=1"))
        .await
        .json();
    assert_eq!(r["items"].as_array().unwrap().len(), 3);
    assert!(r["metadata"].get("continue").is_none());
    // X, no limit: not older than X (the latest).
    assert_eq!(
        names(&c, &format!("{base}?resourceVersion={r1}")).await,
        ["a", "b", "c"]
    );
    // X with limit: exact X, paged.
    let exact = c
        .get(&format!("{base}?resourceVersion={r1}&limit=10"))
        .await
        .json();
    assert_eq!(rv(&exact), r1);
    assert_eq!(exact["items"].as_array().unwrap().len(), 1);
    // Exact X.
    let exact = c
        .get(&format!(
            "{base}?resourceVersion={r1}&resourceVersionMatch=Exact"
        ))
        .await
        .json();
    assert_eq!(exact["items"].as_array().unwrap().len(), 1);
    assert_eq!(rv(&exact), r1);
    // NotOlderThan X and "0".
    assert_eq!(
        names(
            &c,
            &format!("{base}?resourceVersion={r1}&resourceVersionMatch=NotOlderThan")
        )
        .await
        .len(),
        3
    );
    assert_eq!(
        names(
            &c,
            &format!("{base}?resourceVersion=0&resourceVersionMatch=NotOlderThan")
        )
        .await
        .len(),
        3
    );
}

#[tokio::test]
async fn rv_2_3_list_limit_exact() {
    let (_s, c) = start().await;
    let a = c.configmap("default", "a", json!({})).await;
    c.put("/api/v1/namespaces/default/configmaps/a", &json!({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "a"}, "data": {"k": "new"}})).await;
    c.delete("/api/v1/namespaces/default/configmaps/a").await;
    let old = c
        .get(&format!(
            "/api/v1/namespaces/default/configmaps?resourceVersion={}&limit=5",
            rv(&a)
        ))
        .await
        .json();
    assert_eq!(
        old["items"][0]["data"]["k"], "v",
        "the state at X, not the latest"
    );
}

#[tokio::test]
async fn rv_2_3_list_invalid_combinations() {
    let (_s, c) = start().await;
    let base = "/api/v1/namespaces/default/configmaps";
    let cases = [
        ("?resourceVersionMatch=Exact", 422),
        ("?resourceVersionMatch=Exact&resourceVersion=0", 422),
        ("?resourceVersionMatch=NotOlderThan", 422),
        ("?resourceVersionMatch=Bogus&resourceVersion=1", 422),
        ("?resourceVersion=abc", 400),
        (
            "?sendInitialEvents=true&resourceVersionMatch=NotOlderThan&resourceVersion=0",
            422,
        ),
    ];
    for (q, code) in cases {
        let r = c.get(&format!("{base}{q}")).await;
        assert_eq!(r.status.as_u16(), code, "{q}: {}", r.text());
        let st = r.json();
        assert_eq!(st["kind"], "Status");
        if code == 422 {
            assert_eq!(st["details"]["group"], "meta.k8s.io", "{q}");
            assert_eq!(st["details"]["kind"], "ListOptions", "{q}");
        } else {
            assert!(st["message"]
                .as_str()
                .unwrap()
                .contains("invalid resource version"));
        }
    }
    c.configmap("default", "a", json!({})).await;
    c.configmap("default", "b", json!({})).await;
    let page = c.get(&format!("{base}?limit=1")).await.json();
    let token = page["metadata"]["continue"].as_str().unwrap().to_owned();
    let r = c
        .get(&format!(
            "{base}?limit=1&continue={token}&resourceVersion=5"
        ))
        .await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
    let r = c
        .get(&format!(
            "{base}?limit=1&continue={token}&resourceVersionMatch=Exact&resourceVersion=5"
        ))
        .await;
    assert_eq!(r.status.as_u16(), 422);
}

#[tokio::test]
async fn rv_2_4_exact_read_older_than_history_is_410() {
    let (_s, c) = start_with(TestServer::builder().history_events(2)).await;
    let a = c.configmap("default", "a", json!({})).await;
    for n in ["b", "c", "d"] {
        c.configmap("default", n, json!({})).await;
    }
    let r = c
        .get(&format!(
            "/api/v1/namespaces/default/configmaps?resourceVersion={}&resourceVersionMatch=Exact",
            rv(&a)
        ))
        .await;
    assert_eq!(r.status, StatusCode::GONE);
    assert_eq!(r.json()["reason"], "Expired");
}

#[tokio::test]
async fn list_2_5_pagination() {
    let (_s, c) = start().await;
    for i in 0..7 {
        c.configmap(
            "default",
            &format!("cm-{i}"),
            json!({"even": (i % 2 == 0).to_string()}),
        )
        .await;
    }
    let base = "/api/v1/namespaces/default/configmaps";
    let mut seen = Vec::new();
    let mut token: Option<String> = None;
    let mut first_rv = None;
    let mut remaining = Vec::new();
    loop {
        let q = token
            .as_ref()
            .map(|t| format!("&continue={t}"))
            .unwrap_or_default();
        let page = c.get(&format!("{base}?limit=3{q}")).await.json();
        let items = page["items"].as_array().unwrap();
        assert!(items.len() <= 3);
        seen.extend(
            items
                .iter()
                .map(|i| i["metadata"]["name"].as_str().unwrap().to_owned()),
        );
        let r = rv(&page);
        assert_eq!(
            *first_rv.get_or_insert(r),
            r,
            "every page carries the first page's RV"
        );
        // Writes between pages do not show up.
        c.configmap("default", &format!("late-{}", seen.len()), json!({}))
            .await;
        remaining.push(page["metadata"]["remainingItemCount"].as_i64());
        match page["metadata"]["continue"].as_str() {
            Some(t) if !t.is_empty() => token = Some(t.to_owned()),
            _ => break,
        }
    }
    assert_eq!(seen, (0..7).map(|i| format!("cm-{i}")).collect::<Vec<_>>());
    assert_eq!(remaining, [Some(4), Some(1), None]);
    // With a selector: fewer items per page, no remainingItemCount.
    let page = c
        .get(&format!("{base}?limit=2&labelSelector=even%3Dtrue"))
        .await
        .json();
    assert!(page["metadata"].get("remainingItemCount").is_none());
    assert_eq!(page["items"].as_array().unwrap().len(), 2);
    let bad = c.get(&format!("{base}?limit=2&continue=not-a-token")).await;
    assert_eq!(bad.status, StatusCode::BAD_REQUEST);
    assert!(bad.json()["message"].as_str().unwrap().contains("continue"));
}

#[tokio::test]
async fn list_2_6_expired_continue_token() {
    let (_s, c) = start_with(TestServer::builder().history_events(2)).await;
    for i in 0..4 {
        c.configmap("default", &format!("cm-{i}"), json!({})).await;
    }
    let base = "/api/v1/namespaces/default/configmaps";
    let page = c.get(&format!("{base}?limit=2")).await.json();
    let token = page["metadata"]["continue"].as_str().unwrap().to_owned();
    for i in 0..3 {
        c.configmap("kube-system", &format!("x-{i}"), json!({}))
            .await;
    }
    let r = c.get(&format!("{base}?limit=2&continue={token}")).await;
    assert_eq!(r.status, StatusCode::GONE);
    let st = r.json();
    assert_eq!(st["reason"], "Expired");
    let fresh = st["metadata"]["continue"]
        .as_str()
        .expect("fresh token")
        .to_owned();
    let rest = c
        .get(&format!("{base}?limit=5&continue={fresh}"))
        .await
        .json();
    let names: Vec<&str> = rest["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["metadata"]["name"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["cm-2", "cm-3"]);
}

#[tokio::test]
async fn selectors_4_1_labels() {
    let (_s, c) = start().await;
    c.configmap(
        "default",
        "a",
        json!({"app": "web", "tier": "fe", "n": "5"}),
    )
    .await;
    c.configmap(
        "default",
        "b",
        json!({"app": "web", "tier": "be", "n": "12"}),
    )
    .await;
    c.configmap("default", "c", json!({"app": "db"})).await;
    let base = "/api/v1/namespaces/default/configmaps?labelSelector=";
    let q = |s: &str| format!("{base}{}", support::enc(s));
    assert_eq!(names(&c, &q("app=web")).await, ["a", "b"]);
    assert_eq!(names(&c, &q("app==web,tier!=fe")).await, ["b"]);
    assert_eq!(names(&c, &q("tier in (fe,be)")).await, ["a", "b"]);
    assert_eq!(names(&c, &q("tier notin (fe)")).await, ["b", "c"]);
    assert_eq!(names(&c, &q("tier")).await, ["a", "b"]);
    assert_eq!(names(&c, &q("!tier")).await, ["c"]);
    assert_eq!(names(&c, &q("n>6")).await, ["b"]);
    assert_eq!(names(&c, &q("n<6")).await, ["a"]);
    let bad = c.get(&q("a in (b")).await;
    assert_eq!(bad.status, StatusCode::BAD_REQUEST);
    assert!(bad.json()["message"]
        .as_str()
        .unwrap()
        .starts_with("unable to parse requirement"));
}

#[tokio::test]
async fn selectors_4_2_fields() {
    let (_s, c) = start().await;
    c.configmap("default", "a", json!({})).await;
    c.configmap("kube-system", "b", json!({})).await;
    assert_eq!(
        names(&c, "/api/v1/configmaps?fieldSelector=metadata.name%3Da").await,
        ["a"]
    );
    assert_eq!(
        names(
            &c,
            "/api/v1/configmaps?fieldSelector=metadata.namespace%21%3Ddefault"
        )
        .await,
        ["b"]
    );
    let pod = |name: &str, node: &str| {
        json!({
            "apiVersion": "v1", "kind": "Pod", "metadata": {"name": name},
            "spec": {"nodeName": node, "restartPolicy": "Never", "containers": [{"name": "c", "image": "busybox"}]},
        })
    };
    for (n, node) in [("p1", "n1"), ("p2", "n2"), ("p3", "")] {
        let r = c
            .post("/api/v1/namespaces/default/pods", &pod(n, node))
            .await;
        assert_eq!(r.status, StatusCode::CREATED, "{}", r.text());
    }
    assert_eq!(
        names(&c, "/api/v1/pods?fieldSelector=spec.nodeName%3Dn1").await,
        ["p1"]
    );
    assert_eq!(
        names(&c, "/api/v1/pods?fieldSelector=spec.nodeName%3D").await,
        ["p3"]
    );
    assert_eq!(
        names(
            &c,
            "/api/v1/pods?fieldSelector=status.phase%3DPending,spec.nodeName%21%3Dn1"
        )
        .await,
        ["p2", "p3"]
    );
    assert_eq!(
        names(&c, "/api/v1/pods?fieldSelector=spec.restartPolicy%3DNever")
            .await
            .len(),
        3
    );
    assert_eq!(
        names(&c, "/api/v1/pods?fieldSelector=spec.hostNetwork%3Dfalse")
            .await
            .len(),
        3
    );
    let bad = c.get("/api/v1/pods?fieldSelector=spec.foo%3Dx").await;
    assert_eq!(bad.status, StatusCode::BAD_REQUEST);
    assert_eq!(bad.json()["message"], "field label not supported: spec.foo");
    let bad = c
        .get("/api/v1/namespaces?fieldSelector=metadata.namespace%3Dx")
        .await;
    assert_eq!(
        bad.status,
        StatusCode::BAD_REQUEST,
        "cluster-scoped types have no metadata.namespace"
    );
}

#[tokio::test]
async fn namespaces_3_17_list_in_missing_namespace_is_empty() {
    let (_s, c) = start().await;
    let r = c.get("/api/v1/namespaces/ghost/configmaps").await;
    assert_eq!(r.status, StatusCode::OK);
    assert_eq!(r.json()["items"], json!([]));
    assert_eq!(
        c.get("/api/v1/namespaces/ghost/configmaps/x").await.status,
        StatusCode::NOT_FOUND
    );
}
