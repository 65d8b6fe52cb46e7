//! Kubernetes API machinery for kapi (work in progress).
#![cfg_attr(docsrs, feature(doc_cfg))]

pub mod duration;
mod bytes;
mod dynamic;
pub mod error;
pub mod fields;
pub mod gvk;
pub mod intstr;
pub mod labels;
mod list;
pub mod options;
pub mod meta;
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
pub use error::{ApiError, Error, Result};
pub use dynamic::DynamicObject;
pub use gvk::{GroupKind, GroupResource, GroupVersion, GroupVersionKind, GroupVersionResource};
pub use intstr::IntOrString;
pub use list::ObjectList;
pub use quantity::Quantity;
pub use resource::{ClusterScope, NamespaceScope, Object, Resource, ResourceInfo, Scope, ScopeMarker, Verbs};
pub use time::{MicroTime, Time};
pub use version_order::version_priority;
