//! Wiring: informers for PodSets and Pods, the controller, and leader election, in a
//! [`Manager`].

use std::sync::Arc;

use kapi_api::core::v1::Pod;
use kapi_client::Client;
use kapi_informers::SharedInformerFactory;
use kapi_runtime::leader::LeaderElectionConfig;
use kapi_runtime::{on_update, or, Controller, GenerationChanged, Manager};

use super::controller::{owner_uid, OWNER_INDEX};
use super::expectations::ObservedPods;
use super::{PodSet, PodSetReconciler, Readiness, CONTROLLER_NAME};

/// How to run the operator.
#[derive(Clone, Debug)]
pub struct OperatorConfig {
    /// The namespace to watch (PodSets and Pods), and where the Lease lives.
    pub namespace: String,
    /// This process's identity (the Lease holder, and `reportingInstance` of events).
    pub identity: String,
    /// When a Pod counts as ready.
    pub readiness: Readiness,
    /// Leader election on the Lease `lease_name` in `namespace`; `None` runs unconditionally.
    pub leader_election: Option<LeaderElectionConfig>,
    /// The Lease's name.
    pub lease_name: String,
    /// Concurrent reconciles (of different PodSets).
    pub workers: usize,
}

impl OperatorConfig {
    /// Watches `namespace` as `identity`, with leader election on the Lease
    /// `podset-operator` (client-go's default timing) and two workers.
    pub fn new(namespace: &str, identity: &str) -> Self {
        Self {
            namespace: namespace.to_owned(),
            identity: identity.to_owned(),
            readiness: Readiness::default(),
            leader_election: Some(LeaderElectionConfig::new(identity)),
            lease_name: "podset-operator".to_owned(),
            workers: 2,
        }
    }
}

/// A [`Manager`] running the PodSet controller: a PodSet informer (the primary: each change of
/// generation, deletion timestamp or finalizers enqueues the PodSet) and a Pod informer (owned:
/// each Pod event enqueues its controlling PodSet), both limited to the namespace. Run it with
/// [`Manager::run`] or [`Manager::run_until`]; the CRD must be installed first.
pub fn operator(client: Client, config: &OperatorConfig) -> Manager {
    let factory = SharedInformerFactory::new(client.clone()).namespace(&config.namespace);
    let podsets = factory.informer::<PodSet>();
    let pods = factory.informer::<Pod>();
    pods.add_index(OWNER_INDEX, owner_uid);

    let mut manager = Manager::with_factory(client.clone(), factory);
    let recorder = manager.event_recorder(CONTROLLER_NAME, &config.identity);
    let reconciler = PodSetReconciler::new(
        client,
        podsets.lister(),
        pods.store().clone(),
        recorder,
        config.readiness,
    );
    // Pods created and deleted again between two reconciles never show in the cache: the
    // informer's events lower the expectations for them.
    pods.add_event_handler(ObservedPods(reconciler.expectations()), None);
    // Status writes change neither the generation nor the metadata we care about, so the
    // controller is not woken by its own status updates.
    let primary = or(
        GenerationChanged,
        on_update(|old: &PodSet, new: &PodSet| {
            old.metadata.deletion_timestamp != new.metadata.deletion_timestamp
                || old.metadata.finalizers != new.metadata.finalizers
        }),
    );
    let controller = Controller::new(CONTROLLER_NAME, reconciler)
        .workers(config.workers)
        .watches_self(&podsets, vec![Arc::new(primary)])
        .owns::<Pod, PodSet>(&pods, vec![]);
    manager.add_controller(controller);
    match &config.leader_election {
        Some(le) => manager.leader_election(&config.namespace, &config.lease_name, le.clone()),
        None => manager,
    }
}
