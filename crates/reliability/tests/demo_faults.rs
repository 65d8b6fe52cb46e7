//! The fault matrix for the flagship demo's controller (issue 13): the PodSet operator of
//! `kapi-examples` — informers on PodSets and Pods, owned-Pod watches, a finalizer, status
//! writes — runs against the test server while PodSets are created, scaled and deleted and
//! their Pods are deleted behind its back, with faults of `apiserver.md` §8 injected alone and
//! combined. When the chaos stops and the faults are cleared, every PodSet must own exactly
//! `spec.replicas` live Pods and say so in its status, every deleted PodSet must be gone, and
//! no live Pod may be left without its PodSet — within the case's 30 s.
//!
//! `cargo test -p kapi-reliability --test demo_faults -- --nocapture` prints one line per case;
//! with `DEMO_FAULTS_DEBUG=1` it also logs warnings and what is still off while converging.

use std::collections::BTreeMap;
use std::time::{Duration, Instant};

use kapi_api::core::v1::{Namespace, Pod};
use kapi_apimachinery::meta::ObjectMeta;
use kapi_apimachinery::options::{CreateOptions, DeleteOptions, ListOptions, PatchOptions};
use kapi_client::{Api, Client, Patch};
use kapi_examples::crd;
use kapi_examples::podset::{demo_podset, operator, OperatorConfig, PodSet};
use kapi_reliability::cluster::client_for;
use kapi_testserver::{Fault, TestServer, Verb};
use tokio::sync::watch;

const NS: &str = "chaos";
const SETS: u64 = 4;
const CHAOS: Duration = Duration::from_secs(4);
const CASE_LIMIT: Duration = Duration::from_secs(30);

struct Case {
    name: &'static str,
    faults: Vec<Fault>,
    refuse: Option<Duration>,
}

impl Case {
    fn new(name: &'static str) -> Self {
        Self {
            name,
            faults: Vec::new(),
            refuse: None,
        }
    }

    fn fault(mut self, f: Fault) -> Self {
        self.faults.push(f);
        self
    }

    fn refuse(mut self, d: Duration) -> Self {
        self.refuse = Some(d);
        self
    }
}

/// A small deterministic generator, so that a failing case replays the same chaos.
struct Lcg(u64);

impl Lcg {
    fn below(&mut self, n: u64) -> u64 {
        self.0 = self
            .0
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        (self.0 >> 33) % n
    }
}

fn set_name(i: u64) -> String {
    format!("set-{i}")
}

/// What the chaos did (errors are expected: the faults hit the chaos's own requests too).
#[derive(Default)]
struct ChaosCount {
    ok: u64,
    failed: u64,
}

impl ChaosCount {
    fn note(&mut self, ok: bool) {
        if ok {
            self.ok += 1;
        } else {
            self.failed += 1;
        }
    }
}

/// Scales, deletes and recreates PodSets and deletes their Pods until `CHAOS` has passed.
async fn chaos(client: Client, seed: u64) -> ChaosCount {
    let sets = Api::<PodSet>::namespaced(client.clone(), NS);
    let pods = Api::<Pod>::namespaced(client, NS);
    let mut rng = Lcg(seed);
    let mut count = ChaosCount::default();
    let end = Instant::now() + CHAOS;
    while Instant::now() < end {
        let name = set_name(rng.below(SETS));
        match rng.below(10) {
            // Scale (0–4 replicas).
            0..=4 => {
                let patch = serde_json::json!({"spec": {"replicas": rng.below(5)}});
                count.note(
                    sets.patch(&name, &PatchOptions::default(), &Patch::Merge(&patch))
                        .await
                        .is_ok(),
                );
            }
            // Delete one of its Pods, as a node failure or a user would.
            5..=7 => match pods.list(&ListOptions::default()).await {
                Ok(list) if !list.items.is_empty() => {
                    let i = rng.below(list.items.len() as u64) as usize;
                    let victim = list.items[i].metadata.name.clone().unwrap_or_default();
                    count.note(
                        pods.delete(&victim, &DeleteOptions::default())
                            .await
                            .is_ok(),
                    );
                }
                Ok(_) => {}
                Err(_) => count.failed += 1,
            },
            // Delete the PodSet, or create it when it is gone.
            _ => match sets.delete(&name, &DeleteOptions::default()).await {
                Ok(_) => count.ok += 1,
                Err(e) if e.is_not_found() => {
                    let set = demo_podset(&name, rng.below(4) as i32);
                    count.note(sets.create(&CreateOptions::default(), &set).await.is_ok());
                }
                Err(_) => count.failed += 1,
            },
        }
        tokio::time::sleep(Duration::from_millis(40)).await;
    }
    count
}

