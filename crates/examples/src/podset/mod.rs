//! The flagship operator: `PodSet`, a custom resource reconciled into the Pods it owns, in the
//! classic ReplicaSet-controller pattern.
//!
//! | piece | file |
//! |---|---|
//! | the resource: [`PodSet`], [`PodSetSpec`], [`PodSetStatus`] (`#[derive(CustomResource)]`) | `mod.rs` |
//! | the reconciler: create missing Pods, delete extra ones, status, finalizer, events | `controller.rs` |
//! | which writes the cache has not shown yet (client-go's "expectations") | `expectations.rs` |
//! | the controller's events, watched by the demo | `feed.rs` |
//! | the manager: informers, controller, leader election | `operator.rs` |
//! | the scripted demo that drives it and checks every step | `demo.rs` |

mod controller;
pub mod demo;
mod expectations;
mod feed;
mod operator;

use kapi::CustomResource;
use kapi_api::core::v1::PodTemplateSpec;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

pub use controller::{
    pod_is_ready, PodSetReconciler, Readiness, ReconcileError, CONTROLLER_NAME, FINALIZER,
    POD_LABEL,
};
pub use operator::{operator, OperatorConfig};

/// Runs `replicas` copies of a Pod template, like a ReplicaSet.
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
    printcolumn(name = "Desired", type = "integer", json_path = ".spec.replicas"),
    printcolumn(name = "Ready", type = "integer", json_path = ".status.readyReplicas"),
    shortname = "ps"
)]
#[allow(clippy::duplicated_attributes)] // two printer columns share `type = "integer"`
#[serde(rename_all = "camelCase")]
pub struct PodSetSpec {
    /// How many Pods to run.
    #[schemars(range(min = 0))]
    pub replicas: i32,
    /// The Pod every replica runs: its labels and annotations (the controller adds
    /// `podset: <name>`) and its spec.
    #[schemars(schema_with = "kapi::derive_support::embedded_object_schema")]
    pub template: PodTemplateSpec,
}

/// What the controller observed.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct PodSetStatus {
    /// Pods that exist and are not being deleted.
    pub replicas: i32,
    /// Of those, the Pods that are ready.
    #[serde(default)]
    pub ready_replicas: i32,
    /// The label selector of the Pods (for the scale subresource: `kubectl scale`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub selector: Option<String>,
    /// The `metadata.generation` this status describes.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub observed_generation: Option<i64>,
}

/// The image of the demo's Pods: tiny, and it starts in a moment on a real cluster.
pub const DEMO_IMAGE: &str = "registry.k8s.io/pause:3.10";

/// A `PodSet` named `name` running `replicas` Pods of [`DEMO_IMAGE`], labelled `app: <name>`.
/// The template passes the `restricted` Pod Security Standard, so it also runs on clusters
/// that enforce it.
pub fn demo_podset(name: &str, replicas: i32) -> PodSet {
    let template = serde_json::json!({
        "metadata": { "labels": { "app": name } },
        "spec": {
            "terminationGracePeriodSeconds": 2,
            "securityContext": {
                "runAsNonRoot": true,
                "runAsUser": 65535,
                "seccompProfile": { "type": "RuntimeDefault" }
            },
            "containers": [{
                "name": "app",
                "image": DEMO_IMAGE,
                "securityContext": {
                    "allowPrivilegeEscalation": false,
                    "capabilities": { "drop": ["ALL"] }
                }
            }]
        }
    });
    // The literal above is a valid template (a unit test checks it decodes).
    let template = serde_json::from_value::<PodTemplateSpec>(template).unwrap_or_default();
    PodSet::new(name, PodSetSpec { replicas, template })
}

#[cfg(test)]
mod tests {
    use super::*;
    use kapi_apimachinery::Resource;

    #[test]
    fn the_resource_and_its_crd() {
        let set = demo_podset("web", 3);
        let json = serde_json::to_value(&set).unwrap();
        assert_eq!(json["apiVersion"], "demo.kapi.dev/v1");
        assert_eq!(json["kind"], "PodSet");
        assert_eq!(json["spec"]["replicas"], 3);
        assert_eq!(
            json["spec"]["template"]["spec"]["containers"][0]["image"],
            DEMO_IMAGE
        );
        assert_eq!(PodSet::INFO.plural, "podsets");
        let crd = PodSet::crd();
        assert_eq!(crd.metadata.name.as_deref(), Some("podsets.demo.kapi.dev"));
        let crd = serde_json::to_value(&crd).unwrap();
        let version = &crd["spec"]["versions"][0];
        assert_eq!(
            version["subresources"]["scale"]["labelSelectorPath"],
            ".status.selector"
        );
        let template =
            &version["schema"]["openAPIV3Schema"]["properties"]["spec"]["properties"]["template"];
        assert_eq!(template["x-kubernetes-preserve-unknown-fields"], true);
    }
}
