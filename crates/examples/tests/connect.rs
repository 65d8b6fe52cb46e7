//! `Cluster::connect`: a reachable cluster from `$KUBECONFIG` is used; an unreachable one, or
//! none, falls back to the embedded server. (One test: it changes the process environment.)

use kapi_examples::cluster::EMBEDDED_ENV;
use kapi_examples::Cluster;
use kapi_testserver::TestServer;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn connect_uses_a_reachable_kubeconfig_and_falls_back_otherwise() {
    let dir = std::env::temp_dir().join(format!("kapi-examples-connect-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    std::env::remove_var(EMBEDDED_ENV);

    // A "real" cluster: a test server reached only through $KUBECONFIG.
    let server = TestServer::start().await.unwrap();
    let reachable = dir.join("reachable");
    server.write_kubeconfig(&reachable).unwrap();
    std::env::set_var("KUBECONFIG", &reachable);
    let cluster = Cluster::connect().await.unwrap();
    assert!(!cluster.is_embedded(), "{}", cluster.description());
    assert!(
        cluster
            .description()
            .starts_with(&format!("cluster at {}", server.url())),
        "{}",
        cluster.description()
    );
    let ns = cluster.create_namespace("kapi-connect-").await.unwrap();
    assert!(ns.starts_with("kapi-connect-") && ns.len() == "kapi-connect-".len() + 5);
    cluster.delete_namespace(&ns).await.unwrap();

    // Forced embedded.
    std::env::set_var(EMBEDDED_ENV, "1");
    let cluster = Cluster::connect().await.unwrap();
    assert!(cluster.is_embedded());
    assert!(cluster.description().contains("KAPI_EMBEDDED=1"));
    cluster.stop().await;
    std::env::remove_var(EMBEDDED_ENV);
    server.stop().await;

    // Configured but unreachable: the server is gone.
    let cluster = Cluster::connect().await.unwrap();
    assert!(cluster.is_embedded(), "{}", cluster.description());
    assert!(
        cluster.description().contains("did not answer /version"),
        "{}",
        cluster.description()
    );
    cluster.stop().await;

    // Nothing configured.
    std::env::set_var("KUBECONFIG", dir.join("missing"));
    std::env::set_var("HOME", &dir);
    std::env::remove_var("KUBERNETES_SERVICE_HOST");
    let cluster = Cluster::connect().await.unwrap();
    assert!(cluster.is_embedded());
    assert!(
        cluster.description().contains("no cluster configured"),
        "{}",
        cluster.description()
    );
    cluster.stop().await;
    let _ = std::fs::remove_dir_all(&dir);
}
