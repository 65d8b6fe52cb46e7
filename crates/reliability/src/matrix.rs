//! One fault case end to end: a test server with 1 000 source ConfigMaps under continuous
//! random writes, a [`Manager`] running the copy controller on a shared informer that also
//! feeds a [`HandlerView`], the case's faults injected; then the writes stop, the faults are
//! cleared, and the case waits until the informer cache, the handler's view and the copy
//! controller's objects all equal the server's truth.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::sync::atomic::Ordering;
use std::time::{Duration, Instant};

use kapi_api::core::v1::ConfigMap;
use kapi_apimachinery::Object;
use kapi_client::Api;
use kapi_informers::{
    BackoffConfig, ReflectorConfig, SharedIndexInformer, SharedInformerFactory, SyncMode,
};
use kapi_runtime::Manager;
use kapi_testserver::{Fault, TestServer};
use tokio::sync::watch;

use crate::cluster::{client_for, copy_mismatches, seed, truth, NS};
use crate::copier::copy_controller;
use crate::view::HandlerView;
use crate::writer::{WriteStats, Writer};

/// Source objects seeded per case.
pub const OBJECTS: u64 = 1000;

/// A fault case: faults injected before the informers start, and an optional refusal of
/// connections in the middle of the writes.
#[derive(Clone, Debug)]
pub struct Case {
    /// The case's name (its row in the table).
    pub name: String,
    /// How the informers sync.
    pub mode: SyncMode,
    /// Faults injected before the informers start (each must fire at least once).
    pub faults: Vec<Fault>,
    /// Refuse connections for this long, 1.5 s into the writes.
    pub refuse: Option<Duration>,
    /// How long the writers run.
    pub write_for: Duration,
    /// How long the case may take to converge once writes stop.
    pub converge_within: Duration,
}

impl Case {
    /// A case with no fault, list + watch, 4 s of writes, 20 s to converge.
    pub fn new(name: &str) -> Self {
        Self {
            name: name.to_owned(),
            mode: SyncMode::ListWatch,
            faults: Vec::new(),
            refuse: None,
            write_for: Duration::from_secs(4),
            converge_within: Duration::from_secs(20),
        }
    }

    /// Adds a fault (scoped by the caller).
    #[must_use]
    pub fn fault(mut self, fault: Fault) -> Self {
        self.faults.push(fault);
        self
    }

    /// Syncs with watch-list instead of list + watch.
    #[must_use]
    pub fn watch_list(mut self) -> Self {
        self.mode = SyncMode::WatchList;
        self
    }

    /// Refuses connections for `d` in the middle of the writes (which then go on for 2.5 s
    /// after the server is back).
    #[must_use]
    pub fn refuse(mut self, d: Duration) -> Self {
        self.refuse = Some(d);
        self.write_for = self
            .write_for
            .max(Duration::from_millis(1500) + d + Duration::from_millis(2500));
        self
    }
}

/// What a case measured.
#[derive(Clone, Debug, Default)]
pub struct Report {
    /// The case's name.
    pub name: String,
    /// Writes accepted / failed (source writer only).
    pub writes: WriteStats,
    /// How often each injected fault fired.
    pub fired: Vec<u64>,
    /// Handler events received.
    pub events: u64,
    /// Keys whose final state the handler never got (at the end).
    pub lost: usize,
    /// Duplicated events at the handler.
    pub duplicated: u64,
    /// Out-of-order events at the handler.
    pub out_of_order: u64,
    /// Keys where the informer cache differs from the server (at the end).
    pub cache_off: usize,
    /// Sources whose copy is missing or stale, plus orphaned copies (at the end).
    pub copies_off: usize,
    /// Reconciles run / failed.
    pub reconciles: (u64, u64),
    /// Objects on the server at the end.
    pub objects: usize,
    /// Time from the end of the writes to convergence.
    pub converged_in: Option<Duration>,
    /// The whole case.
    pub total: Duration,
    /// First handler anomalies, for the failure message.
    pub samples: Vec<String>,
}

impl Report {
    /// The table header (Markdown).
    pub fn header() -> String {
        "| case | writes ok/failed | faults fired | handler events | lost | duplicated | out of order | cache off | copies off | reconciles (errors) | converged in | case time |\n|---|---|---|---|---|---|---|---|---|---|---|---|".to_owned()
    }

    /// This case's row (Markdown).
    pub fn row(&self) -> String {
        let mut s = String::new();
        let fired = if self.fired.is_empty() {
            "–".to_owned()
        } else {
            self.fired
                .iter()
                .map(u64::to_string)
                .collect::<Vec<_>>()
                .join("+")
        };
        let converged = self
            .converged_in
            .map_or_else(|| "NO".to_owned(), |d| format!("{:.1} s", d.as_secs_f64()));
        let _ = write!(
            s,
            "| {} | {}/{} | {} | {} | {} | {} | {} | {} | {} | {} ({}) | {} | {:.1} s |",
            self.name,
            self.writes.ok,
            self.writes.failed,
            fired,
            self.events,
            self.lost,
            self.duplicated,
            self.out_of_order,
            self.cache_off,
            self.copies_off,
            self.reconciles.0,
            self.reconciles.1,
            converged,
            self.total.as_secs_f64()
        );
        s
    }

