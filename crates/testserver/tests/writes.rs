//! Rules 1.3 and 3.1–3.17: create, update, patch, status and scale subresources, generation,
//! delete with finalizers and propagation, DeleteCollection, dry run, namespaces, and
//! optimistic concurrency under parallel writers.

mod support;

use std::time::Duration;

use http::StatusCode;
use serde_json::{json, Value};
use support::{rv, start, Client};

const CMS: &str = "/api/v1/namespaces/default/configmaps";
const DEPLOYS: &str = "/apis/apps/v1/namespaces/default/deployments";

fn cm(name: &str) -> Value {
    json!({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": name}, "data": {"k": "v"}})
}

fn deployment(name: &str, replicas: i64) -> Value {
    json!({
        "apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": name},
        "spec": {
            "replicas": replicas,
            "selector": {"matchLabels": {"app": name}},
            "template": {"metadata": {"labels": {"app": name}}, "spec": {"containers": [{"name": "c", "image": "nginx"}]}},
        },
    })
}

#[tokio::test]
async fn create_3_1_server_fields_and_201() {
    let (_s, c) = start().await;
    let r = c.post(CMS, &cm("a")).await;
    assert_eq!(r.status, StatusCode::CREATED);
    let o = r.json();
    let meta = &o["metadata"];
    assert_eq!(meta["uid"].as_str().unwrap().len(), 36);
    let ts = meta["creationTimestamp"].as_str().unwrap();
    assert!(ts.ends_with('Z') && ts.len() == 20, "{ts}");
    assert!(rv(&o) > 0);
    assert!(
        meta.get("generation").is_none(),
        "configmaps do not track generation"
    );
    assert_eq!(meta["namespace"], "default");
    let d = c.post(DEPLOYS, &deployment("d", 1)).await.json();
    assert_eq!(d["metadata"]["generation"], 1);
    // Namespace mismatch, type mismatch, resourceVersion set.
    let mut other_ns = cm("b");
    other_ns["metadata"]["namespace"] = json!("kube-system");
    assert_eq!(c.post(CMS, &other_ns).await.status, StatusCode::BAD_REQUEST);
    let mut wrong_kind = cm("b");
    wrong_kind["kind"] = json!("Secret");
    assert_eq!(
        c.post(CMS, &wrong_kind).await.status,
        StatusCode::BAD_REQUEST
    );
    let mut wrong_version = cm("b");
    wrong_version["apiVersion"] = json!("v2");
    assert_eq!(
        c.post(CMS, &wrong_version).await.status,
        StatusCode::BAD_REQUEST
    );
    let mut with_rv = cm("b");
    with_rv["metadata"]["resourceVersion"] = json!("5");
    let r = c.post(CMS, &with_rv).await;
    assert_eq!(r.status, StatusCode::INTERNAL_SERVER_ERROR);
    assert_eq!(
        r.json()["message"],
        "resourceVersion should not be set on objects to be created"
    );
    let r = c.post(CMS, &json!({"metadata": {}})).await;
    assert_eq!(r.status.as_u16(), 422);
    let r = c.post(CMS, &cm("Bad_Name")).await;
    assert_eq!(r.status.as_u16(), 422);
    assert_eq!(r.json()["details"]["causes"][0]["field"], "metadata.name");
}

#[tokio::test]
async fn create_3_2_generate_name() {
    let (_s, c) = start().await;
    let base = "x".repeat(70);
    let body = json!({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"generateName": base}});
    let o = c.post(CMS, &body).await.json();
    let name = o["metadata"]["name"].as_str().unwrap();
    assert_eq!(name.len(), 63);
    assert!(name.starts_with(&"x".repeat(58)));
    assert!(name[58..]
        .chars()
        .all(|ch| "bcdfghjklmnpqrstvwxz2456789".contains(ch)));
    let short =
        json!({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"generateName": "web-"}});
    let a = c.post(CMS, &short).await.json();
    let b = c.post(CMS, &short).await.json();
    assert_ne!(a["metadata"]["name"], b["metadata"]["name"]);
}

