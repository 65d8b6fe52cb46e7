use std::collections::{BTreeMap, HashMap};

use super::*;

fn sel(s: &str) -> FieldSelector {
    match FieldSelector::parse(s) {
        Ok(sel) => sel,
        Err(e) => panic!("{s:?} should parse: {e}"),
    }
}

fn obj(pairs: &[(&str, &str)]) -> BTreeMap<String, String> {
    pairs
        .iter()
        .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
        .collect()
}

#[test]
fn operators() {
    let s = sel("a=1,b==2,c!=3");
    let ops: Vec<_> = s
        .terms()
        .iter()
        .map(|t| (t.field(), t.operator(), t.value()))
        .collect();
    assert_eq!(
        ops,
        [
            ("a", FieldOperator::Equals, "1"),
            ("b", FieldOperator::Equals, "2"),
            ("c", FieldOperator::NotEquals, "3")
        ]
    );
    assert_eq!(s.to_string(), "a=1,b=2,c!=3");
}

#[test]
fn escaped_values() {
    let s = sel(r"metadata.name=a\,b");
    assert_eq!(s.terms()[0].value(), "a,b");
    assert_eq!(s.to_string(), r"metadata.name=a\,b");
    let s = sel(r"a=x\=y\\z");
    assert_eq!(s.terms()[0].value(), r"x=y\z");
    assert_eq!(s.to_string(), r"a=x\=y\\z");
    assert_eq!(sel(r"a=b\\,c=d").terms().len(), 2);
}

#[test]
fn escape_errors() {
    let e = FieldSelector::parse(r"a=b,c=d\x").unwrap_err();
    assert_eq!(
        e,
        FieldSelectorError::InvalidEscape {
            sequence: r"\x".to_owned(),
            position: 7
        }
    );
    let e = FieldSelector::parse("a=b\\").unwrap_err();
    assert!(
        matches!(e, FieldSelectorError::InvalidEscape { position: 3, .. }),
        "{e}"
    );
    let e = FieldSelector::parse("a==b=c").unwrap_err();
    assert_eq!(
        e,
        FieldSelectorError::UnescapedCharacter {
            character: '=',
            position: 4
        }
    );
    assert!(e.to_string().contains("unescaped '='"), "{e}");
}

#[test]
fn missing_operator_and_bad_fields() {
    let e = FieldSelector::parse("a=b,oops").unwrap_err();
    assert_eq!(
        e,
        FieldSelectorError::MissingOperator {
            term: "oops".to_owned(),
            position: 4
        }
    );
    assert!(
        e.to_string()
            .contains("can't understand 'oops' at position 4"),
        "{e}"
    );
    let e = FieldSelector::parse("=x").unwrap_err();
    assert!(
        matches!(
            e,
            FieldSelectorError::InvalidField {
                position: Some(0),
                ..
            }
        ),
        "{e}"
    );
    assert!(FieldSelector::parse(r"a\b=c").is_err());
    assert!(FieldTerm::new("a!", FieldOperator::Equals, "x").is_err());
    assert!(FieldTerm::new("a,b", FieldOperator::Equals, "x").is_err());
    assert!(FieldTerm::new("", FieldOperator::Equals, "x").is_err());
    let e = FieldTerm::new("", FieldOperator::Equals, "x").unwrap_err();
    assert_eq!(
        e.to_string(),
        "invalid field selector: invalid field name '': must not be empty"
    );
}

#[test]
fn empty_terms_are_skipped() {
    assert!(sel("").is_empty());
    assert!(sel(",,").is_empty());
    assert_eq!(sel("a=b,").to_string(), "a=b");
    assert_eq!(sel(",a=b,,c=d").terms().len(), 2);
}

#[test]
fn missing_field_is_empty_string() {
    let unscheduled = obj(&[("metadata.name", "p")]);
    let scheduled = obj(&[("metadata.name", "p"), ("spec.nodeName", "n1")]);
    let s = sel("spec.nodeName!=");
    assert!(!s.matches(&unscheduled));
    assert!(s.matches(&scheduled));
    let s = sel("spec.nodeName=");
    assert!(s.matches(&unscheduled));
    assert!(!s.matches(&scheduled));
    assert!(sel("spec.nodeName!=n2").matches(&unscheduled));
    assert!(FieldSelector::everything().matches(&unscheduled));
}

#[test]
fn hashmap_closure_and_reference() {
    let mut m = HashMap::new();
    m.insert("metadata.name".to_string(), "x".to_string());
    let s = sel("metadata.name=x");
    assert!(s.matches(&m) && s.matches(&&m));
    let f = from_fn(|name| (name == "metadata.name").then(|| "x".to_string()));
    assert!(s.matches(&f));
    assert_eq!(format!("{f:?}"), "FromFn(..)");
}

#[test]
fn exact_match() {
    let s = sel("metadata.namespace=ns,metadata.name!=y,metadata.name==x");
    assert_eq!(s.requires_exact_match("metadata.name"), Some("x"));
    assert_eq!(s.requires_exact_match("metadata.namespace"), Some("ns"));
    assert_eq!(
        sel("metadata.name!=y").requires_exact_match("metadata.name"),
        None
    );
}

#[test]
fn transform_drops_and_renames() {
    let s = sel("a=1,b=2,c=3");
    let out = s
        .try_map_fields(|t| match t.field() {
            "a" => Ok(None),
            "b" => t.with_field("z").map(Some),
            _ => Ok(Some(t.clone())),
        })
        .unwrap();
    assert_eq!(out.to_string(), "c=3,z=2");
    let r: Result<_, FieldSelectorError> = s.try_map_fields(|t| t.with_field("").map(Some));
    assert!(r.is_err());
}

#[test]
fn builders_and_serde() {
    let s = FieldSelector::one_term_equal("metadata.name", "a=b").unwrap();
    assert_eq!(s.to_string(), r"metadata.name=a\=b");
    let s = s.and(FieldTerm::new("a", FieldOperator::NotEquals, "").unwrap());
    assert_eq!(s.to_string(), r"a!=,metadata.name=a\=b");
    let json = serde_json::to_string(&s).unwrap();
    let back: FieldSelector = serde_json::from_str(&json).unwrap();
    assert_eq!(back, s);
}

#[test]
fn terms_are_ordered_by_printed_form() {
    let s = sel(r"b=2,a!=1,a=\,,a=1,ab=0");
    let printed: Vec<_> = s.terms().iter().map(ToString::to_string).collect();
    let mut sorted = printed.clone();
    sorted.sort();
    assert_eq!(printed, sorted);
    assert_eq!(s.to_string(), r"a!=1,a=1,a=\,,ab=0,b=2");
}

#[test]
fn odd_input_does_not_panic() {
    for s in [
        "é=ü\\",
        "\\",
        "=",
        "!=",
        "!",
        "a=\\é",
        "ü!=\\,",
        "\u{10FFFF}==\u{0}",
    ] {
        let _ = FieldSelector::parse(s);
    }
    assert_eq!(sel("é!=ü").terms()[0].value(), "ü");
}
