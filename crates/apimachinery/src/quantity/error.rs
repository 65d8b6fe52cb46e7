//! The error returned when a quantity string cannot be parsed.

/// Longest piece of the offending input kept in an error message.
const MAX_INPUT_IN_ERROR: usize = 64;

/// Why a string is not a valid [`Quantity`](super::Quantity).
///
/// Every variant carries the offending input (cut to 64 characters so that a
/// hostile document cannot blow up log lines).
///
/// ```
/// use kapi_apimachinery::quantity::QuantityError;
/// use kapi_apimachinery::Quantity;
///
/// let err = "1.5Xi".parse::<Quantity>().unwrap_err();
/// assert!(matches!(err, QuantityError::UnknownSuffix { ref suffix, .. } if suffix == "Xi"));
/// assert_eq!(err.to_string(), r#"invalid quantity "1.5Xi": unknown suffix "Xi""#);
/// ```
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum QuantityError {
    /// The input was the empty string.
    #[error("invalid quantity \"\": empty string")]
    Empty,
    /// The numeric part is malformed: no digits, two signs, two decimal points…
    #[error("invalid quantity {input:?}: malformed number")]
    BadNumber {
        /// The offending input.
        input: String,
    },
    /// The number is followed by something that is not a known suffix.
    #[error("invalid quantity {input:?}: unknown suffix {suffix:?}")]
    UnknownSuffix {
        /// The offending input.
        input: String,
        /// The part after the number.
        suffix: String,
    },
    /// The value is too large to represent (its magnitude must stay below
    /// about 1.7·10²⁹, see [`Quantity::MAX`](super::Quantity::MAX)).
    #[error("invalid quantity {input:?}: value out of range")]
    OutOfRange {
        /// The offending input.
        input: String,
    },
}

impl QuantityError {
    /// The input that failed to parse (possibly shortened), or `""` for [`QuantityError::Empty`].
    pub fn input(&self) -> &str {
        match self {
            QuantityError::Empty => "",
            QuantityError::BadNumber { input }
            | QuantityError::UnknownSuffix { input, .. }
            | QuantityError::OutOfRange { input } => input,
        }
    }

    pub(super) fn bad_number(input: &str) -> Self {
        QuantityError::BadNumber {
            input: shorten(input),
        }
    }

    pub(super) fn unknown_suffix(input: &str, suffix: &str) -> Self {
        QuantityError::UnknownSuffix {
            input: shorten(input),
            suffix: shorten(suffix),
        }
    }

    pub(super) fn out_of_range(input: &str) -> Self {
        QuantityError::OutOfRange {
            input: shorten(input),
        }
    }
}

/// Keeps at most [`MAX_INPUT_IN_ERROR`] characters, marking the cut with `…`.
fn shorten(input: &str) -> String {
    match input.char_indices().nth(MAX_INPUT_IN_ERROR) {
        Some((cut, _)) => format!("{}…", &input[..cut]),
        None => input.to_owned(),
    }
}
