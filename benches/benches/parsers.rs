//! The physical limit of decoding: the same bytes into the same kapi structs with three
//! serde-compatible JSON parsers — `serde_json` (what kapi uses), `sonic-rs` and `simd-json`.
//! Each parser's result is first checked to equal `serde_json`'s (all fields, every object).
//!
//! `cargo bench -p kapi-benches --bench parsers`

use std::hint::black_box;
use std::time::Duration;

use criterion::{criterion_group, criterion_main, BatchSize, Criterion, Throughput};
use kapi_api::core::v1::{ConfigMapList, PodList};
use kapi_benches::generated;
use serde::de::DeserializeOwned;

fn check<T: DeserializeOwned + PartialEq>(name: &str, data: &[u8]) {
    let reference: T = serde_json::from_slice(data).expect("serde_json decodes");
    let sonic: T = sonic_rs::from_slice(data).expect("sonic-rs decodes");
    assert!(
        sonic == reference,
        "{name}: sonic-rs differs from serde_json"
    );
    let mut copy = data.to_vec();
    let simd: T = simd_json::serde::from_slice(&mut copy).expect("simd-json decodes");
    assert!(
        simd == reference,
        "{name}: simd-json differs from serde_json"
    );
}

fn compare<T: DeserializeOwned + PartialEq>(c: &mut Criterion, name: &str, data: &[u8]) {
    check::<T>(name, data);
    let mut g = c.benchmark_group(format!("parsers/{name}"));
    g.sample_size(10).measurement_time(Duration::from_secs(8));
    g.throughput(Throughput::Bytes(data.len() as u64));
    g.bench_function("serde_json::from_slice", |b| {
        b.iter(|| serde_json::from_slice::<T>(black_box(data)).expect("decodes"));
    });
    g.bench_function("sonic_rs::from_slice", |b| {
        b.iter(|| sonic_rs::from_slice::<T>(black_box(data)).expect("decodes"));
    });
    // simd-json parses in place: every iteration gets a fresh copy (the copy is not timed).
    g.bench_function("simd_json::serde::from_slice", |b| {
        b.iter_batched_ref(
            || data.to_vec(),
            |buf| simd_json::serde::from_slice::<T>(buf).expect("decodes"),
            BatchSize::LargeInput,
        );
    });
    g.finish();
}

fn parsers(c: &mut Criterion) {
    if let Some(pods) = generated("pods", 10_000, &[]) {
        compare::<PodList>(c, "PodList 10k", &pods);
    }
    if let Some(pods) = generated("pods", 10_000, &["--no-managed-fields"]) {
        compare::<PodList>(c, "PodList 10k no managedFields", &pods);
    }
    if let Some(cms) = generated("configmaps", 10_000, &[]) {
        compare::<ConfigMapList>(c, "ConfigMapList 10k", &cms);
    }
}

criterion_group!(benches, parsers);
criterion_main!(benches);
