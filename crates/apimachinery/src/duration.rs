//! Go-style duration strings such as `1h2m3.5s` (`metav1.Duration`).
//!
//! The text form is Go's `time.Duration`: a sequence of decimal numbers, each
//! with an optional fraction and a unit (`ns`, `us`, `µs`, `ms`, `s`, `m`,
//! `h`), e.g. `300ms`, `1.5h`, `2h45m`; plain `0` is also accepted. Printing
//! matches Go's `Duration.String()`: `1h2m3s`, `1.5s`, `100ms`, `0s`.
//!
//! Differences from Go, on purpose:
//!
//! * **No negative durations.** [`std::time::Duration`] cannot hold them, so
//!   `-1.5h` is a [`DurationError::Negative`] error (`-0s` is zero).
//! * **Exact fractions.** Fractions are computed in integers, not `f64`,
//!   truncating below one nanosecond.
//! * The range is Go's: at most `i64::MAX` nanoseconds (about 292 years);
//!   longer strings are [`DurationError::OutOfRange`], and serializing a
//!   longer value is an error rather than text Go could not read.
//!
//! ```
//! use kapi_apimachinery::Duration;
//!
//! # fn main() -> Result<(), Box<dyn std::error::Error>> {
//! let d: Duration = "1h2m3.004005006s".parse()?;
//! assert_eq!(d.0, std::time::Duration::new(3723, 4_005_006));
//! assert_eq!(d.to_string(), "1h2m3.004005006s");
//! assert_eq!(Duration::parse("90s")?.to_string(), "1m30s");
//! assert_eq!(serde_json::to_string(&Duration::parse("1.5s")?)?, r#""1.5s""#);
//! assert!(Duration::parse("-1.5h").is_err());
//! # Ok(())
//! # }
//! ```

use std::fmt::{self, Write as _};
use std::str::FromStr;

use serde::de::{self, Visitor};
use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// A duration serialized as a Go duration string such as `1h2m3.5s` (`metav1.Duration`).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Duration(pub std::time::Duration);

/// Why a string is not a valid Go duration.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum DurationError {
    /// The input was empty.
    #[error("invalid duration \"\": empty string")]
    Empty,
    /// Not of the form `[+-](<number><unit>)+`.
    #[error("invalid duration {input:?}")]
    Invalid {
        /// The offending input (at most 64 characters).
        input: String,
    },
    /// A number is not followed by a unit.
    #[error("invalid duration {input:?}: missing unit")]
    MissingUnit {
        /// The offending input (at most 64 characters).
        input: String,
    },
    /// A unit is not one of `ns us µs ms s m h`.
    #[error("invalid duration {input:?}: unknown unit {unit:?}")]
    UnknownUnit {
        /// The offending input (at most 64 characters).
        input: String,
        /// The unit found.
        unit: String,
    },
    /// The duration is negative, which `std::time::Duration` cannot hold.
    #[error("invalid duration {input:?}: negative durations are not supported")]
    Negative {
        /// The offending input (at most 64 characters).
        input: String,
    },
    /// Longer than `i64::MAX` nanoseconds (about 292 years).
    #[error("invalid duration {input:?}: out of range")]
    OutOfRange {
        /// The offending input (at most 64 characters).
        input: String,
    },
}

const NANOS_PER_SECOND: u128 = 1_000_000_000;
const MAX_NANOS: u128 = i64::MAX as u128;

impl Duration {
    /// The zero duration, printed `0s`.
    pub const ZERO: Duration = Duration(std::time::Duration::ZERO);

    /// The longest duration Go can represent: `i64::MAX` nanoseconds.
    pub const MAX: Duration = Duration(std::time::Duration::new(
        (MAX_NANOS / NANOS_PER_SECOND) as u64,
        (MAX_NANOS % NANOS_PER_SECOND) as u32,
    ));

    /// Parses a Go duration string; the same as [`str::parse`].
    pub fn parse(input: &str) -> Result<Duration, DurationError> {
        parse(input)
    }

    /// A duration of whole seconds.
    pub const fn from_secs(seconds: u64) -> Duration {
        Duration(std::time::Duration::from_secs(seconds))
    }

    /// A duration of whole milliseconds.
    pub const fn from_millis(millis: u64) -> Duration {
        Duration(std::time::Duration::from_millis(millis))
    }

    /// The wrapped `std::time::Duration`.
    pub const fn as_std(&self) -> std::time::Duration {
        self.0
    }
}

fn shorten(input: &str) -> String {
    input.chars().take(64).collect()
}

fn unit_nanos(unit: &str) -> Option<u128> {
    Some(match unit {
        "ns" => 1,
        "us" | "µs" | "μs" => 1_000,
        "ms" => 1_000_000,
        "s" => NANOS_PER_SECOND,
        "m" => 60 * NANOS_PER_SECOND,
        "h" => 3600 * NANOS_PER_SECOND,
        _ => return None,
    })
}

