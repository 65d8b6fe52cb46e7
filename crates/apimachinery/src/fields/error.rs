//! Error type of the field selector module.

use std::fmt;

/// A field selector string or term that is not valid.
///
/// Positions are 0-based byte offsets into the parsed string; terms built in code (not parsed)
/// have no position.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum FieldSelectorError {
    /// A term has no `=`, `==` or `!=`.
    #[error(
        "invalid field selector: can't understand '{term}' at position {position}; \
         expected field=value, field==value or field!=value"
    )]
    MissingOperator {
        /// The term as written.
        term: String,
        /// Where the term starts.
        position: usize,
    },
    /// A `\` in a value is followed by something other than `\`, `,` or `=` (or by nothing).
    #[error(
        "invalid field selector: invalid escape sequence '{sequence}' at position {position}; \
         only '\\\\', '\\,' and '\\=' are allowed"
    )]
    InvalidEscape {
        /// The bad sequence, e.g. `\x`, or a lone `\` at the end.
        sequence: String,
        /// Where the backslash is.
        position: usize,
    },
    /// A value contains an unescaped `=` (an unescaped `,` always ends the term).
    #[error(
        "invalid field selector: unescaped '{character}' in value at position {position}; \
         write it as '\\{character}'"
    )]
    UnescapedCharacter {
        /// The character.
        character: char,
        /// Where it is.
        position: usize,
    },
    /// The field name is empty or contains a character that cannot be written in a selector.
    #[error("invalid field selector: invalid field name '{field}': {reason}{}", At(*position))]
    InvalidField {
        /// The rejected field name.
        field: String,
        /// Why it was rejected.
        reason: &'static str,
        /// Where the term starts, when parsed.
        position: Option<usize>,
    },
}

/// Formats `" at position N"`, or nothing for `None`.
struct At(Option<usize>);

impl fmt::Display for At {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.0 {
            Some(p) => write!(f, " at position {p}"),
            None => Ok(()),
        }
    }
}
