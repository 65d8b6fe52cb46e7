//! The test of `docs/getting-started.md`, step 6, as written there: the copier against an
//! embedded API server, through a client configured exactly as for a real cluster.

use std::time::Duration;

use kapi_api::core::v1::ConfigMap;
use kapi_apimachinery::meta::ObjectMeta;
use kapi_apimachinery::options::CreateOptions;
use kapi_client::kubeconfig::{Kubeconfig, KubeconfigOptions};
use kapi_client::{Api, Client, Config};
use kapi_examples::first_controller::{copier, COPY_LABEL};
use kapi_runtime::Manager;
use kapi_testserver::TestServer;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn copies_labelled_config_maps() {
    // An API server in this process: HTTPS on a free port, nothing to install.
    let server = TestServer::start().await.unwrap();
    let kubeconfig = Kubeconfig::from_yaml(&server.kubeconfig()).unwrap();
    let config =
        Config::from_custom_kubeconfig(&kubeconfig, &KubeconfigOptions::default()).unwrap();
    let client = Client::new(config).unwrap();

    // The controller, run by a manager until the test ends.
    let mut manager = Manager::new(client.clone());
    let controller = copier(&manager);
    manager.add_controller(controller);
    let (stop_tx, stop) = tokio::sync::watch::channel(false);
    let running = tokio::spawn(manager.run_until(stop));

    // Act: create a labelled ConfigMap.
    let api: Api<ConfigMap> = Api::namespaced(client, "default");
    let settings = ConfigMap {
        metadata: ObjectMeta {
            name: Some("settings".into()),
            labels: [(COPY_LABEL.into(), "true".into())].into(),
            ..ObjectMeta::default()
        },
        data: [("mode".into(), "fast".into())].into(),
        ..ConfigMap::default()
    };
    api.create(&CreateOptions::default(), &settings)
        .await
        .unwrap();

    // Assert, eventually: controllers converge, they do not answer synchronously.
    let mut copy = None;
    for _ in 0..200 {
        copy = api.get_opt("settings-copy").await.unwrap();
        if copy.is_some() {
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let copy = copy.expect("the controller created settings-copy");
    assert_eq!(copy.data["mode"], "fast");
    let owner = copy.metadata.controller_ref().expect("owned by settings");
    assert_eq!(owner.name, "settings");

    stop_tx.send_replace(true);
    running.await.unwrap().unwrap();
    server.stop().await;
}
