//! Public-API tests for `Quantity`: parsing, canonical printing, arithmetic,
//! serde round trips and property tests.

use std::collections::HashSet;

use kapi_apimachinery::quantity::{Format, QuantityError, Rounding};
use kapi_apimachinery::Quantity;
use proptest::prelude::*;

fn q(text: &str) -> Quantity {
    match Quantity::parse(text) {
        Ok(quantity) => quantity,
        Err(err) => panic!("{text:?} should parse: {err}"),
    }
}

fn canonical(text: &str) -> String {
    q(text).to_string()
}

#[test]
fn canonical_forms() {
    let cases = [
        ("0", "0"),
        ("-0", "0"),
        ("0Mi", "0"),
        ("0e5", "0"),
        ("1.5", "1500m"),
        ("-1.5", "-1500m"),
        ("1.5Gi", "1536Mi"),
        ("0.5Gi", "512Mi"),
        ("1024Mi", "1Gi"),
        ("1e3", "1e3"),
        ("1E3", "1e3"),
        ("1e+3", "1e3"),
        ("1e4", "10e3"),
        ("1.5e3", "1500"),
        ("1E-3", "1e-3"),
        ("80e-3", "80e-3"),
        ("1000", "1k"),
        ("1000M", "1G"),
        ("100m", "100m"),
        ("0.1m", "100u"),
        ("0.1", "100m"),
        ("1000m", "1"),
        ("1Ki", "1Ki"),
        ("8Ki", "8Ki"),
        ("1.5Ki", "1536"),
        ("1025Ki", "1025Ki"),
        ("1048576Ki", "1Gi"),
        ("1000Ki", "1000Ki"),
        (".001Ki", "1024m"),
        (".000001Ki", "1024u"),
        (".000000001Ki", "1024n"),
        (".000000000001Ki", "2n"),
        ("100.035Ki", "102435840m"),
        ("+1", "1"),
        ("01", "1"),
        ("1.", "1"),
        ("1.G", "1G"),
        (".5", "500m"),
        ("1E", "1E"),
        ("12E", "12E"),
        ("1000E", "1e21"),
        ("1024Ei", "1024Ei"),
        ("3.001n", "4n"),
        ("0.9n", "1n"),
        ("0.0000000001", "1n"),
        ("-0.0000000001", "-1n"),
        ("1.1E-9", "2e-9"),
        ("0.00000012345", "124n"),
        ("10.035M", "10035k"),
        ("7.123456M", "7123456"),
        ("6.987654321G", "6987654321"),
    ];
    for (input, expected) in cases {
        assert_eq!(canonical(input), expected, "canonical form of {input:?}");
        // Canonical forms are fixed points.
        assert_eq!(
            canonical(expected),
            expected,
            "re-canonicalizing {expected:?}"
        );
    }
}

#[test]
fn formats_follow_the_suffix() {
    assert_eq!(q("1Gi").format(), Format::BinarySI);
    assert_eq!(q("0Ki").format(), Format::BinarySI);
    assert_eq!(q("5").format(), Format::DecimalSI);
    assert_eq!(q("5m").format(), Format::DecimalSI);
    assert_eq!(q("5e2").format(), Format::DecimalExponent);
    // Below one unit there is no binary spelling.
    assert_eq!(q("0.000000000001Ki").format(), Format::DecimalSI);
}

#[test]
fn equality_ordering_and_hash_are_by_value() {
    assert_eq!(q("1Gi"), q("1024Mi"));
    assert_eq!(q("1000m"), q("1"));
    assert_eq!(q("1k"), q("1e3"));
    assert!(q("10000T") > q("100Gi"));
    assert!(q("50m") < q("100m"));
    assert!(q("-1") < q("0"));
    let set: HashSet<Quantity> = ["1Gi", "1024Mi", "1073741824", "1G"]
        .map(q)
        .into_iter()
        .collect();
    assert_eq!(set.len(), 2);
}

