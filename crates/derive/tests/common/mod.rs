//! Custom resources shared by the derive's integration tests: one representative namespaced
//! resource with status, scale and columns, and one minimal cluster-scoped resource.
#![allow(dead_code)]

use std::collections::BTreeMap;

use kapi::apimachinery::time::Time;
use kapi::apimachinery::{IntOrString, Quantity};
use kapi::CustomResource;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

/// Runs a set of identical pods.
// Clippy before 1.96 flags repeated keys inside `printcolumn(...)` as duplicated attributes.
#[allow(clippy::duplicated_attributes)]
#[derive(CustomResource, Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[kapi(
    group = "demo.kapi.dev",
    version = "v1",
    kind = "PodSet",
    namespaced,
    status = "PodSetStatus",
    scale(
        spec_replicas_path = ".spec.replicas",
        status_replicas_path = ".status.replicas",
        label_selector_path = ".status.selector"
    ),
    printcolumn(name = "Replicas", type = "integer", json_path = ".spec.replicas"),
    printcolumn(
        name = "Ready",
        type = "integer",
        json_path = ".status.readyReplicas",
        description = "Pods ready to serve",
        priority = 1
    ),
    shortname = "ps",
    shortname = "pset",
    category = "all",
    category = "demo",
    plural = "podsets",
    selectable_field = ".spec.strategy.type"
)]
#[serde(rename_all = "camelCase")]
pub(crate) struct PodSetSpec {
    /// How many pods to run.
    pub(crate) replicas: i32,
    /// What every pod runs.
    pub(crate) template: Template,
    /// Extra labels put on every pod.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub(crate) labels: BTreeMap<String, String>,
    /// How pods are replaced on a change.
    #[serde(default)]
    pub(crate) strategy: Strategy,
    /// Pods that may be unavailable during an update: a count or a percentage.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(schema_with = "kapi::derive_support::int_or_string_schema")]
    pub(crate) max_unavailable: Option<IntOrString>,
    /// Free-form settings, kept as written.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(crate) settings: Option<serde_json::Value>,
    /// Stop creating pods.
    #[serde(rename = "paused", default)]
    pub(crate) suspend: bool,
}

/// What each pod runs.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub(crate) struct Template {
    /// Container image.
    pub(crate) image: String,
    /// Arguments to the entrypoint.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub(crate) args: Vec<String>,
    /// Ports the container listens on.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub(crate) ports: Vec<Port>,
    /// Memory limit.
    #[schemars(schema_with = "kapi::derive_support::quantity_schema")]
    pub(crate) memory: Quantity,
}

/// A container port.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub(crate) struct Port {
    /// Optional port name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(crate) name: Option<String>,
    /// The port number.
    pub(crate) container_port: u16,
    /// The protocol.
    #[serde(default)]
    pub(crate) protocol: Protocol,
}

/// Network protocol.
#[derive(Clone, Copy, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "UPPERCASE")]
pub(crate) enum Protocol {
    #[default]
    Tcp,
    Udp,
}

/// Replacement strategy.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(tag = "type", rename_all = "camelCase")]
pub(crate) enum Strategy {
    /// Delete every pod, then create new ones.
    #[default]
    Recreate,
    /// Replace pods a few at a time.
    RollingUpdate {
        /// Extra pods allowed during the update.
        surge: u32,
    },
}

/// What the controller observed.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub(crate) struct PodSetStatus {
    /// Pods that exist.
    pub(crate) replicas: i32,
    /// Pods that are ready.
    #[serde(default)]
    pub(crate) ready_replicas: i32,
    /// The label selector of the pods, for the scale subresource.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(crate) selector: Option<String>,
    /// When the status last changed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(schema_with = "kapi::derive_support::time_schema")]
    pub(crate) last_update: Option<Time>,
    /// The phase, once known.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(crate) phase: Option<Phase>,
}

/// Lifecycle phase.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
pub(crate) enum Phase {
    Pending,
    Running,
    Failed,
}

/// A cluster-wide policy: the smallest custom resource (no status, default names).
#[derive(CustomResource, Clone, Debug, Serialize, Deserialize, JsonSchema)]
#[kapi(group = "policy.kapi.dev", version = "v1alpha1", kind = "Policy")]
pub(crate) struct PolicySpec {
    /// Rules, in order.
    pub(crate) rules: Vec<String>,
}
