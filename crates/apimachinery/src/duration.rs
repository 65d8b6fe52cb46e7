//! Go-style duration strings. (Stub: being replaced by the full implementation.)
use serde::{Deserialize, Serialize};

/// A duration serialized as a Go duration string such as `1h2m3.5s` (`metav1.Duration`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct Duration(pub std::time::Duration);
