//! The controller of `docs/getting-started.md`: for every ConfigMap labelled
//! `kapi.dev/copy=true`, keep a ConfigMap `<name>-copy` with the same data, owned by the
//! original (so the API server's garbage collector deletes the copy with it).
//!
//! ```text
//! cargo run -p kapi-examples --bin first-controller
//! ```

use std::sync::Arc;

use kapi_api::core::v1::ConfigMap;
use kapi_apimachinery::meta::ObjectMeta;
use kapi_apimachinery::options::{CreateOptions, DeleteOptions, PatchOptions, UpdateOptions};
use kapi_apimachinery::{CompactString, Map};
use kapi_client::{Api, Client, Patch};
use kapi_informers::Lister;
use kapi_runtime::helpers::set_controller_reference;
use kapi_runtime::{on_object, reconciler_fn, Action, Controller, Manager, Reconciler, Request};
use serde_json::json;
use tokio::sync::watch;

use crate::cluster::Cluster;
use crate::error::{Error, Result};
use crate::narrate::Narrator;
use crate::wait::{wait_for, Check, DEFAULT_TIMEOUT};

/// The label that asks for a copy.
pub const COPY_LABEL: &str = "kapi.dev/copy";

/// Any error a reconcile may return (it is logged and retried with back-off).
pub type BoxError = Box<dyn std::error::Error + Send + Sync>;

/// The copier: watches ConfigMaps (the originals, filtered by label, and the copies, mapped to
/// their owner) from the manager's shared informer.
pub fn copier(manager: &Manager) -> Controller<impl Reconciler> {
    let configmaps = manager.factory().informer::<ConfigMap>();
    let lister = configmaps.lister();
    let client = manager.client().clone();
    let reconciler = reconciler_fn(move |request: Request| {
        let (client, lister) = (client.clone(), lister.clone());
        async move { reconcile(&client, &lister, &request).await }
    });
    Controller::new("configmap-copier", reconciler)
        .watches_self(
            &configmaps,
            vec![Arc::new(on_object(|cm: &ConfigMap| {
                cm.metadata
                    .labels
                    .get(COPY_LABEL)
                    .map(CompactString::as_str)
                    == Some("true")
            }))],
        )
        .owns::<ConfigMap, ConfigMap>(&configmaps, vec![])
}

/// Makes `<name>-copy` match `<name>`. Reads come from the cache; writes go to the API.
async fn reconcile(
    client: &Client,
    lister: &Lister<ConfigMap>,
    request: &Request,
) -> Result<Action, BoxError> {
    let Some(original) = lister.get(&request.key()) else {
        return Ok(Action::Done); // deleted: the garbage collector removes the copy
    };
    if original
        .metadata
        .labels
        .get(COPY_LABEL)
        .map(CompactString::as_str)
        != Some("true")
    {
        return Ok(Action::Done);
    }
    let namespace = request.namespace.as_deref().unwrap_or("default");
    let name = format!("{}-copy", request.name);
    let mut copy = ConfigMap {
        metadata: ObjectMeta {
            name: Some(name.clone().into()),
            ..ObjectMeta::default()
        },
        data: original.data.clone(),
        ..ConfigMap::default()
    };
    set_controller_reference(&*original, &mut copy)?;

    let api: Api<ConfigMap> = Api::namespaced(client.clone(), namespace);
    match lister.get(&format!("{namespace}/{name}")) {
        None => {
            api.create(&CreateOptions::default(), &copy).await?;
        }
        Some(current) if current.data == copy.data => {}
        Some(current) => {
            copy.metadata.resource_version = current.metadata.resource_version.clone();
            api.replace(&name, &UpdateOptions::default(), &copy).await?;
        }
    }
    Ok(Action::Done)
}

/// Runs the copier in a fresh namespace and shows it at work.
///
/// # Errors
/// The first failed request or expectation.
pub async fn run(cluster: &Cluster, out: &Narrator) -> Result<()> {
    out.title("first controller: keep a copy of every ConfigMap labelled kapi.dev/copy=true");
    out.note(format!("cluster: {}", cluster.description()));
    let ns = cluster.create_namespace("kapi-first-").await?;
    out.ok(format!("namespace {ns}"));
    let result = steps(cluster.client(), &ns, out).await;
    cluster.delete_namespace(&ns).await?;
    result
}

async fn copy_data(api: &Api<ConfigMap>, want: Option<&str>) -> Result<()> {
    let what = match want {
        Some(v) => format!("settings-copy to hold mode={v}"),
        None => "settings-copy to be gone".to_owned(),
    };
    wait_for(&what, DEFAULT_TIMEOUT, || async {
        let copy = api.get_opt("settings-copy").await?;
        let mode = copy
            .as_ref()
            .map(|c| c.data.get("mode").cloned().unwrap_or_default());
        Ok(if mode.as_deref() == want {
            Check::Done(())
        } else {
            Check::Pending(format!("{mode:?}"))
        })
    })
    .await
}

async fn steps(client: Client, ns: &str, out: &Narrator) -> Result<()> {
    let factory = kapi_informers::SharedInformerFactory::new(client.clone()).namespace(ns);
    let mut manager = Manager::with_factory(client.clone(), factory);
    let controller = copier(&manager);
    manager.add_controller(controller);
    let (stop_tx, stop) = watch::channel(false);
    let running = tokio::spawn(manager.run_until(stop));
    out.ok("manager started with the configmap-copier controller");

    let api: Api<ConfigMap> = Api::namespaced(client, ns);
    out.step("creating settings (kapi.dev/copy=true, mode=fast)");
    let settings = ConfigMap {
        metadata: ObjectMeta {
            name: Some("settings".into()),
            labels: Map::from([(COPY_LABEL.into(), "true".into())]),
            ..ObjectMeta::default()
        },
        data: Map::from([("mode".into(), "fast".into())]),
        ..ConfigMap::default()
    };
    api.create(&CreateOptions::default(), &settings).await?;
    copy_data(&api, Some("fast")).await?;
    out.ok("settings-copy created with mode=fast, owned by settings");

    out.step("changing settings to mode=safe");
    api.patch(
        "settings",
        &PatchOptions::default(),
        &Patch::Merge(json!({ "data": { "mode": "safe" } })),
    )
    .await?;
    copy_data(&api, Some("safe")).await?;
    out.ok("settings-copy follows: mode=safe");

    out.step("deleting settings");
    api.delete("settings", &DeleteOptions::default()).await?;
    copy_data(&api, None).await?;
    out.ok("settings-copy is gone too (the garbage collector followed its owner reference)");

    stop_tx.send_replace(true);
    running
        .await
        .map_err(|e| Error::expectation(format!("the manager task failed: {e}")))??;
    out.ok("manager stopped");
    Ok(())
}
