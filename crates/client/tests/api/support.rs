//! A test server and a client configured from its kubeconfig.

use kapi_api::core::v1::{ConfigMap, Container, Pod, PodSpec};
use kapi_apimachinery::meta::ObjectMeta;
use kapi_client::kubeconfig::{Kubeconfig, KubeconfigOptions};
use kapi_client::{Client, Config, RateLimit};
use kapi_testserver::{TestServer, TestServerBuilder};

/// A server with default options and a client for it.
pub(crate) async fn setup() -> (TestServer, Client) {
    setup_with(TestServer::builder()).await
}

/// A server from `builder` and a client for it, configured through the real kubeconfig path.
pub(crate) async fn setup_with(builder: TestServerBuilder) -> (TestServer, Client) {
    let server = builder.start().await.expect("test server");
    let client = client_for(&server);
    (server, client)
}

pub(crate) fn config_for(server: &TestServer) -> Config {
    let kc = Kubeconfig::from_yaml(&server.kubeconfig()).expect("kubeconfig");
    let mut config =
        Config::from_custom_kubeconfig(&kc, &KubeconfigOptions::default()).expect("config");
    config.rate_limit = RateLimit::disabled();
    config
}

pub(crate) fn client_for(server: &TestServer) -> Client {
    Client::new(config_for(server)).expect("client")
}

pub(crate) fn meta(name: &str) -> ObjectMeta {
    ObjectMeta {
        name: Some(name.into()),
        ..ObjectMeta::default()
    }
}

pub(crate) fn config_map(name: &str, key: &str, value: &str) -> ConfigMap {
    ConfigMap {
        metadata: meta(name),
        data: [(key.into(), value.into())].into(),
        ..ConfigMap::default()
    }
}

pub(crate) fn deployment(name: &str, replicas: i32) -> kapi_api::apps::v1::Deployment {
    serde_json::from_value(serde_json::json!({
        "apiVersion": "apps/v1", "kind": "Deployment",
        "metadata": {"name": name},
        "spec": {
            "replicas": replicas,
            "selector": {"matchLabels": {"app": name}},
            "template": {
                "metadata": {"labels": {"app": name}},
                "spec": {"containers": [{"name": "app", "image": "nginx:1.29"}]}
            }
        }
    }))
    .expect("deployment")
}

pub(crate) fn pod(name: &str) -> Pod {
    Pod {
        metadata: meta(name),
        spec: Some(PodSpec {
            containers: vec![Container {
                name: "app".into(),
                image: Some("nginx:1.29".into()),
                ..Container::default()
            }]
            .into(),
            ..PodSpec::default()
        }),
        ..Pod::default()
    }
}
