//! Rules 7.1–7.5: Table and PartialObjectMetadata responses, OpenAPI documents for kubectl,
//! delete-then-watch, and content negotiation.

mod support;

use http::{Method, StatusCode};
use serde_json::{json, Value};
use support::{content_type, start, Client};

const TABLE: &str = "application/json;as=Table;v=v1;g=meta.k8s.io,application/json;as=Table;v=v1beta1;g=meta.k8s.io,application/json";
const POM: &str =
    "application/json;as=PartialObjectMetadataList;v=v1;g=meta.k8s.io,application/json";

async fn get_as(c: &Client, path: &str, accept: &str) -> support::Resp {
    c.send(Method::GET, path, &[("accept", accept)], Vec::new())
        .await
}

fn column_names(t: &Value) -> Vec<String> {
    t["columnDefinitions"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["name"].as_str().unwrap().to_owned())
        .collect()
}

#[tokio::test]
async fn table_7_1_builtin_columns() {
    let (s, c) = start().await;
    s.insert([
        json!({"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "p", "namespace": "default"},
            "spec": {"nodeName": "n1", "containers": [{"name": "a", "image": "i"}, {"name": "b", "image": "j"}]},
            "status": {"phase": "Running", "podIP": "10.0.0.5", "containerStatuses": [
                {"name": "a", "ready": true, "restartCount": 2}, {"name": "b", "ready": false, "restartCount": 1}]}}),
        json!({"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": "d", "namespace": "default"},
            "spec": {"replicas": 3, "selector": {"matchLabels": {"app": "d"}},
                "template": {"spec": {"containers": [{"name": "web", "image": "nginx"}]}}},
            "status": {"readyReplicas": 1, "updatedReplicas": 2, "availableReplicas": 1}}),
        json!({"apiVersion": "v1", "kind": "Service", "metadata": {"name": "svc", "namespace": "default"},
            "spec": {"type": "NodePort", "clusterIP": "10.96.0.9", "ports": [{"port": 80, "nodePort": 30080}, {"port": 53, "protocol": "UDP"}]}}),
        json!({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "cm", "namespace": "default"}, "data": {"a": "1", "b": "2"}}),
        json!({"apiVersion": "v1", "kind": "Node", "metadata": {"name": "n1", "labels": {"node-role.kubernetes.io/control-plane": ""}},
            "status": {"conditions": [{"type": "Ready", "status": "True"}], "nodeInfo": {"kubeletVersion": "v1.36.0"}}}),
    ])
    .unwrap();
    let cases: [(&str, &[&str], Value); 6] = [
        (
            "/api/v1/namespaces/default/pods",
            &[
                "Name",
                "Ready",
                "Status",
                "Restarts",
                "Age",
                "IP",
                "Node",
                "Nominated Node",
                "Readiness Gates",
            ],
            json!(["p", "1/2", "Running", 3]),
        ),
        (
            "/apis/apps/v1/namespaces/default/deployments",
            &[
                "Name",
                "Ready",
                "Up-to-date",
                "Available",
                "Age",
                "Containers",
                "Images",
                "Selector",
            ],
            json!(["d", "1/3", 2, 1]),
        ),
        (
            "/api/v1/namespaces/default/services",
            &[
                "Name",
                "Type",
                "Cluster-IP",
                "External-IP",
                "Port(s)",
                "Age",
                "Selector",
            ],
            json!([
                "svc",
                "NodePort",
                "10.96.0.9",
                "<none>",
                "80:30080/TCP,53/UDP"
            ]),
        ),
        (
            "/api/v1/namespaces/default/configmaps",
            &["Name", "Data", "Age"],
            json!(["cm", 2]),
        ),
        (
            "/api/v1/namespaces",
            &["Name", "Status", "Age"],
            json!(["default", "Active"]),
        ),
        (
            "/api/v1/nodes",
            &["Name", "Status", "Roles", "Age", "Version", "Internal-IP"],
            json!(["n1", "Ready", "control-plane"]),
        ),
    ];
    for (path, cols, cells) in cases {
        let r = get_as(&c, path, TABLE).await;
        assert_eq!(r.status, StatusCode::OK, "{path}");
        let t = r.json();
        assert_eq!(t["kind"], "Table", "{path}");
        assert_eq!(t["apiVersion"], "meta.k8s.io/v1");
        assert!(t["metadata"]["resourceVersion"].is_string());
        assert_eq!(column_names(&t), cols, "{path}");
        let row = &t["rows"][0];
        for (i, want) in cells.as_array().unwrap().iter().enumerate() {
            assert_eq!(&row["cells"][i], want, "{path} cell {i}");
        }
        assert_eq!(row["object"]["kind"], "PartialObjectMetadata");
    }
    // Kinds without a printer: Name and Created At; a single object is a one-row table.
    let r = get_as(&c, "/apis/rbac.authorization.k8s.io/v1/clusterroles", TABLE).await;
    assert_eq!(column_names(&r.json()), ["Name", "Created At"]);
    let t = get_as(&c, "/api/v1/namespaces/default/configmaps/cm", TABLE)
        .await
        .json();
    assert_eq!(t["rows"].as_array().unwrap().len(), 1);
    // includeObject.
    let t = get_as(
        &c,
        "/api/v1/namespaces/default/configmaps?includeObject=Object",
        TABLE,
    )
    .await
    .json();
    assert_eq!(t["rows"][0]["object"]["data"]["a"], "1");
    let t = get_as(
        &c,
        "/api/v1/namespaces/default/configmaps?includeObject=None",
        TABLE,
    )
    .await
    .json();
    assert!(t["rows"][0].get("object").is_none());
    // Watches: each event carries a one-row table.
    let r = c
        .send_raw(
            Method::GET,
            "/api/v1/namespaces/default/configmaps?watch=1",
            &[("accept", TABLE)],
            Vec::new(),
        )
        .await;
    let mut w = support::Watch::from_response(r);
    let e = w.change().await;
    assert_eq!(e["type"], "ADDED");
    assert_eq!(e["object"]["kind"], "Table");
    assert_eq!(e["object"]["rows"][0]["cells"][0], "cm");
}

