//! The standard `Condition` type.

use serde::{Deserialize, Serialize};

use crate::time::Time;

/// One aspect of an object's current state (`metav1.Condition`).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schemars", derive(schemars::JsonSchema))]
#[serde(rename_all = "camelCase")]
pub struct Condition {
    /// `type`, e.g. `Ready`.
    #[serde(rename = "type")]
    pub type_: String,
    /// `status`: `True`, `False` or `Unknown`.
    pub status: String,
    /// `observedGeneration`: the generation the condition was set for.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub observed_generation: Option<i64>,
    /// `lastTransitionTime` (required; written as `null` when unset, like upstream).
    #[serde(default)]
    pub last_transition_time: Option<Time>,
    /// `reason`: CamelCase machine-readable reason.
    pub reason: String,
    /// `message`: human-readable detail.
    pub message: String,
}
