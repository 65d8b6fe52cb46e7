//! Informer initial sync of 10 000 and 100 000 ConfigMaps served by the embedded test server
//! (list + watch and watch-list), and steady watch throughput (events/s through the store and
//! one handler). Data: `gen_objects.py configmaps N`.
//!
//! Run: `cargo bench -p kapi-informers --bench sync`

mod common;

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use kapi_api::core::v1::ConfigMap;
use kapi_client::kubeconfig::{Kubeconfig, KubeconfigOptions};
use kapi_client::{Client, Config, RateLimit};
use kapi_informers::{handler_fn, ReflectorConfig, SharedInformerFactory, SyncMode};
use kapi_testserver::TestServer;

fn client_for(server: &TestServer) -> Client {
    let kc = Kubeconfig::from_yaml(&server.kubeconfig()).expect("kubeconfig");
    let mut config =
        Config::from_custom_kubeconfig(&kc, &KubeconfigOptions::default()).expect("config");
    config.rate_limit = RateLimit::disabled();
    Client::new(config).expect("client")
}

fn items(n: usize) -> Option<Vec<serde_json::Value>> {
    let bytes = common::generated("configmaps", n, &[])?;
    let list: serde_json::Value = serde_json::from_slice(&bytes).ok()?;
    list.get("items")?.as_array().cloned()
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

async fn throughput(server: &TestServer, objects: &[serde_json::Value], events: usize) -> f64 {
    let factory = SharedInformerFactory::new(client_for(server));
    let informer = factory.informer::<ConfigMap>();
    let seen = Arc::new(AtomicUsize::new(0));
    let s = Arc::clone(&seen);
    informer.add_event_handler(
        handler_fn(move |_: &ConfigMap| {
            s.fetch_add(1, Ordering::Relaxed);
        }),
        None,
    );
    factory.start();
    informer.wait_for_sync().await;
    while seen.load(Ordering::Relaxed) < objects.len() {
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    let base = seen.load(Ordering::Relaxed);
    let started = Instant::now();
    let mut sent = 0;
    let mut round = 0;
    while sent < events {
        round += 1;
        let batch: Vec<serde_json::Value> = objects
            .iter()
            .take((events - sent).min(1000))
            .map(|o| {
                let mut o = o.clone();
                o["data"]["round"] = serde_json::Value::String(round.to_string());
                if let Some(m) = o["metadata"].as_object_mut() {
                    m.remove("resourceVersion");
                }
                o
            })
            .collect();
        sent += server.insert(batch).expect("insert");
        // Let the pipeline keep up so events are not merged (one update per key in flight).
        while seen.load(Ordering::Relaxed) < base + sent {
            tokio::task::yield_now().await;
        }
    }
    let rate = events as f64 / started.elapsed().as_secs_f64();
    factory.shutdown();
    rate
}

fn main() {
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("runtime");
    rt.block_on(async {
        for n in [10_000usize, 100_000] {
            let Some(objs) = items(n) else { return };
            let server = TestServer::builder().http().history_events(200_000).start().await.expect("server");
            server.insert(objs.iter().cloned()).expect("seed");
            for mode in [SyncMode::ListWatch, SyncMode::WatchList] {
                let mut runs: Vec<Duration> = Vec::new();
                for _ in 0..3 {
                    runs.push(sync_once(&server, mode).await);
                }
                runs.sort();
                let median = runs[1];
                println!(
                    "initial sync {n:>6} ConfigMaps {mode:?}: median {:>7.1} ms ({:.0} objects/s; runs {:?})",
                    median.as_secs_f64() * 1e3,
                    n as f64 / median.as_secs_f64(),
                    runs.iter().map(|d| (d.as_secs_f64() * 1e3).round()).collect::<Vec<_>>()
                );
            }
            if n == 10_000 {
                let rate = throughput(&server, &objs, 50_000).await;
                println!("steady watch: 50 000 updates through store + 1 handler: {rate:.0} events/s");
            }
            server.stop().await;
        }
    });
}