#[tokio::test]
async fn create_3_3_duplicate_is_already_exists() {
    let (_s, c) = start().await;
    c.post(CMS, &cm("x")).await;
    let r = c.post(CMS, &cm("x")).await;
    assert_eq!(r.status, StatusCode::CONFLICT);
    let st = r.json();
    assert_eq!(st["reason"], "AlreadyExists");
    assert_eq!(st["message"], "configmaps \"x\" already exists");
    assert_eq!(st["details"], json!({"name": "x", "kind": "configmaps"}));
    c.post(DEPLOYS, &deployment("d", 1)).await;
    let st = c.post(DEPLOYS, &deployment("d", 1)).await.json();
    assert_eq!(st["message"], "deployments.apps \"d\" already exists");
    assert_eq!(st["details"]["group"], "apps");
}

#[tokio::test]
async fn update_3_4_conflict_message() {
    let (_s, c) = start().await;
    let o = c.post(CMS, &cm("x")).await.json();
    let mut upd = o.clone();
    upd["data"]["k"] = json!("2");
    let r = c.put(&format!("{CMS}/x"), &upd).await;
    assert_eq!(r.status, StatusCode::OK);
    assert!(rv(&r.json()) > rv(&o));
    // The same stale RV again.
    let r = c.put(&format!("{CMS}/x"), &upd).await;
    assert_eq!(r.status, StatusCode::CONFLICT);
    let st = r.json();
    assert_eq!(st["reason"], "Conflict");
    assert_eq!(
        st["message"],
        "Operation cannot be fulfilled on configmaps \"x\": the object has been modified; please apply your changes to the latest version and try again"
    );
    let mut renamed = upd.clone();
    renamed["metadata"]["name"] = json!("y");
    assert_eq!(
        c.put(&format!("{CMS}/x"), &renamed).await.status,
        StatusCode::BAD_REQUEST
    );
}

