//! [`FieldSelector`] and its terms.

use std::fmt;
use std::str::FromStr;

use super::{escape_value, parser, FieldSelectorError, Fields};

/// The operator of a [`FieldTerm`]. `==` parses as [`FieldOperator::Equals`] and prints as `=`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum FieldOperator {
    /// `field=value` (or `field==value`): the field's value equals `value`.
    Equals,
    /// `field!=value`: the field's value differs from `value`.
    NotEquals,
}

impl FieldOperator {
    /// `"="` or `"!="`.
    pub fn as_str(self) -> &'static str {
        match self {
            FieldOperator::Equals => "=",
            FieldOperator::NotEquals => "!=",
        }
    }
}

impl fmt::Display for FieldOperator {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// One `field <op> value` term. The value is stored unescaped.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct FieldTerm {
    field: String,
    operator: FieldOperator,
    value: String,
}

impl FieldTerm {
    /// Builds a term. The field name must be non-empty, must not contain `,`, `=` or `\` and
    /// must not end with `!` (so the term prints unambiguously); the value may be anything.
    pub fn new(
        field: impl Into<String>,
        operator: FieldOperator,
        value: impl Into<String>,
    ) -> Result<Self, FieldSelectorError> {
        Self::checked(&field.into(), operator, value.into(), None)
    }

    pub(super) fn checked(
        field: &str,
        operator: FieldOperator,
        value: String,
        position: Option<usize>,
    ) -> Result<Self, FieldSelectorError> {
        let reason = if field.is_empty() {
            Some("must not be empty")
        } else if field.contains([',', '=', '\\']) {
            Some("must not contain ',', '=' or '\\'")
        } else if field.ends_with('!') {
            Some("must not end with '!'")
        } else {
            None
        };
        if let Some(reason) = reason {
            return Err(FieldSelectorError::InvalidField {
                field: field.to_owned(),
                reason,
                position,
            });
        }
        Ok(FieldTerm {
            field: field.to_owned(),
            operator,
            value,
        })
    }

    /// The field name, e.g. `metadata.name`.
    pub fn field(&self) -> &str {
        &self.field
    }

    /// The operator.
    pub fn operator(&self) -> FieldOperator {
        self.operator
    }

    /// The (unescaped) value.
    pub fn value(&self) -> &str {
        &self.value
    }

    /// The same term on another field name (for renames in
    /// [`FieldSelector::try_map_fields`]).
    pub fn with_field(&self, field: impl Into<String>) -> Result<Self, FieldSelectorError> {
        Self::new(field, self.operator, self.value.clone())
    }

    /// The bytes of this term's printed form, without allocating (for canonical ordering).
    fn printed_bytes(&self) -> impl Iterator<Item = u8> + '_ {
        let escaped = self.value.bytes().flat_map(|b| {
            let escape = matches!(b, b'\\' | b',' | b'=').then_some(b'\\');
            escape.into_iter().chain(std::iter::once(b))
        });
        self.field
            .bytes()
            .chain(self.operator.as_str().bytes())
            .chain(escaped)
    }

    /// Whether `fields` satisfy this term; a missing field counts as the empty string.
    pub fn matches<F: Fields + ?Sized>(&self, fields: &F) -> bool {
        let have = fields.field_value(&self.field);
        let equal = have.as_deref().unwrap_or("") == self.value;
        equal == (self.operator == FieldOperator::Equals)
    }
}

impl fmt::Display for FieldTerm {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{}{}{}",
            self.field,
            self.operator,
            escape_value(&self.value)
        )
    }
}

/// A field selector: the AND of [`FieldTerm`]s. Empty matches everything.
///
/// Terms are kept in the order of their printed form (as upstream sorts its terms), so
/// [`Display`](fmt::Display) is canonical and round-trips through [`FieldSelector::parse`].
///
/// ```
/// use kapi_apimachinery::fields::FieldSelector;
/// use std::collections::BTreeMap;
///
/// let sel = FieldSelector::parse(r"status.phase!=Failed,metadata.name=a\,b")?;
/// assert_eq!(sel.to_string(), r"metadata.name=a\,b,status.phase!=Failed");
/// assert_eq!(sel.requires_exact_match("metadata.name"), Some("a,b"));
///
/// let pod = BTreeMap::from([("metadata.name".to_string(), "a,b".to_string())]);
/// assert!(sel.matches(&pod)); // status.phase is missing, i.e. "", which is != "Failed"
/// # Ok::<(), kapi_apimachinery::fields::FieldSelectorError>(())
/// ```
#[derive(Debug, Clone, Default, PartialEq, Eq, Hash)]
pub struct FieldSelector {
    terms: Vec<FieldTerm>,
}

impl FieldSelector {
    /// The selector with no terms, which matches everything.
    pub fn everything() -> Self {
        FieldSelector::default()
    }

