//! [`Controller`]: sources → predicates → a rate-limited queue → N workers → a [`Reconciler`].

mod predicate;
mod request;
mod source;

use std::future::Future;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use kapi_apimachinery::{Object, Resource};
use kapi_informers::SharedIndexInformer;
use kapi_workqueue::limiter::RateLimiter;
use kapi_workqueue::metrics::QueueMetrics;
use kapi_workqueue::{RateLimitingQueue, ShutdownMode};
use tokio::sync::watch;

use crate::metrics::QueueStats;

pub use predicate::{
    and, not, on_object, on_update, or, And, AnnotationsChanged, BoxPredicate, GenerationChanged,
    LabelsChanged, Not, ObjectFn, Or, Predicate, ResourceVersionChanged, UpdateFn,
};
pub use request::{Action, Request};
use source::{map_owner, map_self, Enqueue, MapFn};

/// Brings the world in line with one object's desired state.
pub trait Reconciler: Send + Sync + 'static {
    /// The error a reconcile may fail with (it is logged and the key retried with back-off).
    type Error: std::fmt::Display + Send + 'static;

    /// Reconciles one object. Called for one key at a time: never twice concurrently.
    fn reconcile(
        &self,
        request: Request,
    ) -> impl Future<Output = Result<Action, Self::Error>> + Send;
}

/// A reconciler from an async closure.
pub fn reconciler_fn<F, Fut, E>(f: F) -> FnReconciler<F>
where
    F: Fn(Request) -> Fut + Send + Sync + 'static,
    Fut: Future<Output = Result<Action, E>> + Send,
    E: std::fmt::Display + Send + 'static,
{
    FnReconciler(f)
}

/// See [`reconciler_fn`].
pub struct FnReconciler<F>(F);

impl<F> std::fmt::Debug for FnReconciler<F> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("FnReconciler")
    }
}

impl<F, Fut, E> Reconciler for FnReconciler<F>
where
    F: Fn(Request) -> Fut + Send + Sync + 'static,
    Fut: Future<Output = Result<Action, E>> + Send,
    E: std::fmt::Display + Send + 'static,
{
    type Error = E;
    fn reconcile(&self, request: Request) -> impl Future<Output = Result<Action, E>> + Send {
        (self.0)(request)
    }
}

/// Counters a controller keeps (also exported by the manager's metrics endpoint).
#[derive(Debug, Default)]
pub struct ControllerStats {
    /// Reconciles started.
    pub reconciles: AtomicU64,
    /// Reconciles that returned an error.
    pub errors: AtomicU64,
    /// Requeues (rate-limited or after a delay).
    pub requeues: AtomicU64,
    /// Total reconcile time in microseconds.
    pub busy_micros: AtomicU64,
}

/// A controller: watches informers, queues requests, runs reconciles on `workers` tasks.
pub struct Controller<R> {
    name: String,
    reconciler: Arc<R>,
    queue: RateLimitingQueue<Request>,
    workers: usize,
    stats: Arc<ControllerStats>,
    queue_stats: Arc<QueueStats>,
}

impl<R> std::fmt::Debug for Controller<R> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Controller")
            .field("name", &self.name)
            .field("workers", &self.workers)
            .finish_non_exhaustive()
    }
}

impl<R: Reconciler> Controller<R> {
    /// A controller named `name` (used in logs and metrics) with one worker and the default
    /// controller rate limiter (max of per-key exponential 5 ms…1000 s and 10 qps / 100 burst).
    pub fn new(name: &str, reconciler: R) -> Self {
        let queue_stats = Arc::new(QueueStats::default());
        let queue = RateLimitingQueue::builder()
            .name(name)
            .metrics(Arc::clone(&queue_stats) as Arc<dyn QueueMetrics>)
            .build_rate_limiting(kapi_workqueue::limiter::default_controller());
        Self {
            name: name.to_owned(),
            reconciler: Arc::new(reconciler),
            queue,
            workers: 1,
            stats: Arc::default(),
            queue_stats,
        }
    }

    /// Uses a custom rate limiter for retries.
    #[must_use]
    pub fn with_rate_limiter(mut self, limiter: impl RateLimiter<Request> + 'static) -> Self {
        self.queue = RateLimitingQueue::builder()
            .name(&self.name)
            .metrics(Arc::clone(&self.queue_stats) as Arc<dyn QueueMetrics>)
            .build_rate_limiting(limiter);
        self
    }

