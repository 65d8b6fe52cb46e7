//! Client benchmarks: a list of 10 000 Pods decoded into typed objects, and watch events/s
//! for ConfigMap-sized objects — through the embedded test server over HTTPS, plus the pure
//! decode paths. Data from `shared/bench/gen_objects.py`; skipped loudly without it.
//!
//! `CARGO_TARGET_DIR=/work/target-client cargo bench -p kapi-client --bench client`

use std::alloc::System;
use std::path::PathBuf;
use std::process::Command;
use std::time::Duration;

use bytes::Bytes;
use cap::Cap;
use criterion::{criterion_group, criterion_main, BenchmarkId, Criterion, Throughput};
use futures::StreamExt;
use kapi_api::core::v1::{ConfigMap, Pod};
use kapi_apimachinery::meta::WatchEvent;
use kapi_apimachinery::options::ListOptions;
use kapi_apimachinery::ObjectList;
use kapi_client::kubeconfig::{Kubeconfig, KubeconfigOptions};
use kapi_client::{Api, Body, Client, Config, RateLimit};
use kapi_testserver::TestServer;

#[global_allocator]
static ALLOC: Cap<System> = Cap::new(System, usize::MAX);

const PODS: usize = 10_000;
const CONFIGMAPS: usize = 20_000;

/// Objects from the shared generator, one JSON object per line; `None` when it is missing.
fn generate(kind: &str, n: usize) -> Option<Vec<serde_json::Value>> {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../..");
    let script = [
        root.join("shared/bench/gen_objects.py"),
        PathBuf::from("/work/shared/bench/gen_objects.py"),
    ]
    .into_iter()
    .find(|p| p.exists())?;
    let out = Command::new("python3")
        .arg(script)
        .args([kind, &n.to_string(), "--items-only"])
        .output()
        .ok()
        .filter(|o| o.status.success())?;
    String::from_utf8(out.stdout)
        .ok()?
        .lines()
        .map(serde_json::from_str)
        .collect::<Result<_, _>>()
        .ok()
}

fn client_for(server: &TestServer) -> Client {
    let kc = Kubeconfig::from_yaml(&server.kubeconfig()).expect("kubeconfig");
    let mut config =
        Config::from_custom_kubeconfig(&kc, &KubeconfigOptions::default()).expect("config");
    config.rate_limit = RateLimit::disabled();
    Client::new(config).expect("client")
}

/// The list as one buffered body decoded with `serde_json::from_slice` (the other path).
async fn list_buffered(client: &Client) -> ObjectList<Pod> {
    let req = http::Request::get("/api/v1/pods")
        .body(Body::empty())
        .expect("request");
    client.request_json(req).await.expect("list")
}

/// Runs `f` while a thread samples the heap every 20 µs; returns the peak above the start.
fn peak_during<T>(
    rt: &tokio::runtime::Runtime,
    f: impl std::future::Future<Output = T>,
) -> (T, usize) {
    use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
    use std::sync::Arc;
    let before = ALLOC.allocated();
    let stop = Arc::new(AtomicBool::new(false));
    let peak = Arc::new(AtomicUsize::new(before));
    let sampler = {
        let (stop, peak) = (Arc::clone(&stop), Arc::clone(&peak));
        std::thread::spawn(move || {
            while !stop.load(Ordering::Relaxed) {
                peak.fetch_max(ALLOC.allocated(), Ordering::Relaxed);
                std::thread::sleep(Duration::from_micros(20));
            }
        })
    };
    let out = rt.block_on(f);
    peak.fetch_max(ALLOC.allocated(), Ordering::Relaxed);
    stop.store(true, Ordering::Relaxed);
    let _ = sampler.join();
    (out, peak.load(Ordering::Relaxed).saturating_sub(before))
}

