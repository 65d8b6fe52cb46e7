//! Rule 3.9: server-side apply, field ownership, conflicts and `managedFields`.

mod support;

use http::{Method, StatusCode};
use serde_json::{json, Value};
use support::{apply, install_crd, send_json, start, widget_crd, WIDGETS};

const CMS: &str = "/api/v1/namespaces/default/configmaps";
const DEPLOYS: &str = "/apis/apps/v1/namespaces/default/deployments";

fn managers(o: &Value) -> Vec<(String, String)> {
    o["metadata"]["managedFields"]
        .as_array()
        .cloned()
        .unwrap_or_default()
        .iter()
        .map(|m| {
            (
                m["manager"].as_str().unwrap_or("").to_owned(),
                m["operation"].as_str().unwrap_or("").to_owned(),
            )
        })
        .collect()
}

fn entry<'a>(o: &'a Value, manager: &str) -> &'a Value {
    o["metadata"]["managedFields"]
        .as_array()
        .unwrap()
        .iter()
        .find(|m| m["manager"] == manager)
        .unwrap_or_else(|| panic!("no entry for {manager}: {o}"))
}

const CM_YAML: &str =
    "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: c\ndata:\n  a: \"1\"\n  b: \"2\"\n";

#[tokio::test]
async fn apply_3_9_options_are_checked() {
    let (_s, c) = start().await;
    let path = format!("{CMS}/c");
    let r = apply(&c, &path, "", CM_YAML).await;
    assert_eq!(r.status.as_u16(), 422);
    assert_eq!(r.json()["details"]["causes"][0]["field"], "fieldManager");
    let r = c
        .patch(
            &format!("{path}?force=true"),
            "application/merge-patch+json",
            &json!({}),
        )
        .await;
    assert_eq!(r.status.as_u16(), 422);
    assert_eq!(r.json()["details"]["causes"][0]["field"], "force");
    let r = apply(
        &c,
        &path,
        "fieldManager=m",
        "apiVersion: v1\nmetadata:\n  name: c\n",
    )
    .await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST, "kind is required");
    let r = apply(
        &c,
        &path,
        "fieldManager=m",
        "apiVersion: v1\nkind: Secret\nmetadata:\n  name: c\n",
    )
    .await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
    let r = apply(
        &c,
        &path,
        "fieldManager=m",
        "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: other\n",
    )
    .await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
}

#[tokio::test]
async fn apply_3_9_creates_then_merges_by_ownership() {
    let (_s, c) = start().await;
    let path = format!("{CMS}/c");
    let r = apply(&c, &path, "fieldManager=tool", CM_YAML).await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text());
    let o = r.json();
    assert_eq!(o["data"], json!({"a": "1", "b": "2"}));
    let e = entry(&o, "tool");
    assert_eq!(e["operation"], "Apply");
    assert_eq!(e["apiVersion"], "v1");
    assert_eq!(e["fieldsType"], "FieldsV1");
    assert!(e["time"].is_string());
    assert_eq!(e["fieldsV1"], json!({"f:data": {"f:a": {}, "f:b": {}}}));
    // Re-applying the same thing is a no-op.
    let again = apply(&c, &path, "fieldManager=tool", CM_YAML).await;
    assert_eq!(again.status, StatusCode::OK);
    assert_eq!(
        again.json()["metadata"]["resourceVersion"],
        o["metadata"]["resourceVersion"]
    );
    // Another manager adds a key: both are kept.
    let r = apply(&c, &path, "fieldManager=other", "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: c\n  labels:\n    team: x\ndata:\n  z: \"9\"\n").await;
    let o = r.json();
    assert_eq!(o["data"], json!({"a": "1", "b": "2", "z": "9"}));
    assert_eq!(o["metadata"]["labels"]["team"], "x");
    // The first manager stops applying b: it is removed; z (owned by other) stays.
    let r = apply(
        &c,
        &path,
        "fieldManager=tool",
        "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: c\ndata:\n  a: \"1\"\n",
    )
    .await;
    assert_eq!(r.json()["data"], json!({"a": "1", "z": "9"}));
    // JSON is YAML too.
    let r = apply(&c, &path, "fieldManager=tool", &json!({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "c"}, "data": {"a": "2"}}).to_string()).await;
    assert_eq!(r.json()["data"]["a"], "2");
}

