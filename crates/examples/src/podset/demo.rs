//! The scripted demo (`cargo run -p kapi-examples --bin demo`): install the CRD, start the
//! operator under leader election, then create a PodSet, delete one of its Pods, scale it and
//! delete it — checking after each step that the controller did exactly what it should.

use std::time::Duration;

use kapi::apimachinery::Object;
use kapi_api::coordination::v1::Lease;
use kapi_api::core::v1::Pod;
use kapi_apimachinery::options::{CreateOptions, DeleteOptions, ListOptions, PatchOptions};
use kapi_client::{Api, Client, Patch};
use serde_json::json;
use tokio::sync::watch;

use super::feed::EventFeed;
use super::{demo_podset, operator, OperatorConfig, PodSet, Readiness, CONTROLLER_NAME, FINALIZER};
use crate::cluster::Cluster;
use crate::crd::{self, Installed};
use crate::error::{Error, Result};
use crate::narrate::Narrator;
use crate::wait::{wait_for, Check, DEFAULT_TIMEOUT};

/// The PodSet the demo creates.
pub const PODSET: &str = "web";

/// What the demo does; [`DemoOptions::default`] is what the binary runs.
#[derive(Clone, Debug)]
pub struct DemoOptions {
    /// Replicas at creation.
    pub replicas: i32,
    /// Replicas after scaling.
    pub scale_to: i32,
    /// The longest any one step may take.
    pub timeout: Duration,
}

impl Default for DemoOptions {
    fn default() -> Self {
        Self {
            replicas: 3,
            scale_to: 5,
            timeout: DEFAULT_TIMEOUT,
        }
    }
}

/// Runs the demo on `cluster`, narrating to `out`.
///
/// # Errors
/// The first expectation that did not hold, or the first failure, with what was seen.
pub async fn run(cluster: &Cluster, out: &Narrator, options: &DemoOptions) -> Result<()> {
    out.title("kapi demo: a PodSet operator (the ReplicaSet-controller pattern) built on kapi");
    out.note(format!("cluster: {}", cluster.description()));
    let client = cluster.client();

    out.step("creating a namespace for the demo");
    let ns = cluster.create_namespace("kapi-demo-").await?;
    out.ok(format!("namespace {ns}"));

    let result = with_namespace(cluster, out, options, &client, &ns).await;

    out.step(format!("deleting namespace {ns}"));
    match cluster.delete_namespace(&ns).await {
        Ok(()) => out.ok(format!("namespace {ns} is terminating")),
        Err(e) => out.fail(format!("could not delete namespace {ns}: {e}")),
    }
    match &result {
        Ok(()) => out.ok(format!(
            "demo finished in {:.1} s: every expectation held",
            out.elapsed().as_secs_f64()
        )),
        Err(e) => out.fail(format!("demo failed: {e}")),
    }
    result
}

