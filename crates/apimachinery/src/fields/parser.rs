//! Splitting, escaping and unescaping of field selector strings.
//!
//! A selector is terms separated by unescaped `,`; empty terms are skipped. A term is a field
//! name, the first `!=`, `==` or `=` in it, then a value. In values `\\`, `\,` and `\=` stand for
//! `\`, `,` and `=`; any other backslash sequence, and an unescaped `=`, are errors. Field names
//! are taken literally (no escapes) and nothing is trimmed.

use std::borrow::Cow;

use super::{FieldOperator, FieldSelectorError, FieldTerm};

/// Splits at unescaped commas; returns `(start_offset, term)` pairs, without empty terms.
fn split_terms(input: &str) -> Vec<(usize, &str)> {
    let mut terms = Vec::new();
    let mut start = 0;
    let mut escaped = false;
    for (i, b) in input.bytes().enumerate() {
        match b {
            _ if escaped => escaped = false,
            b'\\' => escaped = true,
            b',' => {
                if i > start {
                    terms.push((start, &input[start..i]));
                }
                start = i + 1;
            }
            _ => {}
        }
    }
    if input.len() > start {
        terms.push((start, &input[start..]));
    }
    terms
}

/// Finds the first operator in `term`: at each position `!=`, then `==`, then `=`.
fn split_term(term: &str) -> Option<(&str, FieldOperator, &str)> {
    let bytes = term.as_bytes();
    bytes.iter().enumerate().find_map(|(i, &b)| {
        let (op, len) = match (b, bytes.get(i + 1)) {
            (b'!', Some(b'=')) => (FieldOperator::NotEquals, 2),
            (b'=', Some(b'=')) => (FieldOperator::Equals, 2),
            (b'=', _) => (FieldOperator::Equals, 1),
            _ => return None,
        };
        // `!` and `=` are ASCII, so `i` and `i + len` are character boundaries.
        Some((&term[..i], op, &term[i + len..]))
    })
}

/// Resolves escapes in a value that starts at byte `offset` of the input.
pub(super) fn unescape(value: &str, offset: usize) -> Result<Cow<'_, str>, FieldSelectorError> {
    if !value.contains(['\\', ',', '=']) {
        return Ok(Cow::Borrowed(value));
    }
    let mut out = String::with_capacity(value.len());
    let mut chars = value.char_indices();
    while let Some((i, c)) = chars.next() {
        match c {
            '\\' => match chars.next() {
                Some((_, e @ ('\\' | ',' | '='))) => out.push(e),
                other => {
                    let sequence = other.map_or_else(|| "\\".to_owned(), |(_, e)| format!("\\{e}"));
                    return Err(FieldSelectorError::InvalidEscape {
                        sequence,
                        position: offset + i,
                    });
                }
            },
            ',' | '=' => {
                return Err(FieldSelectorError::UnescapedCharacter {
                    character: c,
                    position: offset + i,
                })
            }
            _ => out.push(c),
        }
    }
    Ok(Cow::Owned(out))
}

/// Escapes `\`, `,` and `=` in a value so it can be written into a selector.
///
/// ```
/// use kapi_apimachinery::fields::escape_value;
/// assert_eq!(escape_value(r"a,b=c\d"), r"a\,b\=c\\d");
/// ```
pub fn escape_value(value: &str) -> Cow<'_, str> {
    if !value.contains(['\\', ',', '=']) {
        return Cow::Borrowed(value);
    }
    let mut out = String::with_capacity(value.len() + 4);
    for c in value.chars() {
        if matches!(c, '\\' | ',' | '=') {
            out.push('\\');
        }
        out.push(c);
    }
    Cow::Owned(out)
}

/// Parses a whole selector into terms in input order.
pub(super) fn parse(input: &str) -> Result<Vec<FieldTerm>, FieldSelectorError> {
    split_terms(input)
        .into_iter()
        .map(|(start, term)| {
            let (field, op, raw) =
                split_term(term).ok_or_else(|| FieldSelectorError::MissingOperator {
                    term: term.to_owned(),
                    position: start,
                })?;
            let value_offset = start + term.len() - raw.len();
            let value = unescape(raw, value_offset)?.into_owned();
            FieldTerm::checked(field, op, value, Some(start))
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn splits_at_unescaped_commas_only() {
        let terms = split_terms(r"a=b\,c,,d=e\\,f=g,");
        assert_eq!(terms, [(0, r"a=b\,c"), (8, r"d=e\\"), (14, "f=g")]);
        assert!(split_terms("").is_empty());
        assert!(split_terms(",,").is_empty());
    }

    #[test]
    fn first_operator_wins() {
        assert_eq!(
            split_term("a!=b"),
            Some(("a", FieldOperator::NotEquals, "b"))
        );
        assert_eq!(split_term("a==b"), Some(("a", FieldOperator::Equals, "b")));
        assert_eq!(
            split_term("a=!=b"),
            Some(("a", FieldOperator::Equals, "!=b"))
        );
        assert_eq!(
            split_term("a!b=c"),
            Some(("a!b", FieldOperator::Equals, "c"))
        );
        assert_eq!(
            split_term("é!=ü"),
            Some(("é", FieldOperator::NotEquals, "ü"))
        );
        assert_eq!(split_term("ab"), None);
        assert_eq!(split_term("a!"), None);
    }

    #[test]
    fn unescape_rules() {
        assert_eq!(unescape(r"a\,b\=c\\", 0).ok().as_deref(), Some(r"a,b=c\"));
        assert!(matches!(
            unescape(r"ab\x", 10),
            Err(FieldSelectorError::InvalidEscape { position: 12, .. })
        ));
        assert!(matches!(
            unescape("ab\\", 0),
            Err(FieldSelectorError::InvalidEscape { .. })
        ));
        assert!(matches!(
            unescape("a=b", 0),
            Err(FieldSelectorError::UnescapedCharacter {
                character: '=',
                position: 1
            })
        ));
    }
}
