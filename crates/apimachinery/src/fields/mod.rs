//! Field selectors: parse, print, match.
//!
//! A [`FieldSelector`] is the AND of [`FieldTerm`]s `field=value`, `field==value` (the same) or
//! `field!=value`, joined by commas: `metadata.name=web,status.phase!=Failed`. Which fields a
//! server supports depends on the resource (every type has `metadata.name`, namespaced types
//! `metadata.namespace`, pods `spec.nodeName`, `status.phase`, ...); this module does not judge
//! field names beyond syntax.
//!
//! Values may contain any character; `\`, `,` and `=` must be written `\\`, `\,` and `\=`
//! ([`escape_value`] does it, and [`Display`](std::fmt::Display) applies it), so printing and
//! parsing round-trip. Other escapes (`\x`) and an unescaped `=` in a value are errors
//! ([`FieldSelectorError`]), which carry the byte position of the problem.
//!
//! Matching looks values up through the [`Fields`] trait (implemented for
//! `BTreeMap<String, String>`, `HashMap<String, String>`, references, and closures via
//! [`from_fn`]). A missing field has the value `""`, as upstream's `fields.Set`.
//!
//! # Example
//!
//! ```
//! use kapi_apimachinery::fields::{self, FieldSelector};
//!
//! let sel: FieldSelector = r"metadata.name=a\,b, spec.nodeName!=".parse()?;
//! // Note the space kept in " spec.nodeName": field names are not trimmed.
//! assert_eq!(sel.terms()[0].field(), " spec.nodeName");
//!
//! let sel = FieldSelector::parse(r"metadata.name=a\,b,spec.nodeName!=")?;
//! let pod = fields::from_fn(|field| match field {
//!     "metadata.name" => Some("a,b".to_string()),
//!     "spec.nodeName" => Some("node-1".to_string()),
//!     _ => None,
//! });
//! assert!(sel.matches(&pod));
//! assert_eq!(sel.to_string(), r"metadata.name=a\,b,spec.nodeName!=");
//!
//! let err = FieldSelector::parse(r"metadata.name=a\xb").unwrap_err();
//! assert_eq!(
//!     err.to_string(),
//!     r"invalid field selector: invalid escape sequence '\x' at position 15; only '\\', '\,' and '\=' are allowed"
//! );
//! # Ok::<(), fields::FieldSelectorError>(())
//! ```

use std::borrow::Borrow;
use std::borrow::Cow;
use std::collections::{BTreeMap, HashMap};
use std::fmt;
use std::hash::BuildHasher;
use std::hash::Hash;

mod error;
mod parser;
mod selector;
#[cfg(test)]
mod tests;

pub use error::FieldSelectorError;
pub use parser::escape_value;
pub use selector::{FieldOperator, FieldSelector, FieldTerm};

/// A source of field values for [`FieldSelector::matches`].
pub trait Fields {
    /// The value of field `name` (e.g. `metadata.name`), or `None` if the object has no such
    /// field. Selectors treat `None` as `""`.
    fn field_value(&self, name: &str) -> Option<Cow<'_, str>>;
}

impl<K: Borrow<str> + Ord, V: AsRef<str>> Fields for crate::Map<K, V> {
    fn field_value(&self, name: &str) -> Option<Cow<'_, str>> {
        self.get(name).map(|v| Cow::Borrowed(v.as_ref()))
    }
}

impl<K: Borrow<str> + Ord, V: AsRef<str>> Fields for BTreeMap<K, V> {
    fn field_value(&self, name: &str) -> Option<Cow<'_, str>> {
        self.get(name).map(|v| Cow::Borrowed(v.as_ref()))
    }
}

impl<K: Borrow<str> + Hash + Eq, V: AsRef<str>, S: BuildHasher> Fields for HashMap<K, V, S> {
    fn field_value(&self, name: &str) -> Option<Cow<'_, str>> {
        self.get(name).map(|v| Cow::Borrowed(v.as_ref()))
    }
}

impl<T: Fields + ?Sized> Fields for &T {
    fn field_value(&self, name: &str) -> Option<Cow<'_, str>> {
        (**self).field_value(name)
    }
}

/// [`Fields`] backed by a closure; made by [`from_fn`].
pub struct FromFn<F>(F);

impl<F> fmt::Debug for FromFn<F> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("FromFn(..)")
    }
}

/// Wraps a closure `field name -> value` as [`Fields`], for objects that compute their
/// selectable fields on demand.
pub fn from_fn<F>(f: F) -> FromFn<F>
where
    F: Fn(&str) -> Option<String>,
{
    FromFn(f)
}

impl<F> Fields for FromFn<F>
where
    F: Fn(&str) -> Option<String>,
{
    fn field_value(&self, name: &str) -> Option<Cow<'_, str>> {
        (self.0)(name).map(Cow::Owned)
    }
}
