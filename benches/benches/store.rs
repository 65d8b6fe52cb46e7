//! Informer store hot paths over 10 000 cached Pods with the built-in namespace index and an
//! `app` label index: get, insert of a new object, update (re-indexing), index lookups, and a
//! full replace of unchanged objects. Details: `crates/informers/benches/store.rs`.
//!
//! `cargo bench -p kapi-benches --bench store`

use std::hint::black_box;
use std::sync::Arc;
use std::time::Duration;

use criterion::{criterion_group, criterion_main, BatchSize, Criterion};
use kapi_api::core::v1::{Pod, PodList};
use kapi_apimachinery::Object;
use kapi_benches::generated;
use kapi_informers::Store;

fn indexed_store(pods: &[Pod]) -> Store<Pod> {
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
    store.replace(pods.to_vec(), "1");
    store
}

fn bench(c: &mut Criterion) {
    let Some(bytes) = generated("pods", 10_000, &[]) else {
        return;
    };
    let pods = serde_json::from_slice::<PodList>(&bytes)
        .expect("decodes")
        .items;
    let store = indexed_store(&pods);
    let keys: Vec<String> = pods.iter().map(Object::cache_key).collect();
    let arcs: Vec<Arc<Pod>> = pods.iter().cloned().map(Arc::new).collect();
    let fresh: Vec<Arc<Pod>> = pods
        .iter()
        .map(|p| {
            let mut p = p.clone();
            p.metadata.name = p.metadata.name.map(|n| format!("{n}-new").into());
            Arc::new(p)
        })
        .collect();

    let mut g = c.benchmark_group("store");
    let mut i = 0usize;
    g.bench_function("get by key (10k cached)", |b| {
        b.iter(|| {
            i = (i + 1) % keys.len();
            store.get(black_box(&keys[i]))
        });
    });
    let mut j = 0usize;
    g.bench_function("update (re-index 2 indexes)", |b| {
        b.iter(|| {
            j = (j + 1) % arcs.len();
            store.apply(Arc::clone(&arcs[j]))
        });
    });
    g.bench_function("insert 10k new objects into 10k (per batch)", |b| {
        b.iter_batched(
            || indexed_store(&pods),
            |s| {
                for p in &fresh {
                    s.apply(Arc::clone(p));
                }
                s
            },
            BatchSize::PerIteration,
        );
    });
    g.bench_function("by_index namespace (200 objects)", |b| {
        b.iter(|| {
            store
                .by_index("namespace", black_box("ns-007"))
                .map(|v| v.len())
        });
    });
    g.bench_function("index_keys app (1000 keys)", |b| {
        b.iter(|| store.index_keys("app", black_box("web")).map(|v| v.len()));
    });
    g.sample_size(10).measurement_time(Duration::from_secs(8));
    g.bench_function("replace 10k unchanged", |b| {
        b.iter_batched(
            || pods.clone(),
            |p| store.replace(p, "1").len(),
            BatchSize::LargeInput,
        );
    });
    g.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
