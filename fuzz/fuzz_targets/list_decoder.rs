//! The incremental list decoder (`kapi_client::api::decode_list`, a hand-written state machine
//! over the body's bytes): it never panics, chunking never changes its result, and it agrees
//! with `serde_json` decoding the whole body at once (for bodies that are JSON objects).
#![no_main]

use bytes::Bytes;
use kapi_apimachinery::ObjectList;
use kapi_client::api::decode_list;
use kapi_client::Body;
use libfuzzer_sys::fuzz_target;
use serde_json::Value;

fn decode(chunks: Vec<Bytes>) -> Result<ObjectList<Value>, String> {
    let stream = futures::stream::iter(chunks.into_iter().map(Ok::<_, std::io::Error>));
    futures::executor::block_on(decode_list::<Value>(Body::from_stream(stream)))
        .map_err(|e| e.to_string())
}

fuzz_target!(|data: &[u8]| {
    let Some((&split, body)) = data.split_first() else {
        return;
    };
    let step = usize::from(split & 0x3f) + 1;
    let whole = decode(vec![Bytes::copy_from_slice(body)]);
    let chunked = decode(body.chunks(step).map(Bytes::copy_from_slice).collect());
    assert_eq!(
        whole.is_ok(),
        chunked.is_ok(),
        "chunking changed the outcome: {whole:?} vs {chunked:?}"
    );
    if let (Ok(a), Ok(b)) = (&whole, &chunked) {
        assert_eq!(a, b, "chunking changed the list");
    }
    // The reference: serde_json on the whole body, for a JSON object (serde would also read a
    // struct from an array, which no server sends and the list decoder need not accept).
    let reference = match serde_json::from_slice::<Value>(body) {
        Ok(Value::Object(_)) => {
            serde_json::from_slice::<ObjectList<Value>>(body).map_err(|e| e.to_string())
        }
        Ok(_) => Err("not an object".to_owned()),
        Err(e) => Err(e.to_string()),
    };
    match (&whole, &reference) {
        (Ok(a), Ok(b)) => assert_eq!(a, b, "differs from serde_json"),
        (Err(_), Err(_)) => {}
        (a, b) => panic!(
            "decode_list {} but serde_json {}: {:?}",
            if a.is_ok() { "accepts" } else { "rejects" },
            if b.is_ok() { "accepts" } else { "rejects" },
            String::from_utf8_lossy(body)
        ),
    }
});
