//! Controllers over informers fed by the embedded test server (real HTTP, real
//! resourceVersions): de-duplication, no concurrent reconcile of a key under 8 workers, owner
//! mapping, map functions, and predicates filtering events before the queue.

use std::collections::HashSet;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use kapi_api::apps::v1::Deployment;
use kapi_api::core::v1::{ConfigMap, Namespace};
use kapi_apimachinery::meta::{ObjectMeta, OwnerReference};
use kapi_apimachinery::options::{CreateOptions, PatchOptions};
use kapi_client::kubeconfig::{Kubeconfig, KubeconfigOptions};
use kapi_client::{Api, Client, Config, Patch, RateLimit};
use kapi_informers::SharedInformerFactory;
use kapi_runtime::{reconciler_fn, Action, Controller, LabelsChanged, Request};
use kapi_testserver::TestServer;
use tokio::sync::watch;

const NS: &str = "ctl";

async fn setup() -> (TestServer, Client, SharedInformerFactory) {
    let server = TestServer::start().await.expect("server");
    let kc = Kubeconfig::from_yaml(&server.kubeconfig()).expect("kubeconfig");
    let mut config =
        Config::from_custom_kubeconfig(&kc, &KubeconfigOptions::default()).expect("config");
    config.rate_limit = RateLimit::disabled();
    let client = Client::new(config).expect("client");
    let ns = Namespace {
        metadata: ObjectMeta {
            name: Some(NS.into()),
            ..ObjectMeta::default()
        },
        ..Namespace::default()
    };
    Api::<Namespace>::all(client.clone())
        .create(&CreateOptions::default(), &ns)
        .await
        .expect("namespace");
    let factory = SharedInformerFactory::new(client.clone()).namespace(NS);
    (server, client, factory)
}

