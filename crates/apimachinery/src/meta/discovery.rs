//! Discovery documents: legacy (`APIVersions`, `APIGroupList`, `APIResourceList`) and
//! aggregated v2 (`APIGroupDiscoveryList`).

use serde::{Deserialize, Serialize};

use super::{ListMeta, ObjectMeta};
use crate::serde_util::null_default;

/// `GET /api` (`metav1.APIVersions`).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ApiVersions {
    /// `kind` (`APIVersions`; servers may omit it).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub kind: Option<String>,
    /// `apiVersion` (`v1`; servers may omit it).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub api_version: Option<String>,
    /// `versions`, e.g. `["v1"]`.
    #[serde(default, deserialize_with = "null_default")]
    pub versions: Vec<String>,
    /// `serverAddressByClientCIDRs`.
    #[serde(
        default,
        deserialize_with = "null_default",
        rename = "serverAddressByClientCIDRs"
    )]
    pub server_address_by_client_cidrs: Vec<ServerAddressByClientCidr>,
}

/// Where clients in a network should reach the server.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ServerAddressByClientCidr {
    /// `clientCIDR`.
    #[serde(rename = "clientCIDR")]
    pub client_cidr: String,
    /// `serverAddress`: `host:port`.
    pub server_address: String,
}

/// `GET /apis` (`metav1.APIGroupList`).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ApiGroupList {
    /// `kind` (`APIGroupList`; may be omitted).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub kind: Option<String>,
    /// `apiVersion` (`v1`; may be omitted).
    #[serde(
        default,
        rename = "apiVersion",
        skip_serializing_if = "Option::is_none"
    )]
    pub api_version: Option<String>,
    /// `groups`.
    #[serde(default, deserialize_with = "null_default")]
    pub groups: Vec<ApiGroup>,
}

/// `GET /apis/{group}` (`metav1.APIGroup`).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ApiGroup {
    /// `kind` (`APIGroup`; may be omitted).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub kind: Option<String>,
    /// `apiVersion` (`v1`; may be omitted).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub api_version: Option<String>,
    /// `name` of the group.
    pub name: String,
    /// `versions` served.
    #[serde(default, deserialize_with = "null_default")]
    pub versions: Vec<GroupVersionForDiscovery>,
    /// `preferredVersion`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub preferred_version: Option<GroupVersionForDiscovery>,
    /// `serverAddressByClientCIDRs`.
    #[serde(
        default,
        deserialize_with = "null_default",
        rename = "serverAddressByClientCIDRs",
        skip_serializing_if = "Vec::is_empty"
    )]
    pub server_address_by_client_cidrs: Vec<ServerAddressByClientCidr>,
}

/// One served version of a group.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct GroupVersionForDiscovery {
    /// `groupVersion`, e.g. `apps/v1`.
    pub group_version: String,
    /// `version`, e.g. `v1`.
    pub version: String,
}

/// `GET /api/v1`, `/apis/{g}/{v}` (`metav1.APIResourceList`).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ApiResourceList {
    /// `kind` (`APIResourceList`; may be omitted).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub kind: Option<String>,
    /// `apiVersion` (`v1`; may be omitted).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub api_version: Option<String>,
    /// `groupVersion` described.
    pub group_version: String,
    /// `resources`, including subresources such as `pods/status`.
    #[serde(default, deserialize_with = "null_default")]
    pub resources: Vec<ApiResource>,
}

