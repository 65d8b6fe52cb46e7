//! Leader election with two candidates on one Lease: exactly one leads; when it stops cleanly it
//! releases the Lease and the other takes over within a retry period.
//!
//! ```text
//! cargo run -p kapi-examples --bin leader-election
//! ```

use std::sync::Arc;
use std::time::{Duration, Instant};

use kapi_api::coordination::v1::Lease;
use kapi_client::{Api, Client};
use kapi_runtime::leader::{ElectionOutcome, LeaderElectionConfig, LeaderElector};
use kapi_runtime::ApiLeaseLock;
use tokio::sync::watch;
use tokio::task::JoinHandle;

use crate::cluster::Cluster;
use crate::error::{ensure, Error, Result};
use crate::narrate::Narrator;
use crate::wait::{wait_for, Check, DEFAULT_TIMEOUT};

/// The Lease both candidates compete for.
pub const LEASE: &str = "example-lock";

/// Runs the example in a fresh namespace, deleted at the end.
///
/// # Errors
/// The first failed request or expectation.
pub async fn run(cluster: &Cluster, out: &Narrator) -> Result<()> {
    out.title("leader election: two candidates, one Lease, a clean hand-over");
    out.note(format!("cluster: {}", cluster.description()));
    let ns = cluster.create_namespace("kapi-leader-").await?;
    out.ok(format!("namespace {ns}"));
    let result = steps(&cluster.client(), &ns, out).await;
    cluster.delete_namespace(&ns).await?;
    result
}

/// Short timings so the example runs in seconds (the defaults are 15 s / 10 s / 2 s).
fn config(identity: &str) -> LeaderElectionConfig {
    LeaderElectionConfig {
        lease_duration: Duration::from_secs(4),
        renew_deadline: Duration::from_secs(3),
        retry_period: Duration::from_millis(500),
        ..LeaderElectionConfig::new(identity)
    }
}

struct Candidate {
    name: String,
    elector: Arc<LeaderElector<ApiLeaseLock>>,
    stop: watch::Sender<bool>,
    task: JoinHandle<ElectionOutcome>,
}

impl Candidate {
    fn start(client: &Client, ns: &str, name: &str) -> Result<Self> {
        let lock = ApiLeaseLock::new(client.clone(), ns, LEASE);
        let elector = LeaderElector::new(config(name), lock)?;
        let (stop, stop_rx) = watch::channel(false);
        let e = Arc::clone(&elector);
        let task = tokio::spawn(async move { e.run(stop_rx).await });
        Ok(Self {
            name: name.to_owned(),
            elector,
            stop,
            task,
        })
    }

    async fn stop(self) -> Result<ElectionOutcome> {
        self.stop.send_replace(true);
        self.task
            .await
            .map_err(|e| Error::expectation(format!("candidate {} failed: {e}", self.name)))
    }
}

async fn holder(leases: &Api<Lease>) -> Result<(String, i32)> {
    let spec = leases.get(LEASE).await?.spec.unwrap_or_default();
    Ok((
        spec.holder_identity.unwrap_or_default().into(),
        spec.lease_transitions.unwrap_or(0),
    ))
}

async fn one_leader(candidates: &[Candidate]) -> Result<usize> {
    wait_for("exactly one leader", DEFAULT_TIMEOUT, || async {
        let leading: Vec<usize> = (0..candidates.len())
            .filter(|i| candidates[*i].elector.is_leader())
            .collect();
        Ok(match leading.as_slice() {
            [one] => Check::Done(*one),
            other => Check::Pending(format!("{} leaders", other.len())),
        })
    })
    .await
}

async fn steps(client: &Client, ns: &str, out: &Narrator) -> Result<()> {
    let leases: Api<Lease> = Api::namespaced(client.clone(), ns);
    out.step(format!(
        "starting candidates a and b on leases/{ns}/{LEASE} (lease 4 s, renew deadline 3 s, retry 0.5 s)"
    ));
    let mut candidates = vec![
        Candidate::start(client, ns, "candidate-a")?,
        Candidate::start(client, ns, "candidate-b")?,
    ];
    let first = one_leader(&candidates).await?;
    let (held_by, _) = holder(&leases).await?;
    ensure(
        held_by == candidates[first].name,
        "the Lease names the leader",
    )?;
    out.ok(format!(
        "{} leads; the Lease's holder is {held_by}",
        candidates[first].name
    ));

    // For a while, nobody else takes over: the leader keeps renewing.
    tokio::time::sleep(Duration::from_secs(2)).await;
    ensure(
        one_leader(&candidates).await? == first,
        "leadership stayed put",
    )?;
    out.ok(format!(
        "2 s later {} still leads (it renews every retry period); the other keeps trying",
        candidates[first].name
    ));

    out.step(format!("stopping {} cleanly", candidates[first].name));
    let leader = candidates.remove(first);
    let name = leader.name.clone();
    let stopped_at = Instant::now();
    let outcome = leader.stop().await?;
    ensure(
        outcome == ElectionOutcome::Stopped,
        "the leader stopped without losing the Lease",
    )?;
    out.reaction(format!("{name} stopped and released the Lease"));
    let next = one_leader(&candidates).await?;
    let took = stopped_at.elapsed();
    ensure(
        took < config(&name).lease_duration,
        "the hand-over came before the Lease could have expired (it was released)",
    )?;
    let (held_by, transitions) = holder(&leases).await?;
    ensure(
        held_by == candidates[next].name,
        "the Lease names the new leader",
    )?;
    out.ok(format!(
        "{} took over after {:.1} s; the Lease's holder is {held_by}, transitions {transitions}",
        candidates[next].name,
        took.as_secs_f64()
    ));
    for c in candidates {
        c.stop().await?;
    }
    out.ok("all candidates stopped");
    Ok(())
}
