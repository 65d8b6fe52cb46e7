//! Kubernetes timestamps. (Stub: being replaced by the full implementation.)
use serde::{Deserialize, Serialize};

/// A timestamp serialized as RFC 3339 with second precision (`metav1.Time`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct Time(pub jiff::Timestamp);

/// A timestamp serialized as RFC 3339 with six fractional digits (`metav1.MicroTime`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct MicroTime(pub jiff::Timestamp);
