//! The `LabelSelector` API struct (for parsing selector strings see [`crate::labels`]).

use compact_str::CompactString;
use thin_vec::ThinVec;

use crate::Map;

use serde::{Deserialize, Serialize};

use crate::serde_util::null_default;

/// A label query over a set of objects (`metav1.LabelSelector`). An empty selector matches
/// everything.
#[derive(Clone, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "schemars", derive(schemars::JsonSchema))]
#[serde(rename_all = "camelCase")]
pub struct LabelSelector {
    /// `matchLabels`: each entry is a `key=value` requirement.
    #[serde(
        default,
        deserialize_with = "null_default",
        skip_serializing_if = "Map::is_empty"
    )]
    pub match_labels: Map<CompactString, CompactString>,
    /// `matchExpressions`: set-based requirements.
    #[serde(
        default,
        deserialize_with = "null_default",
        skip_serializing_if = "ThinVec::is_empty"
    )]
    #[cfg_attr(feature = "schemars", schemars(with = "Vec<LabelSelectorRequirement>"))]
    pub match_expressions: ThinVec<LabelSelectorRequirement>,
}

/// One set-based requirement of a [`LabelSelector`] (`metav1.LabelSelectorRequirement`).
#[derive(Clone, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "schemars", derive(schemars::JsonSchema))]
#[serde(rename_all = "camelCase")]
pub struct LabelSelectorRequirement {
    /// `key`: the label key.
    pub key: CompactString,
    /// `operator`: `In`, `NotIn`, `Exists` or `DoesNotExist`.
    pub operator: CompactString,
    /// `values`: required for `In`/`NotIn`, empty otherwise.
    #[serde(
        default,
        deserialize_with = "null_default",
        skip_serializing_if = "ThinVec::is_empty"
    )]
    #[cfg_attr(feature = "schemars", schemars(with = "Vec<String>"))]
    pub values: ThinVec<CompactString>,
}

impl TryFrom<&LabelSelector> for crate::labels::Selector {
    type Error = crate::labels::RequirementError;

    /// Converts the API struct into a matcher: `matchLabels` become `key=value`
    /// requirements, `matchExpressions` their set-based operators. An empty selector matches
    /// everything (an absent one, `Option::None`, conventionally matches nothing; callers decide).
    fn try_from(s: &LabelSelector) -> Result<Self, Self::Error> {
        crate::labels::from_label_selector_parts(
            &s.match_labels,
            s.match_expressions
                .iter()
                .map(|e| (e.key.as_str(), e.operator.as_str(), e.values.as_slice())),
        )
    }
}

impl LabelSelector {
    /// The selector in query-string form, e.g. `app=web,tier in (a,b)`.
    ///
    /// # Errors
    /// When a requirement is invalid (bad key, unknown operator, wrong number of values).
    pub fn to_selector_string(&self) -> Result<String, crate::labels::RequirementError> {
        crate::labels::Selector::try_from(self).map(|s| s.to_string())
    }
}
