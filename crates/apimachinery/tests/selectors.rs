//! Label and field selectors through the public API: acceptance cases and property tests.

use std::collections::BTreeMap;

use kapi_apimachinery::fields::{FieldOperator, FieldSelector, FieldSelectorError, FieldTerm};
use kapi_apimachinery::labels::{
    from_label_selector_parts, Operator, Requirement, RequirementError, Selector,
    SelectorParseError,
};
use proptest::prelude::*;

fn labels(pairs: &[(&str, &str)]) -> BTreeMap<String, String> {
    pairs
        .iter()
        .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
        .collect()
}

fn parse(s: &str) -> Selector {
    Selector::parse(s).unwrap_or_else(|e| panic!("{s:?}: {e}"))
}

#[test]
fn label_selector_acceptance_cases() {
    let none = labels(&[]);
    let web = labels(&[
        ("app", "web"),
        ("example.com/tier", "front"),
        ("replicas", "3"),
    ]);

    assert!(
        parse("app notin (db)").matches(&none),
        "notin on a missing key"
    );
    assert!(parse("app!=db").matches(&none), "!= on a missing key");
    assert!(parse("app in (db, web)").matches(&web), "in with spaces");
    assert!(parse("app,replicas").matches(&web), "two exists");
    assert!(!parse("app,missing").matches(&web));
    assert!(parse("!missing").matches(&web));
    assert!(
        parse("example.com/tier=front").matches(&web),
        "prefixed key"
    );
    assert!(parse("replicas>1,replicas<4").matches(&web));
    assert!(!parse("replicas>3").matches(&web));
    assert!(
        parse("app=").matches(&labels(&[("app", "")])),
        "empty value"
    );
    assert!(Selector::parse("").is_ok_and(|s| s.is_empty() && s.matches(&web)));
    assert!(!Selector::nothing().matches(&none));
}

#[test]
fn label_selector_errors() {
    for bad in [
        "a>b",
        "a<1x",
        "a,",
        "a in (b",
        "a=b,,c",
        &"k".repeat(64),
        "a=b=c",
        "!a!=b",
    ] {
        let e = Selector::parse(bad).expect_err(bad);
        assert!(
            e.to_string().starts_with("unable to parse requirement: "),
            "{bad}: {e}"
        );
    }
    let e = Selector::parse("x in (a,b").unwrap_err();
    assert_eq!(e.position(), 9);
    let e = Selector::parse("x in ((").unwrap_err();
    assert_eq!(
        e.to_string(),
        "unable to parse requirement: found '(', expected: identifier, ',' or ')' at position 6"
    );
    let e = Selector::parse("a>b").unwrap_err();
    assert!(matches!(
        e,
        SelectorParseError::Requirement {
            source: RequirementError::NotAnInteger { .. },
            ..
        }
    ));
}

#[test]
fn builder_equals_parser() {
    let built = Selector::from_requirements([
        Requirement::new("b", Operator::NotIn, ["y", "x"]).expect("valid"),
        Requirement::new("a", Operator::GreaterThan, ["5"]).expect("valid"),
    ]);
    assert_eq!(built, parse("b notin (x,y), a>5"));
    let values = ["x".to_string()];
    let from_api = from_label_selector_parts(&labels(&[("a", "1")]), [("b", "In", &values[..])]);
    assert_eq!(from_api.expect("valid").to_string(), "a=1,b in (x)");
}

#[test]
fn field_selector_acceptance_cases() {
    let sel = FieldSelector::parse(r"metadata.name=a\,b").expect("valid");
    assert_eq!(sel.requires_exact_match("metadata.name"), Some("a,b"));
    let sel = FieldSelector::parse("spec.nodeName!=").expect("valid");
    assert!(!sel.matches(&labels(&[])));
    assert!(sel.matches(&labels(&[("spec.nodeName", "n1")])));
    let sel = FieldSelector::parse(r"a=x\=y").expect("valid");
    assert_eq!(sel.terms()[0].value(), "x=y");
    assert!(matches!(
        FieldSelector::parse(r"a=\x"),
        Err(FieldSelectorError::InvalidEscape { position: 2, .. })
    ));
    assert!(FieldSelector::parse("a").is_err());
}