/// `Ok` when the server's state is what the operator must reach; else what is still off.
async fn converged(sets: &Api<PodSet>, pods: &Api<Pod>) -> Result<usize, String> {
    let sets = sets
        .list(&ListOptions::default())
        .await
        .map_err(|e| format!("list podsets: {e}"))?
        .items;
    let pods = pods
        .list(&ListOptions::default())
        .await
        .map_err(|e| format!("list pods: {e}"))?
        .items;
    let mut owned: BTreeMap<String, usize> = BTreeMap::new();
    for pod in pods
        .iter()
        .filter(|p| p.metadata.deletion_timestamp.is_none())
    {
        let owner = pod
            .metadata
            .controller_ref()
            .map(|r| r.uid.clone())
            .ok_or_else(|| format!("pod {:?} has no controller", pod.metadata.name))?;
        *owned.entry(owner.to_string()).or_default() += 1;
    }
    for set in &sets {
        let name = set.metadata.name.clone().unwrap_or_default();
        if set.metadata.deletion_timestamp.is_some() {
            return Err(format!("podset {name} is still being deleted"));
        }
        let uid = set.metadata.uid.clone().unwrap_or_default();
        let want = usize::try_from(set.spec.replicas).unwrap_or(0);
        let have = owned.remove(uid.as_str()).unwrap_or(0);
        if have != want {
            return Err(format!("podset {name}: {have} pods, want {want}"));
        }
        let status = set.status.clone().unwrap_or_default();
        if status.replicas != set.spec.replicas || status.ready_replicas != set.spec.replicas {
            return Err(format!(
                "podset {name}: status {}/{} ready, want {}",
                status.ready_replicas, status.replicas, set.spec.replicas
            ));
        }
        if status.observed_generation != set.metadata.generation {
            return Err(format!("podset {name}: generation not observed"));
        }
    }
    match owned.into_iter().next() {
        Some((uid, n)) => Err(format!("{n} live pods of a PodSet that is gone ({uid})")),
        None => Ok(sets.len()),
    }
}

