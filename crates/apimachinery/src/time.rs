//! Kubernetes timestamps: [`Time`] (`metav1.Time`) and [`MicroTime`] (`metav1.MicroTime`).
//!
//! Both wrap a [`jiff::Timestamp`] and differ only in their text form:
//!
//! * `Time` prints RFC 3339 in UTC with **whole seconds**: `2006-01-02T15:04:05Z`;
//! * `MicroTime` prints exactly **six** fractional digits: `2006-01-02T15:04:05.000000Z`.
//!
//! Parsing accepts any RFC 3339 timestamp: any UTC offset (`+02:00`, `Z`), and
//! any number of fractional digits (digits past nanoseconds are ignored).
//!
//! **Precision.** Like Kubernetes, the value keeps full nanosecond precision
//! in memory and only the text form is truncated (toward the past). Equality
//! and ordering compare the full value, so a `Time` holding a fraction is not
//! equal to itself after a serialize/deserialize round trip. [`Time::now`] and
//! [`MicroTime::now`] therefore truncate up front, and
//! [`Time::truncated`] does it for other values.
//!
//! **`null`.** Kubernetes writes a missing timestamp as JSON `null`; model such
//! fields as `Option<Time>`, which reads `null` as `None`. A bare `Time` does
//! not accept `null`.
//!
//! ```
//! use kapi_apimachinery::{MicroTime, Time};
//!
//! # fn main() -> Result<(), Box<dyn std::error::Error>> {
//! let t: Time = "2006-01-02T17:04:05.999+02:00".parse()?;
//! assert_eq!(t.to_string(), "2006-01-02T15:04:05Z");
//! assert_eq!(serde_json::to_string(&t)?, r#""2006-01-02T15:04:05Z""#);
//!
//! let m = MicroTime::from(t.as_timestamp());
//! assert_eq!(m.to_string(), "2006-01-02T15:04:05.999000Z");
//!
//! let missing: Option<Time> = serde_json::from_str("null")?;
//! assert_eq!(missing, None);
//! # Ok(())
//! # }
//! ```

use std::fmt;
use std::str::FromStr;

use jiff::civil::DateTime;
use jiff::tz::Offset;
use jiff::Timestamp;
use serde::de::{self, Visitor};
use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// A timestamp serialized as RFC 3339 with second precision (`metav1.Time`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Time(pub Timestamp);

/// A timestamp serialized as RFC 3339 with six fractional digits (`metav1.MicroTime`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct MicroTime(pub Timestamp);

/// Why a timestamp could not be parsed or built.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum TimeError {
    /// The text is not an RFC 3339 timestamp.
    #[error("invalid RFC 3339 timestamp {input:?}: {reason}")]
    Invalid {
        /// The offending input (at most 64 characters).
        input: String,
        /// What is wrong with it.
        reason: &'static str,
    },
    /// The instant is outside the supported range (years -9999 to 9999).
    #[error("timestamp out of range: {0}")]
    OutOfRange(String),
}

const NANOS_PER_SECOND: i128 = 1_000_000_000;
const NANOS_PER_MICRO: i128 = 1_000;

impl Time {
    /// The current time, truncated to whole seconds (so it survives a round trip).
    pub fn now() -> Time {
        Time(floor(Timestamp::now(), NANOS_PER_SECOND))
    }

    /// The instant `seconds` after the Unix epoch.
    ///
    /// ```
    /// use kapi_apimachinery::Time;
    ///
    /// let t = Time::from_unix_seconds(1_136_214_245)?;
    /// assert_eq!(t.to_string(), "2006-01-02T15:04:05Z");
    /// assert!(Time::from_unix_seconds(i64::MAX).is_err());
    /// # Ok::<(), kapi_apimachinery::time::TimeError>(())
    /// ```
    pub fn from_unix_seconds(seconds: i64) -> Result<Time, TimeError> {
        Timestamp::from_second(seconds)
            .map(Time)
            .map_err(|err| TimeError::OutOfRange(err.to_string()))
    }

    /// The wrapped timestamp.
    pub fn as_timestamp(&self) -> Timestamp {
        self.0
    }

    /// Seconds since the Unix epoch (floored).
    pub fn unix_seconds(&self) -> i64 {
        self.0.as_second() - i64::from(self.0.subsec_nanosecond() < 0)
    }

    /// The same instant without its fraction of a second, exactly as it
    /// would come back from the wire.
    pub fn truncated(self) -> Time {
        Time(floor(self.0, NANOS_PER_SECOND))
    }
}

impl MicroTime {
    /// The current time, truncated to whole microseconds.
    pub fn now() -> MicroTime {
        MicroTime(floor(Timestamp::now(), NANOS_PER_MICRO))
    }

    /// The wrapped timestamp.
    pub fn as_timestamp(&self) -> Timestamp {
        self.0
    }

    /// The same instant without its sub-microsecond part.
    pub fn truncated(self) -> MicroTime {
        MicroTime(floor(self.0, NANOS_PER_MICRO))
    }
}

/// Rounds toward the past to a multiple of `unit` nanoseconds.
fn floor(timestamp: Timestamp, unit: i128) -> Timestamp {
    let nanos = timestamp.as_nanosecond();
    // The minimum timestamp is a whole second, so flooring stays in range.
    Timestamp::from_nanosecond(nanos - nanos.rem_euclid(unit)).unwrap_or(timestamp)
}

