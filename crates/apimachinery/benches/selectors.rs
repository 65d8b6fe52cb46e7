//! Label and field selector benchmarks: parsing a typical selector, and matching.
//!
//! Run with
//! `cargo bench -p kapi-apimachinery --bench selectors -- --warm-up-time 1 --measurement-time 3`.
#![allow(missing_docs)]

use std::collections::BTreeMap;
use std::hint::black_box;

use criterion::{criterion_group, criterion_main, Criterion};
use kapi_apimachinery::fields::FieldSelector;
use kapi_apimachinery::labels::Selector;

const LABEL_SELECTOR: &str =
    "app.kubernetes.io/name=web,tier in (frontend, api),!canary,environment notin (dev,test)";
const MATCH_SELECTOR: &str = "app=web,tier in (frontend,api),!canary";
const FIELD_SELECTOR: &str = r"metadata.name=web-7d4b9c\,x,spec.nodeName!=,status.phase=Running";

fn six_labels() -> BTreeMap<String, String> {
    [
        ("app", "web"),
        ("tier", "api"),
        ("environment", "prod"),
        ("pod-template-hash", "7d4b9c6f5"),
        ("app.kubernetes.io/managed-by", "kapi"),
        ("version", "v1.2.3"),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_owned(), v.to_owned()))
    .collect()
}

fn bench(c: &mut Criterion) {
    c.bench_function("labels/parse 4 requirements", |b| {
        b.iter(|| Selector::parse(black_box(LABEL_SELECTOR)));
    });

    let selector = Selector::parse(MATCH_SELECTOR).expect("benchmark selector is valid");
    let labels = six_labels();
    c.bench_function("labels/match 3 requirements vs 6 labels", |b| {
        b.iter(|| black_box(&selector).matches(black_box(&labels)));
    });

    let parsed = Selector::parse(LABEL_SELECTOR).expect("benchmark selector is valid");
    c.bench_function("labels/print 4 requirements", |b| {
        b.iter(|| black_box(&parsed).to_string());
    });

    c.bench_function("fields/parse 3 terms", |b| {
        b.iter(|| FieldSelector::parse(black_box(FIELD_SELECTOR)));
    });
}

criterion_group!(benches, bench);
criterion_main!(benches);