    /// Prints the header and the row, then asserts the case's guarantees: every fault fired,
    /// writes went through, convergence, nothing lost, duplicated or out of order, and the
    /// whole case under 30 s.
    ///
    /// # Panics
    /// When a guarantee does not hold.
    pub fn check(&self) {
        println!("{}\n{}", Self::header(), self.row());
        assert!(
            self.fired.iter().all(|n| *n > 0),
            "{}: every injected fault fires: {:?}",
            self.name,
            self.fired
        );
        assert!(self.writes.ok > 20, "{}: too few writes", self.name);
        assert!(
            self.converged_in.is_some(),
            "{}: no convergence: {}",
            self.name,
            self.row()
        );
        assert_eq!(
            (self.lost, self.duplicated, self.out_of_order),
            (0, 0, 0),
            "{}: handler anomalies {:?}",
            self.name,
            self.samples
        );
        assert_eq!((self.cache_off, self.copies_off), (0, 0), "{}", self.name);
        assert!(
            self.total < Duration::from_secs(30),
            "{}: the case took {:?}",
            self.name,
            self.total
        );
    }
}

/// Reflector settings for tests: short back-off and a 2 s watch-list timeout (the defaults
/// are 800 ms…30 s and 60 s: the same code paths, only slower).
pub fn fast_reflector(mode: SyncMode) -> ReflectorConfig {
    ReflectorConfig {
        mode,
        min_watch_timeout: Duration::from_secs(30),
        watch_list_timeout: Duration::from_secs(2),
        backoff: BackoffConfig {
            initial: Duration::from_millis(50),
            cap: Duration::from_millis(500),
            ..BackoffConfig::default()
        },
        ..ReflectorConfig::default()
    }
}

fn cache_of(informer: &SharedIndexInformer<ConfigMap>) -> BTreeMap<String, String> {
    informer
        .store()
        .list()
        .iter()
        .map(|o| {
            (
                o.cache_key(),
                o.resource_version().unwrap_or_default().to_owned(),
            )
        })
        .collect()
}

/// Runs `case` and reports what it measured (assert with [`Report::check`]).
///
/// # Panics
/// When the test server cannot start.
pub async fn run(case: Case) -> Report {
    let started = Instant::now();
    let server = TestServer::builder()
        .history_events(100_000)
        .start()
        .await
        .expect("server");
    seed(&server, OBJECTS);
    let client = client_for(&server);
    let api = Api::<ConfigMap>::namespaced(client.clone(), NS);

    let factory = SharedInformerFactory::new(client.clone())
        .namespace(NS)
        .reflector(fast_reflector(case.mode));
    let informer = factory.informer::<ConfigMap>();
    let view = HandlerView::default();
    let reg = informer.add_event_handler(view.clone(), None);
    let controller = copy_controller(&factory, api.clone(), 4);
    let stats = controller.stats();
    let mut manager = Manager::with_factory(client.clone(), factory);
    manager.add_controller(controller);

    let ids: Vec<_> = case
        .faults
        .iter()
        .map(|f| server.faults().inject(f.clone()))
        .collect();
    let (stop_tx, stop) = watch::channel(false);
    let run = tokio::spawn(manager.run_until(stop));
    let writer = tokio::spawn(Writer::new(api.clone(), OBJECTS + 100, 7).run_for(case.write_for));
    if let Some(d) = case.refuse {
        tokio::time::sleep(Duration::from_millis(1500)).await;
        server.faults().refuse_connections(d);
    }
    let writes = writer.await.expect("writer");
    let fired = ids.iter().map(|id| server.faults().fired(*id)).collect();
    server.faults().clear();

    let writes_done = Instant::now();
    let mut converged_in = None;
    let mut last;
    loop {
        let t = truth(&api).await;
        let server_rvs: BTreeMap<String, String> = t
            .iter()
            .map(|(k, (rv, _))| (k.clone(), rv.clone()))
            .collect();
        let cache = cache_of(&informer);
        let cache_off = server_rvs
            .iter()
            .filter(|(k, rv)| cache.get(*k) != Some(rv))
            .count()
            + cache
                .keys()
                .filter(|k| !server_rvs.contains_key(*k))
                .count();
        let copies_off = copy_mismatches(&t);
        let lost = view.lost(&t);
        last = (cache_off, copies_off, lost, t.len());
        if cache_off == 0 && copies_off == 0 && lost == 0 && informer.handler_lag(&reg) == Some(0) {
            converged_in = Some(writes_done.elapsed());
            break;
        }
        if writes_done.elapsed() > case.converge_within {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    stop_tx.send_replace(true);
    let _ = tokio::time::timeout(Duration::from_secs(10), run).await;
    server.stop().await;
    Report {
        name: case.name,
        writes,
        fired,
        events: view.events.load(Ordering::Relaxed),
        lost: last.2,
        duplicated: view.duplicated.load(Ordering::Relaxed),
        out_of_order: view.out_of_order.load(Ordering::Relaxed),
        cache_off: last.0,
        copies_off: last.1,
        reconciles: (
            stats.reconciles.load(Ordering::Relaxed),
            stats.errors.load(Ordering::Relaxed),
        ),
        objects: last.3,
        converged_in,
        total: started.elapsed(),
        samples: view.samples(),
    }
}
