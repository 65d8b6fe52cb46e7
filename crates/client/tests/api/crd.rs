//! Custom resources through the dynamic client (rules §6), server-side apply (3.9), tables
//! (7.1) and metadata-only responses (7.2) on the test server.

use kapi_apimachinery::CompactString;
use std::time::Duration;

use kapi_api::apiextensions::v1::CustomResourceDefinition;
use kapi_api::core::v1::{ConfigMap, Pod};
use kapi_apimachinery::meta::PartialObjectMetadata;
use kapi_apimachinery::options::{
    CreateOptions, DeleteOptions, ListOptions, PatchOptions, UpdateOptions,
};
use kapi_apimachinery::{DynamicObject, GroupVersionResource, Object as _, Resource as _};
use kapi_client::discovery::{Discovery, DiscoveryRestMapper, DynamicClient};
use kapi_client::{Api, Client, Patch};
use serde_json::json;

use crate::support::{config_map, pod, setup};

fn widget_crd() -> CustomResourceDefinition {
    serde_json::from_value(json!({
        "apiVersion": "apiextensions.k8s.io/v1", "kind": "CustomResourceDefinition",
        "metadata": {"name": "widgets.example.com"},
        "spec": {
            "group": "example.com", "scope": "Namespaced",
            "names": {"plural": "widgets", "singular": "widget", "kind": "Widget", "shortNames": ["wd"]},
            "versions": [{
                "name": "v1", "served": true, "storage": true,
                "schema": {"openAPIV3Schema": {"type": "object", "properties": {
                    "spec": {"type": "object", "properties": {
                        "replicas": {"type": "integer"}, "color": {"type": "string"}}},
                    "status": {"type": "object", "properties": {
                        "replicas": {"type": "integer"}, "selector": {"type": "string"}}}}}},
                "subresources": {"status": {}, "scale": {
                    "specReplicasPath": ".spec.replicas",
                    "statusReplicasPath": ".status.replicas",
                    "labelSelectorPath": ".status.selector"}}
            }]
        }
    }))
    .expect("crd")
}

