//! Behaviour driven by environment variables — `Config::infer` (`KUBECONFIG`, `HOME`, the
//! in-cluster variables) and proxies from `HTTPS_PROXY`/`NO_PROXY` — tested in a binary of its
//! own with a single test, so changing the environment races nothing.

#[allow(dead_code, unreachable_pub, unused_imports)]
#[path = "it/support/mod.rs"]
mod support;

use kapi_client::error::{InClusterError, KubeconfigErrorKind};
use kapi_client::{Config, ConfigSource, Error, KubeconfigOptions};

fn kubeconfig(server: &str) -> String {
    format!(
        "current-context: c\nclusters:\n- name: c\n  cluster: {{server: '{server}'}}\ncontexts:\n- name: c\n  context: {{cluster: c, namespace: from-file}}\n"
    )
}

#[test]
fn environment_driven_behaviour() {
    infer_follows_the_documented_order();
    proxies_come_from_the_environment();
}

fn proxies_come_from_the_environment() {
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("rt");
    rt.block_on(async {
        let ca = support::Ca::new("ca");
        let server =
            support::Server::start(support::Options::new(ca.localhost()), support::echo()).await;
        let proxy = support::proxy::ConnectProxy::start().await;
        let mut config = support::config_for(&server, &ca);
        config.proxy = kapi_client::Proxy::FromEnv;
        for var in [
            "ALL_PROXY",
            "all_proxy",
            "HTTP_PROXY",
            "http_proxy",
            "https_proxy",
            "no_proxy",
        ] {
            std::env::remove_var(var);
        }
        std::env::set_var("HTTPS_PROXY", format!("http://{}", proxy.addr));
        std::env::set_var("NO_PROXY", "example.com");
        let client = kapi_client::Client::new(config.clone()).expect("client");
        client
            .request_text(support::get("/"))
            .await
            .expect("through the proxy");
        assert_eq!(proxy.requests.lock().expect("lock").len(), 1);

        std::env::set_var("NO_PROXY", "127.0.0.1");
        let client = kapi_client::Client::new(config).expect("client");
        client
            .request_text(support::get("/"))
            .await
            .expect("direct");
        assert_eq!(
            proxy.requests.lock().expect("lock").len(),
            1,
            "NO_PROXY bypasses the proxy"
        );
        std::env::remove_var("HTTPS_PROXY");
        std::env::remove_var("NO_PROXY");
    });
}

fn infer_follows_the_documented_order() {
    let dir = tempfile::tempdir().expect("tempdir");
    let home = dir.path().join("home");
    std::fs::create_dir_all(home.join(".kube")).expect("mkdir");
    std::fs::write(
        home.join(".kube/config"),
        kubeconfig("https://home.example"),
    )
    .expect("write");
    let env_file = dir.path().join("env-config");
    std::fs::write(&env_file, kubeconfig("https://env.example")).expect("write");
    std::env::set_var("HOME", &home);
    std::env::remove_var("KUBERNETES_SERVICE_HOST");
    std::env::remove_var("KUBERNETES_SERVICE_PORT");

    // KUBECONFIG wins over ~/.kube/config.
    std::env::set_var("KUBECONFIG", &env_file);
    let config = Config::infer().expect("from KUBECONFIG");
    assert_eq!(config.cluster_url.host(), Some("env.example"));
    assert_eq!(config.default_namespace, "from-file");

    // Overrides apply to the kubeconfig source.
    let opts = KubeconfigOptions::new().namespace("override");
    let config = Config::infer_from(&ConfigSource::DEFAULT_ORDER, &opts).expect("with overrides");
    assert_eq!(config.default_namespace, "override");

    // Without KUBECONFIG, ~/.kube/config.
    std::env::remove_var("KUBECONFIG");
    assert_eq!(
        Config::infer().expect("home").cluster_url.host(),
        Some("home.example")
    );

    // KUBECONFIG naming only missing files and no in-cluster variables: nothing found.
    std::env::set_var("KUBECONFIG", dir.path().join("missing"));
    let err = Config::infer().expect_err("nothing");
    assert!(matches!(err, Error::NoConfig { .. }), "{err:?}");
    assert!(err.to_string().contains("in-cluster"), "{err}");

    // In-cluster variables set: in-cluster is tried next (and here fails on the missing
    // service-account files, which is reported, not skipped).
    std::env::set_var("KUBERNETES_SERVICE_HOST", "10.0.0.1");
    std::env::set_var("KUBERNETES_SERVICE_PORT", "443");
    let err = Config::infer().expect_err("no service account files here");
    assert!(
        matches!(err, Error::InCluster(InClusterError::Read { .. })),
        "{err:?}"
    );

    // The order is overridable: in-cluster first, then the kubeconfig.
    std::env::remove_var("KUBERNETES_SERVICE_HOST");
    std::env::set_var("KUBECONFIG", &env_file);
    let order = [ConfigSource::InCluster, ConfigSource::Kubeconfig];
    let config = Config::infer_from(&order, &KubeconfigOptions::new()).expect("falls through");
    assert_eq!(config.cluster_url.host(), Some("env.example"));

    // A kubeconfig that exists but is broken stops the search.
    std::fs::write(&env_file, "clusters: [").expect("write");
    let err = Config::infer().expect_err("broken");
    assert!(
        matches!(&err, Error::Kubeconfig(k) if matches!(k.kind, KubeconfigErrorKind::Parse(_))),
        "{err:?}"
    );
}
