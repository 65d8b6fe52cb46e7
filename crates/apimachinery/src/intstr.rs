//! Values that are either a 32-bit integer or a string (`intstr.IntOrString`).
//!
//! Kubernetes uses them for ports (`8080` or `"http"`) and for rollout
//! limits (`3` or `"25%"`). On the wire a JSON/YAML number becomes
//! [`IntOrString::Int`] and a string becomes [`IntOrString::String`]; numbers
//! that are not integers or do not fit an `i32` are rejected. Serialization
//! writes them back the same way.
//!
//! ```
//! use kapi_apimachinery::IntOrString;
//!
//! # fn main() -> Result<(), Box<dyn std::error::Error>> {
//! let surge: IntOrString = serde_json::from_str(r#""25%""#)?;
//! assert_eq!(surge.scaled_value_from_int_or_percent(10, true)?, 3);
//! assert_eq!(surge.scaled_value_from_int_or_percent(10, false)?, 2);
//!
//! let port: IntOrString = serde_json::from_str("8080")?;
//! assert_eq!(port, IntOrString::Int(8080));
//! assert_eq!(serde_json::to_string(&port)?, "8080");
//! assert!(serde_json::from_str::<IntOrString>("1.5").is_err());
//! # Ok(())
//! # }
//! ```

use std::fmt;

use serde::de::{self, Visitor};
use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// A value that is either a 32-bit integer or a string (`intstr.IntOrString`).
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum IntOrString {
    /// A JSON number.
    Int(i32),
    /// A JSON string.
    String(String),
}

/// Why an [`IntOrString`] could not be turned into a number.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum IntOrStringError {
    /// The string is not a base-10 `i32`.
    #[error("invalid integer {0:?}")]
    NotAnInteger(String),
    /// A percentage was required but the string has no trailing `%`.
    #[error("invalid value {0:?}: not a percentage")]
    NotAPercentage(String),
    /// The percentage before the `%` is not an integer.
    #[error("invalid percentage {0:?}")]
    BadPercentage(String),
    /// The scaled result does not fit an `i32`.
    #[error("{value} of {total} does not fit a 32-bit integer")]
    OutOfRange {
        /// The original value.
        value: String,
        /// The total it was scaled against.
        total: i32,
    },
}

impl IntOrString {
    /// An integer value.
    pub fn from_int(value: i32) -> IntOrString {
        IntOrString::Int(value)
    }

    /// A string value, kept as is even if it looks like a number
    /// (see [`IntOrString::parse`] for the other behaviour).
    #[allow(clippy::should_implement_trait)]
    pub fn from_str(value: &str) -> IntOrString {
        IntOrString::String(value.to_owned())
    }

    /// An integer if `value` is a base-10 `i32`, else a string (`intstr.Parse`).
    ///
    /// ```
    /// use kapi_apimachinery::IntOrString;
    ///
    /// assert_eq!(IntOrString::parse("42"), IntOrString::Int(42));
    /// assert_eq!(IntOrString::parse("http"), IntOrString::String("http".into()));
    /// ```
    pub fn parse(value: &str) -> IntOrString {
        match value.parse::<i32>() {
            Ok(int) => IntOrString::Int(int),
            Err(_) => IntOrString::String(value.to_owned()),
        }
    }

    /// The integer, parsing the string form if needed.
    ///
    /// ```
    /// use kapi_apimachinery::IntOrString;
    ///
    /// assert_eq!(IntOrString::from_str("12").int_value(), Ok(12));
    /// assert!(IntOrString::from_str("http").int_value().is_err());
    /// ```
    pub fn int_value(&self) -> Result<i32, IntOrStringError> {
        match self {
            IntOrString::Int(value) => Ok(*value),
            IntOrString::String(text) => text
                .parse()
                .map_err(|_| IntOrStringError::NotAnInteger(text.clone())),
        }
    }

    /// Whether this is the integer form.
    pub fn is_int(&self) -> bool {
        matches!(self, IntOrString::Int(_))
    }

    /// The string form, if this is one.
    pub fn as_str(&self) -> Option<&str> {
        match self {
            IntOrString::Int(_) => None,
            IntOrString::String(text) => Some(text),
        }
    }

