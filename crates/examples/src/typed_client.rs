//! Typed client: every verb on `Api<ConfigMap>` — create, get, list with a label selector,
//! patch, replace (and what to do about a 409 Conflict), delete.
//!
//! ```text
//! cargo run -p kapi-examples --bin typed-client
//! ```

use kapi_api::core::v1::ConfigMap;
use kapi_apimachinery::meta::ObjectMeta;
use kapi_apimachinery::options::{
    CreateOptions, DeleteOptions, ListOptions, PatchOptions, UpdateOptions,
};
use kapi_apimachinery::{CompactString, Map};
use kapi_client::{retry_on_conflict, Api, Backoff, Client, Patch};
use serde_json::json;

use crate::cluster::Cluster;
use crate::error::{ensure, Error, Result};
use crate::narrate::Narrator;

/// Runs the example in a fresh namespace, deleted at the end.
///
/// # Errors
/// The first failed request or expectation.
pub async fn run(cluster: &Cluster, out: &Narrator) -> Result<()> {
    out.title("typed client: create, get, list, patch, replace, delete on Api<ConfigMap>");
    out.note(format!("cluster: {}", cluster.description()));
    let ns = cluster.create_namespace("kapi-typed-").await?;
    out.ok(format!("namespace {ns}"));
    let result = steps(cluster.client(), &ns, out).await;
    cluster.delete_namespace(&ns).await?;
    result
}

fn config_map(name: &str, tier: &str, mode: &str) -> ConfigMap {
    ConfigMap {
        metadata: ObjectMeta {
            name: Some(name.into()),
            labels: Map::from([("tier".into(), tier.into())]),
            ..ObjectMeta::default()
        },
        data: Map::from([("mode".into(), mode.into())]),
        ..ConfigMap::default()
    }
}

async fn steps(client: Client, ns: &str, out: &Narrator) -> Result<()> {
    let cms: Api<ConfigMap> = Api::namespaced(client, ns);

    // Create: the server answers with the stored object (uid, resourceVersion, …).
    out.step("creating config maps web-a, web-b (tier=web) and db (tier=db)");
    for (name, tier) in [("web-a", "web"), ("web-b", "web"), ("db", "db")] {
        let created = cms
            .create(&CreateOptions::default(), &config_map(name, tier, "fast"))
            .await?;
        out.reaction(format!(
            "created {name}: uid {}, resourceVersion {}",
            created.metadata.uid.as_deref().unwrap_or("?"),
            created.metadata.resource_version.as_deref().unwrap_or("?")
        ));
    }
    out.ok("3 config maps created");

    // Get.
    let web_a = cms.get("web-a").await?;
    ensure(
        web_a.data.get("mode").map(CompactString::as_str) == Some("fast"),
        "web-a has mode=fast",
    )?;
    out.ok(format!("get web-a: data {:?}", web_a.data));
    // get_opt turns a 404 into None.
    ensure(
        cms.get_opt("missing").await?.is_none(),
        "get_opt(missing) is None",
    )?;
    out.ok("get_opt(\"missing\") is None (a 404 is not an error there)");

    // List with a label selector.
    let web = cms.list(&ListOptions::default().labels("tier=web")).await?;
    let names: Vec<&str> = web
        .items
        .iter()
        .filter_map(|c| c.metadata.name.as_deref())
        .collect();
    ensure(
        names == ["web-a", "web-b"],
        "tier=web lists web-a and web-b",
    )?;
    out.ok(format!(
        "list tier=web: {names:?} at resourceVersion {}",
        web.metadata.resource_version.as_deref().unwrap_or("?")
    ));

    // Patch: a JSON merge patch touches only what it names.
    let patched = cms
        .patch(
            "web-a",
            &PatchOptions::default(),
            &Patch::Merge(json!({ "data": { "mode": "safe", "replicas": "2" } })),
        )
        .await?;
    ensure(
        patched.data.get("mode").map(CompactString::as_str) == Some("safe")
            && patched.data.len() == 2,
        "the merge patch changed mode and added replicas",
    )?;
    out.ok(format!("merge patch web-a: data {:?}", patched.data));

    // Replace is conditional on metadata.resourceVersion: a stale copy gets 409 Conflict.
    out.step("replacing web-b from a copy that someone else changed in the meantime");
    let stale = cms.get("web-b").await?;
    cms.patch(
        "web-b",
        &PatchOptions::default(),
        &Patch::Merge(json!({ "metadata": { "annotations": { "touched-by": "someone-else" } } })),
    )
    .await?;
    let mut edit = stale.clone();
    edit.data.insert("mode".into(), "safe".into());
    match cms.replace("web-b", &UpdateOptions::default(), &edit).await {
        Err(e) if e.is_conflict() => out.reaction(format!("409 Conflict: {e}")),
        Err(e) => return Err(e.into()),
        Ok(_) => return Err(Error::expectation("a stale replace succeeded")),
    }
    // The fix: read, modify, write — again on conflict (client-go's RetryOnConflict).
    let mut attempts = 0;
    let replaced = retry_on_conflict(Backoff::conflict_default(), || {
        attempts += 1;
        let cms = cms.clone();
        async move {
            let mut current = cms.get("web-b").await?;
            current.data.insert("mode".into(), "safe".into());
            cms.replace("web-b", &UpdateOptions::default(), &current)
                .await
        }
    })
    .await?;
    ensure(
        replaced.metadata.annotations.contains_key("touched-by"),
        "the retried replace kept the other writer's annotation",
    )?;
    out.ok(format!(
        "retry_on_conflict: replaced web-b after {attempts} attempt(s), keeping the other \
         writer's annotation"
    ));

    // Delete: config maps answer with a Status; objects with finalizers with the object.
    let answer = cms.delete("db", &DeleteOptions::default()).await?;
    ensure(cms.get_opt("db").await?.is_none(), "db is gone")?;
    out.ok(format!(
        "deleted db (the server answered with {})",
        if answer.is_left() {
            "the object"
        } else {
            "a Status"
        }
    ));
    let rest = cms.list(&ListOptions::default().labels("tier")).await?;
    ensure(rest.items.len() == 2, "two labelled config maps are left")?;
    out.ok("2 labelled config maps left: web-a, web-b");
    Ok(())
}
