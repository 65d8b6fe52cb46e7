//! The flagship demo: a PodSet operator (custom resource → owned Pods, status, finalizer,
//! events, leader election) driven through create, Pod deletion, scale-up and deletion.
//!
//! ```text
//! cargo run -p kapi-examples --bin demo
//! ```
//!
//! Uses the cluster of `$KUBECONFIG` (or in-cluster config) when it answers, otherwise the
//! embedded test server (`KAPI_EMBEDDED=1` forces the latter).

use std::process::ExitCode;

use kapi_examples::podset::demo::{self, DemoOptions};

#[tokio::main]
async fn main() -> ExitCode {
    kapi_examples::run_main(async |cluster, out| {
        demo::run(cluster, out, &DemoOptions::default()).await
    })
    .await
}
