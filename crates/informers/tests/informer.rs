//! Informer behaviour over an in-memory list/watch source: sync, handler delivery (initial,
//! late, ordered, resync, tombstones), relists on 410, watch-list with and without its end
//! bookmark, indexes and listers, transforms, and bounded lag of slow handlers.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use kapi_apimachinery::{DynamicObject, Object, Selector};
use kapi_informers::testing::{obj, FakeSource as Fake};
use kapi_informers::{
    strip_managed_fields_transform, DeleteKind, InformerConfig, ReflectorConfig,
    ResourceEventHandler, SharedIndexInformer, SyncMode,
};

#[derive(Clone, Default)]
struct Recorder(Arc<Mutex<Vec<String>>>);

impl Recorder {
    fn events(&self) -> Vec<String> {
        self.0.lock().unwrap().clone()
    }
}

impl ResourceEventHandler<DynamicObject> for Recorder {
    fn on_add(&self, o: &Arc<DynamicObject>, initial: bool) {
        self.0.lock().unwrap().push(format!(
            "add {}{}",
            o.cache_key(),
            if initial { " initial" } else { "" }
        ));
    }
    fn on_update(&self, old: &Arc<DynamicObject>, new: &Arc<DynamicObject>) {
        let same = if Arc::ptr_eq(old, new) { " resync" } else { "" };
        self.0
            .lock()
            .unwrap()
            .push(format!("update {}{same}", new.cache_key()));
    }
    fn on_delete(&self, o: &Arc<DynamicObject>, kind: DeleteKind) {
        let tomb = if kind == DeleteKind::FinalStateUnknown {
            " tombstone"
        } else {
            ""
        };
        self.0
            .lock()
            .unwrap()
            .push(format!("delete {}{tomb}", o.cache_key()));
    }
}

fn fast_config() -> InformerConfig<DynamicObject> {
    let mut cfg = InformerConfig::default();
    cfg.reflector.backoff.initial = Duration::from_millis(10);
    cfg.reflector.backoff.cap = Duration::from_millis(50);
    cfg
}

