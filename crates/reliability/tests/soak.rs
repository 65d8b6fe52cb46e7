//! Soak: the copy controller and a handler on a shared informer against the test server with
//! 100 writes/s for `KAPI_SOAK_SECS` seconds (default 600). After a warm-up (the larger of
//! 60 s and a fifth of the run) the resident memory must stay flat (least-squares slope
//! reported in bytes/min), the number of live tokio tasks must not trend upwards (and must
//! return to the baseline after shutdown), the handler's
//! end-to-end lag must stay bounded, and at the end everything converges with nothing lost,
//! duplicated or out of order.
//!
//! ```text
//! KAPI_SOAK_SECS=600 cargo test --release -p kapi-reliability --test soak -- --ignored --nocapture
//! ```

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use kapi_api::core::v1::ConfigMap;
use kapi_apimachinery::options::{CreateOptions, PatchOptions};
use kapi_client::{Api, Patch};
use kapi_informers::{DeleteKind, ResourceEventHandler, SharedInformerFactory, SyncMode};
use kapi_reliability::cluster::{client_for, copy_mismatches, seed, source, truth, NS};
use kapi_reliability::copier::copy_controller;
use kapi_reliability::matrix::{fast_reflector, OBJECTS};
use kapi_reliability::process::{rss_bytes, slope};
use kapi_reliability::view::HandlerView;
use kapi_reliability::writer::Writer;
use kapi_runtime::Manager;
use kapi_testserver::TestServer;
use tokio::sync::watch;

/// Measures how long a write takes to reach a handler: the probe object carries the time it
/// was written (ms since the start), the handler records the largest difference it sees.
#[derive(Clone, Default)]
struct Probe {
    start: Arc<std::sync::OnceLock<Instant>>,
    max_lag_ms: Arc<AtomicU64>,
    seen: Arc<AtomicU64>,
}

impl Probe {
    fn now_ms(&self) -> u64 {
        u64::try_from(self.start.get_or_init(Instant::now).elapsed().as_millis()).unwrap_or(0)
    }

    fn observe(&self, cm: &ConfigMap) {
        if cm.metadata.name.as_deref() != Some("probe") {
            return;
        }
        if let Some(t) = cm.data.get("t").and_then(|t| t.parse::<u64>().ok()) {
            let lag = self.now_ms().saturating_sub(t);
            self.max_lag_ms.fetch_max(lag, Ordering::Relaxed);
            self.seen.fetch_add(1, Ordering::Relaxed);
        }
    }
}

impl ResourceEventHandler<ConfigMap> for Probe {
    fn on_add(&self, o: &Arc<ConfigMap>, _initial: bool) {
        self.observe(o);
    }
    fn on_update(&self, _old: &Arc<ConfigMap>, new: &Arc<ConfigMap>) {
        self.observe(new);
    }
    fn on_delete(&self, _o: &Arc<ConfigMap>, _kind: DeleteKind) {}
}