async fn with_namespace(
    cluster: &Cluster,
    out: &Narrator,
    options: &DemoOptions,
    client: &Client,
    ns: &str,
) -> Result<()> {
    out.step(format!("installing the CRD {}", PodSet::CRD_NAME));
    let installed = crd::install(client, &PodSet::crd(), options.timeout).await?;
    out.ok(format!(
        "CRD {} established ({}): demo.kapi.dev/v1 PodSets are served",
        PodSet::CRD_NAME,
        match installed {
            Installed::Created => "created",
            Installed::Updated => "updated",
        }
    ));

    let readiness = if cluster.is_embedded() {
        out.note(
            "the embedded server runs no kubelet, so Pods never start: the operator counts a \
             Pod that exists and is not being deleted as ready",
        );
        Readiness::Exists
    } else {
        Readiness::ReadyCondition
    };
    let identity = format!("kapi-demo-{}", std::process::id());
    let mut config = OperatorConfig::new(ns, &identity);
    config.readiness = readiness;

    out.step(format!(
        "starting the operator: informers on PodSets and Pods, leader election on leases/{ns}/{}",
        config.lease_name
    ));
    let mut events = EventFeed::start(client.clone(), ns, CONTROLLER_NAME).await?;
    let manager = operator(client.clone(), &config);
    let mut leading = manager.leading();
    let (stop_tx, stop) = watch::channel(false);
    let running = tokio::spawn(manager.run_until(stop));

    let scenario = async {
        tokio::time::timeout(options.timeout, leading.wait_for(|l| *l))
            .await
            .map_err(|_| Error::Timeout {
                what: "the operator to become leader".into(),
                after: options.timeout,
                state: "not leading".into(),
            })?
            .map_err(|_| Error::expectation("the operator stopped before leading"))?;
        let lease = Api::<Lease>::namespaced(client.clone(), ns)
            .get(&config.lease_name)
            .await?;
        let holder = lease
            .spec
            .and_then(|s| s.holder_identity)
            .unwrap_or_default();
        if holder != identity {
            return Err(Error::expectation(format!(
                "lease holder is {holder:?}, not {identity:?}"
            )));
        }
        out.ok(format!(
            "operator {identity} is the leader (caches synced, controller running)"
        ));
        scenario(out, options, client, ns, &mut events).await
    };
    let result = scenario.await;

    out.step("stopping the operator");
    stop_tx.send_replace(true);
    let stopped = match running.await {
        Ok(r) => r.map_err(Error::from),
        Err(e) => Err(Error::expectation(format!("the operator task failed: {e}"))),
    };
    let result = result.and(stopped);
    if result.is_ok() {
        let lease = Api::<Lease>::namespaced(client.clone(), ns)
            .get(&config.lease_name)
            .await?;
        let holder = lease
            .spec
            .and_then(|s| s.holder_identity)
            .unwrap_or_default();
        if !holder.is_empty() {
            return Err(Error::expectation(format!(
                "the lease is still held by {holder:?} after a clean stop"
            )));
        }
        out.ok("operator stopped; it released the lease for the next leader");
    }
    if installed == Installed::Created && !cluster.is_embedded() {
        remove_crd(client, out).await;
    }
    result
}

async fn remove_crd(client: &Client, out: &Narrator) {
    use kapi_api::apiextensions::v1::CustomResourceDefinition;
    out.step(format!("removing the CRD {}", PodSet::CRD_NAME));
    match Api::<CustomResourceDefinition>::all(client.clone())
        .delete(PodSet::CRD_NAME, &DeleteOptions::default())
        .await
    {
        Ok(_) => out.ok(format!("CRD {} deleted", PodSet::CRD_NAME)),
        Err(e) => out.fail(format!("could not delete the CRD: {e}")),
    }
}

