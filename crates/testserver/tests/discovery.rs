//! Rules 1.1 and 1.4–1.12: URLs, discovery (legacy and aggregated), version, health, 404/405,
//! pretty output, default namespaces; also 7.5 (406) and plain HTTP / HTTP/2 serving.

mod support;

use http::{Method, StatusCode};
use kapi_testserver::TestServer;
use support::{content_type, start, Client};

const AGG: &str = "application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList";

#[tokio::test]
async fn urls_1_1_core_group_and_namespaced_paths() {
    let (_s, c) = start().await;
    c.configmap("default", "a", serde_json::json!({})).await;
    assert_eq!(
        c.get("/api/v1/namespaces/default/configmaps/a")
            .await
            .status,
        StatusCode::OK
    );
    let all = c.get("/api/v1/configmaps").await;
    assert_eq!(all.status, StatusCode::OK);
    assert_eq!(all.json()["kind"], "ConfigMapList");
    assert_eq!(
        c.get("/apis/apps/v1/namespaces/default/deployments")
            .await
            .status,
        StatusCode::OK
    );
    assert_eq!(
        c.get("/apis/rbac.authorization.k8s.io/v1/clusterroles")
            .await
            .status,
        StatusCode::OK
    );
    assert_eq!(
        c.get("/api/v1/namespaces/default").await.json()["kind"],
        "Namespace"
    );
}

#[tokio::test]
async fn discovery_1_4_api_versions_and_groups() {
    let (_s, c) = start().await;
    let api = c.get("/api").await.json();
    assert_eq!(api["kind"], "APIVersions");
    assert_eq!(api["versions"], serde_json::json!(["v1"]));
    assert!(api["serverAddressByClientCIDRs"].is_array());
    let apis = c.get("/apis").await.json();
    assert_eq!(apis["kind"], "APIGroupList");
    let apps = apis["groups"]
        .as_array()
        .unwrap()
        .iter()
        .find(|g| g["name"] == "apps")
        .unwrap();
    assert_eq!(apps["preferredVersion"]["groupVersion"], "apps/v1");
    let g = c.get("/apis/autoscaling").await.json();
    assert_eq!(g["kind"], "APIGroup");
    assert_eq!(g["name"], "autoscaling");
    assert_eq!(g["preferredVersion"]["version"], "v2");
    assert!(g["versions"]
        .as_array()
        .unwrap()
        .iter()
        .any(|v| v["groupVersion"] == "autoscaling/v1"));
}

#[tokio::test]
async fn discovery_1_5_resource_lists_with_subresources() {
    let (_s, c) = start().await;
    let core = c.get("/api/v1").await.json();
    assert_eq!(core["groupVersion"], "v1");
    let res = core["resources"].as_array().unwrap();
    let pods = res.iter().find(|r| r["name"] == "pods").unwrap();
    assert_eq!(pods["singularName"], "pod");
    assert_eq!(pods["namespaced"], true);
    assert_eq!(pods["kind"], "Pod");
    assert_eq!(pods["shortNames"], serde_json::json!(["po"]));
    assert!(pods["verbs"]
        .as_array()
        .unwrap()
        .iter()
        .any(|v| v == "watch"));
    let status = res.iter().find(|r| r["name"] == "pods/status").unwrap();
    assert_eq!(status["singularName"], "");
    assert_eq!(status["kind"], "Pod");
    let apps = c.get("/apis/apps/v1").await.json();
    let scale = apps["resources"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["name"] == "deployments/scale")
        .unwrap();
    assert_eq!(scale["group"], "autoscaling");
    assert_eq!(scale["version"], "v1");
    assert_eq!(scale["kind"], "Scale");
    assert_eq!(
        scale["verbs"],
        serde_json::json!(["get", "patch", "update"])
    );
}

#[tokio::test]
async fn discovery_1_6_aggregated_with_etag_and_304() {
    let (_s, c) = start().await;
    for path in ["/api", "/apis"] {
        let r = c
            .send(
                Method::GET,
                path,
                &[("accept", &format!("{AGG},application/json"))],
                vec![],
            )
            .await;
        assert_eq!(r.status, StatusCode::OK);
        assert_eq!(content_type(&r), AGG);
        let etag = r.header("etag").expect("etag").to_owned();
        let doc = r.json();
        assert_eq!(doc["kind"], "APIGroupDiscoveryList");
        let items = doc["items"].as_array().unwrap();
        if path == "/api" {
            assert_eq!(items.len(), 1);
            assert!(items[0]["metadata"]["name"]
                .as_str()
                .unwrap_or("")
                .is_empty());
            let v1 = &items[0]["versions"][0];
            assert_eq!(v1["freshness"], "Current");
            let pods = v1["resources"]
                .as_array()
                .unwrap()
                .iter()
                .find(|r| r["resource"] == "pods")
                .unwrap();
            assert_eq!(pods["scope"], "Namespaced");
            assert_eq!(pods["responseKind"]["kind"], "Pod");
            assert!(pods["subresources"]
                .as_array()
                .unwrap()
                .iter()
                .any(|s| s["subresource"] == "status"));
        } else {
            assert!(items.iter().any(|i| i["metadata"]["name"] == "apps"));
        }
        let again = c
            .send(
                Method::GET,
                path,
                &[("accept", AGG), ("if-none-match", &etag)],
                vec![],
            )
            .await;
        assert_eq!(again.status, StatusCode::NOT_MODIFIED);
        assert!(again.body.is_empty());
    }
    // Any other Accept gets the legacy document.
    let legacy = c
        .send(
            Method::GET,
            "/apis",
            &[("accept", "application/json")],
            vec![],
        )
        .await;
    assert_eq!(legacy.json()["kind"], "APIGroupList");
}

