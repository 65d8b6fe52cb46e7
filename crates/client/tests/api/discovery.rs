//! Discovery (rules 1.4–1.7), its caches, the discovery REST mapper, the dynamic and
//! metadata clients and the clientset.

use kapi_apimachinery::CompactString;
use std::time::Duration;

use kapi_api::core::v1::ConfigMap;
use kapi_apimachinery::meta::PartialObjectMetadata;
use kapi_apimachinery::options::{CreateOptions, DeleteOptions, ListOptions, PatchOptions};
use kapi_apimachinery::restmapper::RestMapper;
use kapi_apimachinery::{
    DynamicObject, GroupKind, GroupVersionKind, GroupVersionResource, Object as _, Resource as _,
    Scope,
};
use kapi_client::discovery::{Discovery, DiscoveryRestMapper, DiskCache, DynamicClient};
use kapi_client::{Api, Error, Patch};
use serde_json::json;

use crate::support::{config_map, setup};

#[tokio::test]
async fn disc_1_6_aggregated_discovery_finds_groups_resources_and_subresources() {
    let (_server, client) = setup().await;
    let discovery = Discovery::new(client);
    let view = discovery.resources().await.expect("discovery");
    assert!(view.is_aggregated());
    assert_eq!(view.groups()[0].name, "");
    let apps = view.group("apps").expect("apps");
    assert_eq!(apps.versions[0].version, "v1");
    let deploy = view
        .find(&GroupVersionResource::new("apps", "", "deployments"))
        .expect("deployments");
    assert_eq!(deploy.info.kind, "Deployment");
    assert_eq!(deploy.info.scope, Scope::Namespaced);
    assert!(deploy.info.has_subresource("scale") && deploy.info.has_subresource("status"));
    let scale = deploy
        .subresources
        .iter()
        .find(|s| s.name == "scale")
        .expect("scale");
    assert_eq!(
        scale.kind,
        Some(GroupVersionKind::new("autoscaling", "v1", "Scale"))
    );
    assert!(deploy.short_names.iter().any(|s| s == "deploy"));
    let ns = view
        .find_kind(&GroupVersionKind::new("", "v1", "Namespace"))
        .expect("namespaces");
    assert_eq!(ns.info.scope, Scope::Cluster);
    // The same view as the generated catalog for a built-in.
    assert_eq!(
        deploy.info.plural,
        kapi_api::apps::v1::Deployment::INFO.plural
    );
    // Served from memory the second time.
    let again = discovery.resources().await.expect("cached");
    assert!(std::sync::Arc::ptr_eq(&view, &again));
    discovery.invalidate();
    assert!(discovery.cached().is_none());
    let fresh = discovery.resources().await.expect("revalidated");
    assert!(!std::sync::Arc::ptr_eq(&view, &fresh));
    assert_eq!(fresh.groups().len(), view.groups().len());
}

#[tokio::test]
async fn disc_1_7_server_version() {
    let (_server, client) = setup().await;
    let v = Discovery::new(client)
        .server_version()
        .await
        .expect("version");
    assert_eq!(v.major, "1");
    assert!(v.git_version.starts_with("v1."), "{}", v.git_version);
}

#[tokio::test]
async fn disc_disk_cache_is_used_while_fresh_and_revalidated_after() {
    let (server, client) = setup().await;
    let dir = tempfile::tempdir().expect("tempdir");
    let cache = DiskCache::new(dir.path()).ttl(Duration::from_secs(3600));
    let first = Discovery::new(client.clone()).with_disk_cache(cache.clone());
    let view = first.resources().await.expect("discovery");
    let file = cache.file_for(client.cluster_url());
    assert!(file.exists(), "{}", file.display());
    // A new process (a new Discovery) reads the file without asking: prove it by
    // refusing connections meanwhile.
    server.faults().refuse_connections(Duration::from_secs(2));
    tokio::time::sleep(Duration::from_millis(100)).await;
    let second = Discovery::new(client.clone()).with_disk_cache(cache.clone());
    let cached = second.resources().await.expect("from disk");
    assert_eq!(cached.groups().len(), view.groups().len());
    // An expired cache is revalidated against the server (here: still refusing → error).
    let stale = Discovery::new(client.clone()).with_disk_cache(cache.clone().ttl(Duration::ZERO));
    let err = stale.resources().await.expect_err("must ask the server");
    assert!(err.is_connect() || err.is_transport(), "{err}");
    tokio::time::sleep(Duration::from_secs(2)).await;
    let revalidated = stale.resources().await.expect("revalidated");
    assert_eq!(revalidated.groups().len(), view.groups().len());
    // A corrupt file is ignored.
    std::fs::write(&file, b"{not json").expect("corrupt");
    let third = Discovery::new(client).with_disk_cache(cache);
    assert!(third.resources().await.is_ok());
}