#[tokio::test]
async fn apply_3_9_conflicts_and_force() {
    let (_s, c) = start().await;
    let path = format!("{CMS}/c");
    apply(&c, &path, "fieldManager=tool", CM_YAML).await;
    let r = apply(
        &c,
        &path,
        "fieldManager=intruder",
        "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: c\ndata:\n  a: \"X\"\n  b: \"Y\"\n",
    )
    .await;
    assert_eq!(r.status, StatusCode::CONFLICT, "{}", r.text());
    let st = r.json();
    assert_eq!(st["reason"], "Conflict");
    assert_eq!(
        st["message"],
        "Apply failed with 2 conflicts: conflicts with \"tool\":\n- .data.a\n- .data.b"
    );
    let causes = st["details"]["causes"].as_array().unwrap();
    assert_eq!(causes.len(), 2);
    assert_eq!(causes[0]["reason"], "FieldManagerConflict");
    assert_eq!(causes[0]["message"], "conflict with \"tool\"");
    assert_eq!(causes[0]["field"], ".data.a");
    // Same value: no conflict, shared ownership.
    let r = apply(
        &c,
        &path,
        "fieldManager=intruder",
        "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: c\ndata:\n  a: \"1\"\n",
    )
    .await;
    assert_eq!(r.status, StatusCode::OK);
    // Forced: the intruder takes b.
    let r = apply(
        &c,
        &path,
        "fieldManager=intruder&force=true",
        "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: c\ndata:\n  b: \"Y\"\n",
    )
    .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text());
    let o = r.json();
    assert_eq!(o["data"]["b"], "Y");
    assert_eq!(
        entry(&o, "tool")["fieldsV1"],
        json!({"f:data": {"f:a": {}}})
    );
    assert_eq!(
        entry(&o, "intruder")["fieldsV1"],
        json!({"f:data": {"f:b": {}}})
    );
    // An Update that changes an applied field takes it; the applier then conflicts with it.
    let r = c
        .patch(
            &format!("{path}?fieldManager=editor"),
            "application/merge-patch+json",
            &json!({"data": {"a": "E"}}),
        )
        .await
        .json();
    assert!(managers(&r).contains(&("editor".into(), "Update".into())));
    let r = apply(
        &c,
        &path,
        "fieldManager=tool",
        "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: c\ndata:\n  a: \"1\"\n",
    )
    .await;
    assert_eq!(r.status, StatusCode::CONFLICT);
    assert_eq!(
        r.json()["message"],
        "Apply failed with 1 conflict: conflict with \"editor\" using v1: .data.a"
    );
}

