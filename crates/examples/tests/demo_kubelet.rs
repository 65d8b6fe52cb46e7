//! The demo as it runs on a real cluster: reached through `$KUBECONFIG` (not embedded), so the
//! operator waits for each Pod's `Ready` condition — which a stand-in kubelet sets here — and
//! the demo removes the CRD it installed. (Its own test binary: it changes the environment.)

use std::time::Duration;

use kapi_api::core::v1::Pod;
use kapi_apimachinery::options::{ListOptions, PatchOptions};
use kapi_client::kubeconfig::{Kubeconfig, KubeconfigOptions};
use kapi_client::{Api, Client, Config, Patch};
use kapi_examples::podset::demo::{self, DemoOptions};
use kapi_examples::{Cluster, Narrator};
use kapi_testserver::TestServer;
use serde_json::json;

/// Marks every Pod that is not being deleted `Running` and `Ready`, a moment after it appears.
async fn kubelet(client: Client) {
    let pods: Api<Pod> = Api::all(client);
    loop {
        if let Ok(list) = pods.list(&ListOptions::default()).await {
            for pod in list.items {
                let ready = pod.status.as_ref().is_some_and(|s| {
                    s.conditions
                        .iter()
                        .any(|c| c.type_ == "Ready" && c.status == "True")
                });
                if ready || pod.metadata.deletion_timestamp.is_some() {
                    continue;
                }
                let (Some(ns), Some(name)) = (&pod.metadata.namespace, &pod.metadata.name) else {
                    continue;
                };
                let status = json!({ "status": {
                    "phase": "Running",
                    "conditions": [{ "type": "Ready", "status": "True" }]
                }});
                let _ = pods
                    .within(ns)
                    .patch_status(name, &PatchOptions::default(), &Patch::Merge(status))
                    .await;
            }
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_demo_on_a_cluster_waits_for_ready_pods() {
    let server = TestServer::start().await.unwrap();
    let path = std::env::temp_dir().join(format!("kapi-demo-kubelet-{}", std::process::id()));
    server.write_kubeconfig(&path).unwrap();
    std::env::set_var("KUBECONFIG", &path);
    std::env::remove_var(kapi_examples::cluster::EMBEDDED_ENV);

    let kc = Kubeconfig::from_yaml(&server.kubeconfig()).unwrap();
    let client =
        Client::new(Config::from_custom_kubeconfig(&kc, &KubeconfigOptions::default()).unwrap())
            .unwrap();
    let kubelet = tokio::spawn(kubelet(client));

    let cluster = Cluster::connect().await.unwrap();
    assert!(!cluster.is_embedded(), "{}", cluster.description());
    let out = Narrator::new();
    let result = demo::run(&cluster, &out, &DemoOptions::default()).await;
    kubelet.abort();
    let _ = std::fs::remove_file(&path);
    server.stop().await;
    result.unwrap_or_else(|e| panic!("{e}\n{}", out.lines().join("\n")));
    assert!(
        !out.said("no kubelet"),
        "the Exists rule is for the embedded server only"
    );
    assert!(out.said("✓ podset/web: 5/5 pods ready"));
    assert!(out.said("✓ CRD podsets.demo.kapi.dev deleted"));
}
