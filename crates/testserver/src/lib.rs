//! An embedded Kubernetes API server for tests: real HTTP and HTTPS, real semantics, nothing
//! to download.
//!
//! `kapi-testserver` serves every built-in resource of Kubernetes v1.36 (from
//! `kapi_api::catalog`) and every CustomResourceDefinition created in it from memory, with the
//! behaviour clients depend on: one global resourceVersion, optimistic concurrency, lists with
//! pagination and every resourceVersion mode, watches (bookmarks, watch-list, 410 on
//! compaction), status and scale subresources, finalizers, garbage collection, namespaces
//! that terminate, server-side apply with `managedFields`, structural schemas, discovery
//! (legacy and aggregated), OpenAPI v2 and v3, Table output for kubectl, Status errors exactly
//! shaped — plus [fault injection](Faults) to test how clients survive a bad day. The numbered rules it follows are in `docs/testserver.md`.
//!
//! # Map
//!
//! | piece | what it does |
//! |---|---|
//! | [`TestServer`], [`TestServerBuilder`] | start (own runtime thread), URL, CA, kubeconfig, stop |
//! | [`Faults`], [`Fault`], [`FaultKind`], [`Verb`] | run-time fault injection, scoped and counted |
//! | `registry` | the resource table from the catalog, field labels, discovery documents |
//! | `store` | objects as shared JSON bytes, the revision counter, history, watchers |
//! | `http` | routing, auth, content negotiation, response bodies |
//! | `api` | get, list, watch, create, update, patch, apply, delete, status and scale; admission |
//! | `crd` | CRD validation, the CRD controller, structural schemas, printer-column JSON paths |
//! | `ssa` | server-side apply: field sets, ownership, conflicts, `managedFields` |
//! | `table` | `Table` and `PartialObjectMetadata` responses |
//! | `openapi` | `/openapi/v2` and `/openapi/v3` from the catalog and CRD schemas |
//! | `controllers` | namespace termination, garbage collection, CRD cleanup |
//! | `patch` | JSON, merge and strategic merge patch engines |
//!
//! # Example
//!
//! ```no_run
//! use kapi_testserver::TestServer;
//!
//! # async fn demo() -> Result<(), Box<dyn std::error::Error>> {
//! let server = TestServer::start().await?;
//! // Point any client at it: the kubeconfig trusts the server's fresh CA.
//! let path = std::env::temp_dir().join("kapi-testserver.kubeconfig");
//! server.write_kubeconfig(&path)?;
//! println!("serving at {} (CA: {} bytes)", server.url(), server.ca_pem().map_or(0, str::len));
//! server.stop().await;
//! # Ok(()) }
//! ```
//!
//! Pods never run: there is no scheduler and no kubelet. See `docs/testserver.md` for what is
//! and is not implemented.

mod api;
mod controllers;
mod crd;
mod error;
mod faults;
mod http;
mod kubeconfig;
mod openapi;
mod patch;
mod registry;
mod seed;
mod server;
mod shared;
mod ssa;
mod store;
mod table;
mod tls;

pub use error::Error;
pub use faults::{Fault, FaultId, FaultKind, Faults, Verb};
pub use server::{TestServer, TestServerBuilder};
