//! Public-API tests for `Time`, `MicroTime`, `IntOrString` and `Duration`.

use std::time::Duration as StdDuration;

use kapi_apimachinery::duration::DurationError;
use kapi_apimachinery::intstr::IntOrStringError;
use kapi_apimachinery::time::TimeError;
use kapi_apimachinery::{Duration, IntOrString, MicroTime, Time};
use proptest::prelude::*;
use serde::{Deserialize, Serialize};

fn time(text: &str) -> Time {
    match text.parse() {
        Ok(t) => t,
        Err(err) => panic!("{text:?} should parse: {err}"),
    }
}

fn duration(text: &str) -> Duration {
    match Duration::parse(text) {
        Ok(d) => d,
        Err(err) => panic!("{text:?} should parse: {err}"),
    }
}

// ---------------------------------------------------------------- Time

#[test]
fn time_prints_utc_seconds() {
    assert_eq!(
        time("2006-01-02T15:04:05Z").to_string(),
        "2006-01-02T15:04:05Z"
    );
    assert_eq!(
        time("2006-01-02T15:04:05.999999999Z").to_string(),
        "2006-01-02T15:04:05Z"
    );
    assert_eq!(
        time("2006-01-02T08:04:05-07:00").to_string(),
        "2006-01-02T15:04:05Z"
    );
    assert_eq!(
        time("2006-01-03T00:34:05+09:30").to_string(),
        "2006-01-02T15:04:05Z"
    );
    assert_eq!(
        time("2006-01-02t15:04:05z").to_string(),
        "2006-01-02T15:04:05Z"
    );
    assert_eq!(
        time("0001-01-01T00:00:00Z").to_string(),
        "0001-01-01T00:00:00Z"
    );
    assert_eq!(
        time("1969-12-31T23:59:59.5Z").to_string(),
        "1969-12-31T23:59:59Z"
    );
}

#[test]
fn time_keeps_full_precision_in_memory() {
    let precise = time("2006-01-02T15:04:05.5Z");
    let whole = time("2006-01-02T15:04:05Z");
    assert_ne!(precise, whole);
    assert!(precise > whole);
    assert_eq!(precise.truncated(), whole);
    assert_eq!(
        time("2006-01-02T15:04:05.1234567891234Z")
            .as_timestamp()
            .subsec_nanosecond(),
        123_456_789
    );
    let now = Time::now();
    assert_eq!(now, now.truncated());
    assert_eq!(time(&now.to_string()), now);
}

#[test]
fn time_rejects_malformed_input() {
    for input in [
        "",
        "2006-01-02",
        "2006-01-02T15:04:05",
        "2006-01-02 15:04:05Z",
        "2006-01-02T15:04Z",
        "2006-01-02T15:04:05.Z",
        "2006-01-02T15:04:05+0700",
        "2006-01-02T15:04:05+24:00",
        "2006-13-02T15:04:05Z",
        "2006-02-30T15:04:05Z",
        "2006-01-02T25:04:05Z",
        "2006-01-02T15:04:60Z",
        "2006-01-02T15:04:05Zjunk",
        "+006-01-02T15:04:05Z",
        "２００６-01-02T15:04:05Z",
    ] {
        let result = input.parse::<Time>();
        assert!(
            matches!(result, Err(TimeError::Invalid { .. })),
            "{input:?}: {result:?}"
        );
    }
}

#[test]
fn time_helpers() -> Result<(), TimeError> {
    let t = Time::from_unix_seconds(0)?;
    assert_eq!(t.to_string(), "1970-01-01T00:00:00Z");
    assert_eq!(Time::from_unix_seconds(-1)?.unix_seconds(), -1);
    assert_eq!(time("1969-12-31T23:59:59.5Z").unix_seconds(), -1);
    assert!(matches!(
        Time::from_unix_seconds(i64::MIN),
        Err(TimeError::OutOfRange(_))
    ));
    let ts: jiff::Timestamp = t.into();
    assert_eq!(Time::from(ts), t);
    assert!(Time::from_unix_seconds(1)? > t);
    Ok(())
}

#[derive(Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
struct Meta {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    creation_timestamp: Option<Time>,
    #[serde(default)]
    deletion_timestamp: Option<Time>,
    renew_time: Option<MicroTime>,
}

