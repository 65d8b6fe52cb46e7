//! One `key <op> values` condition of a label selector.

use std::fmt;

use super::{Labels, RequirementError};
use crate::validation::{is_qualified_name, is_valid_label_value};

/// The operator of a [`Requirement`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
#[non_exhaustive]
pub enum Operator {
    /// `key=value`: the label is present and equal to the value.
    Equals,
    /// `key==value`: same as [`Operator::Equals`], kept apart only so it prints back as `==`.
    DoubleEquals,
    /// `key!=value`: the label is absent, or present with another value.
    NotEquals,
    /// `key in (a,b)`: the label is present and equal to one of the values.
    In,
    /// `key notin (a,b)`: the label is absent, or present with none of the values.
    NotIn,
    /// `key`: the label is present.
    Exists,
    /// `!key`: the label is absent.
    DoesNotExist,
    /// `key>N`: the label is present, is an integer, and is greater than `N`.
    GreaterThan,
    /// `key<N`: the label is present, is an integer, and is less than `N`.
    LessThan,
}

impl Operator {
    /// The operator's symbol as written in selector strings (`"="`, `"in"`, `"!"`, ...);
    /// [`Operator::Exists`], which has no symbol, gives `"exists"`.
    pub fn as_str(self) -> &'static str {
        match self {
            Operator::Equals => "=",
            Operator::DoubleEquals => "==",
            Operator::NotEquals => "!=",
            Operator::In => "in",
            Operator::NotIn => "notin",
            Operator::Exists => "exists",
            Operator::DoesNotExist => "!",
            Operator::GreaterThan => ">",
            Operator::LessThan => "<",
        }
    }
}

impl fmt::Display for Operator {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A single condition on one label key. Build with [`Requirement::new`] (validated) or get one
/// from a parsed [`Selector`](super::Selector).
///
/// Values of `in` / `notin` are kept sorted and de-duplicated, so two requirements that select
/// the same set compare equal and print the same.
///
/// ```
/// use kapi_apimachinery::labels::{Operator, Requirement};
/// use std::collections::BTreeMap;
///
/// let r = Requirement::new("tier", Operator::NotIn, ["db", "cache"])?;
/// assert_eq!(r.to_string(), "tier notin (cache,db)");
/// assert!(r.matches(&BTreeMap::<String, String>::new())); // absent key: notin is true
/// # Ok::<(), kapi_apimachinery::labels::RequirementError>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Requirement {
    key: String,
    operator: Operator,
    values: Vec<String>,
}

impl Requirement {
    /// Builds a requirement, checking the key (a qualified name), every value (a label value),
    /// and the number of values the operator needs: one for `=`, `==`, `!=`, `>`, `<` (an
    /// integer for the last two), at least one for `in` / `notin`, none for exists /
    /// does-not-exist.
    pub fn new<K, I, V>(key: K, operator: Operator, values: I) -> Result<Self, RequirementError>
    where
        K: Into<String>,
        I: IntoIterator<Item = V>,
        V: Into<String>,
    {
        let key = key.into();
        check_key(&key)?;
        let values: Vec<String> = values.into_iter().map(Into::into).collect();
        for v in &values {
            check_value(&key, v)?;
        }
        check_operands(&key, operator, &values)?;
        Ok(Self::new_unchecked(key, operator, values))
    }

    /// Assembles a requirement whose parts were already validated; normalises set values.
    pub(super) fn new_unchecked(key: String, operator: Operator, mut values: Vec<String>) -> Self {
        if matches!(operator, Operator::In | Operator::NotIn) {
            values.sort_unstable();
            values.dedup();
        }
        Requirement {
            key,
            operator,
            values,
        }
    }

    /// The label key.
    pub fn key(&self) -> &str {
        &self.key
    }

    /// The operator.
    pub fn operator(&self) -> Operator {
        self.operator
    }

    /// The values: one for comparisons, a sorted set for `in` / `notin`, none for existence.
    pub fn values(&self) -> &[String] {
        &self.values
    }

    /// Whether `labels` satisfy this requirement.
    ///
    /// `!=` and `notin` are true when the key is absent; `>` and `<` are false when the key is
    /// absent or its value is not an integer.
    pub fn matches<L: Labels + ?Sized>(&self, labels: &L) -> bool {
        let value = labels.label_value(&self.key);
        match self.operator {
            Operator::Equals | Operator::DoubleEquals | Operator::In => {
                value.is_some_and(|v| self.has_value(v))
            }
            Operator::NotEquals | Operator::NotIn => value.is_none_or(|v| !self.has_value(v)),
            Operator::Exists => value.is_some(),
            Operator::DoesNotExist => value.is_none(),
            Operator::GreaterThan | Operator::LessThan => {
                let (Some(have), Some(want)) = (
                    value.and_then(|v| v.parse::<i64>().ok()),
                    self.values.first().and_then(|v| v.parse::<i64>().ok()),
                ) else {
                    return false;
                };
                if self.operator == Operator::GreaterThan {
                    have > want
                } else {
                    have < want
                }
            }
        }
    }

    fn has_value(&self, v: &str) -> bool {
        match self.values.as_slice() {
            [only] => only == v,
            many => many.binary_search_by(|x| x.as_str().cmp(v)).is_ok(),
        }
    }
}

impl fmt::Display for Requirement {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.operator {
            Operator::Exists => f.write_str(&self.key),
            Operator::DoesNotExist => write!(f, "!{}", self.key),
            Operator::In | Operator::NotIn => {
                write!(f, "{} {} (", self.key, self.operator)?;
                for (i, v) in self.values.iter().enumerate() {
                    if i > 0 {
                        f.write_str(",")?;
                    }
                    f.write_str(v)?;
                }
                f.write_str(")")
            }
            _ => {
                let value = self.values.first().map_or("", String::as_str);
                write!(f, "{}{}{}", self.key, self.operator, value)
            }
        }
    }
}

pub(super) fn check_key(key: &str) -> Result<(), RequirementError> {
    is_qualified_name(key).map_err(|source| RequirementError::InvalidKey {
        key: key.to_owned(),
        source,
    })
}

pub(super) fn check_value(key: &str, value: &str) -> Result<(), RequirementError> {
    is_valid_label_value(value).map_err(|source| RequirementError::InvalidValue {
        key: key.to_owned(),
        value: value.to_owned(),
        source,
    })
}

/// Checks value count (and integer-ness for `>` / `<`) for `operator`.
pub(super) fn check_operands(
    key: &str,
    operator: Operator,
    values: &[String],
) -> Result<(), RequirementError> {
    let expected = match operator {
        Operator::In | Operator::NotIn if values.is_empty() => "at least one value",
        Operator::Exists | Operator::DoesNotExist if !values.is_empty() => "no values",
        Operator::Equals
        | Operator::DoubleEquals
        | Operator::NotEquals
        | Operator::GreaterThan
        | Operator::LessThan
            if values.len() != 1 =>
        {
            "exactly one value"
        }
        Operator::GreaterThan | Operator::LessThan => {
            return match values {
                [v] if v.parse::<i64>().is_err() => Err(RequirementError::NotAnInteger {
                    key: key.to_owned(),
                    operator,
                    value: v.clone(),
                }),
                _ => Ok(()),
            };
        }
        _ => return Ok(()),
    };
    Err(RequirementError::WrongValueCount {
        key: key.to_owned(),
        operator,
        expected,
        got: values.len(),
    })
}