#[tokio::test]
async fn partial_7_2_metadata_only() {
    let (_s, c) = start().await;
    c.configmap("default", "x", json!({"a": "b"})).await;
    let l = get_as(&c, "/api/v1/namespaces/default/configmaps", POM)
        .await
        .json();
    assert_eq!(l["kind"], "PartialObjectMetadataList");
    assert_eq!(l["apiVersion"], "meta.k8s.io/v1");
    assert_eq!(l["items"][0]["kind"], "PartialObjectMetadata");
    assert_eq!(l["items"][0]["metadata"]["labels"]["a"], "b");
    assert!(l["items"][0].get("data").is_none());
    let one = get_as(
        &c,
        "/api/v1/namespaces/default/configmaps/x",
        "application/json;as=PartialObjectMetadata;v=v1;g=meta.k8s.io",
    )
    .await
    .json();
    assert_eq!(one["kind"], "PartialObjectMetadata");
    assert_eq!(one["metadata"]["name"], "x");
    // Only alternative representations the server cannot produce: 406.
    let r = get_as(
        &c,
        "/api/v1/namespaces/default/configmaps",
        "application/json;as=Other;v=v1;g=meta.k8s.io",
    )
    .await;
    assert_eq!(r.status, StatusCode::NOT_ACCEPTABLE);
}

#[tokio::test]
async fn openapi_7_3_documents_for_kubectl() {
    let (_s, c) = start().await;
    let index = c.get("/openapi/v3").await.json();
    let url = index["paths"]["apis/apps/v1"]["serverRelativeURL"]
        .as_str()
        .expect("apps/v1 listed");
    assert!(url.starts_with("/openapi/v3/apis/apps/v1?hash="));
    assert!(index["paths"]["api/v1"].is_object());
    let doc = c.get(url).await.json();
    assert_eq!(doc["openapi"], "3.0.0");
    let patch = &doc["paths"]["/apis/apps/v1/namespaces/{namespace}/deployments/{name}"]["patch"];
    let params: Vec<&str> = patch["parameters"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["name"].as_str().unwrap())
        .collect();
    assert!(params.contains(&"fieldValidation"), "{params:?}");
    assert_eq!(
        patch["x-kubernetes-group-version-kind"]["kind"],
        "Deployment"
    );
    let deployment = &doc["components"]["schemas"]["io.k8s.api.apps.v1.Deployment"];
    assert_eq!(
        deployment["properties"]["metadata"]["$ref"],
        "#/components/schemas/io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta"
    );
    assert!(doc["components"]["schemas"]["io.k8s.api.core.v1.PodSpec"].is_object());
    let v2 = c.get("/openapi/v2").await;
    assert_eq!(v2.json()["swagger"], "2.0");
    let pb = get_as(
        &c,
        "/openapi/v2",
        "application/com.github.proto-openapi.spec.v2@v1.0+protobuf",
    )
    .await;
    assert_eq!(pb.status, StatusCode::OK);
    assert!(content_type(&pb).contains("protobuf"));
    assert_eq!(
        c.get("/openapi/v3/apis/nope/v1").await.status,
        StatusCode::NOT_FOUND
    );
}

#[tokio::test]
async fn delete_7_4_background_then_watch() {
    let (_s, c) = start().await;
    let o = c.configmap("default", "bye", json!({})).await;
    let mut w = c
        .watch(&format!(
            "/api/v1/namespaces/default/configmaps?watch=1&fieldSelector=metadata.name%3Dbye&resourceVersion={}",
            support::rv(&o)
        ))
        .await;
    let r = c
        .delete_with(
            "/api/v1/namespaces/default/configmaps/bye",
            &json!({"propagationPolicy": "Background"}),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK);
    let e = w.change().await;
    assert_eq!(e["type"], "DELETED");
    assert_eq!(e["object"]["metadata"]["name"], "bye");
}

#[tokio::test]
async fn accept_7_5_protobuf_only_is_406() {
    let (_s, c) = start().await;
    let r = get_as(
        &c,
        "/api/v1/namespaces",
        "application/vnd.kubernetes.protobuf",
    )
    .await;
    assert_eq!(r.status, StatusCode::NOT_ACCEPTABLE);
    let r = get_as(
        &c,
        "/api/v1/namespaces",
        "application/vnd.kubernetes.protobuf,application/json",
    )
    .await;
    assert_eq!(r.status, StatusCode::OK);
    assert_eq!(r.json()["kind"], "NamespaceList");
}