async fn eventually(what: &str, mut f: impl FnMut() -> bool) {
    for _ in 0..400 {
        if f() {
            return;
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    panic!("timed out waiting for: {what}");
}

#[tokio::test]
async fn initial_sync_then_ordered_watch_events() {
    let fake = Fake::default();
    fake.upsert(obj("a", "x", &[]));
    fake.upsert(obj("a", "y", &[]));
    let informer = SharedIndexInformer::new(fake.clone(), fast_config());
    let rec = Recorder::default();
    let reg = informer.add_event_handler(rec.clone(), None);
    assert!(!informer.has_synced());
    informer.start();
    informer.wait_for_sync().await;
    eventually("initial adds", || rec.events().len() == 2).await;
    assert_eq!(rec.events(), ["add a/x initial", "add a/y initial"]);
    assert!(informer.handler_has_synced(&reg));

    fake.upsert(obj("a", "z", &[]));
    fake.upsert(obj("a", "x", &[("v", "2")]));
    fake.delete("a/y");
    eventually("live events", || rec.events().len() == 5).await;
    assert_eq!(&rec.events()[2..], ["add a/z", "update a/x", "delete a/y"]);
    assert_eq!(informer.store().len(), 2);
    assert_eq!(
        informer.store().get("a/x").unwrap().metadata.labels["v"],
        "2"
    );
    informer.stop();
}

#[tokio::test]
async fn late_handler_gets_synthetic_initial_adds() {
    let fake = Fake::default();
    fake.upsert(obj("a", "x", &[]));
    let informer = SharedIndexInformer::new(fake.clone(), fast_config());
    informer.start();
    informer.wait_for_sync().await;
    let late = Recorder::default();
    let reg = informer.add_event_handler(late.clone(), None);
    eventually("late add", || late.events() == ["add a/x initial"]).await;
    eventually("handler synced", || informer.handler_has_synced(&reg)).await;
    fake.upsert(obj("a", "y", &[]));
    eventually("live add", || late.events().len() == 2).await;
    assert_eq!(late.events()[1], "add a/y");
    informer.stop();
}

#[tokio::test]
async fn expired_watch_relists_and_delivers_tombstones_for_missed_deletes() {
    let fake = Fake::default();
    fake.upsert(obj("a", "x", &[]));
    fake.upsert(obj("a", "y", &[]));
    let informer = SharedIndexInformer::new(fake.clone(), fast_config());
    let rec = Recorder::default();
    informer.add_event_handler(rec.clone(), None);
    informer.start();
    informer.wait_for_sync().await;
    eventually("initial", || rec.events().len() == 2).await;
    let lists_before = fake.state().lists;
    fake.silent_delete_and_expire("a/y");
    eventually("tombstone", || rec.events().len() == 3).await;
    assert_eq!(rec.events()[2], "delete a/y tombstone");
    assert!(
        fake.state().lists > lists_before,
        "a 410 must cause a relist"
    );
    assert!(informer.store().get("a/y").is_none());
    // A clean close only re-watches (no relist).
    let lists = fake.state().lists;
    fake.close_watches();
    fake.upsert(obj("a", "w", &[]));
    eventually("event after re-watch", || rec.events().len() == 4).await;
    assert_eq!(fake.state().lists, lists);
    informer.stop();
}

#[tokio::test]
async fn watch_list_mode_uses_the_stream_and_falls_back_without_end_bookmark() {
    let fake = Fake::default();
    fake.upsert(obj("a", "x", &[]));
    let mut cfg = fast_config();
    cfg.reflector.mode = SyncMode::WatchList;
    let informer = SharedIndexInformer::new(fake.clone(), cfg);
    informer.start();
    informer.wait_for_sync().await;
    assert_eq!(fake.state().lists, 0, "watch-list needs no LIST");
    fake.upsert(obj("a", "y", &[]));
    eventually("live event on the same stream", || {
        informer.store().len() == 2
    })
    .await;
    informer.stop();

    let hung = Fake::default();
    hung.upsert(obj("a", "x", &[]));
    hung.state().withhold_end_bookmark = true;
    let mut cfg = fast_config();
    cfg.reflector = ReflectorConfig {
        mode: SyncMode::WatchList,
        watch_list_timeout: Duration::from_millis(200),
        ..cfg.reflector
    };
    let informer = SharedIndexInformer::new(hung.clone(), cfg);
    informer.start();
    tokio::time::timeout(Duration::from_secs(5), informer.wait_for_sync())
        .await
        .expect("fell back to list + watch");
    assert_eq!(hung.state().lists, 1);
    informer.stop();
}

#[tokio::test(start_paused = true)]
async fn resync_redelivers_updates_with_old_equal_new() {
    let fake = Fake::default();
    fake.upsert(obj("a", "x", &[]));
    let informer = SharedIndexInformer::new(fake.clone(), fast_config());
    let rec = Recorder::default();
    informer.add_event_handler(rec.clone(), Some(Duration::from_secs(30)));
    let quiet = Recorder::default();
    informer.add_event_handler(quiet.clone(), None);
    informer.start();
    informer.wait_for_sync().await;
    tokio::time::sleep(Duration::from_secs(61)).await;
    let ev = rec.events();
    assert_eq!(
        ev.iter().filter(|e| *e == "update a/x resync").count(),
        2,
        "{ev:?}"
    );
    assert_eq!(quiet.events(), ["add a/x initial"]);
    informer.stop();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn slow_handler_does_not_block_others_and_its_lag_is_bounded() {
    struct Slow(Arc<Mutex<Vec<String>>>);
    impl Slow {
        fn saw(&self, o: &DynamicObject) {
            std::thread::sleep(Duration::from_millis(20));
            self.0.lock().unwrap().push(format!(
                "{}@{}",
                o.cache_key(),
                o.resource_version().unwrap_or("")
            ));
        }
    }
    impl ResourceEventHandler<DynamicObject> for Slow {
        fn on_add(&self, o: &Arc<DynamicObject>, _: bool) {
            self.saw(o);
        }
        fn on_update(&self, _: &Arc<DynamicObject>, n: &Arc<DynamicObject>) {
            self.saw(n);
        }
        fn on_delete(&self, _: &Arc<DynamicObject>, _: DeleteKind) {}
    }
    let fake = Fake::default();
    let informer = SharedIndexInformer::new(fake.clone(), fast_config());
    let slow_seen = Arc::new(Mutex::new(Vec::new()));
    let slow = informer.add_event_handler(Slow(Arc::clone(&slow_seen)), None);
    let fast = Recorder::default();
    let fast_reg = informer.add_event_handler(fast.clone(), None);
    informer.start();
    informer.wait_for_sync().await;
    for round in 0..50 {
        for i in 0..4 {
            fake.upsert(obj("a", &format!("o{i}"), &[("round", &round.to_string())]));
        }
    }
    let final_rv = |i: usize| {
        informer
            .store()
            .get(&format!("a/o{i}"))
            .and_then(|o| o.resource_version().map(str::to_owned))
    };
    eventually("cache has the final state", || {
        final_rv(3).as_deref() == Some("200")
    })
    .await;
    eventually("fast handler caught up", || {
        informer.handler_lag(&fast_reg) == Some(0)
    })
    .await;
    let slow_lag = informer.handler_lag(&slow).unwrap();
    assert!(
        slow_lag <= 4,
        "lag is bounded by the number of objects, got {slow_lag}"
    );
    assert!(
        slow_seen.lock().unwrap().len() < 20,
        "the fast handler did not wait for the slow one"
    );
    eventually("slow handler caught up", || {
        informer.handler_lag(&slow) == Some(0)
    })
    .await;
    tokio::time::sleep(Duration::from_millis(100)).await;
    let seen = slow_seen.lock().unwrap().clone();
    for i in 0..4 {
        let key = format!("a/o{i}");
        let last = final_rv(i).unwrap();
        let latest = seen
            .iter()
            .rev()
            .find(|s| s.starts_with(&format!("{key}@")));
        assert_eq!(
            latest,
            Some(&format!("{key}@{last}")),
            "slow handler ends on the final state"
        );
    }
    assert!(
        seen.len() < 200,
        "slow handler had changes merged ({} calls)",
        seen.len()
    );
    informer.stop();
}

#[tokio::test]
async fn indexes_listers_and_transforms() {
    let fake = Fake::default();
    fake.upsert(obj("a", "web-1", &[("app", "web")]));
    fake.upsert(obj("a", "db-1", &[("app", "db")]));
    fake.upsert(obj("b", "web-2", &[("app", "web")]));
    let mut with_mf = obj("b", "mf", &[]);
    with_mf.metadata.managed_fields.push(Default::default());
    fake.upsert(with_mf);
    let cfg = InformerConfig {
        transform: Some(strip_managed_fields_transform()),
        ..fast_config()
    };
    let informer = SharedIndexInformer::new(fake.clone(), cfg);
    informer.add_index("app", |o: &DynamicObject| {
        o.metadata.labels.get("app").cloned()
    });
    informer.start();
    informer.wait_for_sync().await;
    let store = informer.store();
    let mut web: Vec<String> = store
        .by_index("app", "web")
        .unwrap()
        .iter()
        .map(|o| o.cache_key())
        .collect();
    web.sort();
    assert_eq!(web, ["a/web-1", "b/web-2"]);
    assert_eq!(store.index_keys("namespace", "a").unwrap().len(), 2);
    assert!(store.by_index("nope", "x").is_none());
    assert!(
        store
            .get("b/mf")
            .unwrap()
            .metadata
            .managed_fields
            .is_empty(),
        "transform ran before storing"
    );

    let lister = informer.lister();
    let web_sel: Selector = "app=web".parse().unwrap();
    assert_eq!(lister.list(&web_sel).len(), 2);
    assert_eq!(lister.namespaced("a").list(&web_sel).len(), 1);
    assert!(lister.namespaced("a").get("db-1").is_some());
    assert!(lister.namespaced("b").get("db-1").is_none());
    // Index follows updates.
    fake.upsert(obj("a", "db-1", &[("app", "web")]));
    eventually("index updated", || {
        store.by_index("app", "web").unwrap().len() == 3
    })
    .await;
    assert!(store.by_index("app", "db").unwrap().is_empty());
    informer.stop();
}

#[tokio::test]
async fn expired_on_first_watches_keeps_retrying_until_synced_and_live() {
    let fake = Fake::default();
    fake.upsert(obj("a", "x", &[]));
    fake.state().expire_next_watches = 3;
    let informer = SharedIndexInformer::new(fake.clone(), fast_config());
    informer.start();
    informer.wait_for_sync().await;
    fake.upsert(obj("a", "y", &[]));
    eventually("live after repeated 410s", || informer.store().len() == 2).await;
    assert!(fake.state().lists >= 4, "each 410 relists");
    assert!(fake.state().watches >= 4);
    informer.stop();
}