// ---------------------------------------------------------------- property tests

fn dns_label() -> impl Strategy<Value = String> {
    "[a-z0-9]([-a-z0-9]{0,6}[a-z0-9])?"
}

fn name_part() -> impl Strategy<Value = String> {
    "[A-Za-z0-9]([-A-Za-z0-9_.]{0,10}[A-Za-z0-9])?"
}

fn key() -> impl Strategy<Value = String> {
    (
        prop::option::of(prop::collection::vec(dns_label(), 1..3)),
        name_part(),
    )
        .prop_map(|(prefix, name)| match prefix {
            Some(parts) => format!("{}/{name}", parts.join(".")),
            None => name,
        })
}

fn value() -> impl Strategy<Value = String> {
    prop_oneof![1 => Just(String::new()), 4 => name_part()]
}

fn requirement() -> impl Strategy<Value = Requirement> {
    let op = prop::sample::select(vec![
        Operator::Equals,
        Operator::DoubleEquals,
        Operator::NotEquals,
        Operator::In,
        Operator::NotIn,
        Operator::Exists,
        Operator::DoesNotExist,
        Operator::GreaterThan,
        Operator::LessThan,
    ]);
    (
        key(),
        op,
        prop::collection::vec(value(), 1..4),
        0i64..100_000,
    )
        .prop_map(|(key, op, values, n)| {
            let values = match op {
                Operator::In | Operator::NotIn => values,
                Operator::Exists | Operator::DoesNotExist => Vec::new(),
                Operator::GreaterThan | Operator::LessThan => vec![n.to_string()],
                _ => values[..1].to_vec(),
            };
            Requirement::new(key, op, values).expect("generated requirement is valid")
        })
}

fn selector() -> impl Strategy<Value = Selector> {
    prop::collection::vec(requirement(), 0..6).prop_map(Selector::from_requirements)
}

fn field_term() -> impl Strategy<Value = FieldTerm> {
    let op = prop::sample::select(vec![FieldOperator::Equals, FieldOperator::NotEquals]);
    ("[^,=\\\\]{0,12}[^,=\\\\!]", op, any::<String>()).prop_map(|(field, op, value)| {
        FieldTerm::new(field, op, value).expect("generated term is valid")
    })
}

/// Strings made mostly of selector syntax, to reach deep parser states.
fn selectorish() -> impl Strategy<Value = String> {
    "([a-z]{1,3}|in|notin|[=!<>(), \\\\]|é){0,16}"
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    #[test]
    fn label_selector_print_parse_round_trips(sel in selector()) {
        let printed = sel.to_string();
        let parsed = Selector::parse(&printed);
        prop_assert!(parsed.is_ok(), "{printed:?}: {parsed:?}");
        let parsed = parsed.unwrap_or_default();
        prop_assert_eq!(&parsed, &sel);
        prop_assert_eq!(parsed.to_string(), printed);
    }

    #[test]
    fn field_selector_print_parse_round_trips(terms in prop::collection::vec(field_term(), 0..5)) {
        let sel = FieldSelector::from_terms(terms);
        let printed = sel.to_string();
        let parsed = FieldSelector::parse(&printed);
        prop_assert!(parsed.is_ok(), "{printed:?}: {parsed:?}");
        let parsed = parsed.unwrap_or_default();
        prop_assert_eq!(&parsed, &sel);
        prop_assert_eq!(parsed.to_string(), printed);
    }

    #[test]
    fn parsers_never_panic_on_unicode(s in any::<String>()) {
        let _ = Selector::parse(&s);
        let _ = FieldSelector::parse(&s);
    }

    #[test]
    fn whatever_parses_prints_canonically(s in selectorish()) {
        if let Ok(sel) = Selector::parse(&s) {
            let printed = sel.to_string();
            let again = Selector::parse(&printed);
            prop_assert_eq!(again.as_ref().ok(), Some(&sel), "{:?} -> {:?}", s, printed);
        }
        if let Ok(sel) = FieldSelector::parse(&s) {
            let printed = sel.to_string();
            let again = FieldSelector::parse(&printed);
            prop_assert_eq!(again.as_ref().ok(), Some(&sel), "{:?} -> {:?}", s, printed);
        }
    }
}
