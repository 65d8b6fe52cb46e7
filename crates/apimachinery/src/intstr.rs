//! Int-or-string values. (Stub: being replaced by the full implementation.)
use serde::{Deserialize, Serialize};

/// A value that is either a 32-bit integer or a string (`intstr.IntOrString`).
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(untagged)]
pub enum IntOrString {
    /// A JSON number.
    Int(i32),
    /// A JSON string.
    String(String),
}
