//! The manager against the embedded test server: controllers reconcile real objects, probes and
//! metrics are served, leader election on a real Lease keeps exactly one manager active and
//! hands over on release, and events reach the API.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use kapi_api::core::v1::{ConfigMap, Namespace};
use kapi_api::events::v1::Event;
use kapi_apimachinery::meta::ObjectMeta;
use kapi_apimachinery::options::{CreateOptions, ListOptions};
use kapi_client::kubeconfig::{Kubeconfig, KubeconfigOptions};
use kapi_client::{Api, Client, Config, RateLimit};
use kapi_runtime::events::EventType;
use kapi_runtime::leader::LeaderElectionConfig;
use kapi_runtime::{reconciler_fn, Action, Controller, Manager, Request};
use kapi_testserver::TestServer;
use tokio::sync::watch;

fn client_for(server: &TestServer) -> Client {
    let kc = Kubeconfig::from_yaml(&server.kubeconfig()).expect("kubeconfig");
    let mut config =
        Config::from_custom_kubeconfig(&kc, &KubeconfigOptions::default()).expect("config");
    config.rate_limit = RateLimit::disabled();
    Client::new(config).expect("client")
}

async fn eventually(what: &str, mut f: impl FnMut() -> bool) {
    for _ in 0..1000 {
        if f() {
            return;
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    panic!("timed out waiting for: {what}");
}

async fn namespace(client: &Client, name: &str) {
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

async fn create_cm(client: &Client, ns: &str, name: &str) {
    let cm = ConfigMap {
        metadata: ObjectMeta {
            name: Some(name.into()),
            ..ObjectMeta::default()
        },
        ..ConfigMap::default()
    };
    Api::<ConfigMap>::namespaced(client.clone(), ns)
        .create(&CreateOptions::default(), &cm)
        .await
        .expect("configmap");
}

async fn http_get(addr: std::net::SocketAddr, path: &str) -> (u16, String) {
    use http_body_util::BodyExt;
    let client = hyper_util::client::legacy::Client::builder(hyper_util::rt::TokioExecutor::new())
        .build_http::<http_body_util::Empty<bytes::Bytes>>();
    let resp = client
        .get(format!("http://{addr}{path}").parse().unwrap())
        .await
        .expect("probe request");
    let code = resp.status().as_u16();
    let body = resp.into_body().collect().await.unwrap().to_bytes();
    (code, String::from_utf8_lossy(&body).into_owned())
}

fn recording_controller(
    name: &str,
    factory: &kapi_informers::SharedInformerFactory,
    seen: Arc<Mutex<Vec<String>>>,
) -> Controller<impl kapi_runtime::Reconciler> {
    let informer = factory.informer::<ConfigMap>();
    Controller::new(
        name,
        reconciler_fn(move |req: Request| {
            let seen = Arc::clone(&seen);
            async move {
                seen.lock().unwrap().push(req.key());
                Ok::<_, String>(Action::Done)
            }
        }),
    )
    .watches_self(&informer, vec![])
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn manager_runs_controllers_and_serves_probes_and_metrics() {
    let server = TestServer::start().await.expect("server");
    let client = client_for(&server);
    namespace(&client, "app").await;
    let factory = kapi_informers::SharedInformerFactory::new(client.clone()).namespace("app");
    let seen = Arc::new(Mutex::new(Vec::new()));
    let controller = recording_controller("configmaps", &factory, Arc::clone(&seen));
    let client_metrics = kapi_runtime::ClientMetrics::new();
    let metered = {
        let kc = Kubeconfig::from_yaml(&server.kubeconfig()).unwrap();
        let mut config =
            Config::from_custom_kubeconfig(&kc, &KubeconfigOptions::default()).unwrap();
        config.rate_limit = RateLimit::new(1000.0, 100);
        Client::builder(config)
            .layer(client_metrics.layer())
            .build()
            .unwrap()
    };
    Api::<ConfigMap>::namespaced(metered.clone(), "app")
        .list(&ListOptions::default())
        .await
        .unwrap();
    let mut manager =
        Manager::with_factory(metered, factory).probe_address("127.0.0.1:0".parse().unwrap());
    manager.register_client_metrics(&client_metrics);
    manager.add_controller(controller);
    let mut bound = manager.probe_bound();
    let (stop_tx, stop) = watch::channel(false);
    let run = tokio::spawn(manager.run_until(stop));
    let addr = bound.wait_for(Option::is_some).await.unwrap().unwrap();

    create_cm(&client, "app", "one").await;
    eventually("reconciled app/one", || {
        seen.lock().unwrap().contains(&"app/one".to_owned())
    })
    .await;
    assert_eq!(http_get(addr, "/healthz").await, (200, "ok".into()));
    assert_eq!(http_get(addr, "/readyz").await.0, 200);
    let (code, metrics) = http_get(addr, "/metrics").await;
    assert_eq!(code, 200);
    assert!(
        metrics.contains("controller_runtime_reconcile_total{controller=\"configmaps\"}"),
        "{metrics}"
    );
    assert!(
        metrics.contains("workqueue_adds_total{name=\"configmaps\"}"),
        "{metrics}"
    );
    assert!(
        metrics.contains("rest_client_requests_total{code=\"200\",method=\"GET\"}"),
        "{metrics}"
    );
    assert!(
        metrics.contains("rest_client_rate_limiter_requests_total"),
        "{metrics}"
    );
    assert_eq!(http_get(addr, "/nope").await.0, 404);

    stop_tx.send_replace(true);
    run.await.unwrap().expect("clean shutdown");
    server.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn leader_election_keeps_one_manager_active_and_hands_over_on_release() {
    let server = TestServer::start().await.expect("server");
    let client = client_for(&server);
    namespace(&client, "app").await;
    let mut config = LeaderElectionConfig::new("x");
    config.lease_duration = Duration::from_secs(4);
    config.renew_deadline = Duration::from_secs(3);
    config.retry_period = Duration::from_millis(500);

    let mut stops = Vec::new();
    let mut leading = Vec::new();
    let mut runs = Vec::new();
    for i in 0..3 {
        let c = client_for(&server);
        let factory = kapi_informers::SharedInformerFactory::new(c.clone()).namespace("app");
        let controller = recording_controller(&format!("cm-{i}"), &factory, Arc::default());
        let cfg = LeaderElectionConfig {
            identity: format!("manager-{i}"),
            ..config.clone()
        };
        let mut manager =
            Manager::with_factory(c, factory).leader_election("app", "demo-lock", cfg);
        manager.add_controller(controller);
        leading.push(manager.leading());
        let (tx, rx) = watch::channel(false);
        stops.push(tx);
        runs.push(Some(tokio::spawn(manager.run_until(rx))));
    }
    let active = |l: &[watch::Receiver<bool>]| {
        l.iter()
            .enumerate()
            .filter(|(_, r)| *r.borrow())
            .map(|(i, _)| i)
            .collect::<Vec<_>>()
    };
    eventually("one leader", || active(&leading).len() == 1).await;
    for _ in 0..30 {
        assert_eq!(active(&leading).len(), 1, "exactly one active manager");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let first = active(&leading)[0];
    let lease = Api::<kapi_api::coordination::v1::Lease>::namespaced(client.clone(), "app")
        .get("demo-lock")
        .await
        .unwrap();
    assert_eq!(
        lease.spec.unwrap().holder_identity.as_deref(),
        Some(format!("manager-{first}").as_str())
    );

    stops[first].send_replace(true);
    runs[first]
        .take()
        .unwrap()
        .await
        .unwrap()
        .expect("clean stop");
    let started = std::time::Instant::now();
    eventually("hand-over", || active(&leading).len() == 1).await;
    assert!(
        started.elapsed() < Duration::from_secs(3),
        "released lease was taken over in {:?}",
        started.elapsed()
    );
    for (i, tx) in stops.iter().enumerate() {
        tx.send_replace(true);
        if let Some(r) = runs[i].take() {
            r.await.unwrap().expect("clean stop");
        }
    }
    server.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn events_reach_the_api_with_series() {
    let server = TestServer::start().await.expect("server");
    let client = client_for(&server);
    namespace(&client, "app").await;
    let manager = Manager::new(client.clone());
    let recorder = manager.event_recorder("demo-controller", "pod-1");
    let cm = ConfigMap {
        metadata: ObjectMeta {
            name: Some("c".into()),
            namespace: Some("app".into()),
            uid: Some("u1".into()),
            ..ObjectMeta::default()
        },
        ..ConfigMap::default()
    };
    for _ in 0..3 {
        recorder.publish_for(&cm, EventType::Normal, "Synced", "Sync", "synced c");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let events = Api::<Event>::namespaced(client.clone(), "app");
    let mut found = None;
    for _ in 0..100 {
        let list = events.list(&ListOptions::default()).await.unwrap();
        if let Some(e) = list
            .items
            .into_iter()
            .find(|e| e.series.as_ref().map(|s| s.count) == Some(3))
        {
            found = Some(e);
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let e = found.expect("an event with a series of 3");
    assert_eq!(e.reason.as_deref(), Some("Synced"));
    assert_eq!(e.regarding.and_then(|r| r.name), Some("c".into()));
    server.stop().await;
}