struct Sample {
    at: Duration,
    rss: u64,
    tasks: usize,
    lag_keys: usize,
    probe_max_ms: u64,
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "soak test: 10 minutes by default (KAPI_SOAK_SECS)"]
async fn soak_100_writes_per_second() {
    let secs: u64 = std::env::var("KAPI_SOAK_SECS")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(600);
    let duration = Duration::from_secs(secs);
    let warm_up = Duration::from_secs(60).max(duration / 5);
    let metrics = tokio::runtime::Handle::current().metrics();
    let tasks_before = metrics.num_alive_tasks();

    let server = TestServer::builder().start().await.expect("server");
    seed(&server, OBJECTS);
    let client = client_for(&server);
    let api = Api::<ConfigMap>::namespaced(client.clone(), NS);
    api.create(&CreateOptions::default(), &source("probe", "0"))
        .await
        .expect("probe");

    let factory = SharedInformerFactory::new(client.clone())
        .namespace(NS)
        .reflector(fast_reflector(SyncMode::ListWatch));
    let informer = factory.informer::<ConfigMap>();
    let view = HandlerView::default();
    let reg = informer.add_event_handler(view.clone(), None);
    let probe = Probe::default();
    probe.now_ms();
    informer.add_event_handler(probe.clone(), None);
    let controller = copy_controller(&factory, api.clone(), 4);
    let stats = controller.stats();
    let mut manager = Manager::with_factory(client.clone(), factory);
    manager.add_controller(controller);
    let (stop_tx, stop) = watch::channel(false);
    let run = tokio::spawn(manager.run_until(stop));
    tokio::time::timeout(Duration::from_secs(30), informer.wait_for_sync())
        .await
        .expect("synced");

    let started = Instant::now();
    // Ten writers at 10 writes/s each: 100 writes/s even when one request takes a while.
    let writers: Vec<_> = (0..10)
        .map(|i| {
            let w = Writer::new(api.clone(), OBJECTS, 11 + i).per_second(10);
            tokio::spawn(w.run_for(duration))
        })
        .collect();
    let mut samples = Vec::new();
    let mut next_sample = Duration::ZERO;
    while started.elapsed() < duration {
        // The probe: one write per second carrying its own timestamp.
        let patch = Patch::Merge(serde_json::json!({"data": {"t": probe.now_ms().to_string()}}));
        let _ = api.patch("probe", &PatchOptions::default(), &patch).await;
        if started.elapsed() >= next_sample {
            samples.push(Sample {
                at: started.elapsed(),
                rss: rss_bytes().unwrap_or(0),
                tasks: metrics.num_alive_tasks(),
                lag_keys: informer.handler_lag(&reg).unwrap_or(0),
                probe_max_ms: probe.max_lag_ms.swap(0, Ordering::Relaxed),
            });
            next_sample += Duration::from_secs(5);
        }
        tokio::time::sleep(Duration::from_secs(1)).await;
    }
    let mut writes = kapi_reliability::writer::WriteStats::default();
    for w in writers {
        let s = w.await.expect("writer");
        writes.ok += s.ok;
        writes.failed += s.failed;
    }

    // Converge.
    let mut converged = None;
    let ended = Instant::now();
    while ended.elapsed() < Duration::from_secs(60) {
        let t = truth(&api).await;
        if view.lost(&t) == 0 && copy_mismatches(&t) == 0 && informer.handler_lag(&reg) == Some(0) {
            converged = Some(ended.elapsed());
            break;
        }
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    stop_tx.send_replace(true);
    run.await.expect("manager task").expect("manager");
    server.stop().await;
    tokio::time::sleep(Duration::from_secs(2)).await;
    let tasks_after = metrics.num_alive_tasks();

    // Report.
    let steady: Vec<&Sample> = samples.iter().filter(|s| s.at >= warm_up).collect();
    let points: Vec<(f64, f64)> = steady
        .iter()
        .map(|s| (s.at.as_secs_f64() / 60.0, s.rss as f64))
        .collect();
    let rss_slope = slope(&points);
    let mib = |b: u64| b as f64 / (1024.0 * 1024.0);
    let rss_min = steady.iter().map(|s| s.rss).min().unwrap_or(0);
    let rss_max = steady.iter().map(|s| s.rss).max().unwrap_or(0);
    let tasks_min = steady.iter().map(|s| s.tasks).min().unwrap_or(0);
    let tasks_max = steady.iter().map(|s| s.tasks).max().unwrap_or(0);
    let task_points: Vec<(f64, f64)> = steady
        .iter()
        .map(|s| (s.at.as_secs_f64() / 60.0, s.tasks as f64))
        .collect();
    let tasks_slope = slope(&task_points);
    let max_lag_keys = samples.iter().map(|s| s.lag_keys).max().unwrap_or(0);
    let max_probe_ms = samples.iter().map(|s| s.probe_max_ms).max().unwrap_or(0);
    println!("| t (s) | RSS (MiB) | live tasks | handler lag (keys) | probe lag max (ms) |");
    println!("|---|---|---|---|---|");
    for s in &samples {
        if s.at.as_secs() % 60 < 5 {
            println!(
                "| {} | {:.1} | {} | {} | {} |",
                s.at.as_secs(),
                mib(s.rss),
                s.tasks,
                s.lag_keys,
                s.probe_max_ms
            );
        }
    }
    println!(
        "\nsoak: {secs} s, {} writes ok / {} failed ({:.1} attempts/s), {} reconciles ({} errors), {} handler events",
        writes.ok,
        writes.failed,
        (writes.ok + writes.failed) as f64 / duration.as_secs_f64(),
        stats.reconciles.load(Ordering::Relaxed),
        stats.errors.load(Ordering::Relaxed),
        view.events.load(Ordering::Relaxed),
    );
    println!(
        "after {} s warm-up: RSS {:.1}–{:.1} MiB, slope {:+.0} bytes/min ({:+.3} MiB/min); live tasks {tasks_min}–{tasks_max}, slope {tasks_slope:+.2}/min (before {tasks_before}, after shutdown {tasks_after}); handler lag max {max_lag_keys} keys, probe lag max {max_probe_ms} ms; converged in {:?}; duplicated {}, out of order {}",
        warm_up.as_secs(),
        mib(rss_min),
        mib(rss_max),
        rss_slope,
        rss_slope / (1024.0 * 1024.0),
        converged,
        view.duplicated.load(Ordering::Relaxed),
        view.out_of_order.load(Ordering::Relaxed),
    );

    assert!(converged.is_some(), "converged after the soak");
    assert_eq!(
        view.duplicated.load(Ordering::Relaxed),
        0,
        "{:?}",
        view.samples()
    );
    assert_eq!(
        view.out_of_order.load(Ordering::Relaxed),
        0,
        "{:?}",
        view.samples()
    );
    assert!(
        (writes.ok + writes.failed) as f64 >= 0.9 * 100.0 * duration.as_secs_f64(),
        "the writer kept ~100 writes/s"
    );
    // Flat memory: growth after warm-up below 1 MiB per minute.
    assert!(
        rss_slope < 1024.0 * 1024.0,
        "memory grows {rss_slope:.0} bytes/min after warm-up"
    );
    // No task leak: no upward trend while running (the count moves with requests in flight),
    // back to the baseline after shutdown.
    assert!(tasks_slope < 0.5, "live tasks grow {tasks_slope:.2}/min");
    assert!(
        tasks_after <= tasks_before + 4,
        "tasks left after shutdown: {tasks_after} (before: {tasks_before})"
    );
    // Bounded lag: never more keys waiting than objects, and writes reach handlers in time.
    assert!(max_lag_keys <= (2 * OBJECTS + 1) as usize);
    assert!(max_probe_ms < 5_000, "handler lag {max_probe_ms} ms");
    assert!(probe.seen.load(Ordering::Relaxed) > 0);
}
