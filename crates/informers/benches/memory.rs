//! Cache memory of 10 000 realistic Pods (`gen_objects.py pods 10000`): bytes per object in the
//! store with and without managedFields, and peak memory during the initial sync and a relist
//! relative to the steady store. Counts every allocation with a capped global allocator.
//!
//! Both syncs take the reflector's path: the body is fed in 64 KB chunks to the client's
//! incremental list decoder (`decode_list_with`, which applies the transform to each item as
//! it is decoded), and the items go to the store through `begin_replace`/`add_page`/`commit`.
//! The initial sync is one unpaged list — what the server answers to the reflector's first
//! `LIST` with resourceVersion "0" (the limit is ignored there); a relist reads pages of 500.
//!
//! Run: `cargo bench -p kapi-informers --bench memory`

mod common;
use common as data;

use std::alloc::System;
use std::sync::Arc;

use bytes::Bytes;
use cap::Cap;
use kapi_api::core::v1::Pod;
use kapi_apimachinery::ObjectList;
use kapi_client::{api::decode_list_with, Body};
use kapi_informers::{strip_managed_fields, Store};

#[global_allocator]
static ALLOC: Cap<System> = Cap::new(System, usize::MAX);

/// Chunk size of the simulated response body (hyper hands over frames of this order).
const CHUNK: usize = 64 * 1024;

/// Decodes one list document the way the reflector does, chunk by chunk. The chunks are
/// zero-copy slices of a buffer made before measuring, like frames the network hands over.
fn decode(bytes: &Bytes, strip: bool) -> ObjectList<Pod> {
    let bytes = bytes.clone();
    let chunks = (0..bytes.len())
        .step_by(CHUNK)
        .map(move |at| Ok::<_, std::io::Error>(bytes.slice(at..(at + CHUNK).min(bytes.len()))));
    let body = Body::from_stream(futures::stream::iter(chunks));
    let rt = tokio::runtime::Builder::new_current_thread()
        .build()
        .expect("runtime");
    rt.block_on(decode_list_with(body, |p: &mut Pod| {
        if strip {
            strip_managed_fields(p);
        }
    }))
    .expect("valid pod list")
}

/// Lists into the store as the reflector does: one replacement over the given pages.
fn sync(store: &Store<Pod>, pages: &[Bytes], strip: bool) {
    let mut replacement = store.begin_replace();
    let mut rv = String::new();
    for page in pages {
        let list = decode(page, strip);
        rv = list.metadata.resource_version.clone().unwrap_or_default();
        replacement.add_page(list.items);
    }
    let changes = replacement.commit(&rv);
    drop(changes);
}

/// One scenario in this process: prints one result line.
fn scenario(name: &str, bytes: &[u8]) {
    let strip = name.contains("stripped");
    let relist = name.starts_with("relist");
    // A relist reads pages of 500 (as the reflector does); split the list up front.
    let pages: Vec<Bytes> = if relist {
        read_pages().into_iter().map(Bytes::from).collect()
    } else {
        vec![Bytes::copy_from_slice(bytes)]
    };
    let base = ALLOC.allocated();
    let store: Store<Pod> = Store::new();
    // A relist's store is filled page by page too, so that the fill's peak (lower than the
    // relist's, which holds a page on top of a full store) does not mask the relist's.
    sync(&store, &pages, strip);
    let n = store.len();
    let steady = ALLOC.allocated() - base;
    let fill_peak = ALLOC.max_allocated() - base;
    if relist {
        let changes_before = store.resource_version();
        sync(&store, &pages, strip);
        assert_eq!(store.resource_version(), changes_before);
        let relist_peak = ALLOC.max_allocated() - base;
        println!(
            "{name:<34} relist_peak = {:.2}x of the steady store (pages of 500; the paged fill before it peaked at {:.2}x)",
            relist_peak as f64 / steady as f64,
            fill_peak as f64 / steady as f64,
        );
    } else {
        println!(
            "{name:<34} objects={n} store={:>6.1} MB  per_object={:>6.0} B  initial_sync_peak={:.2}x (one unpaged list)",
            steady as f64 / 1e6,
            steady as f64 / n as f64,
            fill_peak as f64 / steady as f64,
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
        let page = serde_json::json!({
            "kind": "PodList",
            "apiVersion": "v1",
            "metadata": list["metadata"],
            "items": c,
        });
        std::fs::write(
            dir.join(format!("{i:04}.json")),
            serde_json::to_vec(&page).expect("serializable"),
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
