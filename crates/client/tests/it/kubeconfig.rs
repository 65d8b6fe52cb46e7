//! A kubeconfig with relative certificate paths and an exec plugin, end to end over HTTPS.

use std::os::unix::fs::PermissionsExt;

use kapi_client::kubeconfig::{Kubeconfig, KubeconfigOptions};
use kapi_client::{Client, Config};
use serde_json::Value;

use crate::support::{echo, get, Ca, Options, Server};

#[tokio::test]
async fn files_resolve_against_the_kubeconfig_that_names_them() {
    let ca = Ca::new("ca");
    let cert = ca.client("kube-user", None);
    let mut opts = Options::new(ca.localhost());
    opts.client_ca = Some(ca.pem.cert.clone());
    opts.clients = vec![("kube-user".into(), cert.cert.clone())];
    let server = Server::start(opts, echo()).await;

    let dir = tempfile::tempdir().expect("tempdir");
    let sub = dir.path().join("conf");
    std::fs::create_dir_all(sub.join("pki")).expect("mkdir");
    std::fs::write(sub.join("pki/ca.crt"), &ca.pem.cert).expect("ca");
    std::fs::write(sub.join("pki/user.crt"), &cert.cert).expect("cert");
    std::fs::write(sub.join("pki/user.key"), &cert.key).expect("key");
    std::fs::write(sub.join("token"), "file-token").expect("token");
    let plugin = sub.join("plugin.sh");
    std::fs::write(
        &plugin,
        "#!/bin/sh\nprintf '%s' \"$KUBERNETES_EXEC_INFO\" > \"$(dirname \"$0\")/info.json\"\necho '{\"apiVersion\":\"client.authentication.k8s.io/v1beta1\",\"kind\":\"ExecCredential\",\"status\":{\"token\":\"exec-token\"}}'\n",
    )
    .expect("plugin");
    std::fs::set_permissions(&plugin, std::fs::Permissions::from_mode(0o755)).expect("chmod");
    let kubeconfig = format!(
        r#"
current-context: certs
clusters:
- name: local
  cluster:
    server: {url}
    certificate-authority: pki/ca.crt
    extensions:
    - name: client.authentication.k8s.io/exec
      extension: {{audience: kapi}}
users:
- name: certs
  user: {{client-certificate: pki/user.crt, client-key: pki/user.key, tokenFile: token}}
- name: exec
  user:
    exec: {{apiVersion: client.authentication.k8s.io/v1beta1, command: ./plugin.sh, provideClusterInfo: true, interactiveMode: Never}}
contexts:
- {{name: certs, context: {{cluster: local, user: certs, namespace: kc-ns}}}}
- {{name: exec, context: {{cluster: local, user: exec}}}}
"#,
        url = server.url()
    );
    std::fs::write(sub.join("config"), kubeconfig).expect("kubeconfig");
    // Read from another working directory: paths must resolve against the file.
    let kc = Kubeconfig::load([sub.join("config")]).expect("load");

    let mut config =
        Config::from_custom_kubeconfig(&kc, &KubeconfigOptions::new()).expect("config");
    config.proxy = kapi_client::Proxy::None;
    assert_eq!(config.default_namespace, "kc-ns");
    let v: Value = Client::new(config)
        .expect("client")
        .request_json(get("/"))
        .await
        .expect("certs");
    assert_eq!(
        (v["client"].as_str(), v["authorization"].as_str()),
        (Some("kube-user"), Some("Bearer file-token"))
    );

    let mut config = Config::from_custom_kubeconfig(&kc, &KubeconfigOptions::new().context("exec"))
        .expect("config");
    config.proxy = kapi_client::Proxy::None;
    let v: Value = Client::new(config)
        .expect("client")
        .request_json(get("/"))
        .await
        .expect("exec");
    assert_eq!(v["authorization"], "Bearer exec-token");
    let info: Value =
        serde_json::from_str(&std::fs::read_to_string(sub.join("info.json")).expect("info"))
            .expect("json");
    let cluster = &info["spec"]["cluster"];
    assert_eq!(cluster["server"], server.url());
    assert_eq!(cluster["config"]["audience"], "kapi");
    assert!(cluster["certificate-authority-data"]
        .as_str()
        .is_some_and(|s| !s.is_empty()));
}
