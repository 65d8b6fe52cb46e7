use std::collections::{BTreeMap, HashMap};

use super::*;

fn labels(pairs: &[(&str, &str)]) -> BTreeMap<String, String> {
    pairs
        .iter()
        .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
        .collect()
}

fn sel(s: &str) -> Selector {
    match Selector::parse(s) {
        Ok(sel) => sel,
        Err(e) => panic!("{s:?} should parse: {e}"),
    }
}

fn err(s: &str) -> SelectorParseError {
    match Selector::parse(s) {
        Ok(sel) => panic!("{s:?} should not parse, got {sel:?}"),
        Err(e) => e,
    }
}

#[test]
fn every_operator_parses() {
    let cases = [
        ("a=b", Operator::Equals, &["b"][..]),
        ("a==b", Operator::DoubleEquals, &["b"]),
        ("a!=b", Operator::NotEquals, &["b"]),
        ("a in (b,c)", Operator::In, &["b", "c"]),
        ("a notin (b,c)", Operator::NotIn, &["b", "c"]),
        ("a", Operator::Exists, &[]),
        ("!a", Operator::DoesNotExist, &[]),
        ("a>1", Operator::GreaterThan, &["1"]),
        ("a<10", Operator::LessThan, &["10"]),
    ];
    for (input, op, values) in cases {
        let s = sel(input);
        let [r] = s.requirements() else {
            panic!("{input}: one requirement expected")
        };
        assert_eq!((r.key(), r.operator()), ("a", op), "{input}");
        assert_eq!(r.values(), values, "{input}");
        assert_eq!(s.to_string(), input, "{input} prints back unchanged");
    }
}

#[test]
fn whitespace_is_allowed_between_tokens() {
    let s = sel("  x   in   ( a ,  b )  ,\ty\n!= z , ! w ");
    assert_eq!(s.to_string(), "!w,x in (a,b),y!=z");
    assert_eq!(sel("x in(a)").to_string(), "x in (a)");
}

#[test]
fn two_exists_and_does_not_exist() {
    let s = sel("a,b");
    assert_eq!(s.requirements().len(), 2);
    assert!(s.matches(&labels(&[("a", ""), ("b", "x")])));
    assert!(!s.matches(&labels(&[("a", "")])));
    let s = sel("!a");
    assert!(s.matches(&labels(&[("b", "1")])));
    assert!(!s.matches(&labels(&[("a", "1")])));
}

#[test]
fn negative_operators_match_missing_keys() {
    let none = labels(&[]);
    assert!(sel("a!=b").matches(&none));
    assert!(sel("a notin (b)").matches(&none));
    assert!(!sel("a=b").matches(&none));
    assert!(!sel("a in (b)").matches(&none));
    assert!(!sel("a>1").matches(&none));
    assert!(!sel("a<1").matches(&none));
    assert!(!sel("a!=b").matches(&labels(&[("a", "b")])));
    assert!(sel("a!=b").matches(&labels(&[("a", "c")])));
    assert!(!sel("a notin (b,c)").matches(&labels(&[("a", "c")])));
}

#[test]
fn integer_comparisons() {
    assert!(sel("a>1").matches(&labels(&[("a", "2")])));
    assert!(!sel("a>1").matches(&labels(&[("a", "1")])));
    assert!(sel("a<1").matches(&labels(&[("a", "0")])));
    assert!(
        !sel("a<1").matches(&labels(&[("a", "x")])),
        "non-integer label is false"
    );
    for bad in ["a>b", "a<1.5", "a>", "a<x1"] {
        let e = err(bad);
        assert!(
            matches!(
                e,
                SelectorParseError::Requirement {
                    source: RequirementError::NotAnInteger { .. },
                    ..
                }
            ),
            "{bad}: {e}"
        );
    }
    assert!(Requirement::new("a", Operator::GreaterThan, ["x"]).is_err());
}

#[test]
fn empty_values() {
    let s = sel("a=");
    assert_eq!(s.requirements()[0].values(), [""]);
    assert!(s.matches(&labels(&[("a", "")])));
    assert!(!s.matches(&labels(&[])));
    assert_eq!(s.to_string(), "a=");
    assert_eq!(sel("a!=,b").to_string(), "a!=,b");
    assert_eq!(sel("a in ()").requirements()[0].values(), [""]);
    assert_eq!(sel("a in (x,)").requirements()[0].values(), ["", "x"]);
    assert_eq!(sel("a in (,x,,y)").to_string(), "a in (,x,y)");
}

#[test]
fn keys_with_prefixes_and_limits() {
    let s = sel("example.com/app=web,app.kubernetes.io/name in (x)");
    assert!(s.matches(&labels(&[
        ("example.com/app", "web"),
        ("app.kubernetes.io/name", "x")
    ])));
    let long_name = "a".repeat(64);
    assert!(matches!(
        err(&format!("{long_name}=x")),
        SelectorParseError::Requirement {
            position: 0,
            source: RequirementError::InvalidKey { .. }
        }
    ));
    let long_prefix = format!("{}/a", "b".repeat(254));
    assert!(Selector::parse(&long_prefix).is_err());
    assert!(Selector::parse(&format!("{}/{}", "b".repeat(253), "a".repeat(63))).is_ok());
    let e = err(&format!("a={}", "v".repeat(64)));
    assert!(matches!(
        e,
        SelectorParseError::Requirement {
            position: 2,
            source: RequirementError::InvalidValue { .. }
        }
    ));
    assert!(Selector::parse("Example.com/a").is_err());
    assert!(Selector::parse("a=b c").is_err());
    assert!(Selector::parse("a=-b").is_err());
}

