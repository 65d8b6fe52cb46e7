//! A custom resource with `#[derive(CustomResource)]`: CRD install, create (with server-side
//! defaults and validation), get, list (as a table), status updates.
//!
//! ```text
//! cargo run -p kapi-examples --bin custom-resource
//! ```
//!
//! Uses the cluster of `$KUBECONFIG` (or in-cluster config) when it answers, otherwise the
//! embedded test server (`KAPI_EMBEDDED=1` forces the latter).

use std::process::ExitCode;

#[tokio::main]
async fn main() -> ExitCode {
    kapi_examples::run_main(kapi_examples::custom_resource::run).await
}