async fn scenario(
    out: &Narrator,
    options: &DemoOptions,
    client: &Client,
    ns: &str,
    events: &mut EventFeed,
) -> Result<()> {
    let podsets = Api::<PodSet>::namespaced(client.clone(), ns);
    let pods = Api::<Pod>::namespaced(client.clone(), ns);
    let n = options.replicas;
    let timeout = options.timeout;

    // 1. Create.
    out.step(format!("creating podset/{PODSET} with {n} replicas"));
    podsets
        .create(&CreateOptions::default(), &demo_podset(PODSET, n))
        .await?;
    events
        .expect(out, &[("SuccessfulCreate", count(n))], timeout)
        .await?;
    let ready = wait_ready(&podsets, &pods, n, None, timeout).await?;
    let set = podsets.get(PODSET).await?;
    if !set.metadata.finalizers.iter().any(|f| f == FINALIZER) {
        return Err(Error::expectation(format!(
            "podset/{PODSET} lacks the finalizer {FINALIZER}"
        )));
    }
    out.ok(format!(
        "podset/{PODSET}: {n}/{n} pods ready ({}); finalizer {FINALIZER} added",
        ready.join(", ")
    ));

    // 2. Delete a Pod: the controller replaces it.
    let victim = ready[0].clone();
    out.step(format!(
        "deleting pod {victim} (as a failed node or `kubectl delete pod` would)"
    ));
    pods.delete(&victim, &DeleteOptions::default()).await?;
    events
        .expect(out, &[("SuccessfulCreate", 1)], timeout)
        .await?;
    let now = wait_ready(&podsets, &pods, n, Some(&victim), timeout).await?;
    let fresh: Vec<&String> = now.iter().filter(|p| !ready.contains(p)).collect();
    out.ok(format!(
        "podset/{PODSET}: {n}/{n} pods ready ({} replaced {victim})",
        fresh.first().map_or("?", |s| s.as_str())
    ));

    // 3. Scale up.
    let m = options.scale_to;
    out.step(format!("scaling podset/{PODSET} to {m} replicas"));
    podsets
        .patch(
            PODSET,
            &PatchOptions::default(),
            &Patch::Merge(json!({ "spec": { "replicas": m } })),
        )
        .await?;
    let (creates, deletes) = if m >= n {
        (count(m - n), 0)
    } else {
        (0, count(n - m))
    };
    let mut expected = Vec::new();
    if creates > 0 {
        expected.push(("SuccessfulCreate", creates));
    }
    if deletes > 0 {
        expected.push(("SuccessfulDelete", deletes));
    }
    events.expect(out, &expected, timeout).await?;
    wait_ready(&podsets, &pods, m, None, timeout).await?;
    out.ok(format!("podset/{PODSET}: {m}/{m} pods ready"));

    // 4. Delete the PodSet: the finalizer makes the controller delete the Pods first.
    out.step(format!("deleting podset/{PODSET}"));
    if let Some(pending) = podsets
        .delete(PODSET, &DeleteOptions::default())
        .await?
        .left()
    {
        if pending.metadata.deletion_timestamp.is_some() {
            out.note(format!(
                "the API server keeps podset/{PODSET} (deletionTimestamp set) until the \
                 controller removes its finalizer"
            ));
        }
    }
    events
        .expect(
            out,
            &[("SuccessfulDelete", count(m)), ("Finalized", 1)],
            timeout,
        )
        .await?;
    wait_for(
        &format!("podset/{PODSET} and its pods to be gone"),
        timeout,
        || async {
            let set = podsets.get_opt(PODSET).await?;
            let left = owned_pods(&pods, None).await?;
            Ok(if set.is_none() && left.is_empty() {
                Check::Done(())
            } else {
                Check::Pending(format!(
                    "podset present: {}, pods left: {}",
                    set.is_some(),
                    left.len()
                ))
            })
        },
    )
    .await?;
    out.ok(format!("podset/{PODSET} deleted; its {m} pods are gone"));
    events.expect_none(out, Duration::from_millis(500)).await?;
    out.ok("the controller did nothing more than that (no stray creates or deletes)");
    Ok(())
}

fn count(n: i32) -> usize {
    usize::try_from(n).unwrap_or(0)
}

/// Names of the demo PodSet's Pods that are not being deleted, controlled by `uid` (any
/// PodSet when `None`).
async fn owned_pods(pods: &Api<Pod>, uid: Option<&str>) -> Result<Vec<String>> {
    let list = pods
        .list(&ListOptions::default().labels(&format!("{}={PODSET}", super::POD_LABEL)))
        .await?;
    let mut names: Vec<String> = list
        .items
        .iter()
        .filter(|p| uid.is_none_or(|uid| p.metadata.controller_ref().is_some_and(|r| r.uid == uid)))
        .filter(|p| uid.is_none() || p.metadata.deletion_timestamp.is_none())
        .map(|p| p.name().to_owned())
        .collect();
    names.sort();
    Ok(names)
}

/// Waits until the PodSet reports `n`/`n` ready for its current generation and exactly `n`
/// live Pods exist (none of them `gone`); returns their names.
async fn wait_ready(
    podsets: &Api<PodSet>,
    pods: &Api<Pod>,
    n: i32,
    gone: Option<&str>,
    timeout: Duration,
) -> Result<Vec<String>> {
    wait_for(
        &format!("podset/{PODSET} to have {n}/{n} pods ready"),
        timeout,
        || async {
            let set = podsets.get(PODSET).await?;
            let uid = set.uid().unwrap_or_default().to_owned();
            let live = owned_pods(pods, Some(&uid)).await?;
            let status = set.status.clone().unwrap_or_default();
            let done = count(n) == live.len()
                && status.replicas == n
                && status.ready_replicas == n
                && status.observed_generation == set.metadata.generation
                && gone.is_none_or(|g| !live.iter().any(|p| p == g));
            Ok(if done {
                Check::Done(live)
            } else {
                Check::Pending(format!(
                    "{} live pods {:?}; status {}/{} ready for generation {:?} (current {:?})",
                    live.len(),
                    live,
                    status.ready_replicas,
                    status.replicas,
                    status.observed_generation,
                    set.metadata.generation
                ))
            })
        },
    )
    .await
}
