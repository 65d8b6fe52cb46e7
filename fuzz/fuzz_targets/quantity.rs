//! Quantities: parsing never panics; parse → print → parse gives an equal quantity in the
//! same format, printing is stable, and JSON (string and number) agrees with `parse`.
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
    assert_eq!(
        again.format(),
        q.format(),
        "format changed: {input:?} → {printed:?}"
    );
    assert_eq!(again.to_string(), printed, "printing is not stable for {input:?}");

    // serde agrees with parse.
    let from_json: Quantity = serde_json::from_value(serde_json::Value::String(input.to_owned()))
        .unwrap_or_else(|e| panic!("{input:?} parses but not from JSON: {e}"));
    assert_eq!(from_json, q);
    assert_eq!(
        serde_json::to_value(q).ok(),
        Some(serde_json::Value::String(printed.clone()))
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
