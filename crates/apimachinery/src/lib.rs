//! Kubernetes API machinery for kapi (work in progress skeleton).
#![cfg_attr(docsrs, feature(doc_cfg))]

pub mod duration;
pub mod fields;
pub mod intstr;
pub mod labels;
pub mod quantity;
pub mod time;
pub mod validation;

pub use duration::Duration;
pub use intstr::IntOrString;
pub use quantity::Quantity;
pub use time::{MicroTime, Time};
