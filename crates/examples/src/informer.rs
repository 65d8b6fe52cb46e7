//! Informer, lister and indexer: a shared informer keeps a cache of ConfigMaps in sync, an
//! event handler hears every change, a custom index answers "which config maps belong to team
//! X" without asking the server, and a namespaced lister filters by labels.
//!
//! ```text
//! cargo run -p kapi-examples --bin informer
//! ```

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;

use kapi_api::core::v1::ConfigMap;
use kapi_apimachinery::meta::ObjectMeta;
use kapi_apimachinery::options::{CreateOptions, DeleteOptions, PatchOptions};
use kapi_apimachinery::Map;
use kapi_apimachinery::{Object, Selector};
use kapi_client::{Api, Client, Patch};
use kapi_informers::{DeleteKind, ResourceEventHandler, SharedInformerFactory};
use serde_json::json;

use crate::cluster::Cluster;
use crate::error::{ensure, Error, Result};
use crate::narrate::Narrator;
use crate::wait::{wait_for, Check, DEFAULT_TIMEOUT};

/// The custom index: config maps by their `team` label.
pub const TEAM_INDEX: &str = "by-team";

/// Runs the example in a fresh namespace, deleted at the end.
///
/// # Errors
/// The first failed request or expectation.
pub async fn run(cluster: &Cluster, out: &Narrator) -> Result<()> {
    out.title("informer: a shared cache with a custom index, a lister and an event handler");
    out.note(format!("cluster: {}", cluster.description()));
    let ns = cluster.create_namespace("kapi-informer-").await?;
    out.ok(format!("namespace {ns}"));
    let result = steps(cluster.client(), &ns, out).await;
    cluster.delete_namespace(&ns).await?;
    result
}

/// Counts what it hears and narrates it. Handlers run on their own task: keep them short.
#[derive(Debug)]
struct Narrating {
    out: Narrator,
    adds: AtomicUsize,
    updates: AtomicUsize,
    deletes: AtomicUsize,
}

impl ResourceEventHandler<ConfigMap> for Narrating {
    fn on_add(&self, obj: &Arc<ConfigMap>, initial: bool) {
        self.adds.fetch_add(1, Ordering::SeqCst);
        let when = if initial { "initial list" } else { "watch" };
        self.out
            .reaction(format!("handler: added {} ({when})", obj.name()));
    }
    fn on_update(&self, old: &Arc<ConfigMap>, new: &Arc<ConfigMap>) {
        self.updates.fetch_add(1, Ordering::SeqCst);
        self.out.reaction(format!(
            "handler: updated {} (resourceVersion {} → {})",
            new.name(),
            old.resource_version().unwrap_or("?"),
            new.resource_version().unwrap_or("?")
        ));
    }
    fn on_delete(&self, obj: &Arc<ConfigMap>, _kind: DeleteKind) {
        self.deletes.fetch_add(1, Ordering::SeqCst);
        self.out
            .reaction(format!("handler: deleted {}", obj.name()));
    }
}

fn config_map(name: &str, team: &str, env: &str) -> ConfigMap {
    ConfigMap {
        metadata: ObjectMeta {
            name: Some(name.into()),
            labels: Map::from([("team".into(), team.into()), ("env".into(), env.into())]),
            ..ObjectMeta::default()
        },
        ..ConfigMap::default()
    }
}

async fn wait_count(what: &str, counter: &AtomicUsize, n: usize) -> Result<()> {
    wait_for(what, DEFAULT_TIMEOUT, || async {
        let seen = counter.load(Ordering::SeqCst);
        Ok(if seen >= n {
            Check::Done(())
        } else {
            Check::Pending(format!("{seen} of {n}"))
        })
    })
    .await
}