#[tokio::test]
async fn update_3_5_without_rv_and_missing_object() {
    let (_s, c) = start().await;
    c.post(CMS, &cm("x")).await;
    let mut body = cm("x");
    body["data"]["k"] = json!("unconditional");
    let r = c.put(&format!("{CMS}/x"), &body).await;
    assert_eq!(r.status, StatusCode::OK);
    assert_eq!(r.json()["data"]["k"], "unconditional");
    let r = c.put(&format!("{CMS}/missing"), &cm("missing")).await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn update_3_6_no_op_keeps_rv_and_sends_nothing() {
    let (s, c) = start().await;
    let o = c.post(CMS, &cm("x")).await.json();
    let mut w = c
        .watch(&format!("{CMS}?watch=1&resourceVersion={}", rv(&o)))
        .await;
    let r = c.put(&format!("{CMS}/x"), &o).await.json();
    assert_eq!(rv(&r), rv(&o));
    assert_eq!(s.resource_version(), rv(&o));
    let p = c
        .patch(
            &format!("{CMS}/x"),
            "application/merge-patch+json",
            &json!({"data": {"k": "v"}}),
        )
        .await
        .json();
    assert_eq!(rv(&p), rv(&o));
    w.quiet_for(Duration::from_millis(200)).await;
}

#[tokio::test]
async fn update_3_7_server_fields_are_kept() {
    let (_s, c) = start().await;
    let o = c.post(CMS, &cm("x")).await.json();
    let mut body = o.clone();
    body["metadata"]["uid"] = json!("forged");
    body["metadata"]["creationTimestamp"] = json!("2000-01-01T00:00:00Z");
    body["metadata"]["deletionTimestamp"] = json!("2000-01-01T00:00:00Z");
    body["metadata"]["generation"] = json!(42);
    body["data"]["k"] = json!("2");
    let r = c.put(&format!("{CMS}/x"), &body).await.json();
    assert_eq!(r["metadata"]["uid"], o["metadata"]["uid"]);
    assert_eq!(
        r["metadata"]["creationTimestamp"],
        o["metadata"]["creationTimestamp"]
    );
    assert!(r["metadata"].get("deletionTimestamp").is_none());
    assert!(r["metadata"].get("generation").is_none());
}

#[tokio::test]
async fn patch_3_8_three_kinds_and_preconditions() {
    let (_s, c) = start().await;
    let o = c.post(CMS, &cm("x")).await.json();
    let path = format!("{CMS}/x");
    let r = c
        .patch(
            &path,
            "application/merge-patch+json",
            &json!({"data": {"m": "1"}}),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text());
    assert_eq!(r.json()["data"], json!({"k": "v", "m": "1"}));
    let r = c
        .patch(
            &path,
            "application/json-patch+json",
            &json!([{"op": "add", "path": "/data/j", "value": "2"}]),
        )
        .await;
    assert_eq!(r.json()["data"]["j"], "2");
    let r = c
        .patch(
            &path,
            "application/json-patch+json",
            &json!([{"op": "test", "path": "/data/j", "value": "nope"}]),
        )
        .await;
    assert_eq!(r.status.as_u16(), 422);
    let r = c
        .patch(
            &path,
            "application/strategic-merge-patch+json",
            &json!({"metadata": {"labels": {"a": "b"}}}),
        )
        .await;
    assert_eq!(r.json()["metadata"]["labels"]["a"], "b");
    // A resourceVersion inside a patch is a precondition.
    let stale = json!({"metadata": {"resourceVersion": rv(&o).to_string()}, "data": {"z": "1"}});
    let r = c.patch(&path, "application/merge-patch+json", &stale).await;
    assert_eq!(r.status, StatusCode::CONFLICT);
    let r = c
        .patch(
            &format!("{CMS}/missing"),
            "application/merge-patch+json",
            &json!({}),
        )
        .await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
    // Server-side apply needs a field manager (rule 3.9).
    let r = c
        .patch(&path, "application/apply-patch+yaml", &json!({}))
        .await;
    assert_eq!(r.status.as_u16(), 422);
    let r = c.patch(&path, "text/plain", &json!({})).await;
    assert_eq!(r.status, StatusCode::UNSUPPORTED_MEDIA_TYPE);
    assert_eq!(r.json()["reason"], "UnsupportedMediaType");
}

#[tokio::test]
async fn patch_3_8_strategic_merges_containers_by_name() {
    let (_s, c) = start().await;
    let mut d = deployment("d", 1);
    d["spec"]["template"]["spec"]["containers"] =
        json!([{"name": "a", "image": "x"}, {"name": "b", "image": "y"}]);
    c.post(DEPLOYS, &d).await;
    let patch =
        json!({"spec": {"template": {"spec": {"containers": [{"name": "b", "image": "z"}]}}}});
    let r = c
        .patch(
            &format!("{DEPLOYS}/d"),
            "application/strategic-merge-patch+json",
            &patch,
        )
        .await
        .json();
    let cs = &r["spec"]["template"]["spec"]["containers"];
    assert_eq!(cs.as_array().unwrap().len(), 2);
    assert_eq!(cs[1]["image"], "z");
    let merge = c
        .patch(
            &format!("{DEPLOYS}/d"),
            "application/merge-patch+json",
            &patch,
        )
        .await
        .json();
    assert_eq!(
        merge["spec"]["template"]["spec"]["containers"]
            .as_array()
            .unwrap()
            .len(),
        1
    );
}

#[tokio::test]
async fn status_3_10_split_and_generation_3_11() {
    let (_s, c) = start().await;
    let mut body = deployment("d", 1);
    body["status"] = json!({"replicas": 9});
    let o = c.post(DEPLOYS, &body).await.json();
    assert!(
        o.get("status").is_none_or(|s| s.get("replicas").is_none()),
        "create drops status"
    );
    let path = format!("{DEPLOYS}/d");
    // Status write: only .status taken; generation unchanged.
    let mut st = o.clone();
    st["status"] = json!({"replicas": 3});
    st["spec"]["replicas"] = json!(7);
    let s1 = c.put(&format!("{path}/status"), &st).await.json();
    assert_eq!(s1["status"]["replicas"], 3);
    assert_eq!(s1["spec"]["replicas"], 1);
    assert_eq!(s1["metadata"]["generation"], 1);
    // Main write: stored status kept; spec change bumps generation.
    let mut main = s1.clone();
    main["status"] = json!({"replicas": 100});
    main["spec"]["replicas"] = json!(2);
    let m = c.put(&path, &main).await.json();
    assert_eq!(m["status"]["replicas"], 3);
    assert_eq!(m["metadata"]["generation"], 2);
    // Metadata-only change: no bump.
    let l = c
        .patch(
            &path,
            "application/merge-patch+json",
            &json!({"metadata": {"labels": {"x": "y"}}}),
        )
        .await
        .json();
    assert_eq!(l["metadata"]["generation"], 2);
    // Status through PATCH and GET.
    let p = c
        .patch(
            &format!("{path}/status"),
            "application/merge-patch+json",
            &json!({"status": {"readyReplicas": 1}}),
        )
        .await
        .json();
    assert_eq!(p["status"]["readyReplicas"], 1);
    assert_eq!(
        c.get(&format!("{path}/status")).await.json()["status"]["replicas"],
        3
    );
    // PUT never creates through a subresource.
    let mut ghost = deployment("ghost", 1);
    ghost["status"] = json!({});
    assert_eq!(
        c.put(&format!("{DEPLOYS}/ghost/status"), &ghost)
            .await
            .status,
        StatusCode::NOT_FOUND
    );
}

#[tokio::test]
async fn scale_1_3_subresource() {
    let (_s, c) = start().await;
    c.post(DEPLOYS, &deployment("d", 2)).await;
    let sc = c.get(&format!("{DEPLOYS}/d/scale")).await.json();
    assert_eq!(sc["kind"], "Scale");
    assert_eq!(sc["apiVersion"], "autoscaling/v1");
    assert_eq!(sc["spec"]["replicas"], 2);
    assert_eq!(sc["status"]["selector"], "app=d");
    let mut up = sc.clone();
    up["spec"]["replicas"] = json!(5);
    let r = c.put(&format!("{DEPLOYS}/d/scale"), &up).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text());
    assert_eq!(r.json()["spec"]["replicas"], 5);
    // Stale scale RV → conflict.
    assert_eq!(
        c.put(&format!("{DEPLOYS}/d/scale"), &up).await.status,
        StatusCode::CONFLICT
    );
    let p = c
        .patch(
            &format!("{DEPLOYS}/d/scale"),
            "application/merge-patch+json",
            &json!({"spec": {"replicas": 7}}),
        )
        .await;
    assert_eq!(p.status, StatusCode::OK, "{}", p.text());
    assert_eq!(p.json()["kind"], "Scale");
    let d = c.get(&format!("{DEPLOYS}/d")).await.json();
    assert_eq!(d["spec"]["replicas"], 7);
    assert_eq!(d["metadata"]["generation"], 3);
    for (path, body) in [
        (
            "/apis/apps/v1/namespaces/default/statefulsets",
            json!({"apiVersion": "apps/v1", "kind": "StatefulSet", "metadata": {"name": "s"}, "spec": {"replicas": 1, "selector": {"matchLabels": {"a": "b"}}, "template": {}}}),
        ),
        (
            "/apis/apps/v1/namespaces/default/replicasets",
            json!({"apiVersion": "apps/v1", "kind": "ReplicaSet", "metadata": {"name": "s"}, "spec": {"replicas": 1, "selector": {"matchLabels": {"a": "b"}}, "template": {}}}),
        ),
        (
            "/api/v1/namespaces/default/replicationcontrollers",
            json!({"apiVersion": "v1", "kind": "ReplicationController", "metadata": {"name": "s"}, "spec": {"replicas": 1, "selector": {"a": "b"}}}),
        ),
    ] {
        assert_eq!(c.post(path, &body).await.status, StatusCode::CREATED);
        let sc = c.get(&format!("{path}/s/scale")).await.json();
        assert_eq!(sc["status"]["selector"], "a=b", "{path}");
    }
    assert_eq!(
        c.get("/api/v1/namespaces/default/configmaps/x/scale")
            .await
            .status,
        StatusCode::NOT_FOUND
    );
}

