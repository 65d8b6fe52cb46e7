//! The [`Selector`] type: an AND of requirements.

use std::fmt;
use std::str::FromStr;

use super::{parser, Labels, Operator, Requirement, RequirementError, SelectorParseError};

/// A label selector: the AND of its [`Requirement`]s.
///
/// Requirements are kept sorted by key (stable for equal keys), which is also the order
/// [`Display`](fmt::Display) prints them in, so `parse(s).to_string()` is the canonical form
/// of `s` and printing then parsing gives back an equal selector.
///
/// An empty selector ([`Selector::everything`], also what `""` parses to) matches every label
/// set. [`Selector::nothing`] matches none.
///
/// ```
/// use kapi_apimachinery::labels::Selector;
/// use std::collections::BTreeMap;
///
/// let sel: Selector = "tier in (web, api), !canary, env!=prod".parse()?;
/// assert_eq!(sel.to_string(), "!canary,env!=prod,tier in (api,web)");
///
/// let labels = BTreeMap::from([("tier".to_string(), "web".to_string())]);
/// assert!(sel.matches(&labels));
/// # Ok::<(), kapi_apimachinery::labels::SelectorParseError>(())
/// ```
#[derive(Debug, Clone, Default, PartialEq, Eq, Hash)]
pub struct Selector {
    requirements: Vec<Requirement>,
    nothing: bool,
}

impl Selector {
    /// The selector that matches every label set (no requirements).
    pub fn everything() -> Self {
        Selector::default()
    }

    /// A selector that matches no label set at all.
    ///
    /// It has no string form: it prints as `""` like upstream, which would parse back to
    /// [`Selector::everything`]. Check [`Selector::is_nothing`] before sending one to a server
    /// and skip the request instead.
    pub fn nothing() -> Self {
        Selector {
            requirements: Vec::new(),
            nothing: true,
        }
    }

    /// Parses a selector string such as `app=web,tier in (a,b),!legacy`.
    ///
    /// Errors name the offending token and its byte position, e.g.
    /// `unable to parse requirement: found end of string, expected: ',' or ')' at position 7`.
    pub fn parse(input: &str) -> Result<Self, SelectorParseError> {
        Ok(Self::from_requirements(parser::parse(input)?))
    }

    /// Builds a selector from requirements (already validated by [`Requirement::new`]).
    pub fn from_requirements(requirements: impl IntoIterator<Item = Requirement>) -> Self {
        let mut requirements: Vec<Requirement> = requirements.into_iter().collect();
        requirements.sort_by(|a, b| a.key().cmp(b.key()));
        Selector {
            requirements,
            nothing: false,
        }
    }

    /// An equality selector (`k1=v1,k2=v2,...`) from a label map, like upstream's
    /// `SelectorFromSet`. Fails if a key or value is not valid.
    ///
    /// ```
    /// use kapi_apimachinery::labels::Selector;
    /// use std::collections::BTreeMap;
    ///
    /// let map = BTreeMap::from([("app".to_string(), "web".to_string())]);
    /// assert_eq!(Selector::from_map(&map)?.to_string(), "app=web");
    /// assert_eq!(Selector::from_map([("b", "2"), ("a", "1")])?.to_string(), "a=1,b=2");
    /// # Ok::<(), kapi_apimachinery::labels::RequirementError>(())
    /// ```
    pub fn from_map<I, K, V>(map: I) -> Result<Self, RequirementError>
    where
        I: IntoIterator<Item = (K, V)>,
        K: AsRef<str>,
        V: AsRef<str>,
    {
        let reqs = map
            .into_iter()
            .map(|(k, v)| Requirement::new(k.as_ref(), Operator::Equals, [v.as_ref()]))
            .collect::<Result<Vec<_>, _>>()?;
        Ok(Self::from_requirements(reqs))
    }

    /// Adds one more requirement (AND), keeping key order. A [`Selector::nothing`] stays
    /// nothing.
    #[must_use]
    pub fn and(mut self, requirement: Requirement) -> Self {
        let at = self
            .requirements
            .partition_point(|r| r.key() <= requirement.key());
        self.requirements.insert(at, requirement);
        self
    }

    /// The requirements, sorted by key. Empty for both [`Selector::everything`] and
    /// [`Selector::nothing`]; tell them apart with [`Selector::is_nothing`].
    pub fn requirements(&self) -> &[Requirement] {
        &self.requirements
    }