fn bench_list(c: &mut Criterion, rt: &tokio::runtime::Runtime) {
    let Some(pods) = generate("pods", PODS) else {
        println!("SKIPPED client list bench: python3 or shared/bench/gen_objects.py is missing");
        return;
    };
    let server = rt.block_on(TestServer::start()).expect("server");
    server.insert(pods).expect("seed");
    let client = client_for(&server);
    let api: Api<Pod> = Api::all(client.clone());
    let body_len = rt
        .block_on(async {
            let req = http::Request::get("/api/v1/pods")
                .body(Body::empty())
                .expect("request");
            client
                .send(req)
                .await
                .expect("send")
                .into_body()
                .collect_bytes()
                .await
        })
        .expect("body")
        .len();
    // Peak heap of one list, incremental first (the smaller peak), then buffered.
    let (list, incremental_peak) = peak_during(rt, api.list(&ListOptions::default()));
    assert_eq!(list.expect("list").items.len(), PODS);
    let (list, buffered_peak) = peak_during(rt, list_buffered(&client));
    drop(list);
    println!(
        "list of {PODS} pods: body {:.1} MB; peak heap during one list: incremental {:.1} MB, buffered {:.1} MB",
        body_len as f64 / 1e6,
        incremental_peak as f64 / 1e6,
        buffered_peak as f64 / 1e6
    );
    let mut g = c.benchmark_group("list_10k_pods");
    g.sample_size(10).measurement_time(Duration::from_secs(20));
    g.throughput(Throughput::Elements(PODS as u64));
    g.bench_function(BenchmarkId::new("typed_incremental", "objects"), |b| {
        b.iter(|| {
            rt.block_on(api.list(&ListOptions::default()))
                .expect("list")
        });
    });
    g.bench_function(BenchmarkId::new("typed_buffered", "objects"), |b| {
        b.iter(|| rt.block_on(list_buffered(&client)));
    });
    g.throughput(Throughput::Bytes(body_len as u64));
    g.bench_function(BenchmarkId::new("typed_incremental", "bytes"), |b| {
        b.iter(|| {
            rt.block_on(api.list(&ListOptions::default()))
                .expect("list")
        });
    });
    g.finish();

    // The decoders alone, on the body in 16 KiB chunks (no server, no TLS).
    let body = rt
        .block_on(async {
            let req = http::Request::get("/api/v1/pods")
                .body(Body::empty())
                .expect("request");
            client
                .send(req)
                .await
                .expect("send")
                .into_body()
                .collect_bytes()
                .await
        })
        .expect("body");
    let chunks: Vec<Bytes> = body.chunks(16 * 1024).map(Bytes::copy_from_slice).collect();
    let mut g = c.benchmark_group("decode_10k_pods");
    g.sample_size(10).measurement_time(Duration::from_secs(15));
    g.throughput(Throughput::Bytes(body_len as u64));
    g.bench_function("incremental_from_chunks", |b| {
        b.iter(|| {
            let stream =
                futures::stream::iter(chunks.clone().into_iter().map(Ok::<_, std::io::Error>));
            rt.block_on(kapi_client::api::decode_list::<Pod>(Body::from_stream(
                stream,
            )))
            .expect("decode")
        });
    });
    g.bench_function("from_slice_whole_body", |b| {
        b.iter(|| serde_json::from_slice::<ObjectList<Pod>>(&body).expect("decode"));
    });
    g.finish();
}

fn watch_lines(items: &[serde_json::Value]) -> (Vec<Bytes>, usize) {
    let mut text = Vec::new();
    for o in items {
        text.extend_from_slice(br#"{"type":"ADDED","object":"#);
        serde_json::to_writer(&mut text, o).expect("json");
        text.extend_from_slice(b"}\n");
    }
    let len = text.len();
    // 16 KiB chunks cutting events anywhere, as a TLS/HTTP reader delivers them.
    (
        text.chunks(16 * 1024).map(Bytes::copy_from_slice).collect(),
        len,
    )
}

fn bench_watch(c: &mut Criterion, rt: &tokio::runtime::Runtime) {
    let Some(cms) = generate("configmaps", CONFIGMAPS) else {
        println!("SKIPPED client watch bench: python3 or shared/bench/gen_objects.py is missing");
        return;
    };
    let (chunks, bytes) = watch_lines(&cms);
    println!(
        "watch of {CONFIGMAPS} configmaps: {:.1} MB of events, {} B/event",
        bytes as f64 / 1e6,
        bytes / CONFIGMAPS
    );
    let server = rt.block_on(TestServer::start()).expect("server");
    server.insert(cms).expect("seed");
    let api: Api<ConfigMap> = Api::all(client_for(&server));

    let mut g = c.benchmark_group("watch_configmaps");
    g.sample_size(10).measurement_time(Duration::from_secs(15));
    g.throughput(Throughput::Elements(CONFIGMAPS as u64));
    g.bench_function("decode_only", |b| {
        b.iter(|| {
            rt.block_on(async {
                let stream = futures::stream::iter(chunks.clone().into_iter().map(Ok));
                let events = kapi_client::watch::decode_events::<ConfigMap, _>(stream, 1 << 20);
                let n = events
                    .filter(|e| futures::future::ready(matches!(e, Ok(WatchEvent::Added(_)))))
                    .count()
                    .await;
                assert_eq!(n, CONFIGMAPS);
            });
        });
    });
    g.bench_function("test_server_https", |b| {
        b.iter(|| {
            rt.block_on(async {
                // No resourceVersion: the server sends the current state as ADDED events.
                let mut events = api.watch(&ListOptions::default()).await.expect("watch");
                let mut n = 0;
                while n < CONFIGMAPS {
                    if let Some(Ok(WatchEvent::Added(_))) = events.next().await {
                        n += 1;
                    }
                }
            });
        });
    });
    g.finish();
}

fn benches(c: &mut Criterion) {
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(1)
        .enable_all()
        .build()
        .expect("runtime");
    bench_list(c, &rt);
    bench_watch(c, &rt);
}

criterion_group!(client_benches, benches);
criterion_main!(client_benches);
