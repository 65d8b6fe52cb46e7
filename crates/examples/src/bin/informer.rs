//! Informer, lister and indexer: a shared ConfigMap cache with a custom index, a namespaced
//! lister and an event handler.
//!
//! ```text
//! cargo run -p kapi-examples --bin informer
//! ```
//!
//! Uses the cluster of `$KUBECONFIG` (or in-cluster config) when it answers, otherwise the
//! embedded test server (`KAPI_EMBEDDED=1` forces the latter).

use std::process::ExitCode;

#[tokio::main]
async fn main() -> ExitCode {
    kapi_examples::run_main(kapi_examples::informer::run).await
}
