//! The flagship demo, run exactly as `cargo run -p kapi-examples --bin demo` runs it, against
//! an embedded test server.

use kapi_examples::podset::demo::{self, DemoOptions};
use kapi_examples::{Cluster, Narrator};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_demo_runs_and_every_expectation_holds() {
    let cluster = Cluster::embedded().await.expect("embedded server");
    let out = Narrator::new();
    let result = demo::run(&cluster, &out, &DemoOptions::default()).await;
    cluster.stop().await;
    result.expect("the demo");
    for line in [
        "✓ CRD podsets.demo.kapi.dev established",
        "✓ podset/web: 3/3 pods ready",
        "replaced",
        "✓ podset/web: 5/5 pods ready",
        "↳ Finalized:",
        "✓ podset/web deleted; its 5 pods are gone",
        "released the lease",
        "every expectation held",
    ] {
        assert!(out.said(line), "the demo never said {line:?}");
    }
    assert!(!out.said("✗"), "{:#?}", out.lines());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_demo_also_scales_down() {
    let cluster = Cluster::embedded().await.expect("embedded server");
    let out = Narrator::silent();
    let options = DemoOptions {
        replicas: 4,
        scale_to: 1,
        ..DemoOptions::default()
    };
    let result = demo::run(&cluster, &out, &options).await;
    cluster.stop().await;
    result.unwrap_or_else(|e| panic!("{e}\n{}", out.lines().join("\n")));
    assert_eq!(
        out.lines()
            .iter()
            .filter(|l| l.contains("↳ SuccessfulDelete"))
            .count(),
        3 + 1,
        "three pods removed by the scale-down, one by the PodSet's deletion"
    );
}