async fn steps(client: Client, ns: &str, out: &Narrator) -> Result<()> {
    let cms: Api<ConfigMap> = Api::namespaced(client.clone(), ns);
    out.step("creating payments-api, payments-db (team=payments) and search (team=search)");
    for (name, team, env) in [
        ("payments-api", "payments", "prod"),
        ("payments-db", "payments", "staging"),
        ("search", "search", "prod"),
    ] {
        cms.create(&CreateOptions::default(), &config_map(name, team, env))
            .await?;
    }

    // One factory per process; informers are shared by everything that asks for the type.
    let factory = SharedInformerFactory::new(client).namespace(ns);
    let informer = factory.informer::<ConfigMap>();
    informer.add_index(TEAM_INDEX, |cm: &ConfigMap| {
        cm.metadata.labels.get("team").cloned()
    });
    let handler = Arc::new(Narrating {
        out: out.clone(),
        adds: AtomicUsize::new(0),
        updates: AtomicUsize::new(0),
        deletes: AtomicUsize::new(0),
    });
    informer.add_event_handler(SharedHandler(Arc::clone(&handler)), None);

    out.step("starting the informer (list, then watch)");
    factory.start();
    tokio::time::timeout(DEFAULT_TIMEOUT, factory.wait_for_cache_sync())
        .await
        .map_err(|_| Error::expectation("the cache did not sync"))?;
    // Other config maps may exist (a real cluster adds kube-root-ca.crt to every namespace).
    let labelled = Selector::parse("team").map_err(|e| Error::expectation(e.to_string()))?;
    wait_count("the handler to hear the initial list", &handler.adds, 3).await?;
    out.ok(format!(
        "cache synced: {} labelled config maps, from one list request",
        informer.lister().list(&labelled).len()
    ));

    // The custom index: O(1) lookups by team, no API call.
    let store = informer.store();
    let mut payments: Vec<String> = store
        .by_index(TEAM_INDEX, "payments")
        .unwrap_or_default()
        .iter()
        .map(|c| c.name().to_owned())
        .collect();
    payments.sort();
    ensure(
        payments == ["payments-api", "payments-db"],
        "the team index finds both payments config maps",
    )?;
    let mut teams = store.index_values(TEAM_INDEX).unwrap_or_default();
    teams.sort();
    out.ok(format!(
        "index {TEAM_INDEX}: teams {teams:?}; payments → {payments:?}"
    ));

    // A namespaced lister with a label selector.
    let prod = Selector::parse("env=prod").map_err(|e| Error::expectation(e.to_string()))?;
    let prod: Vec<String> = informer
        .lister()
        .namespaced(ns)
        .list(&prod)
        .iter()
        .map(|c| c.name().to_owned())
        .collect();
    ensure(
        prod == ["payments-api", "search"],
        "env=prod lists payments-api and search",
    )?;
    out.ok(format!("lister env=prod in {ns}: {prod:?}"));

    // Changes reach the cache, the index and the handler.
    out.step("moving search to team payments, deleting payments-db");
    cms.patch(
        "search",
        &PatchOptions::default(),
        &Patch::Merge(json!({ "metadata": { "labels": { "team": "payments" } } })),
    )
    .await?;
    cms.delete("payments-db", &DeleteOptions::default()).await?;
    wait_count("the handler to hear the update", &handler.updates, 1).await?;
    wait_count("the handler to hear the delete", &handler.deletes, 1).await?;
    let mut payments: Vec<String> = store
        .by_index(TEAM_INDEX, "payments")
        .unwrap_or_default()
        .iter()
        .map(|c| c.name().to_owned())
        .collect();
    payments.sort();
    ensure(
        payments == ["payments-api", "search"],
        "the index follows the label change and the delete",
    )?;
    ensure(
        store
            .by_index(TEAM_INDEX, "search")
            .unwrap_or_default()
            .is_empty(),
        "team search is empty",
    )?;
    out.ok(format!(
        "index {TEAM_INDEX}: payments → {payments:?}, search → []"
    ));
    factory.shutdown();
    Ok(())
}

/// Lets the example keep a handle on the handler it registered.
#[derive(Debug)]
struct SharedHandler(Arc<Narrating>);

impl ResourceEventHandler<ConfigMap> for SharedHandler {
    fn on_add(&self, obj: &Arc<ConfigMap>, initial: bool) {
        self.0.on_add(obj, initial);
    }
    fn on_update(&self, old: &Arc<ConfigMap>, new: &Arc<ConfigMap>) {
        self.0.on_update(old, new);
    }
    fn on_delete(&self, obj: &Arc<ConfigMap>, kind: DeleteKind) {
        self.0.on_delete(obj, kind);
    }
}