/// Installs the Widget CRD; returns a mapper that already knows it (found by the
/// refresh-once-on-miss path).
async fn install_widgets(client: &Client) -> DiscoveryRestMapper {
    let mapper = DiscoveryRestMapper::new(Discovery::new(client.clone()))
        .await
        .expect("mapper");
    assert!(
        mapper.resolve("widgets.example.com").await.is_err(),
        "not served yet"
    );
    Api::<CustomResourceDefinition>::cluster(client.clone())
        .create(&CreateOptions::default(), &widget_crd())
        .await
        .expect("create crd");
    for _ in 0..50 {
        if mapper.resolve("wd").await.is_ok() {
            return mapper;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!("the CRD was never served");
}

#[tokio::test]
async fn crd_6_2_a_new_crd_is_found_by_refreshing_discovery_once() {
    let (_server, client) = setup().await;
    let mapper = install_widgets(&client).await;
    let info = mapper.resolve("widgets").await.expect("widgets");
    assert_eq!(
        (info.kind.as_ref(), info.group.as_ref()),
        ("Widget", "example.com")
    );
    assert!(info.has_subresource("status") && info.has_subresource("scale"));
}

#[tokio::test]
async fn crd_6_4_dynamic_custom_resources_every_verb_status_and_scale() {
    let (_server, client) = setup().await;
    let mapper = install_widgets(&client).await;
    let dynamic = DynamicClient::with_discovery(mapper.discovery().clone());
    let widgets = dynamic
        .resource(
            &GroupVersionResource::new("example.com", "v1", "widgets"),
            Some("default"),
        )
        .await
        .expect("resolve");
    let w = DynamicObject::new("w1", widgets.resource_info())
        .with_field("spec", json!({"replicas": 1, "color": "red"}))
        .with_field("status", json!({"replicas": 7}));
    let created = widgets
        .create(&CreateOptions::default(), &w)
        .await
        .expect("create");
    assert_eq!(created.metadata.generation, Some(1));
    assert!(
        created.data.get("status").is_none(),
        "3.10: create drops status"
    );
    let mut got = widgets.get("w1").await.expect("get");
    assert_eq!(got.data["spec"]["color"], "red");

    // 3.5: PUT without a resourceVersion is 422 for custom resources.
    let mut no_rv = got.clone();
    no_rv.metadata.resource_version = None;
    let err = widgets
        .replace("w1", &UpdateOptions::default(), &no_rv)
        .await
        .expect_err("422");
    assert!(err.is_invalid(), "{err}");
    got.data
        .insert("spec".into(), json!({"replicas": 2, "color": "blue"}));
    let replaced = widgets
        .replace("w1", &UpdateOptions::default(), &got)
        .await
        .expect("replace");
    assert_eq!(replaced.metadata.generation, Some(2));
    // 3.8: strategic merge is refused for custom resources.
    let err = widgets
        .patch(
            "w1",
            &PatchOptions::default(),
            &Patch::Strategic(json!({"spec": {"color": "x"}})),
        )
        .await
        .expect_err("415");
    assert_eq!(
        err.api().map(kapi_client::ApiError::code),
        Some(415),
        "{err}"
    );

    // Status and scale subresources of the custom resource.
    let mut st = widgets.get_status("w1").await.expect("status");
    st.data.insert(
        "status".into(),
        json!({"replicas": 2, "selector": "app=w1"}),
    );
    let st = widgets
        .replace_status("w1", &UpdateOptions::default(), &st)
        .await
        .expect("replace status");
    assert_eq!(st.data["status"]["replicas"], 2);
    assert_eq!(
        st.metadata.generation,
        Some(2),
        "3.11: /status never bumps generation"
    );
    let scale = widgets.get_scale("w1").await.expect("scale");
    assert_eq!(scale.spec.as_ref().and_then(|s| s.replicas), Some(2));
    assert_eq!(scale.status.as_ref().map(|s| s.replicas), Some(2));
    let scale = widgets
        .patch_scale(
            "w1",
            &PatchOptions::default(),
            &Patch::Merge(json!({"spec": {"replicas": 4}})),
        )
        .await
        .expect("patch scale");
    assert_eq!(scale.spec.and_then(|s| s.replicas), Some(4));
    assert_eq!(
        widgets.get("w1").await.expect("get").data["spec"]["replicas"],
        4
    );

    // 3.12: custom resources answer a delete with a Status.
    let listed = widgets.list(&ListOptions::default()).await.expect("list");
    assert_eq!(listed.items.len(), 1);
    let status = widgets
        .delete("w1", &DeleteOptions::default())
        .await
        .expect("delete");
    assert!(status.right().is_some_and(|s| s.is_success()));
}

#[tokio::test]
async fn ssa_3_9_apply_creates_conflicts_and_forces() {
    let (_server, client) = setup().await;
    let cms: Api<ConfigMap> = Api::namespaced(client, "default");
    let intent = |v: &str| json!({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "applied"}, "data": {"owner": v}});
    let created = cms
        .patch(
            "applied",
            &PatchOptions::apply("alice"),
            &Patch::Apply(intent("alice")),
        )
        .await
        .expect("apply creates");
    assert_eq!(
        created.data.get("owner").map(CompactString::as_str),
        Some("alice")
    );
    assert!(created
        .metadata
        .managed_fields
        .iter()
        .any(|m| m.manager.as_deref() == Some("alice")));
    let err = cms
        .patch(
            "applied",
            &PatchOptions::apply("bob"),
            &Patch::Apply(intent("bob")),
        )
        .await
        .expect_err("conflict");
    assert!(err.is_conflict(), "{err}");
    assert!(
        err.api()
            .is_some_and(|e| e.has_cause("FieldManagerConflict")),
        "{err}"
    );
    let forced = cms
        .patch(
            "applied",
            &PatchOptions::apply("bob").force(),
            &Patch::Apply(intent("bob")),
        )
        .await
        .expect("force");
    assert_eq!(
        forced.data.get("owner").map(CompactString::as_str),
        Some("bob")
    );
    let dry = PatchOptions {
        dry_run: true,
        ..PatchOptions::apply("bob")
    };
    cms.patch("applied", &dry, &Patch::Apply(intent("dry")))
        .await
        .expect("dry run");
    assert_eq!(
        cms.get("applied")
            .await
            .expect("get")
            .data
            .get("owner")
            .map(CompactString::as_str),
        Some("bob")
    );
}

#[tokio::test]
async fn table_7_1_and_metadata_7_2_from_the_server() {
    let (_server, client) = setup().await;
    let pods: Api<Pod> = Api::namespaced(client.clone(), "default");
    pods.create(&CreateOptions::default(), &pod("web-0"))
        .await
        .expect("pod");
    let table = pods
        .list_table(&ListOptions::default())
        .await
        .expect("table");
    assert_eq!(table.types.kind, "Table");
    assert!(table.column_definitions.iter().any(|c| c.name == "Name"));
    assert_eq!(table.rows.len(), 1);
    assert_eq!(table.rows[0].cells[0], "web-0");
    let one = pods.get_table("web-0").await.expect("one row");
    assert_eq!(one.rows.len(), 1);

    let cms: Api<ConfigMap> = Api::namespaced(client.clone(), "default");
    cms.create(
        &CreateOptions::default(),
        &config_map("big", "data", &"x".repeat(10_000)),
    )
    .await
    .expect("cm");
    let meta = Api::<PartialObjectMetadata>::metadata(client, &ConfigMap::INFO, Some("default"));
    let list = meta.list(&ListOptions::default()).await.expect("list");
    let item = list.items.iter().find(|m| m.name() == "big").expect("big");
    assert_eq!(
        item.types.kind, "PartialObjectMetadata",
        "the server sent metadata only"
    );
    assert_eq!(
        meta.get("big").await.expect("get").types.kind,
        "PartialObjectMetadata"
    );
}
