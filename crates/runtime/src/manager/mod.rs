//! [`Manager`]: owns the client, the shared informer factory and the controllers; starts
//! everything, waits for caches, runs controllers (only while leading, when leader election is
//! on), serves health/readiness/metrics, and stops on SIGTERM/SIGINT.

mod event_sink;
mod health;
mod lease;

use std::future::Future;
use std::net::SocketAddr;
use std::sync::Arc;

use futures::future::BoxFuture;
use kapi_client::Client;
use kapi_informers::SharedInformerFactory;
use tokio::sync::watch;

pub use event_sink::ApiEventSink;
pub use lease::ApiLeaseLock;

use crate::client_metrics::ClientMetrics;
use crate::controller::{Controller, Reconciler};
use crate::events::EventRecorder;
use crate::leader::{ConfigError, ElectionOutcome, LeaderElectionConfig, LeaderElector};
use crate::metrics::MetricsRegistry;

type Runnable = Box<dyn FnOnce(watch::Receiver<bool>) -> BoxFuture<'static, ()> + Send>;

/// Why a manager stopped with an error.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ManagerError {
    /// Leader election settings are invalid.
    #[error(transparent)]
    LeaderElection(#[from] ConfigError),
    /// Leadership was lost; controllers were stopped (restart the process, as
    /// controller-runtime does).
    #[error("leadership lost")]
    LostLeadership,
    /// The probe endpoint could not bind.
    #[error("cannot serve probes on {addr}: {source}")]
    Probe {
        /// The address.
        addr: SocketAddr,
        /// The bind error.
        source: std::io::Error,
    },
}

struct Election {
    namespace: String,
    name: String,
    config: LeaderElectionConfig,
}

/// Runs controllers that share one client and one informer cache.
pub struct Manager {
    client: Client,
    factory: Arc<SharedInformerFactory>,
    metrics: Arc<MetricsRegistry>,
    runnables: Vec<Runnable>,
    election: Option<Election>,
    probe_addr: Option<SocketAddr>,
    probe_bound: watch::Sender<Option<SocketAddr>>,
    leading: watch::Sender<bool>,
}

impl std::fmt::Debug for Manager {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Manager")
            .field("runnables", &self.runnables.len())
            .field("leader_election", &self.election.is_some())
            .field("probe_addr", &self.probe_addr)
            .finish_non_exhaustive()
    }
}

impl Manager {
    /// A manager over `client` with a factory watching all namespaces.
    pub fn new(client: Client) -> Self {
        let factory = SharedInformerFactory::new(client.clone());
        Self::with_factory(client, factory)
    }

    /// A manager with a pre-configured factory (namespace, selectors, resync, sync mode).
    pub fn with_factory(client: Client, factory: SharedInformerFactory) -> Self {
        Self {
            client,
            factory: Arc::new(factory),
            metrics: Arc::new(MetricsRegistry::new()),
            runnables: Vec::new(),
            election: None,
            probe_addr: None,
            probe_bound: watch::channel(None).0,
            leading: watch::channel(false).0,
        }
    }

    /// The shared client.
    pub fn client(&self) -> &Client {
        &self.client
    }

    /// The shared informer factory: get informers from it before adding controllers.
    pub fn factory(&self) -> &SharedInformerFactory {
        &self.factory
    }

    /// The metrics registry served on `/metrics`.
    pub fn metrics(&self) -> Arc<MetricsRegistry> {
        Arc::clone(&self.metrics)
    }

    /// An event recorder writing through the API as `controller` from this process.
    pub fn event_recorder(&self, controller: &str, instance: &str) -> EventRecorder {
        EventRecorder::new(ApiEventSink::new(self.client.clone()), controller, instance)
    }

    /// Exposes client request metrics (from a client built with [`ClientMetrics::layer`]) and
    /// this manager's client rate-limiter waits on `/metrics`.
    pub fn register_client_metrics(&mut self, metrics: &ClientMetrics) {
        let m = metrics.clone();
        let limiter = self.client.rate_limit().clone();
        self.metrics
            .register_extra(Arc::new(move |out: &mut String| {
                m.render(out, Some(&limiter));
            }));
    }

    /// Adds a controller (its metrics are registered).
    pub fn add_controller<R: Reconciler>(&mut self, controller: Controller<R>) {
        self.metrics.register_controller(
            controller.name(),
            controller.stats(),
            controller.queue_stats(),
        );
        self.runnables
            .push(Box::new(move |stop| Box::pin(controller.run(stop))));
    }

    /// Adds any task that runs until its stop signal (gated by leadership like controllers).
    pub fn add_runnable<F, Fut>(&mut self, task: F)
    where
        F: FnOnce(watch::Receiver<bool>) -> Fut + Send + 'static,
        Fut: Future<Output = ()> + Send + 'static,
    {
        self.runnables
            .push(Box::new(move |stop| Box::pin(task(stop))));
    }

