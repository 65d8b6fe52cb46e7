//! Store hot paths: insert/update/get, index lookups and a full replace.
//!
//! Run: `cargo bench -p kapi-informers --bench store`

mod common;
use common as data;

use std::sync::Arc;

use criterion::{criterion_group, criterion_main, BatchSize, Criterion};
use kapi_api::core::v1::Pod;
use kapi_apimachinery::{Object, ObjectList};
use kapi_informers::Store;

fn pods() -> Vec<Pod> {
    let bytes = data::generated("pods", 10_000, &[]).unwrap_or_default();
    if bytes.is_empty() {
        return Vec::new();
    }
    serde_json::from_slice::<ObjectList<Pod>>(&bytes)
        .map(|l| l.items)
        .unwrap_or_default()
}

fn bench(c: &mut Criterion) {
    let pods = pods();
    if pods.is_empty() {
        return;
    }
    let store: Store<Pod> = Store::new();
    store.add_index(
        "app",
        Arc::new(|p: &Pod| {
            p.metadata
                .labels
                .get("app")
                .map(ToString::to_string)
                .into_iter()
                .collect()
        }),
    );
    store.replace(pods.clone(), "1");
    let keys: Vec<String> = pods.iter().map(Object::cache_key).collect();
    let arcs: Vec<Arc<Pod>> = pods.iter().cloned().map(Arc::new).collect();

    let mut i = 0usize;
    c.bench_function("store/get", |b| {
        b.iter(|| {
            i = (i + 1) % keys.len();
            store.get(&keys[i])
        });
    });
    let mut j = 0usize;
    c.bench_function("store/update (2 indexes)", |b| {
        b.iter(|| {
            j = (j + 1) % arcs.len();
            store.apply(Arc::clone(&arcs[j]))
        });
    });
    c.bench_function("store/by_index namespace (200 objects)", |b| {
        b.iter(|| store.by_index("namespace", "ns-007").map(|v| v.len()));
    });
    c.bench_function("store/index_keys app (1000 keys)", |b| {
        b.iter(|| store.index_keys("app", "web").map(|v| v.len()));
    });
    c.bench_function("store/replace 10k (unchanged)", |b| {
        b.iter_batched(
            || pods.clone(),
            |p| store.replace(p, "1").len(),
            BatchSize::LargeInput,
        );
    });
}

criterion_group!(benches, bench);
criterion_main!(benches);
