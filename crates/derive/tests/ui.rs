//! Compile-fail tests: every attribute mistake is a readable error at the right place.
//! Regenerate the expected output with `TRYBUILD=overwrite cargo test -p kapi-derive --test ui`.

#[test]
fn attribute_mistakes() {
    let t = trybuild::TestCases::new();
    t.compile_fail("tests/ui/*.rs");
}
