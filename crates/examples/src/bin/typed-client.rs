//! Typed client: create, get, list with a label selector, patch, replace with conflict retry,
//! and delete ConfigMaps through `Api<ConfigMap>`.
//!
//! ```text
//! cargo run -p kapi-examples --bin typed-client
//! ```
//!
//! Uses the cluster of `$KUBECONFIG` (or in-cluster config) when it answers, otherwise the
//! embedded test server (`KAPI_EMBEDDED=1` forces the latter).

use std::process::ExitCode;

#[tokio::main]
async fn main() -> ExitCode {
    kapi_examples::run_main(kapi_examples::typed_client::run).await
}