#[tokio::test]
async fn discovery_1_7_version() {
    let (_s, c) = start().await;
    let v = c.get("/version").await.json();
    for k in [
        "major",
        "minor",
        "gitVersion",
        "gitCommit",
        "gitTreeState",
        "buildDate",
        "goVersion",
        "compiler",
        "platform",
    ] {
        assert!(v[k].is_string(), "{k}");
    }
    assert!(v["gitVersion"].as_str().unwrap().starts_with("v1.36."));
}

#[tokio::test]
async fn health_1_9_plain_ok() {
    let (_s, c) = start().await;
    for p in ["/healthz", "/livez", "/readyz"] {
        let r = c.get(p).await;
        assert_eq!(r.status, StatusCode::OK);
        assert!(content_type(&r).starts_with("text/plain"));
        assert_eq!(r.text(), "ok");
    }
}

#[tokio::test]
async fn errors_1_10_not_found_and_method_not_allowed() {
    let (_s, c) = start().await;
    let r = c.get("/apis/nope.example.com/v1/things").await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
    assert!(content_type(&r).starts_with("text/plain"));
    let r = c.get("/nothing/here").await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
    let r = c.get("/api/v1/nothings").await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
    let st = r.json();
    assert_eq!(st["kind"], "Status");
    assert_eq!(st["reason"], "NotFound");
    assert_eq!(
        st["message"],
        "the server could not find the requested resource"
    );
    let r = c
        .send(
            Method::PUT,
            "/api/v1/namespaces/default/configmaps",
            &[],
            b"{}".to_vec(),
        )
        .await;
    assert_eq!(r.status, StatusCode::METHOD_NOT_ALLOWED);
    assert_eq!(r.json()["reason"], "MethodNotAllowed");
    let r = c
        .send(Method::DELETE, "/api/v1/componentstatuses/x", &[], vec![])
        .await;
    assert_eq!(r.status, StatusCode::METHOD_NOT_ALLOWED);
}

#[tokio::test]
async fn pretty_1_11_indents_only_on_request() {
    let (_s, c) = start().await;
    let compact = c.get("/api/v1/namespaces/default").await.text();
    assert!(!compact.contains('\n'));
    let pretty = c.get("/api/v1/namespaces/default?pretty=true").await.text();
    assert!(pretty.contains("\n  "));
    let list = c.get("/api/v1/namespaces?pretty=true").await.text();
    assert!(list.contains("\n  "));
}

#[tokio::test]
async fn namespaces_1_12_four_defaults() {
    let (_s, c) = start().await;
    let list = c.get("/api/v1/namespaces").await.json();
    let mut names: Vec<&str> = list["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|n| n["metadata"]["name"].as_str().unwrap())
        .collect();
    names.sort_unstable();
    assert_eq!(
        names,
        ["default", "kube-node-lease", "kube-public", "kube-system"]
    );
    assert_eq!(list["items"][0]["status"]["phase"], "Active");
}

#[tokio::test]
async fn negotiation_7_5_protobuf_only_is_406() {
    let (_s, c) = start().await;
    let r = c
        .send(
            Method::GET,
            "/api/v1/namespaces",
            &[("accept", "application/vnd.kubernetes.protobuf")],
            vec![],
        )
        .await;
    assert_eq!(r.status, StatusCode::NOT_ACCEPTABLE);
    let r = c
        .send(
            Method::GET,
            "/api/v1/namespaces",
            &[(
                "accept",
                "application/vnd.kubernetes.protobuf,application/json",
            )],
            vec![],
        )
        .await;
    assert_eq!(r.status, StatusCode::OK);
}

#[tokio::test]
async fn serving_plain_http_and_http2() {
    let s = TestServer::builder().http().start().await.unwrap();
    assert!(s.url().starts_with("http://127.0.0.1:"));
    assert!(s.ca_pem().is_none());
    assert_eq!(Client::new(&s).get("/healthz").await.status, StatusCode::OK);
    let tls = TestServer::start().await.unwrap();
    assert!(tls.url().starts_with("https://"));
    let h2 = Client::with_http2(&tls, true);
    assert_eq!(h2.get("/api/v1/namespaces").await.status, StatusCode::OK);
    tls.stop().await;
}
