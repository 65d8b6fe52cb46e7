//! Label selectors: parse, print, build and match.
//!
//! A [`Selector`] is the AND of [`Requirement`]s, each one condition on a label key:
//!
//! | syntax | [`Operator`] | true when |
//! |---|---|---|
//! | `k=v`, `k==v` | `Equals`, `DoubleEquals` | `k` is present and equals `v` |
//! | `k!=v` | `NotEquals` | `k` is absent or differs from `v` |
//! | `k in (a,b)` | `In` | `k` is present and is `a` or `b` |
//! | `k notin (a,b)` | `NotIn` | `k` is absent or is neither `a` nor `b` |
//! | `k` | `Exists` | `k` is present |
//! | `!k` | `DoesNotExist` | `k` is absent |
//! | `k>N`, `k<N` | `GreaterThan`, `LessThan` | `k` is present, an integer, and `>` / `<` `N` |
//!
//! Keys must be qualified names (`[prefix/]name`, see
//! [`is_qualified_name`](crate::validation::is_qualified_name)); values must be valid label
//! values (63 characters at most, possibly empty). Spaces are allowed around operators and
//! inside parentheses. Parse errors ([`SelectorParseError`]) read like the API server's,
//! `unable to parse requirement: ...`, and carry the byte position of the problem.
//!
//! Anything that maps a key to a value can be matched: implement [`Labels`] (done for
//! `BTreeMap<String, String>`, `HashMap<String, String>` and references to them).
//!
//! # Example
//!
//! ```
//! use kapi_apimachinery::labels::{Operator, Requirement, Selector};
//! use std::collections::BTreeMap;
//!
//! let sel = Selector::parse("app=web, tier in (frontend, api), !canary")?;
//! let mut labels = BTreeMap::new();
//! labels.insert("app".to_string(), "web".to_string());
//! labels.insert("tier".to_string(), "api".to_string());
//! assert!(sel.matches(&labels));
//!
//! labels.insert("canary".to_string(), "true".to_string());
//! assert!(!sel.matches(&labels));
//!
//! // Canonical form: sorted by key, set values sorted.
//! assert_eq!(sel.to_string(), "app=web,!canary,tier in (api,frontend)");
//!
//! // The same selector, built in code.
//! let built = Selector::from_requirements([
//!     Requirement::new("app", Operator::Equals, ["web"])?,
//!     Requirement::new("tier", Operator::In, ["frontend", "api"])?,
//!     Requirement::new("canary", Operator::DoesNotExist, Vec::<String>::new())?,
//! ]);
//! assert_eq!(built, sel);
//!
//! let err = Selector::parse("a in (b").unwrap_err();
//! assert_eq!(
//!     err.to_string(),
//!     "unable to parse requirement: found end of string, expected: ',' or ')' at position 7"
//! );
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

use std::borrow::Borrow;
use std::collections::{BTreeMap, HashMap};
use std::hash::BuildHasher;
use std::hash::Hash;

mod error;
mod parser;
mod requirement;
mod selector;
#[cfg(test)]
mod tests;

pub use error::{RequirementError, SelectorParseError};
pub use requirement::{Operator, Requirement};
pub use selector::{from_label_selector_parts, Selector};

/// A set of labels a [`Selector`] can be matched against.
///
/// ```
/// use kapi_apimachinery::labels::{Labels, Selector};
///
/// /// Labels stored as a small sorted vector.
/// struct Pairs(Vec<(String, String)>);
///
/// impl Labels for Pairs {
///     fn label_value(&self, key: &str) -> Option<&str> {
///         self.0.iter().find(|(k, _)| k == key).map(|(_, v)| v.as_str())
///     }
/// }
///
/// let sel = Selector::parse("app=web")?;
/// assert!(sel.matches(&Pairs(vec![("app".into(), "web".into())])));
/// # Ok::<(), kapi_apimachinery::labels::SelectorParseError>(())
/// ```
pub trait Labels {
    /// The value of label `key`, or `None` if the label is absent.
    fn label_value(&self, key: &str) -> Option<&str>;

    /// Whether label `key` is present.
    fn has_label(&self, key: &str) -> bool {
        self.label_value(key).is_some()
    }
}

impl<K: Borrow<str> + Ord, V: AsRef<str>> Labels for crate::Map<K, V> {
    fn label_value(&self, key: &str) -> Option<&str> {
        self.get(key).map(AsRef::as_ref)
    }
}

impl<K: Borrow<str> + Ord, V: AsRef<str>> Labels for BTreeMap<K, V> {
    fn label_value(&self, key: &str) -> Option<&str> {
        self.get(key).map(AsRef::as_ref)
    }
}

impl<K: Borrow<str> + Hash + Eq, V: AsRef<str>, S: BuildHasher> Labels for HashMap<K, V, S> {
    fn label_value(&self, key: &str) -> Option<&str> {
        self.get(key).map(AsRef::as_ref)
    }
}

impl<T: Labels + ?Sized> Labels for &T {
    fn label_value(&self, key: &str) -> Option<&str> {
        (**self).label_value(key)
    }
}

impl<T: Labels> Labels for Option<T> {
    /// `None` has no labels (like an object whose `metadata.labels` is unset).
    fn label_value(&self, key: &str) -> Option<&str> {
        self.as_ref().and_then(|l| l.label_value(key))
    }
}
