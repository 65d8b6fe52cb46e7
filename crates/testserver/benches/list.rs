//! Throughput of LIST over a real socket: 10 000 realistic Pods (from
//! `python3 ../shared/bench/gen_objects.py pods 10000 --items-only`), streamed from the stored
//! bytes, over plain HTTP and HTTPS, whole and in pages of 500.
//!
//! Skips (loudly) when python3 or the shared generator is missing.

use std::path::PathBuf;
use std::process::Command;
use std::time::Duration;

use bytes::Bytes;
use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use http_body_util::{BodyExt, Empty};
use hyper_util::client::legacy::Client;
use hyper_util::rt::TokioExecutor;
use kapi_testserver::TestServer;
use serde_json::Value;

fn generator() -> Option<PathBuf> {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../..");
    [
        root.join("shared/bench/gen_objects.py"),
        PathBuf::from("/work/shared/bench/gen_objects.py"),
    ]
    .into_iter()
    .find(|p| p.exists())
}

fn pods() -> Option<Vec<Value>> {
    let script = generator()?;
    let out = Command::new("python3")
        .arg(script)
        .args(["pods", "10000", "--items-only"])
        .output()
        .ok()?;
    if !out.status.success() {
        return None;
    }
    let text = String::from_utf8(out.stdout).ok()?;
    text.lines()
        .filter(|l| !l.trim().is_empty())
        .map(|l| serde_json::from_str(l).ok())
        .collect()
}

/// The `metadata.continue` of a list, read from the list's head without parsing the items
/// (the server writes `metadata` before `items`).
fn continue_token(page: &[u8]) -> Option<String> {
    let head = &page[..page.len().min(1024)];
    let text = String::from_utf8_lossy(head);
    let start = text.find("\"continue\":\"")? + "\"continue\":\"".len();
    let end = text[start..].find('"')? + start;
    Some(text[start..end].to_owned()).filter(|t| !t.is_empty())
}

fn bench(c: &mut Criterion) {
    let Some(items) = pods() else {
        println!(
            "SKIPPED testserver list bench: python3 or shared/bench/gen_objects.py is missing"
        );
        return;
    };
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(1)
        .enable_all()
        .build()
        .expect("runtime");
    let server = rt
        .block_on(TestServer::builder().http().start())
        .expect("server");
    server.insert(items).expect("seed");
    let client: Client<_, Empty<Bytes>> = Client::builder(TokioExecutor::new()).build_http();
    let url = format!("{}/api/v1/pods", server.url());
    let fetch = |uri: String| {
        let client = client.clone();
        async move {
            let resp = client
                .get(uri.parse().expect("uri"))
                .await
                .expect("response");
            resp.into_body().collect().await.expect("body").to_bytes()
        }
    };
    let size = rt.block_on(fetch(url.clone())).len() as u64;
    println!("PodList of 10000 pods: {size} bytes");

    let mut g = c.benchmark_group("testserver_list");
    g.sample_size(20).measurement_time(Duration::from_secs(8));
    g.throughput(Throughput::Bytes(size));
    g.bench_function("10000 pods, http, one response", |b| {
        b.iter(|| rt.block_on(fetch(url.clone())));
    });
    g.bench_function("10000 pods, http, pages of 500", |b| {
        b.iter(|| {
            rt.block_on(async {
                let mut token = String::new();
                loop {
                    let page = fetch(format!("{url}?limit=500&continue={token}")).await;
                    match continue_token(&page) {
                        Some(t) => token = t,
                        None => break,
                    }
                }
            });
        });
    });
    g.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
