//! Label selectors: parsing never panics; a parsed selector prints to a canonical form that
//! parses back to an equal selector, prints identically again, and matches the same labels.
#![no_main]

use std::collections::BTreeMap;

use kapi_apimachinery::labels::Selector;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(input) = std::str::from_utf8(data) else {
        return;
    };
    let Ok(sel) = Selector::parse(input) else {
        return;
    };
    let printed = sel.to_string();
    let again = Selector::parse(&printed)
        .unwrap_or_else(|e| panic!("canonical form {printed:?} of {input:?} does not parse: {e}"));
    assert_eq!(again, sel, "round trip of {input:?} via {printed:?}");
    assert_eq!(again.to_string(), printed, "printing is not stable");

    // Label sets built from the selector's own keys and values, and an empty one.
    let mut first = BTreeMap::new();
    let mut other = BTreeMap::new();
    for r in sel.requirements() {
        let v = r.values().first().cloned().unwrap_or_default();
        first.insert(r.key().to_owned(), v);
        other.insert(r.key().to_owned(), "x".to_owned());
    }
    for labels in [BTreeMap::new(), first, other] {
        assert_eq!(sel.matches(&labels), again.matches(&labels));
    }
});
