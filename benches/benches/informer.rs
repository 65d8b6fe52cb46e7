//! End to end through the embedded test server over plain HTTP (server, client and informer
//! share the machine): a typed list of 10 000 Pods, an informer's initial sync of 10 000
//! ConfigMaps (list + watch and watch-list), and steady-state watch events through the store
//! and one handler. Details: `crates/informers/benches/sync.rs`, `crates/client/benches/client.rs`.
//!
//! `cargo bench -p kapi-benches --bench informer`

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use kapi_api::core::v1::{ConfigMap, Pod};
use kapi_apimachinery::options::ListOptions;
use kapi_apimachinery::Object;
use kapi_benches::items;
use kapi_client::{Api, Client, Config, Kubeconfig, KubeconfigOptions, RateLimit};
use kapi_informers::{handler_fn, ReflectorConfig, SharedInformerFactory, SyncMode};
use kapi_testserver::TestServer;
use serde_json::Value;

fn client_for(server: &TestServer) -> Client {
    let kc = Kubeconfig::from_yaml(&server.kubeconfig()).expect("kubeconfig");
    let mut config =
        Config::from_custom_kubeconfig(&kc, &KubeconfigOptions::default()).expect("config");
    config.rate_limit = RateLimit::disabled();
    Client::new(config).expect("client")
}

fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("runtime")
}

fn rv_of<K: Object>(o: &K) -> u64 {
    o.metadata()
        .resource_version
        .as_deref()
        .and_then(|v| v.parse().ok())
        .unwrap_or(0)
}

fn list(c: &mut Criterion) {
    let Some(pods) = items("pods", 10_000, &[]) else {
        return;
    };
    let rt = runtime();
    let server = rt
        .block_on(TestServer::builder().http().start())
        .expect("server");
    server.insert(pods).expect("seed");
    let api: Api<Pod> = Api::all(client_for(&server));
    let mut g = c.benchmark_group("client");
    g.sample_size(10).measurement_time(Duration::from_secs(10));
    g.throughput(Throughput::Elements(10_000));
    g.bench_function("list 10k Pods over HTTP (typed)", |b| {
        b.iter(|| {
            rt.block_on(api.list(&ListOptions::default()))
                .expect("list")
        });
    });
    g.finish();
}

async fn sync_once(server: &TestServer, mode: SyncMode) -> Duration {
    let factory = SharedInformerFactory::new(client_for(server)).reflector(ReflectorConfig {
        mode,
        ..ReflectorConfig::default()
    });
    let informer = factory.informer::<ConfigMap>();
    let started = Instant::now();
    factory.start();
    informer.wait_for_sync().await;
    let took = started.elapsed();
    factory.shutdown();
    took
}

fn informer(c: &mut Criterion) {
    let Some(cms) = items("configmaps", 10_000, &[]) else {
        return;
    };
    let rt = runtime();
    let server = rt
        .block_on(
            TestServer::builder()
                .http()
                .history_events(1_000_000)
                .watch_buffer(1_000_000)
                .start(),
        )
        .expect("server");
    server.insert(cms.iter().cloned()).expect("seed");

    let mut g = c.benchmark_group("informer");
    g.sample_size(10).measurement_time(Duration::from_secs(15));
    g.throughput(Throughput::Elements(cms.len() as u64));
    for (name, mode) in [
        (
            "initial sync 10k ConfigMaps/list+watch",
            SyncMode::ListWatch,
        ),
        (
            "initial sync 10k ConfigMaps/watch-list",
            SyncMode::WatchList,
        ),
    ] {
        g.bench_function(name, |b| {
            b.iter_custom(|iters| {
                rt.block_on(async {
                    let mut total = Duration::ZERO;
                    for _ in 0..iters {
                        total += sync_once(&server, mode).await;
                    }
                    total
                })
            });
        });
    }

    // Steady state: one informer with one handler; each iteration is one MODIFIED event.
    let _runtime = rt.enter();
    let factory = SharedInformerFactory::new(client_for(&server));
    let informer = factory.informer::<ConfigMap>();
    let max_rv = Arc::new(AtomicU64::new(0));
    let m = Arc::clone(&max_rv);
    informer.add_event_handler(
        handler_fn(move |cm: &ConfigMap| {
            m.fetch_max(rv_of(cm), Ordering::Relaxed);
        }),
        None,
    );
    factory.start();
    rt.block_on(informer.wait_for_sync());
    let mut round = 0u64;
    g.throughput(Throughput::Elements(1));
    g.bench_function("steady watch events (store + 1 handler)", |b| {
        b.iter_custom(|iters| {
            let mut total = Duration::ZERO;
            let mut left = iters as usize;
            while left > 0 {
                // Batches of distinct objects, prepared before the clock starts.
                let n = left.min(1000);
                round += 1;
                let batch: Vec<Value> = cms
                    .iter()
                    .cycle()
                    .skip((round as usize * 1000) % cms.len())
                    .take(n)
                    .map(|o| {
                        let mut o = o.clone();
                        o["metadata"]["labels"]["bench-round"] = Value::String(round.to_string());
                        o
                    })
                    .collect();
                let started = Instant::now();
                server.insert(batch).expect("insert");
                let last = server.resource_version();
                rt.block_on(async {
                    while max_rv.load(Ordering::Relaxed) < last {
                        tokio::task::yield_now().await;
                    }
                });
                total += started.elapsed();
                left -= n;
            }
            total
        });
    });
    g.finish();
    factory.shutdown();
}

criterion_group!(benches, list, informer);
criterion_main!(benches);
