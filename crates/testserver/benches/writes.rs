//! Latency of single writes over a real socket (plain HTTP), through the whole write path:
//! admission (unknown-field pruning against the catalog schema), `managedFields`, storage and
//! the response. A realistic Pod comes from `python3 ../shared/bench/gen_objects.py pods 1
//! --items-only`; without the generator a small Pod is used.

use std::path::PathBuf;
use std::process::Command;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use bytes::Bytes;
use criterion::{criterion_group, criterion_main, Criterion};
use http::{Method, Request};
use http_body_util::{BodyExt, Full};
use hyper_util::client::legacy::Client;
use hyper_util::rt::TokioExecutor;
use kapi_testserver::TestServer;
use serde_json::{json, Value};

fn pod() -> Value {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../..");
    let script = [
        root.join("shared/bench/gen_objects.py"),
        PathBuf::from("/work/shared/bench/gen_objects.py"),
    ]
    .into_iter()
    .find(|p| p.exists());
    let generated = script.and_then(|s| {
        let out = Command::new("python3")
            .arg(s)
            .args(["pods", "1", "--items-only"])
            .output()
            .ok()?;
        let line = String::from_utf8(out.stdout).ok()?;
        serde_json::from_str::<Value>(line.lines().next()?).ok()
    });
    let mut p = generated.unwrap_or_else(|| {
        json!({"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "p", "labels": {"app": "x"}},
            "spec": {"containers": [{"name": "c", "image": "nginx", "ports": [{"containerPort": 80}]}]}})
    });
    let meta = p["metadata"].as_object_mut().expect("metadata");
    for k in [
        "resourceVersion",
        "uid",
        "creationTimestamp",
        "managedFields",
        "namespace",
        "ownerReferences",
    ] {
        meta.remove(k);
    }
    p
}

fn bench(c: &mut Criterion) {
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(1)
        .enable_all()
        .build()
        .expect("runtime");
    let server = rt
        .block_on(TestServer::builder().http().start())
        .expect("server");
    let client: Client<_, Full<Bytes>> = Client::builder(TokioExecutor::new()).build_http();
    let base = server.url().to_owned();
    let send = |method: Method, path: String, ct: &'static str, body: Vec<u8>| {
        let client = client.clone();
        let uri = format!("{base}{path}");
        async move {
            let req = Request::builder()
                .method(method)
                .uri(uri)
                .header("content-type", ct)
                .body(Full::new(Bytes::from(body)))
                .expect("request");
            let resp = client.request(req).await.expect("response");
            assert!(resp.status().is_success(), "{}", resp.status());
            resp.into_body().collect().await.expect("body").to_bytes()
        }
    };
    let template = pod();
    let n = AtomicU64::new(0);
    let pods = "/api/v1/namespaces/default/pods".to_owned();
    rt.block_on(send(
        Method::POST,
        pods.clone(),
        "application/json",
        template.to_string().into_bytes(),
    ));
    let first = template["metadata"]["name"]
        .as_str()
        .unwrap_or("p")
        .to_owned();

    let mut g = c.benchmark_group("testserver_write");
    g.sample_size(50).measurement_time(Duration::from_secs(5));
    g.bench_function("create a realistic pod", |b| {
        b.iter(|| {
            let mut p = template.clone();
            p["metadata"]["name"] = json!(format!("bench-{}", n.fetch_add(1, Ordering::Relaxed)));
            rt.block_on(send(
                Method::POST,
                pods.clone(),
                "application/json",
                p.to_string().into_bytes(),
            ))
        });
    });
    g.bench_function("merge-patch a label of a realistic pod", |b| {
        b.iter(|| {
            let v = n.fetch_add(1, Ordering::Relaxed);
            let patch = json!({"metadata": {"labels": {"bench": v.to_string()}}});
            rt.block_on(send(
                Method::PATCH,
                format!("{pods}/{first}?fieldManager=bench"),
                "application/merge-patch+json",
                patch.to_string().into_bytes(),
            ))
        });
    });
    g.bench_function("server-side apply a changed configmap", |b| {
        b.iter(|| {
            let v = n.fetch_add(1, Ordering::Relaxed);
            let doc = format!(
                "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: applied\ndata:\n  a: \"{v}\"\n  b: fixed\n"
            );
            rt.block_on(send(
                Method::PATCH,
                "/api/v1/namespaces/default/configmaps/applied?fieldManager=bench".into(),
                "application/apply-patch+yaml",
                doc.into_bytes(),
            ))
        });
    });
    g.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
