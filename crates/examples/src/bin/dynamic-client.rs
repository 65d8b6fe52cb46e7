//! Dynamic client: resolve `deploy` through discovery, then create, patch, list and delete
//! Deployments as `DynamicObject`s.
//!
//! ```text
//! cargo run -p kapi-examples --bin dynamic-client
//! ```
//!
//! Uses the cluster of `$KUBECONFIG` (or in-cluster config) when it answers, otherwise the
//! embedded test server (`KAPI_EMBEDDED=1` forces the latter).

use std::process::ExitCode;

#[tokio::main]
async fn main() -> ExitCode {
    kapi_examples::run_main(kapi_examples::dynamic_client::run).await
}
