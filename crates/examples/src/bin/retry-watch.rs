//! `RetryWatcher`: a watch that resumes after dropped connections without losing or repeating
//! events (the embedded server drops them on purpose).
//!
//! ```text
//! cargo run -p kapi-examples --bin retry-watch
//! ```
//!
//! Uses the cluster of `$KUBECONFIG` (or in-cluster config) when it answers, otherwise the
//! embedded test server (`KAPI_EMBEDDED=1` forces the latter).

use std::process::ExitCode;

#[tokio::main]
async fn main() -> ExitCode {
    kapi_examples::run_main(kapi_examples::retry_watch::run).await
}
