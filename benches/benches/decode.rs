//! JSON decode hot paths into kapi's typed structs: a 10 000-Pod list (plain
//! `serde_json::from_slice`, and kapi's own incremental list decoder behind `Api::list` fed
//! from memory in 16 KiB chunks), a 10 000-ConfigMap list, one Pod, and watch events (one
//! line, and a stream of 10 000 through `kapi_client::watch::decode_events`).
//!
//! `cargo bench -p kapi-benches --bench decode`

use std::hint::black_box;
use std::time::Duration;

use bytes::Bytes;
use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use futures::StreamExt;
use kapi_api::core::v1::{ConfigMap, ConfigMapList, Pod, PodList};
use kapi_apimachinery::meta::{decode_event, WatchEvent};
use kapi_apimachinery::options::ListOptions;
use kapi_benches::{generated, items, watch_lines};
use kapi_client::{Api, Body, Client, ClientService, Config, RateLimit};

const CHUNK: usize = 16 * 1024;

fn chunks(body: &Bytes) -> Vec<Bytes> {
    (0..body.len())
        .step_by(CHUNK)
        .map(|i| body.slice(i..(i + CHUNK).min(body.len())))
        .collect()
}

/// A client whose every request is answered from memory with `body`, cut into 16 KiB chunks
/// (no socket): what remains of `Api::list` is kapi's decoding.
fn memory_client(body: Bytes) -> Client {
    let mut config = Config::new(http::Uri::from_static("http://127.0.0.1:9"));
    config.rate_limit = RateLimit::disabled();
    Client::builder(config)
        .layer(tower::layer::layer_fn(move |_inner: ClientService| {
            let body = body.clone();
            tower::service_fn(move |_req: http::Request<Body>| {
                let parts = chunks(&body);
                async move {
                    let stream =
                        futures::stream::iter(parts.into_iter().map(Ok::<_, std::io::Error>));
                    http::Response::builder()
                        .status(200)
                        .header("content-type", "application/json")
                        .body(Body::from_stream(stream))
                        .map_err(|e| kapi_client::Error::InvalidRequest(e.to_string()))
                }
            })
        }))
        .build()
        .expect("in-memory client")
}

fn lists(c: &mut Criterion) {
    let Some(pods) = generated("pods", 10_000, &[]) else {
        return;
    };
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("runtime");
    let api: Api<Pod> = Api::all(memory_client(Bytes::from(pods.clone())));
    let typed = rt
        .block_on(api.list(&ListOptions::default()))
        .expect("kapi decodes the list");
    assert_eq!(typed.items.len(), 10_000);
    let plain: PodList = serde_json::from_slice(&pods).expect("serde_json decodes the list");
    assert!(
        typed.items == plain.items,
        "both paths decode the same Pods"
    );
    drop((typed, plain));

    let mut g = c.benchmark_group("decode");
    g.sample_size(10).measurement_time(Duration::from_secs(8));
    g.throughput(Throughput::Bytes(pods.len() as u64));
    g.bench_function("PodList 10k/serde_json::from_slice", |b| {
        b.iter(|| serde_json::from_slice::<PodList>(black_box(&pods)).expect("decodes"));
    });
    g.bench_function("PodList 10k/kapi Api::list (in-memory body)", |b| {
        b.iter(|| {
            rt.block_on(api.list(&ListOptions::default()))
                .expect("decodes")
        });
    });
    if let Some(cms) = generated("configmaps", 10_000, &[]) {
        g.throughput(Throughput::Bytes(cms.len() as u64));
        g.bench_function("ConfigMapList 10k/serde_json::from_slice", |b| {
            b.iter(|| serde_json::from_slice::<ConfigMapList>(black_box(&cms)).expect("decodes"));
        });
    }
    let one = serde_json::to_vec(
        &serde_json::from_slice::<PodList>(&pods)
            .expect("decodes")
            .items[0],
    )
    .expect("encodes");
    g.throughput(Throughput::Bytes(one.len() as u64));
    g.bench_function("Pod (one)/serde_json::from_slice", |b| {
        b.iter(|| serde_json::from_slice::<Pod>(black_box(&one)).expect("decodes"));
    });
    g.finish();
}

fn watch_events(c: &mut Criterion) {
    let Some(cms) = items("configmaps", 10_000, &[]) else {
        return;
    };
    let text = Bytes::from(watch_lines(&cms, "MODIFIED"));
    let first = text
        .split(|b| *b == b'\n')
        .next()
        .unwrap_or_default()
        .to_vec();
    let parts = chunks(&text);
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("runtime");

    let mut g = c.benchmark_group("watch_event");
    g.throughput(Throughput::Elements(1));
    g.bench_function("ConfigMap (one line)/decode_event", |b| {
        b.iter(|| decode_event::<ConfigMap>(black_box(&first)).expect("decodes"));
    });
    g.sample_size(10).measurement_time(Duration::from_secs(5));
    g.throughput(Throughput::Elements(cms.len() as u64));
    g.bench_function("ConfigMap 10k stream/decode_events (16 KiB chunks)", |b| {
        b.iter(|| {
            rt.block_on(async {
                let stream = futures::stream::iter(
                    parts.clone().into_iter().map(Ok::<_, kapi_client::Error>),
                );
                let events = kapi_client::watch::decode_events::<ConfigMap, _>(stream, 1 << 20);
                let n = events
                    .filter(|e| futures::future::ready(matches!(e, Ok(WatchEvent::Modified(_)))))
                    .count()
                    .await;
                assert_eq!(n, 10_000);
            });
        });
    });
    g.finish();
}

criterion_group!(benches, lists, watch_events);
criterion_main!(benches);
