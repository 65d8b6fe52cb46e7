//! Dynamic client: find a resource through discovery (as kubectl does with `deploy`), then
//! work with it as `DynamicObject`s — no Rust type needed.
//!
//! ```text
//! cargo run -p kapi-examples --bin dynamic-client
//! ```

use kapi_apimachinery::options::{CreateOptions, DeleteOptions, ListOptions, PatchOptions};
use kapi_apimachinery::{DynamicObject, Object};
use kapi_client::discovery::{Discovery, DiscoveryRestMapper, DynamicClient};
use kapi_client::{Api, Client, Patch};
use serde_json::json;

use crate::cluster::Cluster;
use crate::error::{ensure, Result};
use crate::narrate::Narrator;

/// Runs the example in a fresh namespace, deleted at the end.
///
/// # Errors
/// The first failed request or expectation.
pub async fn run(cluster: &Cluster, out: &Narrator) -> Result<()> {
    out.title("dynamic client: discovery, a REST mapping, and DynamicObjects");
    out.note(format!("cluster: {}", cluster.description()));
    let ns = cluster.create_namespace("kapi-dynamic-").await?;
    out.ok(format!("namespace {ns}"));
    let result = steps(cluster.client(), &ns, out).await;
    cluster.delete_namespace(&ns).await?;
    result
}

async fn steps(client: Client, ns: &str, out: &Narrator) -> Result<()> {
    // Discovery: what the server serves (aggregated discovery: two requests).
    let discovery = Discovery::new(client);
    let version = discovery.server_version().await?;
    let view = discovery.resources().await?;
    out.ok(format!(
        "server {}: {} API groups, {} resources (preferred versions)",
        version.git_version,
        view.groups().len(),
        view.preferred_resources().count()
    ));

    // A kubectl-style name to a resource: `deploy` → apps/v1 deployments.
    let mapper = DiscoveryRestMapper::new(discovery.clone()).await?;
    let info = mapper.resolve("deploy").await?;
    ensure(
        info.gvr().resource == "deployments",
        "`deploy` maps to deployments",
    )?;
    out.ok(format!(
        "`deploy` is {}/{} {} (kind {}, namespaced: {}, subresources: {})",
        info.group,
        info.version,
        info.plural,
        info.kind,
        info.scope.is_namespaced(),
        info.subresources.join(", ")
    ));

    // The dynamic client: an `Api<DynamicObject>` for that group/version/resource.
    let dynamic = DynamicClient::with_discovery(discovery);
    let deployments: Api<DynamicObject> = dynamic.resource(&info.gvr(), Some(ns)).await?;
    let web = DynamicObject::new("web", deployments.resource_info()).with_field(
        "spec",
        json!({
            "replicas": 2,
            "selector": { "matchLabels": { "app": "web" } },
            "template": {
                "metadata": { "labels": { "app": "web" } },
                "spec": { "containers": [{ "name": "app", "image": "registry.k8s.io/pause:3.10" }] }
            }
        }),
    );
    let created = deployments.create(&CreateOptions::default(), &web).await?;
    out.ok(format!(
        "created {} {}/{} (generation {})",
        created.types.kind,
        ns,
        created.name(),
        created.metadata.generation.unwrap_or_default()
    ));

    // Fields are plain JSON.
    let patched = deployments
        .patch(
            "web",
            &PatchOptions::default(),
            &Patch::Merge(json!({ "spec": { "replicas": 4 } })),
        )
        .await?;
    let replicas = patched.data["spec"]["replicas"].as_i64();
    ensure(replicas == Some(4), "the patch set spec.replicas to 4")?;
    out.ok(format!(
        "patched spec.replicas to {} (generation {})",
        replicas.unwrap_or_default(),
        patched.metadata.generation.unwrap_or_default()
    ));

    let list = deployments.list(&ListOptions::default()).await?;
    let names: Vec<&str> = list.items.iter().map(Object::name).collect();
    ensure(names == ["web"], "the list holds web")?;
    out.ok(format!("list: {names:?}"));

    // Back to a typed value whenever you have the type.
    let typed: serde_json::Value = patched.to_typed()?;
    ensure(typed["kind"] == "Deployment", "the object converts")?;

    deployments.delete("web", &DeleteOptions::default()).await?;
    ensure(
        deployments.get_opt("web").await?.is_none(),
        "web is deleted",
    )?;
    out.ok("deleted web");
    Ok(())
}
