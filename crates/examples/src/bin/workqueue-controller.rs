//! client-go's classic workqueue example: informer → rate-limited queue → workers → retries,
//! then forget.
//!
//! ```text
//! cargo run -p kapi-examples --bin workqueue-controller
//! ```
//!
//! Uses the cluster of `$KUBECONFIG` (or in-cluster config) when it answers, otherwise the
//! embedded test server (`KAPI_EMBEDDED=1` forces the latter).

use std::process::ExitCode;

#[tokio::main]
async fn main() -> ExitCode {
    kapi_examples::run_main(kapi_examples::workqueue_controller::run).await
}