/// One resource in an [`ApiResourceList`] (`metav1.APIResource`).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ApiResource {
    /// `name`: the plural, or `plural/subresource`.
    pub name: String,
    /// `singularName` (empty for subresources).
    #[serde(default)]
    pub singular_name: String,
    /// `namespaced`.
    pub namespaced: bool,
    /// `group` when it differs from the list's (e.g. the `scale` subresource).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub group: Option<String>,
    /// `version` when it differs from the list's.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub version: Option<String>,
    /// `kind` of the objects served.
    pub kind: String,
    /// `verbs`.
    #[serde(default, deserialize_with = "null_default")]
    pub verbs: Vec<String>,
    /// `shortNames`.
    #[serde(
        default,
        deserialize_with = "null_default",
        skip_serializing_if = "Vec::is_empty"
    )]
    pub short_names: Vec<String>,
    /// `categories`, e.g. `all`.
    #[serde(
        default,
        deserialize_with = "null_default",
        skip_serializing_if = "Vec::is_empty"
    )]
    pub categories: Vec<String>,
    /// `storageVersionHash`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub storage_version_hash: Option<String>,
}

/// Media type that asks for aggregated discovery v2.
pub const AGGREGATED_DISCOVERY_V2: &str =
    "application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList";

/// Aggregated discovery document (`apidiscovery.k8s.io/v2 APIGroupDiscoveryList`).
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ApiGroupDiscoveryList {
    /// `kind` (`APIGroupDiscoveryList`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub kind: Option<String>,
    /// `apiVersion` (`apidiscovery.k8s.io/v2`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub api_version: Option<String>,
    /// `metadata`.
    #[serde(default)]
    pub metadata: ListMeta,
    /// `items`: one per group (`/api` has one item with an empty name).
    #[serde(default, deserialize_with = "null_default")]
    pub items: Vec<ApiGroupDiscovery>,
}

/// One group in aggregated discovery.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct ApiGroupDiscovery {
    /// `metadata.name` is the group name.
    #[serde(default)]
    pub metadata: ObjectMeta,
    /// `versions`, in preference order.
    #[serde(default, deserialize_with = "null_default")]
    pub versions: Vec<ApiVersionDiscovery>,
}

/// One version of a group in aggregated discovery.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ApiVersionDiscovery {
    /// `version`.
    pub version: String,
    /// `resources`.
    #[serde(default, deserialize_with = "null_default")]
    pub resources: Vec<ApiResourceDiscovery>,
    /// `freshness`: `Current` or `Stale`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub freshness: Option<String>,
}

/// One resource in aggregated discovery.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ApiResourceDiscovery {
    /// `resource`: the plural.
    pub resource: String,
    /// `responseKind`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub response_kind: Option<DiscoveryKind>,
    /// `scope`: `Namespaced` or `Cluster`.
    pub scope: String,
    /// `singularResource`.
    #[serde(default)]
    pub singular_resource: String,
    /// `verbs`.
    #[serde(default, deserialize_with = "null_default")]
    pub verbs: Vec<String>,
    /// `shortNames`.
    #[serde(
        default,
        deserialize_with = "null_default",
        skip_serializing_if = "Vec::is_empty"
    )]
    pub short_names: Vec<String>,
    /// `categories`.
    #[serde(
        default,
        deserialize_with = "null_default",
        skip_serializing_if = "Vec::is_empty"
    )]
    pub categories: Vec<String>,
    /// `subresources`.
    #[serde(
        default,
        deserialize_with = "null_default",
        skip_serializing_if = "Vec::is_empty"
    )]
    pub subresources: Vec<ApiSubresourceDiscovery>,
}

/// One subresource in aggregated discovery.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ApiSubresourceDiscovery {
    /// `subresource`, e.g. `status`.
    pub subresource: String,
    /// `responseKind`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub response_kind: Option<DiscoveryKind>,
    /// `acceptedTypes`.
    #[serde(
        default,
        deserialize_with = "null_default",
        skip_serializing_if = "Vec::is_empty"
    )]
    pub accepted_types: Vec<DiscoveryKind>,
    /// `verbs`.
    #[serde(default, deserialize_with = "null_default")]
    pub verbs: Vec<String>,
}

/// A group/version/kind triple as written in discovery documents (all fields present).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct DiscoveryKind {
    /// `group` (empty for core).
    #[serde(default)]
    pub group: String,
    /// `version`.
    #[serde(default)]
    pub version: String,
    /// `kind`.
    #[serde(default)]
    pub kind: String,
}