fn parse(input: &str) -> Result<Duration, DurationError> {
    let invalid = || DurationError::Invalid {
        input: shorten(input),
    };
    let out_of_range = || DurationError::OutOfRange {
        input: shorten(input),
    };
    let (negative, mut rest) = match input.as_bytes().first() {
        None => return Err(DurationError::Empty),
        Some(b'-') => (true, &input[1..]),
        Some(b'+') => (false, &input[1..]),
        Some(_) => (false, input),
    };
    if rest == "0" {
        return Ok(Duration::ZERO);
    }
    if rest.is_empty() {
        return Err(invalid());
    }
    let mut total: u128 = 0;
    while !rest.is_empty() {
        let int_len = rest.bytes().take_while(u8::is_ascii_digit).count();
        let int = &rest[..int_len];
        rest = &rest[int_len..];
        let mut frac = "";
        if let Some(after_dot) = rest.strip_prefix('.') {
            let frac_len = after_dot.bytes().take_while(u8::is_ascii_digit).count();
            frac = &after_dot[..frac_len];
            rest = &after_dot[frac_len..];
        }
        if int.is_empty() && frac.is_empty() {
            return Err(invalid());
        }
        let unit_len = rest
            .find(|c: char| c == '.' || c.is_ascii_digit())
            .unwrap_or(rest.len());
        if unit_len == 0 {
            return Err(DurationError::MissingUnit {
                input: shorten(input),
            });
        }
        let unit = &rest[..unit_len];
        rest = &rest[unit_len..];
        let scale = unit_nanos(unit).ok_or_else(|| DurationError::UnknownUnit {
            input: shorten(input),
            unit: shorten(unit),
        })?;
        let whole = digits_value(int)
            .and_then(|v| v.checked_mul(scale))
            .ok_or_else(out_of_range)?;
        // Digits past the 19th change the result by far less than a nanosecond.
        let frac = &frac[..frac.len().min(19)];
        let fraction = digits_value(frac).unwrap_or(0) * scale / 10u128.pow(frac.len() as u32);
        total = total
            .checked_add(whole + fraction)
            .filter(|&t| t <= MAX_NANOS)
            .ok_or_else(out_of_range)?;
    }
    if negative && total != 0 {
        return Err(DurationError::Negative {
            input: shorten(input),
        });
    }
    Ok(Duration(std::time::Duration::new(
        (total / NANOS_PER_SECOND) as u64,
        (total % NANOS_PER_SECOND) as u32,
    )))
}

/// The value of an ASCII digit string; `None` on overflow.
fn digits_value(digits: &str) -> Option<u128> {
    digits.bytes().try_fold(0u128, |acc, d| {
        acc.checked_mul(10)?.checked_add(u128::from(d - b'0'))
    })
}

/// Writes `value / 10^precision` with its fraction, trailing zeros removed.
fn write_fraction(out: &mut String, value: u128, precision: u32) -> fmt::Result {
    let divisor = 10u128.pow(precision);
    write!(out, "{}", value / divisor)?;
    let fraction = value % divisor;
    if fraction != 0 {
        let digits = format!("{fraction:0width$}", width = precision as usize);
        write!(out, ".{}", digits.trim_end_matches('0'))?;
    }
    Ok(())
}

impl fmt::Display for Duration {
    /// Formats like Go's `Duration.String()`: `1h2m3.5s`, `1.5ms`, `0s`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let nanos = self.0.as_nanos();
        let mut out = String::with_capacity(24);
        if nanos == 0 {
            out.push_str("0s");
        } else if nanos < 1_000 {
            write!(out, "{nanos}ns")?;
        } else if nanos < 1_000_000 {
            write_fraction(&mut out, nanos, 3)?;
            out.push_str("µs");
        } else if nanos < NANOS_PER_SECOND {
            write_fraction(&mut out, nanos, 6)?;
            out.push_str("ms");
        } else {
            let seconds = nanos / NANOS_PER_SECOND;
            let (hours, minutes) = (seconds / 3600, seconds / 60 % 60);
            if hours > 0 {
                write!(out, "{hours}h{minutes}m")?;
            } else if minutes > 0 {
                write!(out, "{minutes}m")?;
            }
            write_fraction(&mut out, nanos % (60 * NANOS_PER_SECOND), 9)?;
            out.push('s');
        }
        f.pad(&out)
    }
}

impl FromStr for Duration {
    type Err = DurationError;

    fn from_str(input: &str) -> Result<Duration, DurationError> {
        parse(input)
    }
}

impl From<std::time::Duration> for Duration {
    fn from(duration: std::time::Duration) -> Duration {
        Duration(duration)
    }
}

impl From<Duration> for std::time::Duration {
    fn from(duration: Duration) -> std::time::Duration {
        duration.0
    }
}

impl Serialize for Duration {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        if self.0.as_nanos() > MAX_NANOS {
            return Err(serde::ser::Error::custom(
                "duration longer than i64::MAX nanoseconds cannot be written as a Go duration",
            ));
        }
        serializer.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for Duration {
    /// Reads a Go duration string; numbers are rejected, as in Kubernetes.
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Duration, D::Error> {
        struct DurationVisitor;

        impl Visitor<'_> for DurationVisitor {
            type Value = Duration;

            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a Go duration string such as \"1h2m3s\"")
            }

            fn visit_str<E: de::Error>(self, value: &str) -> Result<Duration, E> {
                parse(value).map_err(E::custom)
            }
        }

        deserializer.deserialize_str(DurationVisitor)
    }
}
