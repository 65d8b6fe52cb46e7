//! Every example binary's logic, run against its own embedded test server (the binaries are
//! `run_main(<module>::run)`, so this is what `cargo run --bin <name>` does without a cluster).

use kapi_examples::{Cluster, Narrator, Result};

/// Runs one example on a fresh embedded server; fails with everything it said.
async fn check<F>(example: F, must_say: &[&str]) -> Narrator
where
    F: AsyncFnOnce(&Cluster, &Narrator) -> Result<()>,
{
    let cluster = Cluster::embedded().await.expect("embedded server");
    let out = Narrator::new();
    let result = example(&cluster, &out).await;
    cluster.stop().await;
    if let Err(e) = result {
        panic!("{e}\n--- output ---\n{}", out.lines().join("\n"));
    }
    for needle in must_say {
        assert!(
            out.said(needle),
            "never said {needle:?}\n--- output ---\n{}",
            out.lines().join("\n")
        );
    }
    out
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn typed_client() {
    check(
        kapi_examples::typed_client::run,
        &[
            "409 Conflict",
            "retry_on_conflict: replaced web-b",
            "deleted db",
        ],
    )
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn dynamic_client() {
    check(
        kapi_examples::dynamic_client::run,
        &[
            "`deploy` is apps/v1 deployments",
            "patched spec.replicas to 4",
        ],
    )
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn informer() {
    check(
        kapi_examples::informer::run,
        &[
            "handler: added payments-api (initial list)",
            "handler: updated search",
            "handler: deleted payments-db",
        ],
    )
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn workqueue_controller() {
    let out = check(
        kapi_examples::workqueue_controller::run,
        &["dropping", "does not exist anymore"],
    )
    .await;
    let retries = out
        .lines()
        .iter()
        .filter(|l| l.contains("broken") && l.contains("retrying"))
        .count();
    assert_eq!(
        retries,
        kapi_examples::workqueue_controller::MAX_RETRIES as usize
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn leader_election() {
    check(
        kapi_examples::leader_election::run,
        &["took over after", "all candidates stopped"],
    )
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn custom_resource() {
    check(
        kapi_examples::custom_resource::run,
        &[
            "the server set the schema default, 7",
            "is refused",
            "Schedule",
        ],
    )
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn retry_watch() {
    check(
        kapi_examples::retry_watch::run,
        &[
            "fault injected",
            "exactly once, in order, over 3 watch requests",
        ],
    )
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn first_controller() {
    check(
        kapi_examples::first_controller::run,
        &[
            "settings-copy follows: mode=safe",
            "settings-copy is gone too",
        ],
    )
    .await;
}
