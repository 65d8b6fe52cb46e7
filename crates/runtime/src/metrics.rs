//! Metrics for controllers and their queues, rendered in the Prometheus text format.
//!
//! Names follow controller-runtime and client-go so existing dashboards work:
//! `controller_runtime_reconcile_total{controller,result}`,
//! `controller_runtime_reconcile_errors_total`, `controller_runtime_reconcile_time_seconds`
//! (sum/count), and `workqueue_{depth,adds_total,queue_duration_seconds,work_duration_seconds,
//! unfinished_work_seconds,longest_running_processor_seconds,retries_total}{name}`.

use std::fmt::Write as _;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use kapi_workqueue::metrics::QueueMetrics;

use crate::controller::ControllerStats;

/// Queue counters, fed by the queue through [`QueueMetrics`].
#[derive(Debug, Default)]
pub struct QueueStats {
    adds: AtomicU64,
    depth: AtomicU64,
    latency_micros: AtomicU64,
    latency_count: AtomicU64,
    work_micros: AtomicU64,
    work_count: AtomicU64,
    unfinished_micros: AtomicU64,
    longest_micros: AtomicU64,
    retries: AtomicU64,
}

fn micros(d: Duration) -> u64 {
    u64::try_from(d.as_micros()).unwrap_or(u64::MAX)
}

impl QueueMetrics for QueueStats {
    fn add(&self) {
        self.adds.fetch_add(1, Ordering::Relaxed);
    }
    fn depth(&self, depth: usize) {
        self.depth.store(depth as u64, Ordering::Relaxed);
    }
    fn queue_latency(&self, latency: Duration) {
        self.latency_micros
            .fetch_add(micros(latency), Ordering::Relaxed);
        self.latency_count.fetch_add(1, Ordering::Relaxed);
    }
    fn work_duration(&self, duration: Duration) {
        self.work_micros
            .fetch_add(micros(duration), Ordering::Relaxed);
        self.work_count.fetch_add(1, Ordering::Relaxed);
    }
    fn unfinished_work(&self, total: Duration, longest: Duration) {
        self.unfinished_micros
            .store(micros(total), Ordering::Relaxed);
        self.longest_micros
            .store(micros(longest), Ordering::Relaxed);
    }
    fn retry(&self) {
        self.retries.fetch_add(1, Ordering::Relaxed);
    }
}

impl QueueStats {
    /// Current depth.
    pub fn depth(&self) -> u64 {
        self.depth.load(Ordering::Relaxed)
    }
    /// Items added so far.
    pub fn adds(&self) -> u64 {
        self.adds.load(Ordering::Relaxed)
    }
    /// Rate-limited re-adds so far.
    pub fn retries(&self) -> u64 {
        self.retries.load(Ordering::Relaxed)
    }
}

/// Extra lines appended to the exposition (e.g. client request metrics).
pub type ExtraMetrics = Arc<dyn Fn(&mut String) + Send + Sync>;

type Registered = (String, Arc<ControllerStats>, Arc<QueueStats>);

/// Collects what a manager exposes on `/metrics`.
#[derive(Default)]
pub struct MetricsRegistry {
    controllers: Mutex<Vec<Registered>>,
    extra: Mutex<Vec<ExtraMetrics>>,
}

impl std::fmt::Debug for MetricsRegistry {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("MetricsRegistry").finish_non_exhaustive()
    }
}

fn load(a: &AtomicU64) -> f64 {
    a.load(Ordering::Relaxed) as f64
}

fn secs(micros: u64) -> f64 {
    micros as f64 / 1e6
}

impl MetricsRegistry {
    /// An empty registry.
    pub fn new() -> Self {
        Self::default()
    }

    /// Registers a controller's counters.
    pub fn register_controller(
        &self,
        name: &str,
        stats: Arc<ControllerStats>,
        queue: Arc<QueueStats>,
    ) {
        self.controllers
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .push((name.to_owned(), stats, queue));
    }

    /// Registers a function that appends more exposition lines.
    pub fn register_extra(&self, f: ExtraMetrics) {
        self.extra
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .push(f);
    }

    /// The Prometheus text exposition.
    pub fn render(&self) -> String {
        let mut out = String::new();
        let controllers = self
            .controllers
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        let mut family =
            |name: &str, kind: &str, help: &str, rows: &mut dyn Iterator<Item = (String, f64)>| {
                let _ = writeln!(out, "# HELP {name} {help}\n# TYPE {name} {kind}");
                for (labels, v) in rows {
                    let _ = writeln!(out, "{name}{{{labels}}} {v}");
                }
            };
        let c = |f: fn(&ControllerStats) -> f64| {
            controllers
                .iter()
                .map(move |(n, s, _)| (format!("controller=\"{n}\""), f(s)))
                .collect::<Vec<_>>()
                .into_iter()
        };
        family(
            "controller_runtime_reconcile_total",
            "counter",
            "Reconciles per controller.",
            &mut c(|s| load(&s.reconciles)),
        );
        family(
            "controller_runtime_reconcile_errors_total",
            "counter",
            "Reconciles that returned an error.",
            &mut c(|s| load(&s.errors)),
        );
        family(
            "controller_runtime_reconcile_requeues_total",
            "counter",
            "Requeues (errors, Requeue, RequeueAfter).",
            &mut c(|s| load(&s.requeues)),
        );
        family(
            "controller_runtime_reconcile_time_seconds_sum",
            "counter",
            "Total time spent reconciling.",
            &mut c(|s| secs(s.busy_micros.load(Ordering::Relaxed))),
        );
        let q = |f: fn(&QueueStats) -> f64| {
            controllers
                .iter()
                .map(move |(n, _, q)| (format!("name=\"{n}\""), f(q)))
                .collect::<Vec<_>>()
                .into_iter()
        };
        family(
            "workqueue_depth",
            "gauge",
            "Current depth of the work queue.",
            &mut q(|s| load(&s.depth)),
        );
        family(
            "workqueue_adds_total",
            "counter",
            "Adds handled by the work queue.",
            &mut q(|s| load(&s.adds)),
        );
        family(
            "workqueue_retries_total",
            "counter",
            "Rate-limited re-adds.",
            &mut q(|s| load(&s.retries)),
        );
        family(
            "workqueue_queue_duration_seconds_sum",
            "counter",
            "Time items waited in the queue.",
            &mut q(|s| secs(s.latency_micros.load(Ordering::Relaxed))),
        );
        family(
            "workqueue_queue_duration_seconds_count",
            "counter",
            "Items taken from the queue.",
            &mut q(|s| load(&s.latency_count)),
        );
        family(
            "workqueue_work_duration_seconds_sum",
            "counter",
            "Time spent processing items.",
            &mut q(|s| secs(s.work_micros.load(Ordering::Relaxed))),
        );
        family(
            "workqueue_work_duration_seconds_count",
            "counter",
            "Items processed.",
            &mut q(|s| load(&s.work_count)),
        );
        family(
            "workqueue_unfinished_work_seconds",
            "gauge",
            "Time in-flight items have been processed so far.",
            &mut q(|s| secs(s.unfinished_micros.load(Ordering::Relaxed))),
        );
        family(
            "workqueue_longest_running_processor_seconds",
            "gauge",
            "Longest-running in-flight item.",
            &mut q(|s| secs(s.longest_micros.load(Ordering::Relaxed))),
        );
        drop(controllers);
        for f in self
            .extra
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .iter()
        {
            f(&mut out);
        }
        out
    }
}
