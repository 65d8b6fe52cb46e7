//! Informers against the embedded test server under faults. For 1 000 ConfigMaps under
//! continuous random writes, with each fault of `apiserver.md` §8 — watches dropped every N
//! events, forced 410 on resume, 429/500 bursts, refused connections, a watch-list whose end
//! bookmark never comes — once the writes stop the cache equals the server's state exactly,
//! the informer has synced, and a handler that applies its events in order holds the same view.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

mod common;
use common::{client_for, create_namespace};

use kapi_api::core::v1::ConfigMap;
use kapi_apimachinery::meta::ObjectMeta;
use kapi_apimachinery::options::{CreateOptions, DeleteOptions, ListOptions, UpdateOptions};
use kapi_apimachinery::Object;
use kapi_client::{Api, Client};
use kapi_informers::{
    BackoffConfig, DeleteKind, ReflectorConfig, ResourceEventHandler, SharedInformerFactory,
    SyncMode,
};
use kapi_testserver::{Fault, FaultId, TestServer, Verb};

const NS: &str = "rel";
const OBJECTS: usize = 1000;

fn cm(name: &str, value: &str) -> ConfigMap {
    ConfigMap {
        metadata: ObjectMeta {
            name: Some(name.into()),
            namespace: Some(NS.into()),
            ..ObjectMeta::default()
        },
        data: [("v".into(), value.into())].into(),
        ..ConfigMap::default()
    }
}

/// Applies events in order and counts anything out of order.
#[derive(Clone, Default)]
struct View {
    objects: Arc<Mutex<HashMap<String, String>>>,
    violations: Arc<Mutex<Vec<String>>>,
}

impl ResourceEventHandler<ConfigMap> for View {
    fn on_add(&self, o: &Arc<ConfigMap>, _initial: bool) {
        let mut m = self.objects.lock().unwrap();
        if let Some(prev) = m.insert(o.cache_key(), o.resource_version().unwrap_or("").into()) {
            self.violations
                .lock()
                .unwrap()
                .push(format!("add of known {} (had {prev})", o.cache_key()));
        }
    }
    fn on_update(&self, old: &Arc<ConfigMap>, new: &Arc<ConfigMap>) {
        let mut m = self.objects.lock().unwrap();
        let seen = m.insert(new.cache_key(), new.resource_version().unwrap_or("").into());
        if seen.as_deref() != old.resource_version() {
            self.violations.lock().unwrap().push(format!(
                "update of {} from {:?}, view had {seen:?}",
                new.cache_key(),
                old.resource_version()
            ));
        }
        let rv = |o: &ConfigMap| {
            o.resource_version()
                .and_then(|r| r.parse::<u64>().ok())
                .unwrap_or(0)
        };
        if rv(new) < rv(old) {
            self.violations
                .lock()
                .unwrap()
                .push(format!("{} went back in time", new.cache_key()));
        }
    }
    fn on_delete(&self, o: &Arc<ConfigMap>, _kind: DeleteKind) {
        if self
            .objects
            .lock()
            .unwrap()
            .remove(&o.cache_key())
            .is_none()
        {
            self.violations
                .lock()
                .unwrap()
                .push(format!("delete of unknown {}", o.cache_key()));
        }
    }
}

async fn seed(api: &Api<ConfigMap>, client: &Client) {
    create_namespace(client, NS).await;
    for i in 0..OBJECTS {
        api.create(&CreateOptions::default(), &cm(&format!("cm-{i:04}"), "0"))
            .await
            .expect("seed");
    }
}

/// Random creates/updates/deletes for `duration`; failures (during faults) are ignored.
async fn write_for(api: Api<ConfigMap>, duration: Duration, seed: u64) -> usize {
    let mut x = seed.max(1);
    let mut next = move || {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        x
    };
    let deadline = Instant::now() + duration;
    let mut writes = 0;
    while Instant::now() < deadline {
        let name = format!("cm-{:04}", next() % (OBJECTS as u64 + 200));
        let r = match next() % 10 {
            0..=5 => match api.get_opt(&name).await {
                Ok(Some(mut o)) => {
                    o.data.insert("v".into(), writes.to_string().into());
                    api.replace(&name, &UpdateOptions::default(), &o)
                        .await
                        .map(|_| ())
                }
                Ok(None) => api
                    .create(&CreateOptions::default(), &cm(&name, "new"))
                    .await
                    .map(|_| ()),
                Err(e) => Err(e),
            },
            6..=7 => api
                .create(&CreateOptions::default(), &cm(&name, "c"))
                .await
                .map(|_| ()),
            _ => api
                .delete(&name, &DeleteOptions::default())
                .await
                .map(|_| ()),
        };
        if r.is_ok() {
            writes += 1;
        }
    }
    writes
}

