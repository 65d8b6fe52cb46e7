//! `Config::infer` reads `KUBECONFIG`, `HOME` and the in-cluster variables. It is tested in a
//! binary of its own with a single test, so changing the environment races nothing.

use kapi_client::error::{InClusterError, KubeconfigErrorKind};
use kapi_client::{Config, ConfigSource, Error, KubeconfigOptions};

fn kubeconfig(server: &str) -> String {
    format!(
        "current-context: c\nclusters:\n- name: c\n  cluster: {{server: '{server}'}}\ncontexts:\n- name: c\n  context: {{cluster: c, namespace: from-file}}\n"
    )
}

#[test]
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
