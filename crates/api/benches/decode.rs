//! Decode throughput of a 10 000-Pod `v1` `PodList` into typed structs.
//!
//! The list comes from the shared generator (`python3 ../shared/bench/gen_objects.py pods
//! 10000`), written once to `target/bench-data/pods-10000.json` (or read from
//! `$KAPI_BENCH_PODS`). Without python3 or the script the bench skips loudly.
//!
//! ```text
//! cargo bench -p kapi-api --bench decode
//! ```

use std::path::{Path, PathBuf};
use std::process::Command;

use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use kapi_api::core::v1::{Pod, PodList};

fn workspace() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// Finds or generates the data set; `None` (after a loud message) when it cannot.
fn pods_json() -> Option<Vec<u8>> {
    let path = match std::env::var_os("KAPI_BENCH_PODS") {
        Some(p) => PathBuf::from(p),
        None => {
            let target = std::env::var_os("CARGO_TARGET_DIR")
                .map_or_else(|| workspace().join("target"), PathBuf::from);
            target.join("bench-data/pods-10000.json")
        }
    };
    if !path.exists() {
        let script = workspace().join("../shared/bench/gen_objects.py");
        let out = Command::new("python3")
            .arg(&script)
            .args(["pods", "10000"])
            .output();
        match out {
            Ok(o) if o.status.success() => {
                if let Some(dir) = path.parent() {
                    std::fs::create_dir_all(dir).ok()?;
                }
                std::fs::write(&path, o.stdout).ok()?;
            }
            other => {
                println!(
                    "\n*** SKIPPING decode bench: cannot run python3 {} ({other:?})\n",
                    script.display()
                );
                return None;
            }
        }
    }
    std::fs::read(&path).ok()
}

fn decode(c: &mut Criterion) {
    let Some(data) = pods_json() else { return };
    let list: PodList = serde_json::from_slice(&data).expect("the data set decodes");
    assert_eq!(list.items.len(), 10_000);
    println!(
        "pods-10000.json: {} bytes, {} pods",
        data.len(),
        list.items.len()
    );
    drop(list);

    let mut g = c.benchmark_group("decode");
    g.sample_size(20);
    g.throughput(Throughput::Bytes(data.len() as u64));
    g.bench_function("PodList 10k (bytes)", |b| {
        b.iter(|| serde_json::from_slice::<PodList>(&data).expect("decodes"));
    });
    g.throughput(Throughput::Elements(10_000));
    g.bench_function("PodList 10k (objects)", |b| {
        b.iter(|| serde_json::from_slice::<PodList>(&data).expect("decodes"));
    });
    let one = serde_json::to_vec(
        &serde_json::from_slice::<PodList>(&data)
            .expect("decodes")
            .items[0],
    )
    .expect("encodes");
    g.throughput(Throughput::Bytes(one.len() as u64));
    g.bench_function("Pod (one)", |b| {
        b.iter(|| serde_json::from_slice::<Pod>(&one).expect("decodes"));
    });
    g.finish();

    let list: PodList = serde_json::from_slice(&data).expect("decodes");
    let mut e = c.benchmark_group("encode");
    e.sample_size(20);
    e.throughput(Throughput::Elements(10_000));
    e.bench_function("PodList 10k", |b| {
        b.iter(|| serde_json::to_vec(&list).expect("encodes"));
    });
    e.finish();
}

criterion_group!(benches, decode);
criterion_main!(benches);
