//! Leader election: two candidates on one Lease, and the hand-over when the leader stops.
//!
//! ```text
//! cargo run -p kapi-examples --bin leader-election
//! ```
//!
//! Uses the cluster of `$KUBECONFIG` (or in-cluster config) when it answers, otherwise the
//! embedded test server (`KAPI_EMBEDDED=1` forces the latter).

use std::process::ExitCode;

#[tokio::main]
async fn main() -> ExitCode {
    kapi_examples::run_main(kapi_examples::leader_election::run).await
}