    /// Parses a selector such as `metadata.name=web,spec.nodeName!=`. Empty terms (`a=b,,c=d`,
    /// a trailing comma) are skipped like upstream; nothing is trimmed.
    pub fn parse(input: &str) -> Result<Self, FieldSelectorError> {
        Ok(Self::from_terms(parser::parse(input)?))
    }

    /// Builds a selector from terms.
    pub fn from_terms(terms: impl IntoIterator<Item = FieldTerm>) -> Self {
        let mut terms: Vec<FieldTerm> = terms.into_iter().collect();
        terms.sort_by(|a, b| a.printed_bytes().cmp(b.printed_bytes()));
        FieldSelector { terms }
    }

    /// The one-term selector `field=value`.
    ///
    /// ```
    /// use kapi_apimachinery::fields::FieldSelector;
    /// let sel = FieldSelector::one_term_equal("spec.nodeName", "node-1")?;
    /// assert_eq!(sel.to_string(), "spec.nodeName=node-1");
    /// # Ok::<(), kapi_apimachinery::fields::FieldSelectorError>(())
    /// ```
    pub fn one_term_equal(
        field: impl Into<String>,
        value: impl Into<String>,
    ) -> Result<Self, FieldSelectorError> {
        Ok(FieldSelector {
            terms: vec![FieldTerm::new(field, FieldOperator::Equals, value)?],
        })
    }

    /// Adds a term (AND).
    #[must_use]
    pub fn and(self, term: FieldTerm) -> Self {
        Self::from_terms(self.terms.into_iter().chain([term]))
    }

    /// The terms, in canonical order.
    pub fn terms(&self) -> &[FieldTerm] {
        &self.terms
    }

    /// True if there are no terms (matches everything).
    pub fn is_empty(&self) -> bool {
        self.terms.is_empty()
    }

    /// Whether `fields` satisfy every term. A field missing from `fields` has the value `""`,
    /// like upstream's `fields.Set`: `spec.nodeName=` matches an unscheduled pod and
    /// `spec.nodeName!=` a scheduled one.
    pub fn matches<F: Fields + ?Sized>(&self, fields: &F) -> bool {
        self.terms.iter().all(|t| t.matches(fields))
    }

    /// If some term is `field=value`, returns that value (the first such), so a server can
    /// look an object up by name instead of scanning, e.g. for `metadata.name=x`.
    pub fn requires_exact_match(&self, field: &str) -> Option<&str> {
        self.terms
            .iter()
            .find(|t| t.operator == FieldOperator::Equals && t.field == field)
            .map(|t| t.value.as_str())
    }

    /// Rewrites every term with `f`: return `Ok(Some(term))` to keep or replace it, `Ok(None)`
    /// to drop it, or an error to stop. Servers use this to rename legacy fields or to reject
    /// unsupported ones.
    ///
    /// ```
    /// use kapi_apimachinery::fields::{FieldSelector, FieldSelectorError};
    ///
    /// let sel = FieldSelector::parse("spec.host=n1,metadata.name=x")?;
    /// let renamed = sel.try_map_fields(|t| match t.field() {
    ///     "spec.host" => t.with_field("spec.nodeName").map(Some),
    ///     _ => Ok(Some(t.clone())),
    /// })?;
    /// assert_eq!(renamed.to_string(), "metadata.name=x,spec.nodeName=n1");
    ///
    /// let supported = ["metadata.name"];
    /// let err = sel.try_map_fields(|t| {
    ///     if supported.contains(&t.field()) {
    ///         Ok(Some(t.clone()))
    ///     } else {
    ///         Err(format!("field label not supported: {}", t.field()))
    ///     }
    /// });
    /// assert_eq!(err.unwrap_err(), "field label not supported: spec.host");
    /// # Ok::<(), FieldSelectorError>(())
    /// ```
    pub fn try_map_fields<E, F>(&self, mut f: F) -> Result<FieldSelector, E>
    where
        F: FnMut(&FieldTerm) -> Result<Option<FieldTerm>, E>,
    {
        let mut terms = Vec::with_capacity(self.terms.len());
        for t in &self.terms {
            if let Some(new) = f(t)? {
                terms.push(new);
            }
        }
        Ok(Self::from_terms(terms))
    }
}

impl fmt::Display for FieldSelector {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, t) in self.terms.iter().enumerate() {
            if i > 0 {
                f.write_str(",")?;
            }
            fmt::Display::fmt(t, f)?;
        }
        Ok(())
    }
}

impl FromStr for FieldSelector {
    type Err = FieldSelectorError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        FieldSelector::parse(s)
    }
}

impl From<FieldTerm> for FieldSelector {
    fn from(t: FieldTerm) -> Self {
        FieldSelector { terms: vec![t] }
    }
}

impl serde::Serialize for FieldSelector {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(self)
    }
}

impl<'de> serde::Deserialize<'de> for FieldSelector {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let s = <std::borrow::Cow<'de, str>>::deserialize(deserializer)?;
        FieldSelector::parse(&s).map_err(serde::de::Error::custom)
    }
}