    /// Resolves an absolute number or a percentage of `total`
    /// (`GetScaledValueFromIntOrPercent`).
    ///
    /// An integer is returned unchanged. A string must be an integer followed
    /// by `%`; the percentage of `total` is rounded up (ceiling) when
    /// `round_up`, else down (floor), computed exactly in integers. Other
    /// strings, and results that do not fit an `i32`, are errors.
    ///
    /// ```
    /// use kapi_apimachinery::IntOrString;
    ///
    /// let quarter = IntOrString::from_str("25%");
    /// assert_eq!(quarter.scaled_value_from_int_or_percent(10, true), Ok(3));
    /// assert_eq!(quarter.scaled_value_from_int_or_percent(10, false), Ok(2));
    /// assert_eq!(IntOrString::Int(7).scaled_value_from_int_or_percent(10, true), Ok(7));
    /// assert!(IntOrString::from_str("25").scaled_value_from_int_or_percent(10, true).is_err());
    /// ```
    pub fn scaled_value_from_int_or_percent(
        &self,
        total: i32,
        round_up: bool,
    ) -> Result<i32, IntOrStringError> {
        let text = match self {
            IntOrString::Int(value) => return Ok(*value),
            IntOrString::String(text) => text,
        };
        let percent = text
            .strip_suffix('%')
            .ok_or_else(|| IntOrStringError::NotAPercentage(text.clone()))?
            .parse::<i64>()
            .map_err(|_| IntOrStringError::BadPercentage(text.clone()))?;
        let product = i128::from(percent) * i128::from(total);
        let scaled = if round_up {
            -((-product).div_euclid(100))
        } else {
            product.div_euclid(100)
        };
        i32::try_from(scaled).map_err(|_| IntOrStringError::OutOfRange {
            value: text.clone(),
            total,
        })
    }
}

impl Default for IntOrString {
    /// `Int(0)`, the zero value in Kubernetes.
    fn default() -> IntOrString {
        IntOrString::Int(0)
    }
}

impl From<i32> for IntOrString {
    fn from(value: i32) -> IntOrString {
        IntOrString::Int(value)
    }
}

impl From<&str> for IntOrString {
    fn from(value: &str) -> IntOrString {
        IntOrString::String(value.to_owned())
    }
}

impl From<String> for IntOrString {
    fn from(value: String) -> IntOrString {
        IntOrString::String(value)
    }
}

impl fmt::Display for IntOrString {
    /// The number, or the string without quotes.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            IntOrString::Int(value) => write!(f, "{value}"),
            IntOrString::String(text) => f.write_str(text),
        }
    }
}

impl Serialize for IntOrString {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        match self {
            IntOrString::Int(value) => serializer.serialize_i32(*value),
            IntOrString::String(text) => serializer.serialize_str(text),
        }
    }
}

impl<'de> Deserialize<'de> for IntOrString {
    /// A number must be an integer within `i32`; a string is kept as is.
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<IntOrString, D::Error> {
        deserializer.deserialize_any(IntOrStringVisitor)
    }
}

struct IntOrStringVisitor;

impl Visitor<'_> for IntOrStringVisitor {
    type Value = IntOrString;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a 32-bit integer or a string")
    }

    fn visit_i64<E: de::Error>(self, value: i64) -> Result<IntOrString, E> {
        i32::try_from(value).map(IntOrString::Int).map_err(|_| {
            E::custom(format!(
                "integer {value} is out of range for a 32-bit integer"
            ))
        })
    }

    fn visit_u64<E: de::Error>(self, value: u64) -> Result<IntOrString, E> {
        i32::try_from(value).map(IntOrString::Int).map_err(|_| {
            E::custom(format!(
                "integer {value} is out of range for a 32-bit integer"
            ))
        })
    }

    fn visit_f64<E: de::Error>(self, value: f64) -> Result<IntOrString, E> {
        Err(E::custom(format!(
            "number {value} is not an integer (expected a 32-bit integer or a string)"
        )))
    }

    fn visit_str<E: de::Error>(self, value: &str) -> Result<IntOrString, E> {
        Ok(IntOrString::String(value.to_owned()))
    }

    fn visit_string<E: de::Error>(self, value: String) -> Result<IntOrString, E> {
        Ok(IntOrString::String(value))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn percent_rounding_handles_negatives_and_extremes() {
        let scale = |s: &str, total, up| {
            IntOrString::from_str(s).scaled_value_from_int_or_percent(total, up)
        };
        assert_eq!(scale("-25%", 10, true), Ok(-2));
        assert_eq!(scale("-25%", 10, false), Ok(-3));
        assert_eq!(scale("100%", i32::MAX, true), Ok(i32::MAX));
        assert_eq!(scale("0%", 7, true), Ok(0));
        assert_eq!(scale("33%", 3, false), Ok(0));
        assert_eq!(scale("33%", 3, true), Ok(1));
        assert!(matches!(
            scale("201%", i32::MAX, false),
            Err(IntOrStringError::OutOfRange { .. })
        ));
        assert!(matches!(
            scale("x%", 1, false),
            Err(IntOrStringError::BadPercentage(_))
        ));
        assert!(matches!(
            scale("%", 1, false),
            Err(IntOrStringError::BadPercentage(_))
        ));
        assert!(matches!(
            scale("5", 1, false),
            Err(IntOrStringError::NotAPercentage(_))
        ));
    }
}