#[tokio::test]
async fn discovery_rest_mapper_resolves_kinds_short_names_and_scopes() {
    let (_server, client) = setup().await;
    let mapper = DiscoveryRestMapper::new(Discovery::new(client))
        .await
        .expect("mapper");
    assert_eq!(
        mapper.resolve("deploy").await.expect("deploy").plural,
        "deployments"
    );
    assert_eq!(mapper.resolve("po").await.expect("po").kind, "Pod");
    assert_eq!(
        mapper
            .resolve("leases.coordination.k8s.io")
            .await
            .expect("lease")
            .kind,
        "Lease"
    );
    let m = mapper
        .mapping_for(&GroupKind::new("apps", "Deployment"), &[])
        .await
        .expect("mapping");
    assert_eq!((m.version.as_ref(), m.scope), ("v1", Scope::Namespaced));
    // The synchronous trait.
    let gvk = mapper
        .kind_for(&GroupVersionResource::new("", "", "namespaces"))
        .expect("ns");
    assert_eq!(gvk.kind, "Namespace");
    assert!(mapper
        .resources_for(&GroupVersionResource::new("example.com", "", "widgets"))
        .is_empty());
    let err = mapper
        .resolve("widgets.example.com")
        .await
        .expect_err("unknown");
    assert!(matches!(err, Error::Discovery(_)), "{err}");
}

#[tokio::test]
async fn dynamic_client_over_a_gvr_every_verb() {
    let (_server, client) = setup().await;
    let dynamic = DynamicClient::new(client);
    let gvr = GroupVersionResource::new("", "v1", "configmaps");
    let cms: Api<DynamicObject> = dynamic
        .resource(&gvr, Some("default"))
        .await
        .expect("resolve");
    assert_eq!(cms.resource_info().kind, "ConfigMap");
    let obj = DynamicObject::new("dyn", cms.resource_info()).with_field("data", json!({"a": "1"}));
    let created = cms
        .create(&CreateOptions::default(), &obj)
        .await
        .expect("create");
    assert_eq!(created.data["data"]["a"], "1");
    let got = cms.get("dyn").await.expect("get");
    assert_eq!(got.types.kind, "ConfigMap");
    let mut changed = got.clone();
    changed.data.insert("data".into(), json!({"a": "2"}));
    let replaced = cms
        .replace("dyn", &Default::default(), &changed)
        .await
        .expect("replace");
    assert_eq!(replaced.data["data"]["a"], "2");
    let patched = cms
        .patch(
            "dyn",
            &PatchOptions::default(),
            &Patch::Merge(json!({"data": {"b": "3"}})),
        )
        .await
        .expect("patch");
    assert_eq!(patched.data["data"]["b"], "3");
    let listed = cms.list(&ListOptions::default()).await.expect("list");
    assert!(listed.items.iter().any(|o| o.name() == "dyn"));
    assert!(cms
        .delete("dyn", &DeleteOptions::default())
        .await
        .expect("delete")
        .is_right());

    // Scope checks: a namespace for a cluster-scoped resource is refused at call time.
    let nss = dynamic
        .resource(
            &GroupVersionResource::new("", "v1", "namespaces"),
            Some("x"),
        )
        .await
        .expect("ns");
    let err = nss
        .list(&ListOptions::default())
        .await
        .expect_err("cluster-scoped");
    assert!(
        matches!(&err, Error::InvalidRequest(m) if m.contains("cluster-scoped")),
        "{err}"
    );
    let all = dynamic.resource(&gvr, None).await.expect("all");
    let err = all.get("dyn").await.expect_err("needs a namespace");
    assert!(
        matches!(&err, Error::InvalidRequest(m) if m.contains("namespaced")),
        "{err}"
    );
    assert!(all.list(&ListOptions::default()).await.is_ok());
    let err = dynamic
        .resource(
            &GroupVersionResource::new("example.com", "v1", "widgets"),
            None,
        )
        .await
        .expect_err("unknown");
    assert!(matches!(err, Error::Discovery(_)));
}

#[tokio::test]
async fn metadata_only_api_lists_gets_and_watches_metadata() {
    let (_server, client) = setup().await;
    let cms: Api<ConfigMap> = Api::namespaced(client.clone(), "default");
    let mut cm = config_map("meta", "secret", "value");
    cm.metadata.labels.insert("app".into(), "web".into());
    cms.create(&CreateOptions::default(), &cm)
        .await
        .expect("create");
    let meta = Api::<PartialObjectMetadata>::metadata(client, &ConfigMap::INFO, Some("default"));
    let one = meta.get("meta").await.expect("get");
    assert_eq!(
        one.metadata.labels.get("app").map(CompactString::as_str),
        Some("web")
    );
    let list = meta
        .list(&ListOptions::default().labels("app=web"))
        .await
        .expect("list");
    assert_eq!(list.items.len(), 1);
    assert_eq!(list.items[0].metadata.name.as_deref(), Some("meta"));
    let patched = meta
        .patch(
            "meta",
            &PatchOptions::default(),
            &Patch::Merge(json!({"metadata": {"labels": {"x": "y"}}})),
        )
        .await
        .expect("patch");
    assert_eq!(
        patched.metadata.labels.get("x").map(CompactString::as_str),
        Some("y")
    );
}

