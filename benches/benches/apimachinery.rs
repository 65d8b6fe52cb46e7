//! Label-selector parsing and matching, and Quantity parsing. Details:
//! `crates/apimachinery/benches/{selectors,quantity}.rs`.
//!
//! `cargo bench -p kapi-benches --bench apimachinery`

use std::collections::BTreeMap;
use std::hint::black_box;

use criterion::{criterion_group, criterion_main, Criterion};
use kapi_apimachinery::{Quantity, Selector};

fn labels() -> BTreeMap<String, String> {
    [
        ("app", "web"),
        ("tier", "frontend"),
        ("version", "v2"),
        ("pod-template-hash", "7d4b9c6f5x"),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_owned(), v.to_owned()))
    .collect()
}

fn selectors(c: &mut Criterion) {
    let mut g = c.benchmark_group("labels");
    let text = "app=web,tier in (frontend,backend),!canary,version notin (v0)";
    g.bench_function("parse 4 requirements", |b| {
        b.iter(|| Selector::parse(black_box(text)));
    });
    let selector = Selector::parse(text).expect("valid selector");
    let pod_labels = labels();
    g.bench_function("match 4 requirements vs a Pod's 4 labels", |b| {
        b.iter(|| black_box(&selector).matches(black_box(&pod_labels)));
    });
    let miss = Selector::parse("app=api").expect("valid selector");
    g.bench_function("match 1 requirement, no match", |b| {
        b.iter(|| black_box(&miss).matches(black_box(&pod_labels)));
    });
    g.finish();
}

fn quantities(c: &mut Criterion) {
    let mut g = c.benchmark_group("quantity_parse");
    for input in ["250m", "512Mi", "1.5Gi", "2", "123456789.123456789k"] {
        g.bench_function(input, |b| b.iter(|| Quantity::parse(black_box(input))));
    }
    g.finish();
}

criterion_group!(benches, selectors, quantities);
criterion_main!(benches);