#[test]
fn garbage_is_rejected_with_a_typed_error() {
    assert_eq!(Quantity::parse(""), Err(QuantityError::Empty));
    for input in [
        "1.2.3", "--1", "+-1", "-", "+", ".", "Mi", "-Mi", "1..0", "1.1.M", "1+1.0M",
    ] {
        assert!(
            matches!(Quantity::parse(input), Err(QuantityError::BadNumber { .. })),
            "{input:?} should be a bad number: {:?}",
            Quantity::parse(input)
        );
    }
    for input in [
        "1 Mi", " 1", "1 ", "1i", "0.1mi", "0.1am", "1MiB", "1K", "1e", "1e+", "-3.01e-", "1e3m",
        "1µ", "5ẞ",
    ] {
        assert!(
            matches!(
                Quantity::parse(input),
                Err(QuantityError::UnknownSuffix { .. }) | Err(QuantityError::BadNumber { .. })
            ),
            "{input:?} should be rejected: {:?}",
            Quantity::parse(input)
        );
    }
    let err = Quantity::parse("1 Mi").unwrap_err();
    assert_eq!(err.input(), "1 Mi");
    assert!(err.to_string().contains("unknown suffix \" Mi\""), "{err}");
}

#[test]
fn overflow_is_an_error_not_a_cap() {
    for input in [
        "1e400",
        "99999999999999999999999Ei",
        "1e30",
        "-1e30",
        "170141183460469231731687303716",
        "1e99999999999999999999",
    ] {
        assert!(
            matches!(
                Quantity::parse(input),
                Err(QuantityError::OutOfRange { .. })
            ),
            "{input:?}: {:?}",
            Quantity::parse(input)
        );
    }
    // The extremes themselves parse and print.
    assert_eq!(q("170141183460469231731687303715.884105727"), Quantity::MAX);
    assert_eq!(
        q("-170141183460469231731687303715.884105727"),
        Quantity::MIN
    );
    assert_eq!(
        Quantity::MAX.to_string(),
        "170141183460469231731687303715884105727n"
    );
    // Upstream silently caps 9Ei; we keep it exactly.
    assert_eq!(q("9Ei").to_string(), "9Ei");
    // Tiny values round up, even with huge negative exponents.
    assert_eq!(q("1e-400").to_string(), "1e-9");
    assert_eq!(q("1e-99999999999999999999").to_string(), "1e-9");
}

#[test]
fn error_messages_are_bounded() {
    let long = format!("1{}", "x".repeat(10_000));
    let message = Quantity::parse(&long).unwrap_err().to_string();
    assert!(message.len() < 300, "{}", message.len());
}

#[test]
fn arithmetic() {
    assert_eq!(q("1.5").checked_add(&q("500m")), Some(q("2")));
    assert_eq!(
        q("1Gi")
            .checked_sub(&q("512Mi"))
            .map(|x| x.to_string())
            .as_deref(),
        Some("512Mi")
    );
    // Adding to zero takes the other side's format.
    assert_eq!(
        Quantity::ZERO
            .checked_add(&q("1Gi"))
            .map(|x| x.to_string())
            .as_deref(),
        Some("1Gi")
    );
    assert_eq!(
        q("100m")
            .checked_add(&Quantity::ZERO)
            .map(|x| x.to_string())
            .as_deref(),
        Some("100m")
    );
    assert_eq!(Quantity::MAX.checked_add(&q("1n")), None);
    assert_eq!(Quantity::MIN.checked_sub(&q("1n")), None);
    assert_eq!(Quantity::MAX.checked_mul(2), None);
    assert_eq!(q("1.5").checked_mul(-2), Some(q("-3")));
    assert_eq!((-q("1.5Gi")).to_string(), "-1536Mi");
    assert_eq!(-Quantity::MIN, Quantity::MAX);
    assert_eq!(q("-2").abs(), q("2"));
    assert_eq!(q("-2").signum(), -1);
    assert!(q("0m").is_zero());
}