#[tokio::test]
async fn apply_3_9_every_write_records_managed_fields() {
    let (_s, c) = start().await;
    let cm = json!({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "u"}, "data": {"k": "v"}});
    let r = send_json(
        &c,
        Method::POST,
        CMS,
        &[("user-agent", "robot/1.2 (linux)")],
        &cm,
    )
    .await;
    let o = r.json();
    assert_eq!(managers(&o), [("robot".to_owned(), "Update".to_owned())]);
    assert_eq!(
        entry(&o, "robot")["fieldsV1"],
        json!({"f:data": {".": {}, "f:k": {}}})
    );
    let mut upd = o.clone();
    upd["data"]["k2"] = json!("v2");
    let o = c
        .put(&format!("{CMS}/u?fieldManager=writer"), &upd)
        .await
        .json();
    assert_eq!(
        entry(&o, "writer")["fieldsV1"],
        json!({"f:data": {"f:k2": {}}})
    );
    // Status writes are recorded with their subresource.
    let pod = json!({"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "p"}, "spec": {"containers": [{"name": "c", "image": "i"}]}});
    c.post("/api/v1/namespaces/default/pods?fieldManager=maker", &pod)
        .await;
    let r = c
        .patch(
            "/api/v1/namespaces/default/pods/p/status?fieldManager=kubelet",
            "application/merge-patch+json",
            &json!({"status": {"phase": "Running"}}),
        )
        .await
        .json();
    let e = entry(&r, "kubelet");
    assert_eq!(e["subresource"], "status");
    assert_eq!(e["fieldsV1"], json!({"f:status": {"f:phase": {}}}));
    // managedFields: [{}] strips them.
    let r = c
        .patch(
            &format!("{CMS}/u"),
            "application/merge-patch+json",
            &json!({"metadata": {"managedFields": [{}]}}),
        )
        .await
        .json();
    assert!(r["metadata"].get("managedFields").is_none(), "{r}");
}

#[tokio::test]
async fn apply_3_9_list_map_keys_from_the_catalog() {
    let (_s, c) = start().await;
    let path = format!("{DEPLOYS}/d");
    let base = "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: d\nspec:\n  selector:\n    matchLabels: {app: d}\n  template:\n    metadata:\n      labels: {app: d}\n    spec:\n      containers:\n";
    let r = apply(&c, &path, "fieldManager=one", &format!("{base}      - name: app\n        image: app:1\n        ports:\n        - containerPort: 80\n")).await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text());
    let r = apply(
        &c,
        &path,
        "fieldManager=two",
        &format!("{base}      - name: sidecar\n        image: side:1\n"),
    )
    .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text());
    let o = r.json();
    let names: Vec<&str> = o["spec"]["template"]["spec"]["containers"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["name"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["app", "sidecar"], "containers merge by name");
    let fields = &entry(&o, "two")["fieldsV1"]["f:spec"]["f:template"]["f:spec"]["f:containers"];
    assert!(
        fields["k:{\"name\":\"sidecar\"}"]["."].is_object(),
        "{fields}"
    );
    // Manager two changes the app image: conflict on exactly that field.
    let r = apply(
        &c,
        &path,
        "fieldManager=two",
        &format!("{base}      - name: app\n        image: app:2\n"),
    )
    .await;
    assert_eq!(r.status, StatusCode::CONFLICT);
    assert_eq!(
        r.json()["details"]["causes"][0]["field"],
        ".spec.template.spec.containers[name=\"app\"].image"
    );
}

#[tokio::test]
async fn apply_3_9_list_types_from_a_crd_schema() {
    let (_s, c) = start().await;
    install_crd(&c, &widget_crd()).await;
    let path = format!("{WIDGETS}/w");
    let head = "apiVersion: example.com/v1\nkind: Widget\nmetadata:\n  name: w\nspec:\n  size: 1\n";
    let r = apply(
        &c,
        &path,
        "fieldManager=a",
        &format!("{head}  tags: [x]\n  ports:\n  - {{name: http, port: 80}}\n"),
    )
    .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text());
    assert_eq!(r.json()["spec"]["color"], "red", "defaults apply");
    let r = apply(&c, &path, "fieldManager=b", "apiVersion: example.com/v1\nkind: Widget\nmetadata:\n  name: w\nspec:\n  tags: [y]\n  ports:\n  - {name: grpc, port: 90}\n").await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text());
    let o = r.json();
    assert_eq!(o["spec"]["tags"], json!(["x", "y"]), "sets merge");
    assert_eq!(
        o["spec"]["ports"].as_array().unwrap().len(),
        2,
        "maps merge by key"
    );
    assert_eq!(
        entry(&o, "b")["fieldsV1"]["f:spec"]["f:tags"],
        json!({"v:\"y\"": {}})
    );
    // Status is not applied through the main resource.
    let r = apply(
        &c,
        &path,
        "fieldManager=a",
        &format!("{head}status:\n  phase: Done\n"),
    )
    .await;
    assert!(r.json().get("status").is_none());
    let r = apply(
        &c,
        &format!("{path}/status"),
        "fieldManager=ctl",
        "apiVersion: example.com/v1\nkind: Widget\nmetadata:\n  name: w\nstatus:\n  phase: Done\n",
    )
    .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text());
    let o = r.json();
    assert_eq!(o["status"]["phase"], "Done");
    assert_eq!(entry(&o, "ctl")["subresource"], "status");
}

#[tokio::test]
async fn apply_3_9_dry_run_stores_nothing() {
    let (_s, c) = start().await;
    let path = format!("{CMS}/c");
    let r = apply(&c, &path, "fieldManager=tool&dryRun=All", CM_YAML).await;
    assert_eq!(r.status, StatusCode::CREATED);
    assert_eq!(c.get(&path).await.status, StatusCode::NOT_FOUND);
}
