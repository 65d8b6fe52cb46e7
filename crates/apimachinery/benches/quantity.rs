//! Quantity parsing and canonical printing.
//!
//! Run with `cargo bench -p kapi-apimachinery --bench quantity`.

use std::hint::black_box;

use criterion::{criterion_group, criterion_main, Criterion};
use kapi_apimachinery::Quantity;

const INPUTS: [&str; 5] = ["100m", "1.5Gi", "1e3", "0", "123456789.123456789k"];

fn parse(c: &mut Criterion) {
    let mut group = c.benchmark_group("quantity_parse");
    for input in INPUTS {
        group.bench_function(input, |b| b.iter(|| Quantity::parse(black_box(input))));
    }
    group.finish();
}

fn print(c: &mut Criterion) {
    let mut group = c.benchmark_group("quantity_print");
    for input in INPUTS {
        let Ok(quantity) = Quantity::parse(input) else {
            continue;
        };
        let label = format!("{input} -> {quantity}");
        group.bench_function(label, |b| b.iter(|| black_box(quantity).to_string()));
    }
    group.finish();
}

fn json(c: &mut Criterion) {
    let document = r#"{"cpu":"250m","memory":"1.5Gi","ephemeral-storage":"10G","pods":110}"#;
    c.bench_function("quantity_json_map_decode_encode", |b| {
        b.iter(|| {
            let map: std::collections::BTreeMap<String, Quantity> =
                serde_json::from_str(black_box(document)).unwrap_or_default();
            serde_json::to_string(&map).unwrap_or_default()
        });
    });
}

criterion_group!(benches, parse, print, json);
criterion_main!(benches);
