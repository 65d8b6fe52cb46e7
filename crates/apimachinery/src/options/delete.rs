//! `DeleteOptions` and `Preconditions`.

use serde::{Deserialize, Serialize};

use super::{string_enum, Query};
use crate::serde_util::null_default;

string_enum! {
    /// What happens to dependents of a deleted object (`propagationPolicy`).
    PropagationPolicy {
        /// Dependents are left alone (the `orphan` finalizer).
        Orphan => "Orphan",
        /// The garbage collector deletes dependents in the background.
        Background => "Background",
        /// Dependents are deleted first (the `foregroundDeletion` finalizer).
        Foreground => "Foreground",
    }
}

/// Options of a delete request (`metav1.DeleteOptions`); sent as the JSON body.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct DeleteOptions {
    /// `apiVersion` (`v1` when sent as a body).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub api_version: Option<String>,
    /// `kind` (`DeleteOptions` when sent as a body).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub kind: Option<String>,
    /// `gracePeriodSeconds`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub grace_period_seconds: Option<i64>,
    /// `preconditions`: uid and/or resourceVersion the object must still have.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub preconditions: Option<Preconditions>,
    /// `orphanDependents` (deprecated; use `propagation_policy`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub orphan_dependents: Option<bool>,
    /// `propagationPolicy`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub propagation_policy: Option<PropagationPolicy>,
    /// `dryRun`: `["All"]` to validate without deleting.
    #[serde(
        default,
        deserialize_with = "null_default",
        skip_serializing_if = "Vec::is_empty"
    )]
    pub dry_run: Vec<String>,
    /// `ignoreStoreReadErrorWithClusterBreakingPotential`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ignore_store_read_error_with_cluster_breaking_potential: Option<bool>,
}

impl DeleteOptions {
    /// Options with a propagation policy.
    pub fn propagation(policy: PropagationPolicy) -> Self {
        Self {
            propagation_policy: Some(policy),
            ..Self::default()
        }
    }

    /// Options for a dry-run delete.
    pub fn dry_run() -> Self {
        Self {
            dry_run: vec!["All".to_owned()],
            ..Self::default()
        }
    }

    /// `true` when any field is set (i.e. a body is worth sending).
    pub fn is_empty(&self) -> bool {
        *self == Self::default()
    }

    /// The JSON body with `kind`/`apiVersion` filled in, as kubectl sends it.
    pub fn to_body(&self) -> Self {
        Self {
            api_version: Some(self.api_version.clone().unwrap_or_else(|| "v1".to_owned())),
            kind: Some(
                self.kind
                    .clone()
                    .unwrap_or_else(|| "DeleteOptions".to_owned()),
            ),
            ..self.clone()
        }
    }

    /// The query-string form (for DELETE requests sent without a body).
    pub fn to_query(&self) -> String {
        let mut q = Query::new();
        q.num("gracePeriodSeconds", self.grace_period_seconds)
            .num("orphanDependents", self.orphan_dependents)
            .opt(
                "propagationPolicy",
                self.propagation_policy
                    .as_ref()
                    .map(PropagationPolicy::as_str),
            );
        for d in &self.dry_run {
            q.opt("dryRun", Some(d));
        }
        q.finish()
    }
}

/// Conditions that must hold for a delete to proceed (`metav1.Preconditions`).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Preconditions {
    /// `uid` the object must have.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub uid: Option<String>,
    /// `resourceVersion` the object must have.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub resource_version: Option<String>,
}
