//! The table of group/versions and resources of the clientset (stable built-in types).
// With no group feature on, the table expands to nothing.
#![allow(unused_imports)]

use super::{group_version, in_namespace};
use crate::api::Api;
use crate::client::Client;

group_version! {
    /// The core group, `v1`.
    "core", core_v1, CoreV1;
    ns config_maps => kapi_api::core::v1::ConfigMap;
    ns endpoints => kapi_api::core::v1::Endpoints;
    ns events => kapi_api::core::v1::Event;
    ns limit_ranges => kapi_api::core::v1::LimitRange;
    cluster namespaces => kapi_api::core::v1::Namespace;
    cluster nodes => kapi_api::core::v1::Node;
    cluster persistent_volumes => kapi_api::core::v1::PersistentVolume;
    ns persistent_volume_claims => kapi_api::core::v1::PersistentVolumeClaim;
    ns pods => kapi_api::core::v1::Pod;
    ns pod_templates => kapi_api::core::v1::PodTemplate;
    ns replication_controllers => kapi_api::core::v1::ReplicationController;
    ns resource_quotas => kapi_api::core::v1::ResourceQuota;
    ns secrets => kapi_api::core::v1::Secret;
    ns services => kapi_api::core::v1::Service;
    ns service_accounts => kapi_api::core::v1::ServiceAccount;
}

group_version! {
    /// `apps/v1`.
    "apps", apps_v1, AppsV1;
    ns controller_revisions => kapi_api::apps::v1::ControllerRevision;
    ns daemon_sets => kapi_api::apps::v1::DaemonSet;
    ns deployments => kapi_api::apps::v1::Deployment;
    ns replica_sets => kapi_api::apps::v1::ReplicaSet;
    ns stateful_sets => kapi_api::apps::v1::StatefulSet;
}

group_version! {
    /// `batch/v1`.
    "batch", batch_v1, BatchV1;
    ns cron_jobs => kapi_api::batch::v1::CronJob;
    ns jobs => kapi_api::batch::v1::Job;
}

group_version! {
    /// `coordination.k8s.io/v1`.
    "coordination", coordination_v1, CoordinationV1;
    ns leases => kapi_api::coordination::v1::Lease;
}

group_version! {
    /// `policy/v1`.
    "policy", policy_v1, PolicyV1;
    ns pod_disruption_budgets => kapi_api::policy::v1::PodDisruptionBudget;
}

group_version! {
    /// `rbac.authorization.k8s.io/v1`.
    "rbac", rbac_v1, RbacV1;
    cluster cluster_roles => kapi_api::rbac::v1::ClusterRole;
    cluster cluster_role_bindings => kapi_api::rbac::v1::ClusterRoleBinding;
    ns roles => kapi_api::rbac::v1::Role;
    ns role_bindings => kapi_api::rbac::v1::RoleBinding;
}

group_version! {
    /// `networking.k8s.io/v1`.
    "networking", networking_v1, NetworkingV1;
    ns ingresses => kapi_api::networking::v1::Ingress;
    cluster ingress_classes => kapi_api::networking::v1::IngressClass;
    ns network_policies => kapi_api::networking::v1::NetworkPolicy;
}

group_version! {
    /// `autoscaling/v1`.
    "autoscaling", autoscaling_v1, AutoscalingV1;
    ns horizontal_pod_autoscalers => kapi_api::autoscaling::v1::HorizontalPodAutoscaler;
}

group_version! {
    /// `autoscaling/v2`.
    "autoscaling", autoscaling_v2, AutoscalingV2;
    ns horizontal_pod_autoscalers => kapi_api::autoscaling::v2::HorizontalPodAutoscaler;
}

group_version! {
    /// `storage.k8s.io/v1`.
    "storage", storage_v1, StorageV1;
    cluster csi_drivers => kapi_api::storage::v1::CsiDriver;
    cluster csi_nodes => kapi_api::storage::v1::CsiNode;
    ns csi_storage_capacities => kapi_api::storage::v1::CsiStorageCapacity;
    cluster storage_classes => kapi_api::storage::v1::StorageClass;
    cluster volume_attachments => kapi_api::storage::v1::VolumeAttachment;
}

group_version! {
    /// `discovery.k8s.io/v1`.
    "discovery", discovery_v1, DiscoveryV1;
    ns endpoint_slices => kapi_api::discovery::v1::EndpointSlice;
}

group_version! {
    /// `events.k8s.io/v1`.
    "events", events_v1, EventsV1;
    ns events => kapi_api::events::v1::Event;
}

group_version! {
    /// `scheduling.k8s.io/v1`.
    "scheduling", scheduling_v1, SchedulingV1;
    cluster priority_classes => kapi_api::scheduling::v1::PriorityClass;
}

group_version! {
    /// `node.k8s.io/v1`.
    "node", node_v1, NodeV1;
    cluster runtime_classes => kapi_api::node::v1::RuntimeClass;
}

group_version! {
    /// `certificates.k8s.io/v1`.
    "certificates", certificates_v1, CertificatesV1;
    cluster certificate_signing_requests => kapi_api::certificates::v1::CertificateSigningRequest;
}

group_version! {
    /// `admissionregistration.k8s.io/v1`.
    "admissionregistration", admissionregistration_v1, AdmissionregistrationV1;
    cluster mutating_webhook_configurations => kapi_api::admissionregistration::v1::MutatingWebhookConfiguration;
    cluster validating_webhook_configurations => kapi_api::admissionregistration::v1::ValidatingWebhookConfiguration;
    cluster validating_admission_policies => kapi_api::admissionregistration::v1::ValidatingAdmissionPolicy;
    cluster validating_admission_policy_bindings => kapi_api::admissionregistration::v1::ValidatingAdmissionPolicyBinding;
}

group_version! {
    /// `apiextensions.k8s.io/v1`.
    "apiextensions", apiextensions_v1, ApiextensionsV1;
    cluster custom_resource_definitions => kapi_api::apiextensions::v1::CustomResourceDefinition;
}

group_version! {
    /// `apiregistration.k8s.io/v1`.
    "apiregistration", apiregistration_v1, ApiregistrationV1;
    cluster api_services => kapi_api::apiregistration::v1::ApiService;
}

group_version! {
    /// `flowcontrol.apiserver.k8s.io/v1`.
    "flowcontrol", flowcontrol_v1, FlowcontrolV1;
    cluster flow_schemas => kapi_api::flowcontrol::v1::FlowSchema;
    cluster priority_level_configurations => kapi_api::flowcontrol::v1::PriorityLevelConfiguration;
}

group_version! {
    /// `resource.k8s.io/v1`.
    "resource", resource_v1, ResourceV1;
    cluster device_classes => kapi_api::resource::v1::DeviceClass;
    ns resource_claims => kapi_api::resource::v1::ResourceClaim;
    ns resource_claim_templates => kapi_api::resource::v1::ResourceClaimTemplate;
    cluster resource_slices => kapi_api::resource::v1::ResourceSlice;
}
