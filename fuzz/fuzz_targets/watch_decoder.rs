//! The watch-stream decoder: whatever bytes arrive, in whatever chunks, it never panics and
//! yields the same items as when the same bytes arrive in one chunk.
#![no_main]

use bytes::Bytes;
use futures::StreamExt;
use kapi_api::core::v1::ConfigMap;
use kapi_apimachinery::DynamicObject;
use kapi_client::watch::decode_events;
use libfuzzer_sys::fuzz_target;

/// Decodes `chunks` and renders each item (events by value, errors by kind).
fn decode<K>(chunks: Vec<Bytes>, max_line: usize) -> Vec<String>
where
    K: serde::de::DeserializeOwned + std::fmt::Debug + Send + 'static,
{
    let stream = futures::stream::iter(chunks.into_iter().map(Ok));
    let events = decode_events::<K, _>(stream, max_line);
    futures::executor::block_on(events.collect::<Vec<_>>())
        .into_iter()
        .map(|r| match r {
            Ok(ev) => format!("{ev:?}"),
            Err(e) => format!("error: {e}"),
        })
        .collect()
}

fuzz_target!(|data: &[u8]| {
    let Some((&split, body)) = data.split_first() else {
        return;
    };
    // A small line cap sometimes, to exercise the too-long path.
    let max_line = if split & 0x80 != 0 { 64 } else { 1 << 20 };
    let step = usize::from(split & 0x3f) + 1;
    let whole = vec![Bytes::copy_from_slice(body)];
    let chunked: Vec<Bytes> = body.chunks(step).map(Bytes::copy_from_slice).collect();

    let a = decode::<DynamicObject>(whole.clone(), max_line);
    let b = decode::<DynamicObject>(chunked.clone(), max_line);
    assert_eq!(a, b, "chunking changed the decoded items");
    let lines = body.split(|b| *b == b'\n').count();
    assert!(a.len() <= lines, "more items than lines");

    let c = decode::<ConfigMap>(whole, max_line);
    let d = decode::<ConfigMap>(chunked, max_line);
    assert_eq!(c, d, "chunking changed the decoded items (typed)");
});