#[test]
fn integer_conversions_round_as_asked() {
    assert_eq!(q("1.5").value(), 2);
    assert_eq!(q("-1.5").value(), -2);
    assert_eq!(q("1.1").to_i64_rounded(Rounding::Down), Some(1));
    assert_eq!(q("-1.9").to_i64_rounded(Rounding::Down), Some(-1));
    assert_eq!(q("2.5").to_i64_rounded(Rounding::Nearest), Some(3));
    assert_eq!(q("2.4999").to_i64_rounded(Rounding::Nearest), Some(2));
    assert_eq!(q("-2.5").to_i64_rounded(Rounding::Nearest), Some(-3));
    assert_eq!(q("1n").milli_value(), 1);
    assert_eq!(q("1.5").milli_value(), 1500);
    assert_eq!(q("1Ki").milli_value(), 1_024_000);
    assert_eq!(q("8Ei").to_i64_rounded(Rounding::Up), None);
    assert_eq!(q("8Ei").value(), i64::MAX);
    assert_eq!(q("-8Ei").value(), i64::MIN);
    assert_eq!(q("1").scaled_value(-9, Rounding::Up), Some(1_000_000_000));
    assert_eq!(q("1n").scaled_value(0, Rounding::Up), Some(1));
    assert_eq!(q("1n").scaled_value(100, Rounding::Up), Some(1));
    assert_eq!(q("1n").scaled_value(100, Rounding::Nearest), Some(0));
    assert_eq!(q("1").scaled_value(-100, Rounding::Up), None);
    assert_eq!(q("1.25").as_f64(), 1.25);
    assert_eq!(q("-1Gi").as_f64(), -1073741824.0);
}

#[test]
fn constructors() {
    assert_eq!(
        Quantity::from_i64(1024, Format::BinarySI).to_string(),
        "1Ki"
    );
    assert_eq!(
        Quantity::from_i64(1000, Format::DecimalSI).to_string(),
        "1k"
    );
    assert_eq!(
        Quantity::from_i64(1_000_000, Format::DecimalExponent).to_string(),
        "1e6"
    );
    assert_eq!(
        Quantity::from_i64(i64::MIN, Format::BinarySI).to_string(),
        "-8Ei"
    );
    assert_eq!(Quantity::from_milli(1).to_string(), "1m");
    assert_eq!(Quantity::from_milli(1_234_000).to_string(), "1234");
    assert_eq!(
        Quantity::from_scaled(1000, -6)
            .map(|x| x.to_string())
            .as_deref(),
        Some("1m")
    );
    assert_eq!(
        Quantity::from_scaled(1, -12)
            .map(|x| x.to_string())
            .as_deref(),
        Some("1n")
    );
    assert_eq!(
        Quantity::from_scaled(-1, -12)
            .map(|x| x.to_string())
            .as_deref(),
        Some("-1n")
    );
    assert_eq!(
        Quantity::from_scaled(5, 20)
            .map(|x| x.to_string())
            .as_deref(),
        Some("500E")
    );
    assert_eq!(
        Quantity::from_scaled(1, i32::MIN)
            .map(|x| x.to_string())
            .as_deref(),
        Some("1n")
    );
    assert_eq!(Quantity::from_scaled(1, i32::MAX), None);
    assert_eq!(Quantity::from_nanos(i128::MIN, Format::DecimalSI), None);
    assert_eq!(Quantity::default(), Quantity::ZERO);
}

