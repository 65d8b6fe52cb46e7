//! Field selectors: parsing never panics; a parsed selector prints to a canonical form that
//! parses back to an equal selector, prints identically again, and matches the same fields.
#![no_main]

use std::collections::BTreeMap;

use kapi_apimachinery::fields::FieldSelector;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(input) = std::str::from_utf8(data) else {
        return;
    };
    let Ok(sel) = FieldSelector::parse(input) else {
        return;
    };
    let printed = sel.to_string();
    let again = FieldSelector::parse(&printed)
        .unwrap_or_else(|e| panic!("canonical form {printed:?} of {input:?} does not parse: {e}"));
    assert_eq!(again, sel, "round trip of {input:?} via {printed:?}");
    assert_eq!(again.to_string(), printed, "printing is not stable");

    let mut same = BTreeMap::new();
    let mut other = BTreeMap::new();
    for t in sel.terms() {
        same.insert(t.field().to_owned(), t.value().to_owned());
        other.insert(t.field().to_owned(), format!("{}x", t.value()));
    }
    for fields in [BTreeMap::new(), same, other] {
        assert_eq!(sel.matches(&fields), again.matches(&fields));
    }
    for t in sel.terms() {
        let _ = sel.requires_exact_match(t.field());
    }
});