async fn check(case: Case) {
    let started = Instant::now();
    if std::env::var_os("DEMO_FAULTS_DEBUG").is_some() {
        let _ = tracing_subscriber::fmt()
            .with_max_level(tracing::Level::WARN)
            .try_init();
    }
    let server = TestServer::start().await.expect("test server");
    let client = client_for(&server);
    Api::<Namespace>::all(client.clone())
        .create(
            &CreateOptions::default(),
            &Namespace {
                metadata: ObjectMeta {
                    name: Some(NS.into()),
                    ..ObjectMeta::default()
                },
                ..Namespace::default()
            },
        )
        .await
        .expect("namespace");
    crd::install(&client, &PodSet::crd(), Duration::from_secs(10))
        .await
        .expect("CRD");
    let sets = Api::<PodSet>::namespaced(client.clone(), NS);
    for i in 0..SETS {
        sets.create(&CreateOptions::default(), &demo_podset(&set_name(i), 2))
            .await
            .expect("podset");
    }

    let faults = server.faults();
    let ids: Vec<_> = case.faults.into_iter().map(|f| faults.inject(f)).collect();
    let mut config = OperatorConfig::new(NS, "chaos-operator");
    config.leader_election = None;
    let (stop_tx, stop) = watch::channel(false);
    let running = tokio::spawn(operator(client.clone(), &config).run_until(stop));

    let chaos_task = tokio::spawn(chaos(client.clone(), 0x5eed ^ ids.len() as u64));
    if let Some(d) = case.refuse {
        tokio::time::sleep(CHAOS / 4).await;
        faults.refuse_connections(d);
    }
    let count = chaos_task.await.expect("chaos");
    let fired: Vec<u64> = ids.iter().map(|id| faults.fired(*id)).collect();
    faults.clear();

    let pods = Api::<Pod>::namespaced(client.clone(), NS);
    let settle = Instant::now();
    let outcome = loop {
        match converged(&sets, &pods).await {
            Ok(n) => break Ok(n),
            Err(e) if started.elapsed() > CASE_LIMIT - Duration::from_secs(2) => break Err(e),
            Err(e) => {
                if std::env::var_os("DEMO_FAULTS_DEBUG").is_some() {
                    println!("{:.1} s: {e}", settle.elapsed().as_secs_f64());
                }
                tokio::time::sleep(Duration::from_millis(100)).await;
            }
        }
    };
    let settled = settle.elapsed();
    let _ = stop_tx.send(true);
    let _ = tokio::time::timeout(Duration::from_secs(5), running).await;
    server.stop().await;

    println!(
        "| {} | {}/{} | {} | {:?} | {:.1} s | {:.1} s |",
        case.name,
        count.ok,
        count.failed,
        if fired.is_empty() {
            "–".to_owned()
        } else {
            fired
                .iter()
                .map(u64::to_string)
                .collect::<Vec<_>>()
                .join("+")
        },
        outcome.as_ref().map_or(0, |n| *n),
        settled.as_secs_f64(),
        started.elapsed().as_secs_f64(),
    );
    for (i, n) in fired.iter().enumerate() {
        assert!(*n > 0, "{}: fault #{i} never fired", case.name);
    }
    if let Err(e) = outcome {
        panic!("{}: did not converge: {e}", case.name);
    }
    assert!(
        started.elapsed() < CASE_LIMIT,
        "{}: took {:?}",
        case.name,
        started.elapsed()
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn demo_without_faults() {
    check(Case::new("none")).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn demo_watches_dropped() {
    check(
        Case::new("drop_watch_after(15) pods + podsets")
            .fault(Fault::drop_watch_after(15).resource("pods"))
            .fault(Fault::drop_watch_after(15).resource("podsets")),
    )
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn demo_expired() {
    check(
        Case::new("expired: pods watch ×2, pods list ×1")
            .fault(Fault::expired().resource("pods").verb(Verb::Watch).times(2))
            .fault(Fault::expired().resource("pods").verb(Verb::List).times(1)),
    )
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn demo_write_errors() {
    check(
        Case::new("status(500) pod creates ×10, 503+Retry-After pod deletes ×3")
            .fault(
                Fault::status(500)
                    .resource("pods")
                    .verb(Verb::Create)
                    .times(10),
            )
            .fault(
                Fault::status(503)
                    .retry_after(1)
                    .resource("pods")
                    .verb(Verb::Delete)
                    .times(3),
            ),
    )
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn demo_throttled() {
    check(
        Case::new("too_many_requests(1): pod creates ×3, podset lists ×1")
            .fault(
                Fault::too_many_requests(1)
                    .resource("pods")
                    .verb(Verb::Create)
                    .times(3),
            )
            .fault(
                Fault::too_many_requests(1)
                    .resource("podsets")
                    .verb(Verb::List)
                    .times(1),
            ),
    )
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn demo_server_restart() {
    check(Case::new("refuse_connections(2 s)").refuse(Duration::from_secs(2))).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn demo_everything_at_once() {
    check(
        Case::new("combo: drop_watch_randomly + expired watch/list + 500 creates + slow list")
            .fault(Fault::drop_watch_randomly(0.05, 11).resource("pods"))
            .fault(
                Fault::expired()
                    .resource("podsets")
                    .verb(Verb::Watch)
                    .times(1),
            )
            .fault(
                Fault::expired()
                    .resource("podsets")
                    .verb(Verb::List)
                    .times(1),
            )
            .fault(
                Fault::status(500)
                    .resource("pods")
                    .verb(Verb::Create)
                    .times(5),
            )
            .fault(
                Fault::slow_headers(Duration::from_millis(700))
                    .resource("pods")
                    .verb(Verb::List)
                    .times(2),
            ),
    )
    .await;
}
