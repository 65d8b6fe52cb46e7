//! kapi: a Kubernetes client for Rust in the spirit of client-go.
//!
//! This facade crate re-exports kapi's layers so an application needs one dependency. Each
//! layer beyond the always-present API machinery sits behind a cargo feature:
//!
//! | module | crate | feature |
//! |---|---|---|
//! | [`apimachinery`] | `kapi-apimachinery`: meta types, selectors, Quantity, errors, Scheme, RESTMapper | always |
//! | [`workqueue`] | `kapi-workqueue`: rate-limited work queue for controllers | `workqueue` (default) |
//!
//! The generated API types, the client, informers, the controller runtime and the embedded test
//! server join this map as they land (see `docs/architecture.md`).
//!
//! ```
//! use kapi::apimachinery::labels::Selector;
//! use std::collections::BTreeMap;
//! let selector: Selector = "app=web,tier!=db".parse().unwrap();
//! let labels = BTreeMap::from([("app".to_string(), "web".to_string())]);
//! assert!(selector.matches(&labels));
//! ```

pub use kapi_apimachinery as apimachinery;
#[cfg(feature = "workqueue")]
pub use kapi_workqueue as workqueue;