#[test]
fn json_round_trip() -> Result<(), serde_json::Error> {
    let values: Vec<Quantity> =
        serde_json::from_str(r#"["100m", "1.5Gi", " 1 ", 0, 2, -3, 1.5, 0.1, 1e3, null, "0"]"#)?;
    let texts: Vec<String> = values.iter().map(ToString::to_string).collect();
    assert_eq!(
        texts,
        ["100m", "1536Mi", "1", "0", "2", "-3", "1500m", "100m", "1k", "0", "0"]
    );
    let encoded = serde_json::to_string(&values)?;
    assert_eq!(
        encoded,
        r#"["100m","1536Mi","1","0","2","-3","1500m","100m","1k","0","0"]"#
    );
    let again: Vec<Quantity> = serde_json::from_str(&encoded)?;
    assert_eq!(again, values);

    let optional: Option<Quantity> = serde_json::from_str("null")?;
    assert_eq!(optional, None);
    assert!(serde_json::from_str::<Quantity>(r#""1 Mi""#).is_err());
    assert!(serde_json::from_str::<Quantity>("true").is_err());
    assert!(serde_json::from_str::<Quantity>("1e300").is_err());
    Ok(())
}

#[test]
fn yaml_round_trip() -> Result<(), serde_yaml::Error> {
    let text = "cpu: 500m\nmemory: 1.5Gi\ncount: 3\nfraction: 0.25\n";
    let map: std::collections::BTreeMap<String, Quantity> = serde_yaml::from_str(text)?;
    assert_eq!(map["cpu"], q("0.5"));
    assert_eq!(map["memory"].to_string(), "1536Mi");
    assert_eq!(map["count"], q("3"));
    assert_eq!(map["fraction"].to_string(), "250m");
    let encoded = serde_yaml::to_string(&map)?;
    assert_eq!(
        encoded,
        "count: '3'\ncpu: 500m\nfraction: 250m\nmemory: 1536Mi\n"
    );
    let again: std::collections::BTreeMap<String, Quantity> = serde_yaml::from_str(&encoded)?;
    assert_eq!(again, map);
    Ok(())
}

/// Quantity strings built from valid parts, with leading/trailing zeros.
fn quantity_string() -> impl Strategy<Value = String> {
    let suffix = prop_oneof![
        Just(String::new()),
        prop::sample::select(vec![
            "n", "u", "m", "k", "M", "G", "T", "P", "E", "Ki", "Mi", "Gi", "Ti", "Pi", "Ei"
        ])
        .prop_map(String::from),
        (prop::sample::select(vec!["e", "E"]), -15i32..15).prop_map(|(e, x)| format!("{e}{x}")),
    ];
    (
        prop::sample::select(vec!["", "-", "+"]),
        "[0-9]{1,10}",
        prop::option::of("[0-9]{0,12}"),
        suffix,
    )
        .prop_map(|(sign, int, frac, suffix)| match frac {
            Some(frac) => format!("{sign}{int}.{frac}{suffix}"),
            None => format!("{sign}{int}{suffix}"),
        })
}

proptest! {
    #[test]
    fn print_parse_is_a_fixed_point(text in quantity_string()) {
        let parsed = Quantity::parse(&text);
        prop_assert!(parsed.is_ok(), "{text:?}: {parsed:?}");
        let parsed = parsed.unwrap_or_default();
        let printed = parsed.to_string();
        let reparsed = Quantity::parse(&printed);
        prop_assert_eq!(reparsed.as_ref().ok(), Some(&parsed), "{} -> {}", text, printed);
        let reprinted = reparsed.map(|r| r.to_string()).unwrap_or_default();
        prop_assert_eq!(&reprinted, &printed);
        // Canonical output has no fraction, no plus sign and no leading zero.
        prop_assert!(!printed.contains('.') && !printed.contains('+'));
        prop_assert!(printed == "0" || !printed.trim_start_matches('-').starts_with('0'));
    }

    #[test]
    fn any_nano_count_round_trips(nanos in any::<i128>(), format in prop::sample::select(vec![Format::DecimalSI, Format::BinarySI, Format::DecimalExponent])) {
        if let Some(value) = Quantity::from_nanos(nanos, format) {
            let printed = value.to_string();
            let reparsed = Quantity::parse(&printed);
            prop_assert_eq!(reparsed.as_ref().ok(), Some(&value), "{}", printed);
            prop_assert_eq!(reparsed.map(|r| r.to_string()).unwrap_or_default(), printed);
        }
    }

    #[test]
    fn json_round_trip_preserves_value(text in quantity_string()) {
        if let Ok(value) = Quantity::parse(&text) {
            let json = serde_json::to_string(&value).unwrap_or_default();
            let back: Result<Quantity, _> = serde_json::from_str(&json);
            prop_assert_eq!(back.ok(), Some(value));
        }
    }

    #[test]
    fn arbitrary_input_never_panics(text in any::<String>()) {
        let _ = Quantity::parse(&text);
    }

    #[test]
    fn quantity_like_garbage_never_panics(text in "[-+0-9.eEinumkKMGTP µ]{0,40}") {
        if let Ok(value) = Quantity::parse(&text) {
            prop_assert_eq!(Quantity::parse(&value.to_string()).ok(), Some(value));
        }
    }

    #[test]
    fn addition_matches_integer_arithmetic(a in any::<i64>(), b in any::<i64>()) {
        let sum = Quantity::from_milli(a).checked_add(&Quantity::from_milli(b));
        prop_assert_eq!(sum.map(|s| s.as_nanos()), Some((i128::from(a) + i128::from(b)) * 1_000_000));
    }
}
