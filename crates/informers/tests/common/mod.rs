//! Set-up shared by the test-server-backed informer tests.

use kapi_api::core::v1::Namespace;
use kapi_apimachinery::meta::ObjectMeta;
use kapi_apimachinery::options::CreateOptions;
use kapi_client::kubeconfig::{Kubeconfig, KubeconfigOptions};
use kapi_client::{Api, Client, Config, RateLimit};
use kapi_testserver::TestServer;

/// A client for `server`, without client-side rate limiting.
pub(crate) fn client_for(server: &TestServer) -> Client {
    let kc = Kubeconfig::from_yaml(&server.kubeconfig()).expect("kubeconfig");
    let mut config =
        Config::from_custom_kubeconfig(&kc, &KubeconfigOptions::default()).expect("config");
    config.rate_limit = RateLimit::disabled();
    Client::new(config).expect("client")
}

/// Creates namespace `name`.
pub(crate) async fn create_namespace(client: &Client, name: &str) {
    let ns = Namespace {
        metadata: ObjectMeta {
            name: Some(name.into()),
            ..ObjectMeta::default()
        },
        ..Namespace::default()
    };
    Api::<Namespace>::all(client.clone())
        .create(&CreateOptions::default(), &ns)
        .await
        .expect("namespace");
}