fn cm(name: &str, labels: &[(&str, &str)], owner: Option<OwnerReference>) -> ConfigMap {
    ConfigMap {
        metadata: ObjectMeta {
            name: Some(name.into()),
            labels: labels
                .iter()
                .map(|(k, v)| ((*k).into(), (*v).into()))
                .collect(),
            owner_references: owner.into_iter().collect(),
            ..ObjectMeta::default()
        },
        ..ConfigMap::default()
    }
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

type Log = Arc<Mutex<Vec<String>>>;

fn logging(log: &Log, delay: Duration) -> impl kapi_runtime::Reconciler {
    let log = Arc::clone(log);
    reconciler_fn(move |req: Request| {
        let log = Arc::clone(&log);
        async move {
            tokio::time::sleep(delay).await;
            log.lock().unwrap().push(req.key());
            Ok::<_, String>(Action::Done)
        }
    })
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn many_updates_collapse_and_labels_predicate_filters() {
    let (server, client, factory) = setup().await;
    let api = Api::<ConfigMap>::namespaced(client.clone(), NS);
    let log: Log = Arc::default();
    let informer = factory.informer::<ConfigMap>();
    let ctrl = Controller::new("dedup", logging(&log, Duration::from_millis(200)))
        .watches_self(&informer, vec![Arc::new(LabelsChanged)]);
    factory.start();
    let (stop_tx, stop) = watch::channel(false);
    let run = tokio::spawn(ctrl.run(stop));
    factory.wait_for_cache_sync().await;

    api.create(&CreateOptions::default(), &cm("a", &[("v", "0")], None))
        .await
        .unwrap();
    for i in 1..=30 {
        let patch = serde_json::json!({"metadata": {"labels": {"v": i.to_string()}}});
        api.patch("a", &PatchOptions::default(), &Patch::Merge(patch))
            .await
            .unwrap();
    }
    tokio::time::sleep(Duration::from_millis(800)).await;
    let n = log.lock().unwrap().len();
    assert!(
        (1..=3).contains(&n),
        "31 changes of one key gave {n} reconciles"
    );

    // A data-only change does not pass LabelsChanged.
    let before = log.lock().unwrap().len();
    api.patch(
        "a",
        &PatchOptions::default(),
        &Patch::Merge(serde_json::json!({"data": {"k": "v"}})),
    )
    .await
    .unwrap();
    tokio::time::sleep(Duration::from_millis(500)).await;
    assert_eq!(
        log.lock().unwrap().len(),
        before,
        "data-only change filtered out"
    );
    stop_tx.send_replace(true);
    run.await.unwrap();
    factory.shutdown();
    server.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn no_key_is_reconciled_concurrently_under_8_workers() {
    let (server, client, factory) = setup().await;
    let api = Api::<ConfigMap>::namespaced(client.clone(), NS);
    let in_flight: Arc<Mutex<HashSet<String>>> = Arc::default();
    let overlaps = Arc::new(Mutex::new(0usize));
    let total = Arc::new(Mutex::new(0usize));
    let (f, o, t) = (
        Arc::clone(&in_flight),
        Arc::clone(&overlaps),
        Arc::clone(&total),
    );
    let informer = factory.informer::<ConfigMap>();
    let ctrl = Controller::new(
        "exclusive",
        reconciler_fn(move |req: Request| {
            let (f, o, t) = (Arc::clone(&f), Arc::clone(&o), Arc::clone(&t));
            async move {
                if !f.lock().unwrap().insert(req.key()) {
                    *o.lock().unwrap() += 1;
                }
                tokio::time::sleep(Duration::from_millis(5)).await;
                f.lock().unwrap().remove(&req.key());
                *t.lock().unwrap() += 1;
                Ok::<_, String>(Action::Done)
            }
        }),
    )
    .workers(8)
    .watches_self(&informer, vec![]);
    factory.start();
    let (stop_tx, stop) = watch::channel(false);
    let run = tokio::spawn(ctrl.run(stop));
    factory.wait_for_cache_sync().await;
    for k in 0..5 {
        api.create(&CreateOptions::default(), &cm(&format!("k{k}"), &[], None))
            .await
            .unwrap();
    }
    for round in 0..20 {
        for k in 0..5 {
            let patch = serde_json::json!({"metadata": {"labels": {"r": round.to_string()}}});
            api.patch(
                &format!("k{k}"),
                &PatchOptions::default(),
                &Patch::Merge(patch),
            )
            .await
            .unwrap();
        }
    }
    tokio::time::sleep(Duration::from_millis(500)).await;
    assert_eq!(
        *overlaps.lock().unwrap(),
        0,
        "a key was reconciled by two workers at once"
    );
    assert!(*total.lock().unwrap() >= 5);
    stop_tx.send_replace(true);
    run.await.unwrap();
    factory.shutdown();
    server.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn owned_objects_and_map_functions_enqueue_the_right_requests() {
    let (server, client, factory) = setup().await;
    let api = Api::<ConfigMap>::namespaced(client.clone(), NS);
    let log: Log = Arc::default();
    let informer = factory.informer::<ConfigMap>();
    let ctrl = Controller::new("owners", logging(&log, Duration::ZERO))
        .owns::<ConfigMap, Deployment>(&informer, vec![])
        .watches_mapped(
            &informer,
            |o: &ConfigMap| {
                o.metadata
                    .labels
                    .get("for")
                    .map(|n| vec![Request::namespaced(NS, &format!("mapped-{n}"))])
                    .unwrap_or_default()
            },
            vec![],
        );
    factory.start();
    let (stop_tx, stop) = watch::channel(false);
    let run = tokio::spawn(ctrl.run(stop));
    factory.wait_for_cache_sync().await;
    let owner = |kind: &str, api_version: &str, controller: bool| OwnerReference {
        api_version: api_version.into(),
        kind: kind.into(),
        name: "web".into(),
        uid: "uid-web".into(),
        controller: Some(controller),
        block_owner_deletion: None,
    };
    api.create(
        &CreateOptions::default(),
        &cm("owned", &[], Some(owner("Deployment", "apps/v1", true))),
    )
    .await
    .unwrap();
    api.create(
        &CreateOptions::default(),
        &cm(
            "not-controller",
            &[],
            Some(owner("Deployment", "apps/v1", false)),
        ),
    )
    .await
    .unwrap();
    api.create(
        &CreateOptions::default(),
        &cm(
            "other-kind",
            &[],
            Some(owner("StatefulSet", "apps/v1", true)),
        ),
    )
    .await
    .unwrap();
    api.create(
        &CreateOptions::default(),
        &cm("labelled", &[("for", "x")], None),
    )
    .await
    .unwrap();
    eventually("owner and mapped requests", || {
        let l = log.lock().unwrap();
        l.contains(&format!("{NS}/web")) && l.contains(&format!("{NS}/mapped-x"))
    })
    .await;
    tokio::time::sleep(Duration::from_millis(200)).await;
    let mut seen = log.lock().unwrap().clone();
    seen.sort();
    seen.dedup();
    assert_eq!(seen, [format!("{NS}/mapped-x"), format!("{NS}/web")]);
    stop_tx.send_replace(true);
    run.await.unwrap();
    factory.shutdown();
    server.stop().await;
}