#[test]
fn syntax_errors_name_token_and_position() {
    let cases = [
        (
            "a,",
            "found end of string, expected: identifier after ',' at position 2",
        ),
        (
            "a=b,",
            "found end of string, expected: identifier after ',' at position 4",
        ),
        (
            "a in (b",
            "found end of string, expected: ',' or ')' at position 7",
        ),
        ("a in b", "found 'b', expected: '(' at position 5"),
        (
            "x in ((",
            "found '(', expected: identifier, ',' or ')' at position 6",
        ),
        (
            "a (",
            "found '(', expected: '=', '==', '!=', 'in', 'notin', '>' or '<' at position 2",
        ),
        (
            "!a=b",
            "found '=', expected: ',' or end of string at position 2",
        ),
        (
            "!",
            "found end of string, expected: identifier after '!' at position 1",
        ),
        (
            ",a",
            "found ',', expected: '!', identifier or end of string at position 0",
        ),
        (
            "a=b)",
            "found ')', expected: ',' or end of string at position 3",
        ),
        ("a===b", "found '=', expected: identifier at position 3"),
        (
            "a b",
            "found 'b', expected: '=', '==', '!=', 'in', 'notin', '>' or '<' at position 2",
        ),
        (
            "a in (b c)",
            "found 'c', expected: ',' or ')' at position 8",
        ),
    ];
    for (input, msg) in cases {
        let e = err(input);
        assert_eq!(
            e.to_string(),
            format!("unable to parse requirement: {msg}"),
            "{input:?}"
        );
    }
}

#[test]
fn keywords_are_identifiers_outside_operator_position() {
    let s = sel("in in (in,notin),notin=in");
    assert_eq!(s.to_string(), "in in (in,notin),notin=in");
}

#[test]
fn empty_nothing_and_everything() {
    let any = labels(&[("a", "b")]);
    for s in ["", "   "] {
        let s = sel(s);
        assert!(s.is_empty() && s.matches(&any) && s.matches(&labels(&[])));
    }
    assert_eq!(sel(""), Selector::everything());
    let nothing = Selector::nothing();
    assert!(nothing.is_nothing() && !nothing.is_empty());
    assert!(!nothing.matches(&any) && !nothing.matches(&labels(&[])));
    assert_eq!(nothing.to_string(), "");
}

#[test]
fn sorted_by_key_and_stable() {
    let s = sel("z=1,a=2,m,a!=3");
    assert_eq!(s.to_string(), "a=2,a!=3,m,z=1");
    let s = s.and(Requirement::new("b", Operator::Exists, Vec::<String>::new()).unwrap());
    assert_eq!(s.to_string(), "a=2,a!=3,b,m,z=1");
}

#[test]
fn builder_validation() {
    let none: [&str; 0] = [];
    assert!(Requirement::new("a", Operator::In, none).is_err());
    assert!(Requirement::new("a", Operator::Exists, ["x"]).is_err());
    assert!(Requirement::new("a", Operator::Equals, ["x", "y"]).is_err());
    assert!(Requirement::new("a b", Operator::Exists, none).is_err());
    let r = Requirement::new("a", Operator::In, ["y", "x", "y"]).unwrap();
    assert_eq!(r.values(), ["x", "y"]);
}

#[test]
fn hashmap_and_references_are_labels() {
    let mut m = HashMap::new();
    m.insert("a".to_string(), "1".to_string());
    let s = sel("a=1");
    assert!(s.matches(&m));
    assert!(s.matches(&&m));
    assert!(!s.matches(&None::<BTreeMap<String, String>>));
}

#[test]
fn from_map_and_exact_match() {
    let s = Selector::from_map(&labels(&[("b", "2"), ("a", "1")])).unwrap();
    assert_eq!(s.to_string(), "a=1,b=2");
    assert_eq!(s.requires_exact_match("b"), Some("2"));
    assert_eq!(sel("x in (v)").requires_exact_match("x"), Some("v"));
    assert_eq!(sel("x in (v,w),y!=1").requires_exact_match("x"), None);
    assert!(Selector::from_map([("a", "bad value")]).is_err());
}

#[test]
fn label_selector_parts() {
    let empty: BTreeMap<String, String> = BTreeMap::new();
    let none: [(&str, &str, &[String]); 0] = [];
    assert!(from_label_selector_parts(&empty, none).unwrap().is_empty());
    let vals = vec!["x".to_string()];
    let s = from_label_selector_parts(
        &labels(&[("app", "web")]),
        [
            ("k", "In", vals.as_slice()),
            ("e", "Exists", &[][..]),
            ("d", "DoesNotExist", &[]),
        ],
    )
    .unwrap();
    assert_eq!(s.to_string(), "app=web,!d,e,k in (x)");
    let e = from_label_selector_parts(&empty, [("k", "Gt", vals.as_slice())]).unwrap_err();
    assert_eq!(e.to_string(), "'Gt' is not a valid label selector operator");
    assert!(from_label_selector_parts(&empty, [("k", "In", &[] as &[String])]).is_err());
    assert!(from_label_selector_parts(&empty, [("k", "Exists", vals.as_slice())]).is_err());
}

#[test]
fn serde_as_string() {
    let s = sel("a in (x,y),!b");
    let json = serde_json::to_string(&s).unwrap();
    assert_eq!(json, "\"a in (x,y),!b\"");
    let back: Selector = serde_json::from_str(&json).unwrap();
    assert_eq!(back, s);
    assert!(serde_json::from_str::<Selector>("\"a in (\"").is_err());
}

#[test]
fn unicode_and_odd_input_does_not_panic() {
    for s in [
        "é",
        "a=é",
        "a in (é",
        "ü!=ß",
        "\u{0}",
        "a=\u{10FFFF}",
        "((((",
        "!!!!",
        "a,,b",
    ] {
        let _ = Selector::parse(s);
    }
    assert!(Selector::parse("é=1").is_err());
}
