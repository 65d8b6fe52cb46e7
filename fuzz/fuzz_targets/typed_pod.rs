//! Typed decoding of a `Pod` — the generated serde code over `CompactString`, `ThinVec`, `Map`,
//! boxed sub-structs, `Quantity`, `IntOrString`, `Time` and `FieldsV1`: arbitrary JSON never
//! panics; whatever decodes encodes to a document that decodes to an equal `Pod` (unless a time
//! carried a fraction of a second, which `Time` keeps in memory but does not print, as
//! upstream's), and from the second trip on decoding and encoding are exact.
#![no_main]

use kapi_api::core::v1::Pod;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(pod) = serde_json::from_slice::<Pod>(data) else {
        return;
    };
    let once = serde_json::to_vec(&pod).expect("a decoded Pod encodes");
    let again: Pod = serde_json::from_slice(&once).unwrap_or_else(|e| {
        panic!(
            "re-encoded Pod does not decode: {e}\n{}",
            String::from_utf8_lossy(&once)
        )
    });
    // `Time` keeps a fraction of a second in memory and prints whole seconds (as upstream's
    // does), so only a document without fractional seconds must come back equal.
    if !has_fractional_seconds(data) {
        assert_eq!(again, pod, "the round trip changed the Pod");
    }
    // Printing may normalize once more (a `Quantity`'s format settles after two prints, as
    // upstream's does); from the second encoding on, bytes are a fixed point.
    let twice = serde_json::to_vec(&again).expect("encodes");
    let third: Pod = serde_json::from_slice(&twice).expect("decodes");
    assert_eq!(third, again, "the second round trip changed the Pod");
    assert_eq!(
        serde_json::to_vec(&third).expect("encodes"),
        twice,
        "encoding is not a fixed point"
    );
    // Maps stay sorted, with unique keys.
    let keys: Vec<&str> = pod.metadata.labels.keys().map(|k| k.as_str()).collect();
    assert!(keys.windows(2).all(|w| w[0] < w[1]), "labels out of order");
});

/// Whether the input holds `hh:mm:ss.` somewhere (a time with a fraction of a second).
fn has_fractional_seconds(data: &[u8]) -> bool {
    data.windows(9).any(|w| {
        w[2] == b':' && w[5] == b':' && w[8] == b'.'
            && [0, 1, 3, 4, 6, 7].iter().all(|&i| w[i].is_ascii_digit())
    })
}