    /// Runs controllers only while holding the Lease `namespace/name`.
    #[must_use]
    pub fn leader_election(
        mut self,
        namespace: &str,
        name: &str,
        config: LeaderElectionConfig,
    ) -> Self {
        self.election = Some(Election {
            namespace: namespace.to_owned(),
            name: name.to_owned(),
            config,
        });
        self
    }

    /// Serves `/healthz`, `/livez`, `/readyz` (200 once caches synced) and `/metrics` on `addr`
    /// (port 0 picks a free port; see [`Manager::probe_bound`]).
    #[must_use]
    pub fn probe_address(mut self, addr: SocketAddr) -> Self {
        self.probe_addr = Some(addr);
        self
    }

    /// The address the probe endpoint bound, once it did.
    pub fn probe_bound(&self) -> watch::Receiver<Option<SocketAddr>> {
        self.probe_bound.subscribe()
    }

    /// `true` while this manager's controllers run (always, without leader election).
    pub fn leading(&self) -> watch::Receiver<bool> {
        self.leading.subscribe()
    }

    /// Runs until SIGINT or SIGTERM.
    ///
    /// # Errors
    /// As [`Manager::run_until`].
    pub async fn run(self) -> Result<(), ManagerError> {
        let (tx, rx) = watch::channel(false);
        tokio::spawn(async move {
            shutdown_signal().await;
            tracing::info!("signal received; shutting down");
            tx.send_replace(true);
        });
        self.run_until(rx).await
    }

    /// Runs until `stop` turns `true`: probes, caches, then controllers (while leading).
    ///
    /// # Errors
    /// [`ManagerError::LostLeadership`] when leadership was lost; configuration and bind errors.
    pub async fn run_until(self, mut stop: watch::Receiver<bool>) -> Result<(), ManagerError> {
        let Self {
            client,
            factory,
            metrics,
            runnables,
            election,
            probe_addr,
            probe_bound,
            leading,
        } = self;
        let (ready_tx, ready) = watch::channel(false);
        if let Some(addr) = probe_addr {
            let probes = health::Probes {
                ready,
                metrics: Arc::clone(&metrics),
            };
            let bound = health::serve(addr, probes, stop.clone())
                .await
                .map_err(|source| ManagerError::Probe { addr, source })?;
            probe_bound.send_replace(Some(bound));
        }
        factory.start();
        tokio::select! {
            () = factory.wait_for_cache_sync() => {}
            () = stopped(&mut stop) => {
                factory.shutdown();
                return Ok(());
            }
        }
        ready_tx.send_replace(true);

        // Leader election, when configured.
        let (election_stop_tx, election_stop) = watch::channel(false);
        let mut leader_rx = None;
        let mut election_task = None;
        if let Some(e) = election {
            let lock = ApiLeaseLock::new(client.clone(), &e.namespace, &e.name);
            let elector = LeaderElector::new(e.config, lock)?;
            let mut rx = elector.leading();
            let el = Arc::clone(&elector);
            election_task = Some(tokio::spawn(async move { el.run(election_stop).await }));
            tokio::select! {
                () = until(&mut rx, true) => {}
                () = stopped(&mut stop) => {
                    election_stop_tx.send_replace(true);
                    if let Some(t) = election_task { let _ = t.await; }
                    factory.shutdown();
                    return Ok(());
                }
            }
            leader_rx = Some(rx);
        }
        leading.send_replace(true);

        // Controllers.
        let (ctrl_stop_tx, ctrl_stop) = watch::channel(false);
        let tasks: Vec<_> = runnables
            .into_iter()
            .map(|r| tokio::spawn(r(ctrl_stop.clone())))
            .collect();
        let lost = match &mut leader_rx {
            Some(rx) => tokio::select! {
                () = until(rx, false) => true,
                () = stopped(&mut stop) => false,
            },
            None => {
                stopped(&mut stop).await;
                false
            }
        };
        ctrl_stop_tx.send_replace(true);
        for t in tasks {
            let _ = t.await;
        }
        leading.send_replace(false);
        election_stop_tx.send_replace(true);
        if let Some(t) = election_task {
            if let Ok(ElectionOutcome::LostLeadership) = t.await {
                tracing::warn!("leadership lost");
            }
        }
        factory.shutdown();
        if lost {
            Err(ManagerError::LostLeadership)
        } else {
            Ok(())
        }
    }
}

/// Waits until `stop` is `true` (or its sender is gone).
async fn stopped(stop: &mut watch::Receiver<bool>) {
    let _ = stop.wait_for(|s| *s).await;
}

/// Waits until the flag equals `value` (or its sender is gone).
async fn until(flag: &mut watch::Receiver<bool>, value: bool) {
    let _ = flag.wait_for(|v| *v == value).await;
}

async fn shutdown_signal() {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{signal, SignalKind};
        match signal(SignalKind::terminate()) {
            Ok(mut term) => {
                tokio::select! {
                    _ = tokio::signal::ctrl_c() => {}
                    _ = term.recv() => {}
                }
            }
            Err(_) => {
                let _ = tokio::signal::ctrl_c().await;
            }
        }
    }
    #[cfg(not(unix))]
    {
        let _ = tokio::signal::ctrl_c().await;
    }
}