    /// True if this selector matches everything (no requirements).
    pub fn is_empty(&self) -> bool {
        self.requirements.is_empty() && !self.nothing
    }

    /// True if this is [`Selector::nothing`].
    pub fn is_nothing(&self) -> bool {
        self.nothing
    }

    /// Whether `labels` satisfy every requirement.
    pub fn matches<L: Labels + ?Sized>(&self, labels: &L) -> bool {
        !self.nothing && self.requirements.iter().all(|r| r.matches(labels))
    }

    /// If the selector demands that `key` equal exactly one value (`key=v`, `key==v` or
    /// `key in (v)`), returns that value. Useful to narrow a lookup by an indexed label.
    pub fn requires_exact_match(&self, key: &str) -> Option<&str> {
        self.requirements
            .iter()
            .find_map(|r| match (r.operator(), r.values()) {
                (Operator::Equals | Operator::DoubleEquals | Operator::In, [v])
                    if r.key() == key =>
                {
                    Some(v.as_str())
                }
                _ => None,
            })
    }
}

impl fmt::Display for Selector {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, r) in self.requirements.iter().enumerate() {
            if i > 0 {
                f.write_str(",")?;
            }
            fmt::Display::fmt(r, f)?;
        }
        Ok(())
    }
}

impl FromStr for Selector {
    type Err = SelectorParseError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Selector::parse(s)
    }
}

impl From<Requirement> for Selector {
    fn from(r: Requirement) -> Self {
        Selector {
            requirements: vec![r],
            nothing: false,
        }
    }
}

impl serde::Serialize for Selector {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(self)
    }
}

impl<'de> serde::Deserialize<'de> for Selector {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let s = <std::borrow::Cow<'de, str>>::deserialize(deserializer)?;
        Selector::parse(&s).map_err(serde::de::Error::custom)
    }
}

/// Converts the parts of a meta/v1 `LabelSelector` into a [`Selector`], the way the API server
/// does: every `matchLabels` entry becomes `key=value`, every expression's operator must be one
/// of `In`, `NotIn`, `Exists`, `DoesNotExist` (anything else is
/// [`RequirementError::UnknownOperator`]); `In` / `NotIn` need at least one value, `Exists` /
/// `DoesNotExist` none. An empty selector (no labels, no expressions) selects everything.
///
/// (Upstream maps a *missing* — nil — `LabelSelector` to "nothing"; callers holding an
/// `Option` should do the same with [`Selector::nothing`].)
///
/// ```
/// use kapi_apimachinery::labels::from_label_selector_parts;
/// use std::collections::BTreeMap;
///
/// let labels = BTreeMap::from([("app".to_string(), "web".to_string())]);
/// let values = vec!["a".to_string(), "b".to_string()];
/// let sel = from_label_selector_parts(&labels, [("tier", "NotIn", values.as_slice())])?;
/// assert_eq!(sel.to_string(), "app=web,tier notin (a,b)");
/// assert!(from_label_selector_parts(&labels, [("tier", "Maybe", &[] as &[String])]).is_err());
/// # Ok::<(), kapi_apimachinery::labels::RequirementError>(())
/// ```
pub fn from_label_selector_parts<'a, K, V, S>(
    match_labels: impl IntoIterator<Item = (K, V)>,
    match_expressions: impl IntoIterator<Item = (&'a str, &'a str, &'a [S])>,
) -> Result<Selector, RequirementError>
where
    K: AsRef<str>,
    V: AsRef<str>,
    S: AsRef<str> + 'a,
{
    let mut reqs = Vec::new();
    for (k, v) in match_labels {
        reqs.push(Requirement::new(
            k.as_ref(),
            Operator::Equals,
            [v.as_ref()],
        )?);
    }
    for (key, operator, values) in match_expressions {
        let op = match operator {
            "In" => Operator::In,
            "NotIn" => Operator::NotIn,
            "Exists" => Operator::Exists,
            "DoesNotExist" => Operator::DoesNotExist,
            other => {
                return Err(RequirementError::UnknownOperator {
                    operator: other.to_owned(),
                })
            }
        };
        reqs.push(Requirement::new(key, op, values.iter().map(AsRef::as_ref))?);
    }
    Ok(Selector::from_requirements(reqs))
}
