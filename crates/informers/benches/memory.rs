//! Cache memory of 10 000 realistic Pods (`gen_objects.py pods 10000`): bytes per object in the
//! store with and without managedFields, and peak memory during the initial sync and a relist
//! relative to the steady store. Counts every allocation with a capped global allocator.
//!
//! Run: `cargo bench -p kapi-informers --bench memory`

mod common;
use common as data;

use std::alloc::System;
use std::sync::Arc;

use cap::Cap;
use kapi_api::core::v1::Pod;
use kapi_apimachinery::ObjectList;
use kapi_informers::{strip_managed_fields, Store};

#[global_allocator]
static ALLOC: Cap<System> = Cap::new(System, usize::MAX);

/// One scenario in this process: prints one result line.
fn scenario(name: &str, bytes: &[u8]) {
    let strip = name.contains("stripped");
    // A relist reads pages of 500 (as the reflector does); split the list up front.
    let pages: Vec<Vec<u8>> = if name.starts_with("relist") {
        read_pages()
    } else {
        Vec::new()
    };
    let base = ALLOC.allocated();
    let store: Store<Pod> = Store::new();
    let decode = || -> ObjectList<Pod> {
        let mut list: ObjectList<Pod> = serde_json::from_slice(bytes).expect("valid pod list");
        if strip {
            list.items.iter_mut().for_each(strip_managed_fields);
        }
        list
    };
    let list = decode();
    let n = list.items.len();
    let rv = list.metadata.resource_version.clone().unwrap_or_default();
    store.replace(list.items, &rv);
    let steady = ALLOC.allocated() - base;
    let initial_peak = ALLOC.max_allocated() - base;
    if name.starts_with("relist") {
        let mut replacement = store.begin_replace();
        for page in &pages {
            let mut items: Vec<Pod> = serde_json::from_slice(page).expect("valid page");
            if strip {
                items.iter_mut().for_each(strip_managed_fields);
            }
            replacement.add_page(items);
        }
        let changes = replacement.commit(&rv);
        assert!(
            changes.is_empty(),
            "a relist of identical objects reports no change"
        );
        let relist_peak = ALLOC.max_allocated() - base;
        println!(
            "{name:<34} relist_peak = {:.2}x of the steady store (pages of 500)",
            relist_peak as f64 / steady as f64
        );
    } else {
        println!(
            "{name:<34} objects={n} store={:>6.1} MB  per_object={:>6.0} B  initial_sync_peak={:.2}x",
            steady as f64 / 1e6,
            steady as f64 / n as f64,
            initial_peak as f64 / steady as f64,
        );
    }
    let _keep = Arc::new(store);
}

fn pages_dir() -> std::path::PathBuf {
    std::env::temp_dir().join("kapi-bench-pod-pages")
}

/// Splits a list document into files of JSON arrays of `size` items (in the parent process, so
/// the children's peak measurements do not include the split).
fn write_pages(bytes: &[u8], size: usize) {
    let list: serde_json::Value = serde_json::from_slice(bytes).expect("valid list");
    let items = list["items"].as_array().cloned().unwrap_or_default();
    let dir = pages_dir();
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("temp dir");
    for (i, c) in items.chunks(size).enumerate() {
        std::fs::write(
            dir.join(format!("{i:04}.json")),
            serde_json::to_vec(c).expect("serializable"),
        )
        .expect("write page");
    }
}

fn read_pages() -> Vec<Vec<u8>> {
    let mut names: Vec<_> = std::fs::read_dir(pages_dir())
        .expect("pages written")
        .filter_map(|e| e.ok().map(|e| e.path()))
        .collect();
    names.sort();
    names
        .iter()
        .map(|p| std::fs::read(p).expect("read page"))
        .collect()
}

fn main() {
    let Some(bytes) = data::generated("pods", 10_000, &[]) else {
        return;
    };
    let mut args = std::env::args().skip(1).filter(|a| !a.starts_with("--"));
    if let Some(name) = args.next() {
        scenario(&name, &bytes);
        return;
    }
    println!(
        "input: {:.1} MB of JSON (10 000 Pods with managedFields)",
        bytes.len() as f64 / 1e6
    );
    write_pages(&bytes, 500);
    let me = std::env::current_exe().expect("own path");
    for name in [
        "steady, managedFields kept",
        "steady, managedFields stripped",
        "relist, managedFields kept",
        "relist, managedFields stripped",
    ] {
        let status = std::process::Command::new(&me)
            .arg(name)
            .status()
            .expect("run scenario");
        assert!(status.success(), "scenario {name} failed");
    }
}