#[tokio::test]
async fn clientset_accessors_are_the_generic_api() {
    let (_server, client) = setup().await;
    let cms = client.core_v1().config_maps("default");
    cms.create(&CreateOptions::default(), &config_map("cs", "a", "b"))
        .await
        .expect("create");
    assert_eq!(client.core_v1().config_maps("").namespace(), None);
    let all = client
        .core_v1()
        .config_maps("")
        .list(&ListOptions::default())
        .await
        .expect("all");
    assert!(all.items.iter().any(|c| c.cache_key() == "default/cs"));
    let nss = client
        .core_v1()
        .namespaces()
        .list(&ListOptions::default())
        .await
        .expect("ns");
    assert!(nss.items.iter().any(|n| n.name() == "kube-system"));
    let deploys = client.apps_v1().deployments("default");
    assert_eq!(deploys.resource_info().plural, "deployments");
    let leases = client.coordination_v1().leases("kube-node-lease");
    assert!(leases
        .list(&ListOptions::default())
        .await
        .expect("leases")
        .items
        .is_empty());
    assert_eq!(client.rbac_v1().cluster_roles().namespace(), None);
    assert_eq!(client.batch_v1().jobs("ci").namespace(), Some("ci"));
}

/// A client whose requests for `/api` and `/apis` lose the aggregated `Accept` (so the
/// server answers with legacy documents), counting 304 answers.
fn legacy_client(
    server: &kapi_testserver::TestServer,
    force_legacy: bool,
) -> (
    kapi_client::Client,
    std::sync::Arc<std::sync::atomic::AtomicUsize>,
) {
    use std::sync::atomic::{AtomicUsize, Ordering};
    use std::sync::Arc;
    let not_modified = Arc::new(AtomicUsize::new(0));
    let seen = Arc::clone(&not_modified);
    let client = kapi_client::Client::builder(crate::support::config_for(server))
        .attempt_layer(tower::util::MapRequestLayer::new(
            move |mut req: http::Request<kapi_client::Body>| {
                let p = req.uri().path();
                if force_legacy && (p == "/api" || p == "/apis") {
                    req.headers_mut()
                        .insert("accept", http::HeaderValue::from_static("application/json"));
                }
                req
            },
        ))
        .attempt_layer(tower::util::MapResponseLayer::new(
            move |resp: http::Response<kapi_client::Body>| {
                if resp.status() == http::StatusCode::NOT_MODIFIED {
                    seen.fetch_add(1, Ordering::SeqCst);
                }
                resp
            },
        ))
        .build()
        .expect("client");
    (client, not_modified)
}

#[tokio::test]
async fn disc_1_5_legacy_discovery_when_aggregated_is_not_offered() {
    let (server, _) = setup().await;
    let (client, _) = legacy_client(&server, true);
    let discovery = Discovery::new(client);
    let view = discovery.resources().await.expect("legacy discovery");
    assert!(!view.is_aggregated());
    assert!(view.failed().is_empty(), "{:?}", view.failed());
    let deploy = view
        .find(&GroupVersionResource::new("apps", "v1", "deployments"))
        .expect("deploy");
    assert!(deploy.info.has_subresource("scale"));
    let scale = deploy
        .subresources
        .iter()
        .find(|s| s.name == "scale")
        .expect("scale");
    assert_eq!(
        scale.kind,
        Some(GroupVersionKind::new("autoscaling", "v1", "Scale"))
    );
    let pods = view
        .find(&GroupVersionResource::new("", "v1", "pod"))
        .expect("by singular");
    assert_eq!(pods.info.plural, "pods");
    // The same resources as aggregated discovery.
    let aggregated = Discovery::new(crate::support::client_for(&server))
        .resources()
        .await
        .expect("agg");
    let names = |v: &kapi_client::discovery::ServerResources| {
        let mut n: Vec<String> = v.resources().map(|r| r.info.gvr().to_string()).collect();
        n.sort();
        n
    };
    assert_eq!(names(&view), names(&aggregated));
}

#[tokio::test]
async fn disc_1_6_etag_revalidation_after_invalidate() {
    let (server, _) = setup().await;
    let (client, not_modified) = legacy_client(&server, false);
    let discovery = Discovery::new(client);
    discovery.resources().await.expect("first");
    assert_eq!(not_modified.load(std::sync::atomic::Ordering::SeqCst), 0);
    discovery.refresh().await.expect("revalidate");
    assert_eq!(
        not_modified.load(std::sync::atomic::Ordering::SeqCst),
        2,
        "/api and /apis"
    );
}