    /// Number of concurrent workers (at least 1).
    #[must_use]
    pub fn workers(mut self, n: usize) -> Self {
        self.workers = n.max(1);
        self
    }

    fn register<K: Object>(
        self,
        informer: &SharedIndexInformer<K>,
        map: MapFn<K>,
        predicates: Vec<BoxPredicate<K>>,
    ) -> Self {
        informer.add_event_handler(
            Enqueue {
                queue: self.queue.clone(),
                map,
                predicates,
            },
            None,
        );
        self
    }

    /// Watches the primary type: each event enqueues the object itself.
    #[must_use]
    pub fn watches_self<K: Object>(
        self,
        informer: &SharedIndexInformer<K>,
        predicates: Vec<BoxPredicate<K>>,
    ) -> Self {
        self.register(informer, map_self(), predicates)
    }

    /// Watches an owned type: each event enqueues the object's controller owner
    /// (`ownerReferences[controller=true]`) when it is an `Owner`.
    #[must_use]
    pub fn owns<K: Object, Owner: Resource>(
        self,
        informer: &SharedIndexInformer<K>,
        predicates: Vec<BoxPredicate<K>>,
    ) -> Self {
        let info = Owner::INFO;
        let map = map_owner(
            info.group.to_string(),
            info.kind.to_string(),
            info.scope.is_namespaced(),
        );
        self.register(informer, map, predicates)
    }

    /// Watches any type, mapping each event's object to requests.
    #[must_use]
    pub fn watches_mapped<K: Object>(
        self,
        informer: &SharedIndexInformer<K>,
        map: impl Fn(&K) -> Vec<Request> + Send + Sync + 'static,
        predicates: Vec<BoxPredicate<K>>,
    ) -> Self {
        self.register(informer, Arc::new(map), predicates)
    }

    /// The controller's queue (e.g. to enqueue requests from elsewhere).
    pub fn queue(&self) -> &RateLimitingQueue<Request> {
        &self.queue
    }

    /// The controller's counters.
    pub fn stats(&self) -> Arc<ControllerStats> {
        Arc::clone(&self.stats)
    }

    /// The controller's queue counters.
    pub fn queue_stats(&self) -> Arc<QueueStats> {
        Arc::clone(&self.queue_stats)
    }

    /// The controller's name.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// Runs the workers until `stop` turns `true`, then lets in-flight reconciles finish
    /// (queued requests are dropped) and returns.
    pub async fn run(self, mut stop: watch::Receiver<bool>) {
        let mut workers = Vec::with_capacity(self.workers);
        for _ in 0..self.workers {
            workers.push(tokio::spawn(worker(
                self.name.clone(),
                self.queue.clone(),
                Arc::clone(&self.reconciler),
                Arc::clone(&self.stats),
            )));
        }
        let _ = stop.wait_for(|s| *s).await;
        tracing::info!(controller = %self.name, "shutting down; finishing in-flight reconciles");
        self.queue.shutdown_with(ShutdownMode::FinishInFlight).await;
        for w in workers {
            let _ = w.await;
        }
    }
}

async fn worker<R: Reconciler>(
    name: String,
    queue: RateLimitingQueue<Request>,
    reconciler: Arc<R>,
    stats: Arc<ControllerStats>,
) {
    while let Some(item) = queue.get().await {
        let request = item.item().clone();
        stats.reconciles.fetch_add(1, Ordering::Relaxed);
        let started = Instant::now();
        let result = reconciler.reconcile(request.clone()).await;
        let micros = u64::try_from(started.elapsed().as_micros()).unwrap_or(u64::MAX);
        stats.busy_micros.fetch_add(micros, Ordering::Relaxed);
        match result {
            Ok(Action::Done) => queue.forget(&request),
            Ok(Action::RequeueAfter(d)) => {
                queue.forget(&request);
                stats.requeues.fetch_add(1, Ordering::Relaxed);
                queue.add_after(request, d.max(Duration::ZERO));
            }
            Ok(Action::Requeue) => {
                stats.requeues.fetch_add(1, Ordering::Relaxed);
                queue.add_rate_limited(request);
            }
            Err(e) => {
                stats.errors.fetch_add(1, Ordering::Relaxed);
                stats.requeues.fetch_add(1, Ordering::Relaxed);
                tracing::warn!(controller = %name, %request, error = %e, "reconcile failed; retrying with back-off");
                queue.add_rate_limited(request);
            }
        }
        drop(item);
    }
}