fn fast_reflector(mode: SyncMode) -> ReflectorConfig {
    ReflectorConfig {
        mode,
        min_watch_timeout: Duration::from_secs(30),
        watch_list_timeout: Duration::from_secs(2),
        backoff: BackoffConfig {
            initial: Duration::from_millis(50),
            cap: Duration::from_millis(500),
            ..BackoffConfig::default()
        },
        ..ReflectorConfig::default()
    }
}

/// Runs one fault case end to end.
async fn case(mode: SyncMode, fault: impl FnOnce(&TestServer) -> Vec<FaultId>) {
    let server = TestServer::builder()
        .http()
        .history_events(20_000)
        .start()
        .await
        .expect("server");
    let client = client_for(&server);
    let api = Api::<ConfigMap>::namespaced(client.clone(), NS);
    seed(&api, &client).await;

    let factory = SharedInformerFactory::new(client.clone())
        .namespace(NS)
        .reflector(fast_reflector(mode));
    let informer = factory.informer::<ConfigMap>();
    let view = View::default();
    let reg = informer.add_event_handler(view.clone(), None);
    let faults = fault(&server);
    factory.start();

    let writer = tokio::spawn(write_for(api.clone(), Duration::from_secs(4), 7));
    tokio::time::timeout(Duration::from_secs(20), factory.wait_for_cache_sync())
        .await
        .expect("informer synced");
    let writes = writer.await.expect("writer");
    assert!(writes > 50, "only {writes} writes went through");
    let fired: Vec<u64> = faults.iter().map(|id| server.faults().fired(*id)).collect();
    assert!(
        fired.iter().all(|n| *n > 0),
        "every injected fault fired at least once: {fired:?}"
    );
    server.faults().clear();

    // Converge: the cache equals the server, and the handler's ordered view equals the cache.
    let truth = || async {
        let list = api.list(&ListOptions::default()).await.expect("list");
        list.items
            .iter()
            .map(|o| (o.cache_key(), o.resource_version().unwrap_or("").to_owned()))
            .collect::<HashMap<_, _>>()
    };
    let started = Instant::now();
    loop {
        let server_state = truth().await;
        let cache: HashMap<String, String> = informer
            .store()
            .list()
            .iter()
            .map(|o| (o.cache_key(), o.resource_version().unwrap_or("").to_owned()))
            .collect();
        let handler_view = view.objects.lock().unwrap().clone();
        if cache == server_state && handler_view == cache && informer.handler_lag(&reg) == Some(0) {
            break;
        }
        assert!(
            started.elapsed() < Duration::from_secs(20),
            "no convergence: server {} cache {} view {}",
            server_state.len(),
            cache.len(),
            handler_view.len()
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert!(informer.has_synced());
    let violations = view.violations.lock().unwrap().clone();
    assert!(
        violations.is_empty(),
        "out-of-order or duplicated events at the handler: {violations:?}"
    );
    factory.shutdown();
    server.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn converges_with_no_fault() {
    case(SyncMode::ListWatch, |_| Vec::new()).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn converges_when_watches_drop_every_50_events() {
    case(SyncMode::ListWatch, |s| {
        let id0 = s.faults().inject(
            Fault::drop_watch_after(50)
                .resource("configmaps")
                .verb(Verb::Watch),
        );
        vec![id0]
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn converges_with_forced_410_on_resume() {
    case(SyncMode::ListWatch, |s| {
        let id0 = s.faults().inject(
            Fault::close_watch_after(100)
                .resource("configmaps")
                .verb(Verb::Watch),
        );
        let id1 = s.faults().inject(
            Fault::expired()
                .resource("configmaps")
                .verb(Verb::Watch)
                .times(5),
        );
        vec![id0, id1]
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn converges_through_429_and_500_bursts() {
    case(SyncMode::ListWatch, |s| {
        let id0 = s.faults().inject(
            Fault::close_watch_after(80)
                .resource("configmaps")
                .verb(Verb::Watch),
        );
        let id1 = s.faults().inject(
            Fault::too_many_requests(1)
                .resource("configmaps")
                .verb(Verb::List)
                .times(3),
        );
        let id2 = s.faults().inject(
            Fault::status(500)
                .resource("configmaps")
                .verb(Verb::Watch)
                .times(5),
        );
        vec![id0, id1, id2]
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn converges_after_connections_are_refused_for_a_while() {
    case(SyncMode::ListWatch, |s| {
        let id0 = s.faults().inject(
            Fault::drop_watch_after(200)
                .resource("configmaps")
                .verb(Verb::Watch),
        );
        s.faults().refuse_connections(Duration::from_secs(2));
        vec![id0]
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn watch_list_without_end_bookmark_falls_back_and_converges() {
    case(SyncMode::WatchList, |s| {
        vec![s
            .faults()
            .inject(Fault::no_initial_events_end().resource("configmaps"))]
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn watch_list_mode_converges_with_dropped_watches() {
    case(SyncMode::WatchList, |s| {
        let id0 = s.faults().inject(
            Fault::drop_watch_after(100)
                .resource("configmaps")
                .verb(Verb::Watch),
        );
        vec![id0]
    })
    .await;
}
