//! client-go's classic workqueue example, in kapi: an informer turns every change into a
//! `namespace/name` key in a rate-limited queue; workers take keys, read the current object
//! from the lister and "sync" it; a failed sync is retried with per-key back-off up to
//! [`MAX_RETRIES`] times, then dropped; a success makes the queue forget the key's failures.
//!
//! Syncs fail on purpose for config maps annotated `example.kapi.dev/fail: "<n>"` (the first
//! `n` attempts) or `"always"`.
//!
//! ```text
//! cargo run -p kapi-examples --bin workqueue-controller
//! ```

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex, PoisonError};

use kapi_api::core::v1::ConfigMap;
use kapi_apimachinery::meta::ObjectMeta;
use kapi_apimachinery::options::{CreateOptions, DeleteOptions, PatchOptions};
use kapi_apimachinery::{CompactString, Map};
use kapi_client::{Api, Client, Patch};
use kapi_informers::{handler_fn, key_of, Lister, SharedInformerFactory};
use kapi_workqueue::{RateLimitingQueue, ShutdownMode};
use serde_json::json;

use crate::cluster::Cluster;
use crate::error::{ensure, Error, Result};
use crate::narrate::Narrator;
use crate::wait::{wait_for, Check, DEFAULT_TIMEOUT};

/// Attempts after the first before a key is dropped (client-go's example uses 5).
pub const MAX_RETRIES: u32 = 5;

/// The annotation that makes syncs fail.
pub const FAIL_ANNOTATION: &str = "example.kapi.dev/fail";

/// How a key's processing ended.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Outcome {
    /// Synced on this attempt (1 = first try).
    Synced(u32),
    /// The object no longer exists (it was deleted).
    Gone,
    /// Dropped after this many attempts.
    Dropped(u32),
}

type Outcomes = Arc<Mutex<BTreeMap<String, Vec<Outcome>>>>;

/// Runs the example in a fresh namespace, deleted at the end.
///
/// # Errors
/// The first failed request or expectation.
pub async fn run(cluster: &Cluster, out: &Narrator) -> Result<()> {
    out.title("workqueue controller: informer → rate-limited queue → workers → retry, then forget");
    out.note(format!("cluster: {}", cluster.description()));
    let ns = cluster.create_namespace("kapi-workqueue-").await?;
    out.ok(format!("namespace {ns}"));
    let result = steps(cluster.client(), &ns, out).await;
    cluster.delete_namespace(&ns).await?;
    result
}

/// The business logic: print the object, or fail as its annotation says.
fn sync(lister: &Lister<ConfigMap>, key: &str, attempt: u32) -> Result<Outcome, String> {
    let Some(cm) = lister.get(key) else {
        return Ok(Outcome::Gone);
    };
    match cm
        .metadata
        .annotations
        .get(FAIL_ANNOTATION)
        .map(CompactString::as_str)
    {
        Some("always") => Err("this one always fails".into()),
        Some(n) if n.parse::<u32>().is_ok_and(|n| attempt <= n) => {
            Err(format!("failing attempt {attempt} of the first {n}"))
        }
        _ => Ok(Outcome::Synced(attempt)),
    }
}

/// One worker: `processNextItem` and `handleErr` of client-go's example.
async fn worker(
    id: usize,
    queue: RateLimitingQueue<String>,
    lister: Lister<ConfigMap>,
    outcomes: Outcomes,
    out: Narrator,
) {
    while let Some(item) = queue.get().await {
        let key = item.item().clone();
        let attempt = queue.num_requeues(&key) + 1;
        let outcome = match sync(&lister, &key, attempt) {
            Ok(outcome) => {
                // Success: forget the key's failures, so its next problem starts a fresh back-off.
                queue.forget(&key);
                if outcome == Outcome::Gone {
                    out.reaction(format!("worker {id}: {key} does not exist anymore"));
                } else {
                    out.reaction(format!("worker {id}: synced {key} (attempt {attempt})"));
                }
                outcome
            }
            Err(e) if attempt <= MAX_RETRIES => {
                out.reaction(format!(
                    "worker {id}: error syncing {key}: {e}; retrying with back-off"
                ));
                queue.add_rate_limited(key);
                continue; // the item is marked done when dropped
            }
            Err(e) => {
                // Too many failures: report and drop it, as client-go's example does.
                queue.forget(&key);
                out.reaction(format!(
                    "worker {id}: dropping {key} after {attempt} attempts: {e}"
                ));
                Outcome::Dropped(attempt)
            }
        };
        outcomes
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .entry(key)
            .or_default()
            .push(outcome);
        drop(item);
    }
}

