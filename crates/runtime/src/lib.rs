//! Controller runtime for kapi: the model controller-runtime gives Go operators, in Rust terms.
//!
//! # Map
//!
//! | piece | what it does |
//! |---|---|
//! | [`Manager`] | owns the client, the informer factory and the controllers; probes, metrics, signals, leader-gated controllers |
//! | [`Controller`] | sources → predicates → rate-limited queue → N workers → your [`Reconciler`] |
//! | [`Request`], [`Action`] | what a reconcile is asked (namespace/name) and answers (done, requeue, requeue after) |
//! | [`events`] | an event recorder (events.k8s.io/v1) with aggregation, a spam filter, series and a bounded queue |
//! | [`helpers`] | finalizers, controller references, [`helpers::retry_on_conflict`] |
//! | [`leader`] | leader election on a lease: [`leader::LeaderElector`], [`leader::LeaseLock`], timing validation |
//! | [`ClientMetrics`] | a tower layer for client request counts/latency, plus rate-limiter waits |
//! | [`metrics`] | controller and work-queue metrics in the Prometheus text format |
//! | [`Predicate`] | event filters: [`GenerationChanged`], [`LabelsChanged`], [`AnnotationsChanged`], [`ResourceVersionChanged`], closures, [`and`]/[`or`]/[`not`] |
//!
//! The model: informers (shared through a factory) call the controller's handlers; handlers
//! filter events with predicates and map each object to [`Request`]s — the object itself
//! ([`Controller::watches_self`]), its controller owner ([`Controller::owns`]) or anything a
//! function returns ([`Controller::watches_mapped`]); the queue de-duplicates requests and never
//! hands one key to two workers at once; errors and [`Action::Requeue`] retry with per-key
//! exponential back-off that a success resets.
//!
//! # Example
//!
//! ```no_run
//! # async fn demo(informer: kapi_informers::SharedIndexInformer<kapi_apimachinery::DynamicObject>) {
//! use kapi_runtime::{reconciler_fn, Action, Controller, GenerationChanged, Request};
//! use std::sync::Arc;
//!
//! let lister = informer.lister();
//! let controller = Controller::new("widgets", reconciler_fn(move |req: Request| {
//!     let lister = lister.clone();
//!     async move {
//!         match lister.get(&req.key()) {
//!             Some(obj) => println!("reconciling {req} at {:?}", obj.metadata.resource_version),
//!             None => println!("{req} is gone"),
//!         }
//!         Ok::<_, std::convert::Infallible>(Action::Done)
//!     }
//! }))
//! .workers(4)
//! .watches_self(&informer, vec![Arc::new(GenerationChanged)]);
//! let (stop_tx, stop) = tokio::sync::watch::channel(false);
//! informer.start();
//! tokio::spawn(controller.run(stop));
//! # drop(stop_tx);
//! # }
//! ```

mod client_metrics;
mod controller;
pub mod events;
pub mod helpers;
pub mod leader;
mod manager;
pub mod metrics;

pub use client_metrics::{ClientMetrics, ClientMetricsLayer, Metered};
pub use controller::{
    and, not, on_object, on_update, or, reconciler_fn, Action, And, AnnotationsChanged,
    BoxPredicate, Controller, ControllerStats, FnReconciler, GenerationChanged, LabelsChanged, Not,
    ObjectFn, Or, Predicate, Reconciler, Request, ResourceVersionChanged, UpdateFn,
};
pub use manager::{ApiEventSink, ApiLeaseLock, Manager, ManagerError};