#[test]
fn time_json_and_yaml_round_trip() -> Result<(), Box<dyn std::error::Error>> {
    let json = r#"{"creationTimestamp":"2008-01-01T01:01:01Z","deletionTimestamp":null,"renewTime":"2002-01-01T01:01:01.000002Z"}"#;
    let meta: Meta = serde_json::from_str(json)?;
    assert_eq!(meta.deletion_timestamp, None);
    assert_eq!(serde_json::to_string(&meta)?, json);

    let yaml = "creationTimestamp: 2008-01-01T01:01:01Z\ndeletionTimestamp: null\nrenewTime: 2002-01-01T01:01:01.000002Z\n";
    let from_yaml: Meta = serde_yaml::from_str(yaml)?;
    assert_eq!(from_yaml, meta);
    let back: Meta = serde_yaml::from_str(&serde_yaml::to_string(&meta)?)?;
    assert_eq!(back, meta);

    assert!(serde_json::from_str::<Time>("null").is_err());
    assert!(serde_json::from_str::<Time>("12").is_err());
    assert!(serde_json::from_str::<Time>(r#""yesterday""#).is_err());
    Ok(())
}

#[test]
fn micro_time_prints_six_digits() {
    let parse = |s: &str| {
        s.parse::<MicroTime>()
            .map(|t| t.to_string())
            .unwrap_or_default()
    };
    assert_eq!(parse("2006-01-02T15:04:05Z"), "2006-01-02T15:04:05.000000Z");
    assert_eq!(
        parse("2006-01-02T15:04:05.1Z"),
        "2006-01-02T15:04:05.100000Z"
    );
    assert_eq!(
        parse("2006-01-02T15:04:05.123456789Z"),
        "2006-01-02T15:04:05.123456Z"
    );
    assert_eq!(
        parse("2006-01-02T17:04:05.000002+02:00"),
        "2006-01-02T15:04:05.000002Z"
    );
    let now = MicroTime::now();
    assert_eq!(now.to_string().parse::<MicroTime>().ok(), Some(now));
    assert_eq!(
        Time::from(now).to_string().len(),
        "2006-01-02T15:04:05Z".len()
    );
}

#[test]
fn out_of_range_years_do_not_serialize() {
    let ancient = Time(jiff::Timestamp::MIN);
    assert!(ancient.to_string().starts_with("-9999-"));
    assert!(serde_json::to_string(&ancient).is_err());
    assert_eq!(
        Time(jiff::Timestamp::MAX).to_string(),
        "9999-12-30T22:00:00Z"
    );
}

// ---------------------------------------------------------------- IntOrString

#[test]
fn int_or_string_json() -> Result<(), serde_json::Error> {
    let values: Vec<IntOrString> =
        serde_json::from_str(r#"[1, "1", "25%", -2147483648, 2147483647, "http"]"#)?;
    assert_eq!(
        values,
        [
            IntOrString::Int(1),
            IntOrString::from_str("1"),
            IntOrString::from_str("25%"),
            IntOrString::Int(i32::MIN),
            IntOrString::Int(i32::MAX),
            IntOrString::from("http"),
        ]
    );
    assert_eq!(
        serde_json::to_string(&values)?,
        r#"[1,"1","25%",-2147483648,2147483647,"http"]"#
    );
    for bad in [
        "2147483648",
        "-2147483649",
        "1.5",
        "1.0",
        "1e3",
        "true",
        "null",
        "[]",
    ] {
        let result = serde_json::from_str::<IntOrString>(bad);
        assert!(result.is_err(), "{bad}: {result:?}");
    }
    let message = serde_json::from_str::<IntOrString>("1.5")
        .map(|_| ())
        .unwrap_err()
        .to_string();
    assert!(message.contains("not an integer"), "{message}");
    let optional: Option<IntOrString> = serde_json::from_str("null")?;
    assert_eq!(optional, None);
    Ok(())
}

#[test]
fn int_or_string_yaml() -> Result<(), serde_yaml::Error> {
    #[derive(Debug, PartialEq, Serialize, Deserialize)]
    #[serde(rename_all = "camelCase")]
    struct Strategy {
        max_surge: IntOrString,
        max_unavailable: IntOrString,
        port: IntOrString,
    }
    let yaml = "maxSurge: 25%\nmaxUnavailable: 1\nport: '8080'\n";
    let strategy: Strategy = serde_yaml::from_str(yaml)?;
    assert_eq!(strategy.max_surge, IntOrString::from_str("25%"));
    assert_eq!(strategy.max_unavailable, IntOrString::Int(1));
    assert_eq!(strategy.port, IntOrString::from_str("8080"));
    assert_eq!(serde_yaml::to_string(&strategy)?, yaml);
    assert!(serde_yaml::from_str::<IntOrString>("1.5").is_err());
    Ok(())
}

#[test]
fn int_or_string_helpers() {
    assert_eq!(IntOrString::from_int(3).to_string(), "3");
    assert_eq!(IntOrString::from_str("25%").to_string(), "25%");
    assert_eq!(
        IntOrString::from_str(" 7").int_value(),
        Err(IntOrStringError::NotAnInteger(" 7".into()))
    );
    assert_eq!(IntOrString::from_str("-7").int_value(), Ok(-7));
    assert_eq!(
        IntOrString::parse("99999999999"),
        IntOrString::from_str("99999999999")
    );
    assert_eq!(IntOrString::default(), IntOrString::Int(0));
    assert!(IntOrString::Int(1).is_int());
    assert_eq!(IntOrString::from_str("x").as_str(), Some("x"));

    let scaled =
        |v: &str, total, up| IntOrString::from_str(v).scaled_value_from_int_or_percent(total, up);
    assert_eq!(scaled("25%", 10, true), Ok(3));
    assert_eq!(scaled("25%", 10, false), Ok(2));
    assert_eq!(scaled("50%", 5, true), Ok(3));
    assert_eq!(scaled("50%", 5, false), Ok(2));
    assert_eq!(scaled("100%", 7, false), Ok(7));
    assert_eq!(scaled("150%", 10, false), Ok(15));
    assert!(matches!(
        scaled("25", 10, false),
        Err(IntOrStringError::NotAPercentage(_))
    ));
    assert!(matches!(
        scaled("abc%", 10, false),
        Err(IntOrStringError::BadPercentage(_))
    ));
    assert!(matches!(
        scaled("2.5%", 10, false),
        Err(IntOrStringError::BadPercentage(_))
    ));
}

// ---------------------------------------------------------------- Duration

#[test]
fn duration_parses_go_syntax() {
    let cases: [(&str, StdDuration); 16] = [
        ("0", StdDuration::ZERO),
        ("-0", StdDuration::ZERO),
        ("+0", StdDuration::ZERO),
        ("0s", StdDuration::ZERO),
        ("-0s", StdDuration::ZERO),
        ("300ms", StdDuration::from_millis(300)),
        ("1.5h", StdDuration::from_secs(5400)),
        ("2h45m", StdDuration::from_secs(9900)),
        ("1h2m3.004005006s", StdDuration::new(3723, 4_005_006)),
        ("10ns", StdDuration::from_nanos(10)),
        ("10us", StdDuration::from_micros(10)),
        ("10µs", StdDuration::from_micros(10)),
        ("10μs", StdDuration::from_micros(10)),
        (".5s", StdDuration::from_millis(500)),
        ("5.s", StdDuration::from_secs(5)),
        ("1.0000000019s", StdDuration::new(1, 1)),
    ];
    for (input, expected) in cases {
        assert_eq!(duration(input).0, expected, "{input:?}");
    }
    assert_eq!(duration("2562047h47m16.854775807s"), Duration::MAX);
}

#[test]
fn duration_errors_are_typed() {
    assert_eq!(Duration::parse(""), Err(DurationError::Empty));
    let is = |input: &str, check: fn(&DurationError) -> bool| {
        let result = Duration::parse(input);
        assert!(result.as_ref().is_err_and(check), "{input:?}: {result:?}");
    };
    for input in ["-", "+", "s", ".s", "1h 2m", "--1s", "1.2.3s"] {
        is(input, |e| {
            matches!(
                e,
                DurationError::Invalid { .. }
                    | DurationError::UnknownUnit { .. }
                    | DurationError::MissingUnit { .. }
            )
        });
    }
    is("1", |e| matches!(e, DurationError::MissingUnit { .. }));
    is("1h30", |e| matches!(e, DurationError::MissingUnit { .. }));
    is(
        "3d",
        |e| matches!(e, DurationError::UnknownUnit { unit, .. } if unit == "d"),
    );
    is("1H", |e| matches!(e, DurationError::UnknownUnit { .. }));
    is("-1.5h", |e| matches!(e, DurationError::Negative { .. }));
    is("2562047h47m16.854775808s", |e| {
        matches!(e, DurationError::OutOfRange { .. })
    });
    is("9999999999999999999999999999999999999999h", |e| {
        matches!(e, DurationError::OutOfRange { .. })
    });
}

#[test]
fn duration_prints_like_go() {
    let cases = [
        ("0", "0s"),
        ("1ns", "1ns"),
        ("1.1us", "1.1µs"),
        ("2.2ms", "2.2ms"),
        ("100ms", "100ms"),
        ("1.5s", "1.5s"),
        ("3.3s", "3.3s"),
        ("60s", "1m0s"),
        ("4m5s", "4m5s"),
        ("4m5.001s", "4m5.001s"),
        ("1h", "1h0m0s"),
        ("2h45m", "2h45m0s"),
        ("5h6m7.001s", "5h6m7.001s"),
        ("8m0.000000001s", "8m0.000000001s"),
        ("1h2m3.004005006s", "1h2m3.004005006s"),
        ("2562047h47m16.854775807s", "2562047h47m16.854775807s"),
    ];
    for (input, expected) in cases {
        assert_eq!(duration(input).to_string(), expected, "{input:?}");
    }
    assert_eq!(format!("{:>6}", duration("1s")), "    1s");
}

#[test]
fn duration_serde() -> Result<(), Box<dyn std::error::Error>> {
    let d: Duration = serde_json::from_str(r#""1h30m""#)?;
    assert_eq!(d, Duration::from_secs(5400));
    assert_eq!(serde_json::to_string(&d)?, r#""1h30m0s""#);
    assert!(serde_json::from_str::<Duration>("5").is_err());
    let y: Duration = serde_yaml::from_str("90s")?;
    assert_eq!(serde_yaml::to_string(&y)?, "1m30s\n");
    let too_long = Duration(StdDuration::from_secs(u64::MAX));
    assert!(serde_json::to_string(&too_long).is_err());
    Ok(())
}

// ---------------------------------------------------------------- properties

proptest! {
    #[test]
    fn time_round_trips(seconds in -62_135_596_800i64..253_402_300_799, nanos in 0i32..1_000_000_000) {
        let precise = jiff::Timestamp::new(seconds, nanos).unwrap_or(jiff::Timestamp::UNIX_EPOCH);
        let t = Time(precise);
        let printed = t.to_string();
        let back = printed.parse::<Time>();
        prop_assert_eq!(back.as_ref().ok(), Some(&t.truncated()), "{}", printed);
        prop_assert_eq!(back.map(|b| b.to_string()).unwrap_or_default(), printed);

        let m = MicroTime(precise);
        let printed = m.to_string();
        let back = printed.parse::<MicroTime>();
        prop_assert_eq!(back.as_ref().ok(), Some(&m.truncated()), "{}", printed);
        prop_assert_eq!(back.map(|b| b.to_string()).unwrap_or_default(), printed);
    }

    #[test]
    fn duration_round_trips(nanos in 0u64..=i64::MAX as u64) {
        let d = Duration(StdDuration::from_nanos(nanos));
        let printed = d.to_string();
        prop_assert_eq!(Duration::parse(&printed), Ok(d), "{}", printed);
    }

    #[test]
    fn int_or_string_round_trips(value in any::<i32>(), text in any::<String>()) {
        for v in [IntOrString::Int(value), IntOrString::String(text.clone())] {
            let json = serde_json::to_string(&v).unwrap_or_default();
            prop_assert_eq!(serde_json::from_str::<IntOrString>(&json).ok(), Some(v.clone()));
            let yaml = serde_yaml::to_string(&v).unwrap_or_default();
            prop_assert_eq!(serde_yaml::from_str::<IntOrString>(&yaml).ok(), Some(v));
        }
    }

    #[test]
    fn parsers_never_panic(text in any::<String>(), total in any::<i32>(), up in any::<bool>()) {
        let _ = text.parse::<Time>();
        let _ = text.parse::<MicroTime>();
        let _ = Duration::parse(&text);
        let value = IntOrString::String(text.clone());
        let _ = value.int_value();
        let _ = value.scaled_value_from_int_or_percent(total, up);
        let _ = IntOrString::parse(&text);
    }

    #[test]
    fn near_misses_never_panic(text in "[-+0-9.:TZtz ]{0,32}", unit in "[-+0-9.nuµμmsh]{0,16}") {
        let _ = text.parse::<Time>();
        let _ = Duration::parse(&unit);
        let _ = serde_json::from_str::<IntOrString>(&unit);
    }
}
