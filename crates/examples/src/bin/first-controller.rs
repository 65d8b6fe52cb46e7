//! The controller of `docs/getting-started.md`: keeps `<name>-copy` in step with every
//! ConfigMap labelled `kapi.dev/copy=true`, and shows it at work.
//!
//! ```text
//! cargo run -p kapi-examples --bin first-controller
//! ```
//!
//! Uses the cluster of `$KUBECONFIG` (or in-cluster config) when it answers, otherwise the
//! embedded test server (`KAPI_EMBEDDED=1` forces the latter).

use std::process::ExitCode;

#[tokio::main]
async fn main() -> ExitCode {
    kapi_examples::run_main(kapi_examples::first_controller::run).await
}