fn config_map(name: &str, fail: Option<&str>) -> ConfigMap {
    ConfigMap {
        metadata: ObjectMeta {
            name: Some(name.into()),
            annotations: fail
                .map(|f| Map::from([(FAIL_ANNOTATION.into(), f.into())]))
                .unwrap_or_default(),
            ..ObjectMeta::default()
        },
        ..ConfigMap::default()
    }
}

async fn wait_outcomes(outcomes: &Outcomes, key: &str, want: &[Outcome]) -> Result<()> {
    wait_for(
        &format!("{key} to be processed as {want:?}"),
        DEFAULT_TIMEOUT,
        || async {
            let got = outcomes
                .lock()
                .unwrap_or_else(PoisonError::into_inner)
                .get(key)
                .cloned()
                .unwrap_or_default();
            Ok(if got.as_slice() == want {
                Check::Done(())
            } else {
                Check::Pending(format!("{got:?}"))
            })
        },
    )
    .await
}

async fn steps(client: Client, ns: &str, out: &Narrator) -> Result<()> {
    let queue: RateLimitingQueue<String> = RateLimitingQueue::new();
    let factory = SharedInformerFactory::new(client.clone()).namespace(ns);
    let informer = factory.informer::<ConfigMap>();
    let q = queue.clone();
    // The handler only turns events into keys; the work happens in the workers.
    informer.add_event_handler(
        handler_fn(move |cm: &ConfigMap| {
            q.add(key_of(cm));
        }),
        None,
    );
    factory.start();
    tokio::time::timeout(DEFAULT_TIMEOUT, factory.wait_for_cache_sync())
        .await
        .map_err(|_| Error::expectation("the cache did not sync"))?;
    out.ok("informer synced; starting 2 workers");

    let outcomes = Outcomes::default();
    let workers: Vec<_> = (1..=2)
        .map(|id| {
            tokio::spawn(worker(
                id,
                queue.clone(),
                informer.lister(),
                Arc::clone(&outcomes),
                out.clone(),
            ))
        })
        .collect();

    let cms: Api<ConfigMap> = Api::namespaced(client, ns);
    out.step("creating alpha, flaky (fails twice) and broken (always fails)");
    for (name, fail) in [
        ("alpha", None),
        ("flaky", Some("2")),
        ("broken", Some("always")),
    ] {
        cms.create(&CreateOptions::default(), &config_map(name, fail))
            .await?;
    }
    let key = |name: &str| format!("{ns}/{name}");
    wait_outcomes(&outcomes, &key("alpha"), &[Outcome::Synced(1)]).await?;
    wait_outcomes(&outcomes, &key("flaky"), &[Outcome::Synced(3)]).await?;
    wait_outcomes(
        &outcomes,
        &key("broken"),
        &[Outcome::Dropped(MAX_RETRIES + 1)],
    )
    .await?;
    out.ok(format!(
        "alpha synced at once, flaky on its third attempt, broken dropped after {} attempts",
        MAX_RETRIES + 1
    ));

    out.step("changing alpha, then deleting it");
    cms.patch(
        "alpha",
        &PatchOptions::default(),
        &Patch::Merge(json!({ "data": { "v": "2" } })),
    )
    .await?;
    wait_outcomes(
        &outcomes,
        &key("alpha"),
        &[Outcome::Synced(1), Outcome::Synced(1)],
    )
    .await?;
    cms.delete("alpha", &DeleteOptions::default()).await?;
    wait_outcomes(
        &outcomes,
        &key("alpha"),
        &[Outcome::Synced(1), Outcome::Synced(1), Outcome::Gone],
    )
    .await?;
    out.ok("every change of alpha was synced; its deletion was seen through the lister");

    queue.shutdown_with(ShutdownMode::FinishInFlight).await;
    for w in workers {
        w.await
            .map_err(|e| Error::expectation(format!("a worker failed: {e}")))?;
    }
    factory.shutdown();
    let flaky = outcomes
        .lock()
        .unwrap_or_else(PoisonError::into_inner)
        .get(&key("flaky"))
        .cloned();
    ensure(
        flaky == Some(vec![Outcome::Synced(3)]),
        "flaky was synced exactly once",
    )?;
    out.ok("queue shut down after the in-flight items; workers stopped");
    Ok(())
}