/// Parses an RFC 3339 timestamp (`YYYY-MM-DDTHH:MM:SS[.frac](Z|±HH:MM)`).
fn parse_rfc3339(input: &str) -> Result<Timestamp, TimeError> {
    let invalid = |reason| TimeError::Invalid {
        input: input.chars().take(64).collect(),
        reason,
    };
    let b = input.as_bytes();
    if b.len() < 20 {
        return Err(invalid("too short"));
    }
    let separators_ok = b[4] == b'-'
        && b[7] == b'-'
        && matches!(b[10], b'T' | b't')
        && b[13] == b':'
        && b[16] == b':';
    if !separators_ok {
        return Err(invalid("expected YYYY-MM-DDTHH:MM:SS"));
    }
    let field =
        |range: std::ops::Range<usize>| number(&b[range]).ok_or_else(|| invalid("expected digits"));
    let (year, month, day) = (field(0..4)?, field(5..7)?, field(8..10)?);
    let (hour, minute, second) = (field(11..13)?, field(14..16)?, field(17..19)?);
    let mut pos = 19;
    let mut nanos = 0i32;
    if b[pos] == b'.' {
        let digits = b[pos + 1..]
            .iter()
            .take_while(|c| c.is_ascii_digit())
            .count();
        if digits == 0 {
            return Err(invalid("expected digits after '.'"));
        }
        for i in 0..9 {
            let digit = if i < digits { b[pos + 1 + i] - b'0' } else { 0 };
            nanos = nanos * 10 + i32::from(digit);
        }
        pos += 1 + digits;
    }
    let offset_seconds = match &b[pos..] {
        [b'Z' | b'z'] => 0,
        [sign @ (b'+' | b'-'), h1, h2, b':', m1, m2] => {
            let hours = number(&[*h1, *h2]).filter(|h| *h < 24);
            let minutes = number(&[*m1, *m2]).filter(|m| *m < 60);
            let (Some(hours), Some(minutes)) = (hours, minutes) else {
                return Err(invalid("bad UTC offset"));
            };
            let seconds = i32::from(hours) * 3600 + i32::from(minutes) * 60;
            if *sign == b'-' {
                -seconds
            } else {
                seconds
            }
        }
        _ => return Err(invalid("expected 'Z' or a ±HH:MM offset")),
    };
    let date_time = DateTime::new(
        year,
        month as i8,
        day as i8,
        hour as i8,
        minute as i8,
        second as i8,
        nanos,
    )
    .map_err(|_| invalid("date or time field out of range"))?;
    Offset::from_seconds(offset_seconds)
        .and_then(|offset| offset.to_timestamp(date_time))
        .map_err(|err| TimeError::OutOfRange(err.to_string()))
}

/// Reads 2 or 4 ASCII digits.
fn number(digits: &[u8]) -> Option<i16> {
    digits.iter().try_fold(0i16, |acc, &d| {
        d.is_ascii_digit().then(|| acc * 10 + i16::from(d - b'0'))
    })
}

/// Writes `timestamp` in UTC with 0 or 6 fractional digits.
fn write_rfc3339(f: &mut fmt::Formatter<'_>, timestamp: Timestamp, micros: bool) -> fmt::Result {
    let dt = Offset::UTC.to_datetime(timestamp);
    let year = dt.year();
    if year < 0 {
        write!(f, "-{:04}", -i32::from(year))?;
    } else {
        write!(f, "{year:04}")?;
    }
    write!(
        f,
        "-{:02}-{:02}T{:02}:{:02}:{:02}",
        dt.month(),
        dt.day(),
        dt.hour(),
        dt.minute(),
        dt.second()
    )?;
    if micros {
        write!(f, ".{:06}", dt.subsec_nanosecond() / 1000)?;
    }
    f.write_str("Z")
}

/// Whether the year fits the four digits RFC 3339 allows.
fn check_year<E: serde::ser::Error>(timestamp: Timestamp) -> Result<(), E> {
    if Offset::UTC.to_datetime(timestamp).year() < 0 {
        return Err(E::custom("timestamp year is outside 0000..=9999"));
    }
    Ok(())
}

macro_rules! timestamp_impls {
    ($ty:ident, $micros:expr, $what:literal) => {
        impl fmt::Display for $ty {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                write_rfc3339(f, self.0, $micros)
            }
        }

        impl FromStr for $ty {
            type Err = TimeError;

            fn from_str(input: &str) -> Result<$ty, TimeError> {
                parse_rfc3339(input).map($ty)
            }
        }

        impl From<Timestamp> for $ty {
            fn from(timestamp: Timestamp) -> $ty {
                $ty(timestamp)
            }
        }

        impl From<$ty> for Timestamp {
            fn from(value: $ty) -> Timestamp {
                value.0
            }
        }

        impl Serialize for $ty {
            fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
                check_year(self.0)?;
                serializer.collect_str(self)
            }
        }

        impl<'de> Deserialize<'de> for $ty {
            fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<$ty, D::Error> {
                struct TimestampVisitor;

                impl Visitor<'_> for TimestampVisitor {
                    type Value = $ty;

                    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                        f.write_str($what)
                    }

                    fn visit_str<E: de::Error>(self, value: &str) -> Result<$ty, E> {
                        value.parse().map_err(E::custom)
                    }
                }

                deserializer.deserialize_str(TimestampVisitor)
            }
        }
    };
}

timestamp_impls!(
    Time,
    false,
    "an RFC 3339 timestamp such as \"2006-01-02T15:04:05Z\""
);
timestamp_impls!(
    MicroTime,
    true,
    "an RFC 3339 timestamp such as \"2006-01-02T15:04:05.000000Z\""
);

impl From<Time> for MicroTime {
    fn from(time: Time) -> MicroTime {
        MicroTime(time.0)
    }
}

impl From<MicroTime> for Time {
    fn from(time: MicroTime) -> Time {
        Time(time.0)
    }
}
