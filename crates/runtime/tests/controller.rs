//! Controller behaviour over informers fed by an in-memory source: de-duplication, no
//! concurrent reconciles of one key, back-off growth and reset, owner and map sources,
//! predicates, graceful shutdown.

use std::borrow::Cow;
use std::collections::{BTreeMap, HashSet};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use kapi_apimachinery::meta::{ObjectMeta, OwnerReference};
use kapi_apimachinery::{
    DynamicObject, NamespaceScope, Object, Resource, ResourceInfo, Scope, Verbs,
};
use kapi_informers::testing::{obj, FakeSource};
use kapi_informers::{InformerConfig, SharedIndexInformer};
use kapi_runtime::{
    and, not, on_update, reconciler_fn, Action, AnnotationsChanged, Controller, GenerationChanged,
    LabelsChanged, Predicate, Request, ResourceVersionChanged,
};
use serde::{Deserialize, Serialize};
use tokio::sync::watch;

async fn eventually(what: &str, mut f: impl FnMut() -> bool) {
    for _ in 0..500 {
        if f() {
            return;
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    panic!("timed out waiting for: {what}");
}

async fn informer(source: &FakeSource) -> SharedIndexInformer<DynamicObject> {
    let i = SharedIndexInformer::new(source.clone(), InformerConfig::default());
    i.start();
    i
}

type Log = Arc<Mutex<Vec<String>>>;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn many_events_for_one_key_collapse_into_few_reconciles() {
    let source = FakeSource::default();
    let inf = informer(&source).await;
    let log: Log = Arc::default();
    let l = Arc::clone(&log);
    let ctrl = Controller::new(
        "dedup",
        reconciler_fn(move |req: Request| {
            let l = Arc::clone(&l);
            async move {
                tokio::time::sleep(Duration::from_millis(100)).await;
                l.lock().unwrap().push(req.key());
                Ok::<_, String>(Action::Done)
            }
        }),
    )
    .watches_self(&inf, vec![]);
    let (stop_tx, stop) = watch::channel(false);
    let run = tokio::spawn(ctrl.run(stop));
    inf.wait_for_sync().await;
    for i in 0..100 {
        source.upsert(obj("ns", "a", &[("n", &i.to_string())]));
    }
    tokio::time::sleep(Duration::from_millis(500)).await;
    let n = log.lock().unwrap().len();
    assert!(
        (1..=3).contains(&n),
        "100 events for one key gave {n} reconciles"
    );
    stop_tx.send_replace(true);
    run.await.unwrap();
    inf.stop();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_key_is_never_reconciled_concurrently_under_8_workers() {
    let source = FakeSource::default();
    let inf = informer(&source).await;
    let in_flight: Arc<Mutex<HashSet<String>>> = Arc::default();
    let overlaps = Arc::new(Mutex::new(0usize));
    let total = Arc::new(Mutex::new(0usize));
    let (f, o, t) = (
        Arc::clone(&in_flight),
        Arc::clone(&overlaps),
        Arc::clone(&total),
    );
    let ctrl = Controller::new(
        "exclusive",
        reconciler_fn(move |req: Request| {
            let (f, o, t) = (Arc::clone(&f), Arc::clone(&o), Arc::clone(&t));
            async move {
                if !f.lock().unwrap().insert(req.key()) {
                    *o.lock().unwrap() += 1;
                }
                tokio::time::sleep(Duration::from_millis(3)).await;
                f.lock().unwrap().remove(&req.key());
                *t.lock().unwrap() += 1;
                Ok::<_, String>(Action::Done)
            }
        }),
    )
    .workers(8)
    .watches_self(&inf, vec![]);
    let (stop_tx, stop) = watch::channel(false);
    let run = tokio::spawn(ctrl.run(stop));
    inf.wait_for_sync().await;
    for round in 0..40 {
        for k in 0..5 {
            source.upsert(obj("ns", &format!("k{k}"), &[("r", &round.to_string())]));
        }
        tokio::time::sleep(Duration::from_millis(1)).await;
    }
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert_eq!(
        *overlaps.lock().unwrap(),
        0,
        "a key was reconciled by two workers at once"
    );
    assert!(*total.lock().unwrap() >= 5);
    stop_tx.send_replace(true);
    run.await.unwrap();
    inf.stop();
}

#[tokio::test(start_paused = true)]
async fn errors_back_off_exponentially_and_success_resets() {
    let times: Arc<Mutex<Vec<tokio::time::Instant>>> = Arc::default();
    let t = Arc::clone(&times);
    let ctrl = Controller::new(
        "backoff",
        reconciler_fn(move |_req: Request| {
            let t = Arc::clone(&t);
            async move {
                let mut v = t.lock().unwrap();
                v.push(tokio::time::Instant::now());
                // Fail 4 times, succeed once, then fail again.
                match v.len() {
                    5 => Ok(Action::Done),
                    n if n > 7 => Ok(Action::Done),
                    _ => Err("boom".to_owned()),
                }
            }
        }),
    );
    let queue = ctrl.queue().clone();
    let (stop_tx, stop) = watch::channel(false);
    let run = tokio::spawn(ctrl.run(stop));
    queue.add(Request::namespaced("ns", "a"));
    tokio::time::sleep(Duration::from_secs(1)).await;
    queue.add(Request::namespaced("ns", "a"));
    tokio::time::sleep(Duration::from_secs(1)).await;
    let v = times.lock().unwrap().clone();
    assert_eq!(v.len(), 8, "{v:?}");
    let gaps: Vec<u128> = v.windows(2).map(|w| (w[1] - w[0]).as_millis()).collect();
    assert_eq!(&gaps[..4], [5, 10, 20, 40], "exponential 5 ms × 2ⁿ");
    assert_eq!(&gaps[5..], [5, 10], "success reset the back-off");
    stop_tx.send_replace(true);
    run.await.unwrap();
}

#[derive(Clone, Debug, Default, Serialize, Deserialize)]
struct Widget {
    #[serde(default)]
    metadata: ObjectMeta,
}

impl Object for Widget {
    fn metadata(&self) -> &ObjectMeta {
        &self.metadata
    }
    fn metadata_mut(&mut self) -> &mut ObjectMeta {
        &mut self.metadata
    }
}

impl Resource for Widget {
    type Scope = NamespaceScope;
    const API_VERSION: &'static str = "example.com/v1";
    const INFO: ResourceInfo = ResourceInfo {
        group: Cow::Borrowed("example.com"),
        version: Cow::Borrowed("v1"),
        kind: Cow::Borrowed("Widget"),
        plural: Cow::Borrowed("widgets"),
        singular: Cow::Borrowed("widget"),
        scope: Scope::Namespaced,
        verbs: Verbs::ALL,
        subresources: Cow::Borrowed(&[]),
    };
}

fn owned_by(
    mut o: DynamicObject,
    api_version: &str,
    kind: &str,
    name: &str,
    controller: bool,
) -> DynamicObject {
    o.metadata.owner_references.push(OwnerReference {
        api_version: api_version.into(),
        kind: kind.into(),
        name: name.into(),
        uid: format!("uid-{name}").into(),
        controller: Some(controller),
        block_owner_deletion: None,
    });
    o
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn owned_objects_enqueue_their_controller_and_map_functions_work() {
    let owned_src = FakeSource::default();
    let other_src = FakeSource::default();
    let owned = informer(&owned_src).await;
    let other = informer(&other_src).await;
    let log: Log = Arc::default();
    let l = Arc::clone(&log);
    let ctrl = Controller::new(
        "owners",
        reconciler_fn(move |req: Request| {
            let l = Arc::clone(&l);
            async move {
                l.lock().unwrap().push(req.key());
                Ok::<_, String>(Action::Done)
            }
        }),
    )
    .owns::<DynamicObject, Widget>(&owned, vec![])
    .watches_mapped(
        &other,
        |o: &DynamicObject| {
            o.metadata
                .labels
                .get("widget")
                .map(|w| vec![Request::namespaced("ns", w)])
                .unwrap_or_default()
        },
        vec![],
    );
    let (stop_tx, stop) = watch::channel(false);
    let run = tokio::spawn(ctrl.run(stop));
    owned.wait_for_sync().await;
    other.wait_for_sync().await;
    owned_src.upsert(owned_by(
        obj("ns", "pod-1", &[]),
        "example.com/v1",
        "Widget",
        "w1",
        true,
    ));
    owned_src.upsert(owned_by(
        obj("ns", "pod-2", &[]),
        "example.com/v1",
        "Widget",
        "w2",
        false,
    ));
    owned_src.upsert(owned_by(
        obj("ns", "pod-3", &[]),
        "other.io/v1",
        "Widget",
        "w3",
        true,
    ));
    owned_src.upsert(owned_by(
        obj("ns", "pod-4", &[]),
        "example.com/v2",
        "Widget",
        "w4",
        true,
    ));
    other_src.upsert(obj("ns", "cm", &[("widget", "w5")]));
    other_src.upsert(obj("ns", "cm2", &[]));
    eventually("w1, w4 and w5 reconciled", || {
        log.lock().unwrap().len() >= 3
    })
    .await;
    tokio::time::sleep(Duration::from_millis(100)).await;
    let mut seen = log.lock().unwrap().clone();
    seen.sort();
    assert_eq!(
        seen,
        ["ns/w1", "ns/w4", "ns/w5"],
        "only controller refs of Widget's group, any version"
    );
    owned_src.delete("ns/pod-1");
    eventually("owner reconciled on dependent deletion", || {
        log.lock().unwrap().len() == 4
    })
    .await;
    stop_tx.send_replace(true);
    run.await.unwrap();
    owned.stop();
    other.stop();
}

#[test]
fn predicates() {
    let mut a = obj("ns", "a", &[("x", "1")]);
    a.metadata.generation = Some(1);
    a.metadata.resource_version = Some("1".into());
    let mut b = a.clone();
    b.metadata.resource_version = Some("2".into());
    assert!(!Predicate::update(&GenerationChanged, &a, &b));
    assert!(Predicate::update(&ResourceVersionChanged, &a, &b));
    assert!(!Predicate::update(&LabelsChanged, &a, &b));
    assert!(!Predicate::update(&AnnotationsChanged, &a, &b));
    b.metadata.generation = Some(2);
    b.metadata.labels = BTreeMap::from([("x".into(), "2".into())]).into();
    b.metadata.annotations.insert("note".into(), "y".into());
    assert!(Predicate::update(&GenerationChanged, &a, &b));
    assert!(Predicate::update(&LabelsChanged, &a, &b));
    assert!(Predicate::update(&AnnotationsChanged, &a, &b));
    assert!(
        Predicate::<DynamicObject>::create(&GenerationChanged, &a),
        "creates pass by default"
    );
    let both = and(GenerationChanged, LabelsChanged);
    assert!(Predicate::update(&both, &a, &b));
    assert!(!Predicate::update(&not(GenerationChanged), &a, &b));
    let custom = on_update(|o: &DynamicObject, n: &DynamicObject| o.name() != n.name());
    assert!(!custom.update(&a, &b));
    let either = kapi_runtime::or(custom, LabelsChanged);
    assert!(Predicate::update(&either, &a, &b));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn predicates_filter_events_before_the_queue() {
    let source = FakeSource::default();
    let inf = informer(&source).await;
    let log: Log = Arc::default();
    let l = Arc::clone(&log);
    let ctrl = Controller::new(
        "filtered",
        reconciler_fn(move |req: Request| {
            let l = Arc::clone(&l);
            async move {
                l.lock().unwrap().push(req.key());
                Ok::<_, String>(Action::Done)
            }
        }),
    )
    .watches_self(&inf, vec![Arc::new(LabelsChanged)]);
    let (stop_tx, stop) = watch::channel(false);
    let run = tokio::spawn(ctrl.run(stop));
    inf.wait_for_sync().await;
    source.upsert(obj("ns", "a", &[("v", "1")]));
    eventually("create passes", || log.lock().unwrap().len() == 1).await;
    let mut same_labels = obj("ns", "a", &[("v", "1")]);
    same_labels
        .metadata
        .annotations
        .insert("only".into(), "annotation".into());
    source.upsert(same_labels);
    tokio::time::sleep(Duration::from_millis(200)).await;
    assert_eq!(
        log.lock().unwrap().len(),
        1,
        "annotation-only change filtered out"
    );
    source.upsert(obj("ns", "a", &[("v", "2")]));
    eventually("label change passes", || log.lock().unwrap().len() == 2).await;
    stop_tx.send_replace(true);
    run.await.unwrap();
    inf.stop();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn shutdown_waits_for_in_flight_reconciles() {
    let finished = Arc::new(Mutex::new(false));
    let f = Arc::clone(&finished);
    let (started_tx, mut started) = watch::channel(false);
    let ctrl = Controller::new(
        "graceful",
        reconciler_fn(move |_req: Request| {
            let f = Arc::clone(&f);
            let started_tx = started_tx.clone();
            async move {
                started_tx.send_replace(true);
                tokio::time::sleep(Duration::from_millis(200)).await;
                *f.lock().unwrap() = true;
                Ok::<_, String>(Action::Done)
            }
        }),
    );
    let queue = ctrl.queue().clone();
    let (stop_tx, stop) = watch::channel(false);
    let run = tokio::spawn(ctrl.run(stop));
    queue.add(Request::namespaced("ns", "slow"));
    let _ = started.wait_for(|s| *s).await;
    stop_tx.send_replace(true);
    run.await.unwrap();
    assert!(
        *finished.lock().unwrap(),
        "run returned before the in-flight reconcile finished"
    );
}

#[test]
fn finalizers_and_controller_references() {
    use kapi_runtime::helpers::{
        add_finalizer, has_finalizer, remove_finalizer, set_controller_reference,
    };
    let mut o = obj("ns", "pod", &[]);
    assert!(add_finalizer(&mut o, "kapi.dev/cleanup"));
    assert!(
        !add_finalizer(&mut o, "kapi.dev/cleanup"),
        "adding twice changes nothing"
    );
    assert!(has_finalizer(&o, "kapi.dev/cleanup"));
    assert!(remove_finalizer(&mut o, "kapi.dev/cleanup"));
    assert!(!remove_finalizer(&mut o, "kapi.dev/cleanup"));

    let mut owner = Widget::default();
    owner.metadata.name = Some("w".into());
    owner.metadata.uid = Some("uid-w".into());
    set_controller_reference(&owner, &mut o).unwrap();
    set_controller_reference(&owner, &mut o).unwrap();
    assert_eq!(o.metadata.owner_references.len(), 1);
    let r = &o.metadata.owner_references[0];
    assert_eq!(
        (
            r.api_version.as_str(),
            r.kind.as_str(),
            r.name.as_str(),
            r.controller
        ),
        ("example.com/v1", "Widget", "w", Some(true))
    );
    let mut other = Widget::default();
    other.metadata.name = Some("v".into());
    other.metadata.uid = Some("uid-v".into());
    let err = set_controller_reference(&other, &mut o).unwrap_err();
    assert_eq!(err.name, "w");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn metrics_render_controller_and_queue_counters() {
    let ctrl = Controller::new(
        "metered",
        reconciler_fn(|req: Request| async move {
            if req.name == "bad" {
                Err("nope".to_owned())
            } else {
                Ok(Action::Done)
            }
        }),
    );
    let registry = kapi_runtime::metrics::MetricsRegistry::new();
    registry.register_controller(ctrl.name(), ctrl.stats(), ctrl.queue_stats());
    let queue = ctrl.queue().clone();
    let (stop_tx, stop) = watch::channel(false);
    let run = tokio::spawn(ctrl.run(stop));
    queue.add(Request::namespaced("ns", "good"));
    queue.add(Request::namespaced("ns", "bad"));
    eventually("both reconciled", || {
        registry
            .render()
            .contains("controller_runtime_reconcile_errors_total{controller=\"metered\"} 1")
    })
    .await;
    let text = registry.render();
    assert!(
        text.contains("# TYPE controller_runtime_reconcile_total counter"),
        "{text}"
    );
    assert!(
        text.contains("workqueue_adds_total{name=\"metered\"}"),
        "{text}"
    );
    assert!(
        text.contains("workqueue_retries_total{name=\"metered\"}"),
        "{text}"
    );
    stop_tx.send_replace(true);
    run.await.unwrap();
}