#[tokio::test]
async fn delete_3_12_object_or_status_and_finalizers() {
    let (_s, c) = start().await;
    let o = c.post(CMS, &cm("x")).await.json();
    let r = c.delete(&format!("{CMS}/x")).await;
    assert_eq!(r.status, StatusCode::OK);
    let st = r.json();
    assert_eq!(st["kind"], "Status");
    assert_eq!(st["status"], "Success");
    assert_eq!(st["details"]["name"], "x");
    assert_eq!(st["details"]["kind"], "configmaps");
    assert_eq!(st["details"]["uid"], o["metadata"]["uid"]);
    assert_eq!(
        c.delete(&format!("{CMS}/x")).await.status,
        StatusCode::NOT_FOUND
    );
    // Pods answer with the object.
    let pod = json!({"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "p"}, "spec": {"containers": [{"name": "c", "image": "i"}]}});
    c.post("/api/v1/namespaces/default/pods", &pod).await;
    let r = c.delete("/api/v1/namespaces/default/pods/p").await.json();
    assert_eq!(r["kind"], "Pod");
    // Finalizers: deletionTimestamp set, MODIFIED, removal of the last finalizer deletes.
    let mut f = cm("f");
    f["metadata"]["finalizers"] = json!(["example.com/keep"]);
    let created = c.post(CMS, &f).await.json();
    let mut w = c
        .watch(&format!("{CMS}?watch=1&resourceVersion={}", rv(&created)))
        .await;
    let d = c.delete(&format!("{CMS}/f")).await;
    assert_eq!(d.status, StatusCode::OK);
    let d = d.json();
    assert_eq!(d["kind"], "ConfigMap");
    assert!(d["metadata"]["deletionTimestamp"].is_string());
    assert_eq!(d["metadata"]["deletionGracePeriodSeconds"], 0);
    assert_eq!(w.event().await["type"], "MODIFIED");
    let r = c
        .patch(
            &format!("{CMS}/f"),
            "application/merge-patch+json",
            &json!({"metadata": {"finalizers": null}}),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK);
    assert_eq!(w.event().await["type"], "DELETED");
    assert_eq!(
        c.get(&format!("{CMS}/f")).await.status,
        StatusCode::NOT_FOUND
    );
    // generation +1 when deletionTimestamp is first set.
    let mut dep = deployment("d", 1);
    dep["metadata"]["finalizers"] = json!(["example.com/keep"]);
    c.post(DEPLOYS, &dep).await;
    let r = c.delete(&format!("{DEPLOYS}/d")).await.json();
    assert_eq!(r["metadata"]["generation"], 2);
}

#[tokio::test]
async fn delete_3_13_options() {
    let (_s, c) = start().await;
    let o = c.post(CMS, &cm("x")).await.json();
    let r = c
        .delete_with(
            &format!("{CMS}/x"),
            &json!({"preconditions": {"uid": "other"}}),
        )
        .await;
    assert_eq!(r.status, StatusCode::CONFLICT);
    assert!(r.json()["message"]
        .as_str()
        .unwrap()
        .contains("Precondition failed: UID in precondition"));
    let r = c
        .delete_with(
            &format!("{CMS}/x"),
            &json!({"preconditions": {"resourceVersion": "1"}}),
        )
        .await;
    assert_eq!(r.status, StatusCode::CONFLICT);
    let r = c
        .delete_with(
            &format!("{CMS}/x"),
            &json!({"orphanDependents": true, "propagationPolicy": "Orphan"}),
        )
        .await;
    assert_eq!(r.status.as_u16(), 422);
    let r = c.delete_with(&format!("{CMS}/x"), &json!({"propagationPolicy": "Foreground", "preconditions": {"uid": o["metadata"]["uid"]}})).await;
    assert_eq!(r.status, StatusCode::OK);
    let body = r.json();
    assert_eq!(
        body["metadata"]["finalizers"],
        json!(["foregroundDeletion"])
    );
    // No dependents: the garbage collector finishes the foreground deletion.
    eventually(&c, &format!("{CMS}/x"), StatusCode::NOT_FOUND).await;
    let r = c
        .send(
            http::Method::DELETE,
            &format!("{CMS}/x?propagationPolicy=Orphan"),
            &[],
            vec![],
        )
        .await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
}

async fn eventually(c: &Client, path: &str, code: StatusCode) {
    for _ in 0..100 {
        if c.get(path).await.status == code {
            return;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    panic!("{path} never answered {code}");
}

#[tokio::test]
async fn delete_3_13_garbage_collection() {
    let (_s, c) = start().await;
    let owner = c.post(CMS, &cm("owner")).await.json();
    let oref = json!([{"apiVersion": "v1", "kind": "ConfigMap", "name": "owner", "uid": owner["metadata"]["uid"]}]);
    for n in ["dep1", "dep2"] {
        let mut d = cm(n);
        d["metadata"]["ownerReferences"] = oref.clone();
        c.post(CMS, &d).await;
    }
    c.delete(&format!("{CMS}/owner")).await;
    eventually(&c, &format!("{CMS}/dep1"), StatusCode::NOT_FOUND).await;
    eventually(&c, &format!("{CMS}/dep2"), StatusCode::NOT_FOUND).await;
    // Orphan: dependents stay, their ownerReferences go.
    let owner = c.post(CMS, &cm("owner2")).await.json();
    let mut d = cm("kept");
    d["metadata"]["ownerReferences"] = json!([{"apiVersion": "v1", "kind": "ConfigMap", "name": "owner2", "uid": owner["metadata"]["uid"]}]);
    c.post(CMS, &d).await;
    let r = c
        .delete_with(
            &format!("{CMS}/owner2"),
            &json!({"propagationPolicy": "Orphan"}),
        )
        .await
        .json();
    assert_eq!(r["metadata"]["finalizers"], json!(["orphan"]));
    eventually(&c, &format!("{CMS}/owner2"), StatusCode::NOT_FOUND).await;
    let kept = c.get(&format!("{CMS}/kept")).await.json();
    assert!(kept["metadata"]
        .get("ownerReferences")
        .is_none_or(|r| r.as_array().is_some_and(Vec::is_empty)));
}

#[tokio::test]
async fn delete_3_14_collection() {
    let (_s, c) = start().await;
    for (n, l) in [("a", "x"), ("b", "x"), ("c", "y")] {
        c.configmap("default", n, json!({"grp": l})).await;
    }
    let r = c
        .send(
            http::Method::DELETE,
            &format!("{CMS}?labelSelector=grp%3Dx"),
            &[],
            vec![],
        )
        .await;
    assert_eq!(r.status, StatusCode::OK);
    let list = r.json();
    assert_eq!(list["kind"], "ConfigMapList");
    assert_eq!(list["items"].as_array().unwrap().len(), 2);
    let left = c.get(CMS).await.json();
    assert_eq!(left["items"].as_array().unwrap().len(), 1);
}

#[tokio::test]
async fn dry_run_3_15() {
    let (s, c) = start().await;
    let before = s.resource_version();
    let r = c
        .post(
            &format!("{CMS}?dryRun=All"),
            &json!({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"generateName": "d-"}}),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED);
    let o = r.json();
    assert!(o["metadata"]["name"].as_str().unwrap().starts_with("d-"));
    assert!(o["metadata"]["uid"].is_string());
    assert!(o["metadata"].get("resourceVersion").is_none());
    assert_eq!(s.resource_version(), before);
    assert_eq!(
        c.post(&format!("{CMS}?dryRun=Some"), &cm("z"))
            .await
            .status
            .as_u16(),
        422
    );
    c.post(CMS, &cm("x")).await;
    assert_eq!(
        c.send(
            http::Method::DELETE,
            &format!("{CMS}/x?dryRun=All"),
            &[],
            vec![]
        )
        .await
        .status,
        StatusCode::OK
    );
    assert_eq!(c.get(&format!("{CMS}/x")).await.status, StatusCode::OK);
}

#[tokio::test]
async fn namespaces_3_17_missing_and_terminating() {
    let (_s, c) = start().await;
    let r = c
        .post("/api/v1/namespaces/ghost/configmaps", &cm("x"))
        .await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
    assert_eq!(r.json()["message"], "namespaces \"ghost\" not found");
    let ns = json!({"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "doomed"}});
    let created = c.post("/api/v1/namespaces", &ns).await.json();
    assert_eq!(created["status"]["phase"], "Active");
    assert_eq!(
        created["metadata"]["labels"]["kubernetes.io/metadata.name"],
        "doomed"
    );
    let mut held = cm("held");
    held["metadata"]["finalizers"] = json!(["example.com/hold"]);
    assert_eq!(
        c.post("/api/v1/namespaces/doomed/configmaps", &held)
            .await
            .status,
        StatusCode::CREATED
    );
    c.post("/api/v1/namespaces/doomed/configmaps", &cm("plain"))
        .await;
    let d = c.delete("/api/v1/namespaces/doomed").await;
    assert_eq!(d.status, StatusCode::OK);
    assert_eq!(d.json()["status"]["phase"], "Terminating");
    let r = c
        .post("/api/v1/namespaces/doomed/configmaps", &cm("late"))
        .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    let st = r.json();
    assert_eq!(st["details"]["causes"][0]["reason"], "NamespaceTerminating");
    eventually(
        &c,
        "/api/v1/namespaces/doomed/configmaps/plain",
        StatusCode::NOT_FOUND,
    )
    .await;
    // The finalizer holds the namespace until it is released.
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert_eq!(
        c.get("/api/v1/namespaces/doomed").await.status,
        StatusCode::OK
    );
    c.patch(
        "/api/v1/namespaces/doomed/configmaps/held",
        "application/merge-patch+json",
        &json!({"metadata": {"finalizers": null}}),
    )
    .await;
    eventually(&c, "/api/v1/namespaces/doomed", StatusCode::NOT_FOUND).await;
}

#[tokio::test]
async fn concurrency_3_4_parallel_writers_exactly_one_wins() {
    let (_s, c) = start().await;
    let o = c.post(CMS, &cm("race")).await.json();
    let mut tasks = Vec::new();
    for i in 0..16 {
        let c = c.clone();
        let mut body = o.clone();
        body["data"]["k"] = json!(format!("writer-{i}"));
        tasks.push(tokio::spawn(async move {
            c.put(&format!("{CMS}/race"), &body).await.status
        }));
    }
    let mut ok = 0;
    let mut conflicts = 0;
    for t in tasks {
        match t.await.unwrap() {
            StatusCode::OK => ok += 1,
            StatusCode::CONFLICT => conflicts += 1,
            other => panic!("unexpected {other}"),
        }
    }
    assert_eq!((ok, conflicts), (1, 15));
}

#[tokio::test]
async fn create_virtual_reviews_are_answered() {
    let (_s, c) = start().await;
    let body = json!({"apiVersion": "authorization.k8s.io/v1", "kind": "SelfSubjectAccessReview", "spec": {"resourceAttributes": {"verb": "get", "resource": "pods"}}, "metadata": {"name": "x"}});
    let r = c
        .post(
            "/apis/authorization.k8s.io/v1/selfsubjectaccessreviews",
            &body,
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text());
    assert_eq!(r.json()["status"]["allowed"], true);
}

#[tokio::test]
async fn create_3_2_generate_name_namespace_gets_its_name_label() {
    let (_s, c) = start().await;
    let body = serde_json::json!({"apiVersion": "v1", "kind": "Namespace", "metadata": {"generateName": "demo-"}});
    let created = c.post("/api/v1/namespaces", &body).await.json();
    let name = created["metadata"]["name"]
        .as_str()
        .expect("generated name")
        .to_owned();
    assert!(name.starts_with("demo-"));
    assert_eq!(
        created["metadata"]["labels"]["kubernetes.io/metadata.name"],
        serde_json::Value::String(name)
    );
}
