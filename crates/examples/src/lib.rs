//! The kapi demo and examples: small programs that use every layer of kapi the way an
//! application would, each runnable against a real cluster or the embedded test server, and
//! each run as a test.
//!
//! # Map
//!
//! | module | binary | shows |
//! |---|---|---|
//! | [`podset`] | `demo` | the flagship operator: a `PodSet` custom resource reconciled into Pods it owns (ReplicaSet pattern: create, delete, status, finalizer, events, leader election) |
//! | [`typed_client`] | `typed-client` | `Api<ConfigMap>`: create, get, list with a label selector, patch, replace with conflict retry, delete |
//! | [`dynamic_client`] | `dynamic-client` | discovery, then `DynamicObject`s over a group/version/resource found at run time |
//! | [`informer`] | `informer` | a shared informer with a custom index, a namespaced lister and an event handler |
//! | [`workqueue_controller`] | `workqueue-controller` | client-go's classic: informer → rate-limited queue → workers → retry, then forget |
//! | [`leader_election`] | `leader-election` | two candidates on one Lease; the second takes over when the first stops |
//! | [`custom_resource`] | `custom-resource` | `#[derive(CustomResource)]`: CRD install, create, get, list, status update |
//! | [`retry_watch`] | `retry-watch` | `RetryWatcher` resuming after dropped connections, nothing lost or repeated |
//! | [`first_controller`] | `first-controller` | the controller of `docs/getting-started.md`: a ConfigMap copier on the manager, with owner references |
//!
//! The shared pieces: [`Cluster`] (the cluster of `$KUBECONFIG` when it answers, else the
//! embedded server), [`Narrator`] (the printed lines), [`wait::wait_for`] (bounded waits) and
//! [`crd::install`].
//!
//! ```text
//! cargo run -p kapi-examples --bin demo
//! cargo run -p kapi-examples --bin typed-client
//! ```
//!
//! Each binary is a few lines around a library function taking a [`Cluster`] and a
//! [`Narrator`]; `tests/demo.rs` and `tests/examples.rs` call the same functions against an
//! embedded server, and `tests/demo_kubelet.rs` runs the demo as on a real cluster (through
//! `$KUBECONFIG`, with a stand-in kubelet making Pods ready). [`getting_started`]
//! (`docs/getting-started.md`, compiled as doctests) walks from zero to a first controller.

pub mod cluster;
pub mod crd;
pub mod custom_resource;
pub mod dynamic_client;
pub mod error;
pub mod first_controller;
/// The getting-started guide (`docs/getting-started.md`); its code blocks are doctests.
///
#[doc = include_str!("../../../docs/getting-started.md")]
pub mod getting_started {}
pub mod informer;
pub mod leader_election;
pub mod narrate;
pub mod podset;
pub mod retry_watch;
mod runner;
pub mod typed_client;
pub mod wait;
pub mod workqueue_controller;

pub use cluster::Cluster;
pub use error::{Error, Result};
pub use narrate::Narrator;
pub use runner::{init_logging, run_main, LOG_ENV};
