//! A watch that survives its connection: `RetryWatcher` watches again from the last
//! resourceVersion it saw after every drop, so no event is lost or repeated. On the embedded
//! server the example drops the watch connection on purpose (fault injection) — twice, after
//! three events each time.
//!
//! ```text
//! cargo run -p kapi-examples --bin retry-watch
//! ```

use std::time::Duration;

use futures::StreamExt;
use kapi_api::core::v1::ConfigMap;
use kapi_apimachinery::meta::{ObjectMeta, WatchEvent};
use kapi_apimachinery::options::{CreateOptions, ListOptions};
use kapi_apimachinery::Object;
use kapi_client::{Api, Backoff, Client, RetryWatcher};
use kapi_testserver::Fault;

use crate::cluster::Cluster;
use crate::error::{ensure, Error, Result};
use crate::narrate::Narrator;
use crate::wait::DEFAULT_TIMEOUT;

/// How many config maps the example creates (and must see exactly once each).
pub const COUNT: usize = 10;

/// Runs the example in a fresh namespace, deleted at the end.
///
/// # Errors
/// The first failed request or expectation.
pub async fn run(cluster: &Cluster, out: &Narrator) -> Result<()> {
    out.title("RetryWatcher: one logical watch over dropped connections");
    out.note(format!("cluster: {}", cluster.description()));
    let ns = cluster.create_namespace("kapi-watch-").await?;
    out.ok(format!("namespace {ns}"));
    let result = steps(cluster, &ns, out).await;
    cluster.delete_namespace(&ns).await?;
    result
}

async fn steps(cluster: &Cluster, ns: &str, out: &Narrator) -> Result<()> {
    let client: Client = cluster.client();
    let cms: Api<ConfigMap> = Api::namespaced(client, ns);
    // Watch from a list's resourceVersion: everything after it arrives as events.
    let rv = cms
        .list(&ListOptions::default())
        .await?
        .metadata
        .resource_version
        .unwrap_or_default();
    out.ok(format!("listed config maps at resourceVersion {rv}"));

    let fault = cluster.test_server().map(|server| {
        let id = server
            .faults()
            .inject(Fault::drop_watch_after(3).resource("configmaps").times(2));
        out.note("fault injected: the server aborts the next 2 config map watches after 3 events");
        (server.faults(), id)
    });
    if fault.is_none() {
        out.note("a real cluster: no fault injection, the watch simply runs");
    }

    // A short back-off so the example does not wait the default 800 ms per reconnect.
    let backoff = Backoff::new(
        Duration::from_millis(100),
        2.0,
        0.2,
        Duration::from_secs(2),
        None,
    );
    let mut watcher = RetryWatcher::new(cms.clone(), &rv)?.backoff(backoff);

    out.step(format!(
        "creating {COUNT} config maps, cm-00 … cm-{:02}",
        COUNT - 1
    ));
    for i in 0..COUNT {
        let cm = ConfigMap {
            metadata: ObjectMeta {
                name: Some(format!("cm-{i:02}").into()),
                ..ObjectMeta::default()
            },
            ..ConfigMap::default()
        };
        cms.create(&CreateOptions::default(), &cm).await?;
    }

    let mut seen = Vec::new();
    let deadline = tokio::time::Instant::now() + DEFAULT_TIMEOUT;
    while seen.len() < COUNT {
        let event = tokio::time::timeout_at(deadline, watcher.next())
            .await
            .map_err(|_| Error::Timeout {
                what: format!("{COUNT} ADDED events"),
                after: DEFAULT_TIMEOUT,
                state: format!("saw {seen:?}"),
            })?;
        match event {
            Some(Ok(WatchEvent::Added(cm))) => {
                let restarts = watcher.restarts();
                out.reaction(format!(
                    "ADDED {} (resourceVersion {}, watch requests so far: {})",
                    cm.name(),
                    cm.resource_version().unwrap_or("?"),
                    restarts + 1
                ));
                seen.push(cm.name().to_owned());
            }
            Some(Ok(_)) => {}
            Some(Err(e)) => return Err(e.into()),
            None => return Err(Error::expectation("the watcher ended")),
        }
    }
    let want: Vec<String> = (0..COUNT).map(|i| format!("cm-{i:02}")).collect();
    ensure(seen == want, "every config map was seen once, in order")?;
    if let Some((faults, id)) = &fault {
        ensure(faults.fired(*id) == 2, "both faults fired")?;
        ensure(
            watcher.restarts() >= 2,
            "the watcher reconnected after each drop",
        )?;
    }
    out.ok(format!(
        "saw all {COUNT} config maps exactly once, in order, over {} watch requests",
        watcher.restarts() + 1
    ));
    Ok(())
}
