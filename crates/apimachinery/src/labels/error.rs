//! Error types of the label selector module.

use super::Operator;
use crate::validation::ValidationError;

/// A requirement that cannot be built: bad key, bad value, wrong number of values, or an
/// unknown operator name in a `LabelSelector` API object.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum RequirementError {
    /// The key is not a qualified name (optional DNS subdomain prefix + `/` + name).
    #[error("invalid label key '{key}': {source}")]
    InvalidKey {
        /// The rejected key.
        key: String,
        /// Why it was rejected.
        source: ValidationError,
    },
    /// A value is not a valid label value.
    #[error("invalid label value '{value}' for key '{key}': {source}")]
    InvalidValue {
        /// The requirement's key.
        key: String,
        /// The rejected value.
        value: String,
        /// Why it was rejected.
        source: ValidationError,
    },
    /// The operator got a number of values it does not accept.
    #[error("operator '{operator}' on key '{key}' needs {expected}, got {got}")]
    WrongValueCount {
        /// The requirement's key.
        key: String,
        /// The operator.
        operator: Operator,
        /// What the operator needs, e.g. "exactly one value".
        expected: &'static str,
        /// How many values were given.
        got: usize,
    },
    /// `>` / `<` need a value that parses as a 64-bit integer.
    #[error("operator '{operator}' on key '{key}' needs an integer value, got '{value}'")]
    NotAnInteger {
        /// The requirement's key.
        key: String,
        /// The operator (`>` or `<`).
        operator: Operator,
        /// The rejected value.
        value: String,
    },
    /// A `LabelSelector` expression used an operator other than `In`, `NotIn`, `Exists` or
    /// `DoesNotExist`.
    #[error("'{operator}' is not a valid label selector operator")]
    UnknownOperator {
        /// The operator name as it appeared.
        operator: String,
    },
}

/// A label selector string that cannot be parsed.
///
/// Every message starts with `unable to parse requirement:` (the API server answers `400` with
/// it) and names the position, a 0-based byte offset into the input.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum SelectorParseError {
    /// An unexpected token.
    #[error(
        "unable to parse requirement: found {found}, expected: {expected} at position {position}"
    )]
    Syntax {
        /// The offending token, quoted (`'('`), or `end of string`.
        found: String,
        /// What the parser expected instead.
        expected: &'static str,
        /// Byte offset of the offending token.
        position: usize,
    },
    /// The syntax is fine but a requirement is invalid (bad key or value).
    #[error("unable to parse requirement: {source} at position {position}")]
    Requirement {
        /// Byte offset of the offending key or value.
        position: usize,
        /// What is wrong with the requirement.
        source: RequirementError,
    },
}

impl SelectorParseError {
    /// Byte offset into the input at which the problem was found.
    pub fn position(&self) -> usize {
        match self {
            SelectorParseError::Syntax { position, .. }
            | SelectorParseError::Requirement { position, .. } => *position,
        }
    }
}
