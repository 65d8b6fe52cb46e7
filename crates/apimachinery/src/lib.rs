//! Kubernetes API machinery for kapi (work in progress).
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
pub mod meta;
pub mod options;
pub mod quantity;
pub mod resource;
pub mod restmapper;
pub mod scheme;
pub mod serde_util;
pub mod time;
pub mod validation;
mod version_order;

pub use bytes::ByteString;
pub use duration::Duration;
pub use dynamic::DynamicObject;
pub use error::{ApiError, Error, Result};
pub use fields::{FieldSelector, FieldSelectorError};
pub use gvk::{GroupKind, GroupResource, GroupVersion, GroupVersionKind, GroupVersionResource};
pub use intstr::IntOrString;
pub use labels::{Requirement, RequirementError, Selector, SelectorParseError};
pub use list::ObjectList;
pub use quantity::Quantity;
pub use resource::{
    ClusterScope, NamespaceScope, Object, Resource, ResourceInfo, Scope, ScopeMarker, Verbs,
};
pub use time::{MicroTime, Time};
pub use version_order::version_priority;
