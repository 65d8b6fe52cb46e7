//! Resource quantities. (Stub: being replaced by the full implementation.)
use serde::{Deserialize, Serialize};

/// A fixed-point resource quantity such as `100m`, `1.5Gi` or `1e3`.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Quantity(String);
