//! Kubernetes API machinery for kapi: the types and rules every other layer shares. No network,
//! no async runtime.
//!
//! # Map
//!
//! | module | what it holds |
//! |---|---|
//! | [`meta`] | `TypeMeta`, [`ObjectMeta`](meta::ObjectMeta), `ListMeta`, `OwnerReference`, `ManagedFieldsEntry`, [`Status`](meta::Status), `LabelSelector`, `Condition`, discovery documents (legacy and aggregated v2), `Table`, `PartialObjectMetadata`, watch events |
//! | [`options`] | `ListOptions`, `GetOptions`, `CreateOptions`, `UpdateOptions`, `PatchOptions`, `DeleteOptions` and their query strings |
//! | [`gvk`] | `GroupVersion`, `GroupVersionKind`, `GroupVersionResource`, `GroupKind`, `GroupResource` |
//! | [`resource`] | the [`Object`] and [`Resource`] traits, [`ResourceInfo`], scopes and verbs |
//! | [`DynamicObject`], [`ObjectList`] | untyped objects; `<Kind>List` of anything |
//! | [`Map`], [`CompactString`], [`ThinVec`] | the map, string and array types of object fields: a sorted vector, inline short strings, one-pointer arrays (`docs/api-types.md` says why) |
//! | [`scheme`] | [`Scheme`](scheme::Scheme): types by GVK, manifest decoding (JSON, multi-document YAML), defaulting, version priority |
//! | [`restmapper`] | [`RestMapper`](restmapper::RestMapper), a static mapper, the kind→plural guess |
//! | [`labels`], [`fields`] | label and field selectors: parse, print, match |
//! | [`quantity`], [`intstr`], [`time`], [`duration`], [`ByteString`] | value types with upstream's exact wire forms |
//! | [`validation`] | DNS-1123/1035 names, label keys and values |
//! | [`error`] | [`Error`] and [`ApiError`] (the server's `Status`, intact, with `is_not_found()`-style helpers) |
//!
//! # Example
//!
//! ```
//! use kapi_apimachinery::{ApiError, GroupVersion, Quantity, Selector};
//! use kapi_apimachinery::meta::Status;
//! use std::collections::BTreeMap;
//!
//! // Selectors parse, print canonically and match.
//! let sel: Selector = "app in (web, api),tier!=db".parse()?;
//! let labels = BTreeMap::from([("app".to_string(), "web".to_string())]);
//! assert!(sel.matches(&labels));
//! assert_eq!(sel.to_string(), "app in (api,web),tier!=db");
//!
//! // Quantities compare by value and print canonically.
//! let q: Quantity = "1.5Gi".parse()?;
//! assert_eq!(q.to_string(), "1536Mi");
//!
//! // Identities parse like upstream.
//! assert_eq!(GroupVersion::parse("apps/v1")?.url_prefix(), "/apis/apps/v1");
//!
//! // API errors keep the server's Status.
//! let err = ApiError::new(Status::not_found("", "pods", "web-0"));
//! assert!(err.is_not_found());
//! assert_eq!(err.message(), r#"pods "web-0" not found"#);
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
#![cfg_attr(docsrs, feature(doc_cfg))]

mod bytes;
pub mod duration;
mod dynamic;
pub mod error;
pub mod fields;
pub mod gvk;
pub mod intstr;
pub mod labels;
mod list;
pub mod map;
pub mod meta;
pub mod options;
pub mod quantity;
pub mod resource;
pub mod restmapper;
#[cfg(feature = "schemars")]
mod schema;
pub mod scheme;
pub mod serde_util;
pub mod time;
pub mod validation;
mod version_order;

pub use bytes::ByteString;
/// The string type of API object fields: a `String` that keeps up to 24 bytes inline (most
/// names, enum values, IPs and label values), so decoding them allocates nothing. Re-exported
/// from [`compact_str`], with its [`ToCompactString`] and [`format_compact!`].
pub use compact_str::{format_compact, CompactString, ToCompactString};
pub use duration::{Duration, DurationError};
pub use dynamic::DynamicObject;
pub use error::{ApiError, Error, Result};
pub use fields::{FieldSelector, FieldSelectorError};
pub use gvk::{GroupKind, GroupResource, GroupVersion, GroupVersionKind, GroupVersionResource};
pub use intstr::{IntOrString, IntOrStringError};
pub use labels::{Requirement, RequirementError, Selector, SelectorParseError};
pub use list::ObjectList;
pub use map::Map;
pub use quantity::{Format as QuantityFormat, Quantity, QuantityError, Rounding};
pub use resource::{
    ClusterScope, NamespaceScope, Object, Resource, ResourceInfo, Scope, ScopeMarker, Verbs,
};
/// The array type of API object fields: a `Vec` whose length and capacity live in its heap
/// block, so the handle is one pointer (8 bytes, not 24) and an empty array allocates nothing —
/// most array fields of an object are unset. Re-exported from [`thin_vec`](mod@thin_vec), with [`thin_vec!`].
pub use thin_vec::{thin_vec, ThinVec};
pub use time::{MicroTime, Time, TimeError};
pub use version_order::version_priority;
