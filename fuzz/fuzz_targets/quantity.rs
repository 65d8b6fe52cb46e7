//! Quantities: parsing never panics; parse → print → parse gives an equal quantity, printing
//! reaches a fixed point after at most two round trips, and JSON agrees with `parse`.
#![no_main]

use kapi_apimachinery::quantity::{Quantity, Rounding};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(input) = std::str::from_utf8(data) else {
        return;
    };
    let Ok(q) = Quantity::parse(input) else {
        return;
    };
    let printed = q.to_string();
    let again = Quantity::parse(&printed)
        .unwrap_or_else(|e| panic!("canonical form {printed:?} of {input:?} does not parse: {e}"));
    assert_eq!(again, q, "value changed: {input:?} → {printed:?}");
    // Printing is canonical after at most two trips. Like upstream's, the first print may
    // change the format — zero prints as `0`, `5e0` as `5`, a binary quantity that is not a
    // whole number of Ki as a plain integer (`562.5Ki` → `576000`), and those read back as
    // DecimalSI (`576000` → `576k`) — but the value never changes and the second print is
    // a fixed point.
    let second = again.to_string();
    let third = Quantity::parse(&second)
        .unwrap_or_else(|e| panic!("{second:?} (from {input:?}) does not parse: {e}"));
    assert_eq!(third, q, "value changed: {input:?} → {second:?}");
    assert_eq!(third.to_string(), second, "no fixed point for {input:?}");
    assert_eq!(
        third.format(),
        again.format(),
        "format not stable: {input:?}"
    );

    // serde agrees with parse.
    let from_json: Quantity = serde_json::from_value(serde_json::Value::String(input.to_owned()))
        .unwrap_or_else(|e| panic!("{input:?} parses but not from JSON: {e}"));
    assert_eq!(from_json, q);
    assert_eq!(
        serde_json::to_value(q).ok(),
        Some(serde_json::Value::String(printed))
    );

    // Arithmetic and conversions never panic.
    let _ = q.checked_add(&q);
    let _ = q.checked_sub(&again);
    let _ = q.value();
    let _ = q.milli_value();
    for r in [Rounding::Up, Rounding::Down, Rounding::Nearest] {
        let _ = q.to_i64_rounded(r);
    }
    let _ = q.cmp(&Quantity::ZERO);
});
