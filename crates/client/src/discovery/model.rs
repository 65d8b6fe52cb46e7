//! What discovery found: groups, versions, resources and subresources, in the server's order
//! of preference, built from aggregated discovery documents.

use std::borrow::Cow;

use kapi_apimachinery::meta::{ApiGroupDiscoveryList, ApiResourceDiscovery, DiscoveryKind};
use kapi_apimachinery::restmapper::StaticRestMapper;
use kapi_apimachinery::{GroupVersionKind, GroupVersionResource, ResourceInfo, Scope, Verbs};

/// Everything the server serves, as found by [`Discovery`](super::Discovery).
#[derive(Clone, Debug, Default)]
pub struct ServerResources {
    groups: Vec<DiscoveredGroup>,
    failed: Vec<String>,
    aggregated: bool,
}

/// One API group (`""` for core).
#[derive(Clone, Debug)]
pub struct DiscoveredGroup {
    /// The group name.
    pub name: String,
    /// Served versions, the preferred one first.
    pub versions: Vec<DiscoveredVersion>,
}

/// One version of a group.
#[derive(Clone, Debug)]
pub struct DiscoveredVersion {
    /// The version, e.g. `v1`.
    pub version: String,
    /// `true` when the server marked the version `Stale` (its aggregated API did not answer).
    pub stale: bool,
    /// The resources (subresources are inside each).
    pub resources: Vec<DiscoveredResource>,
}

/// One resource of a group/version.
#[derive(Clone, Debug)]
pub struct DiscoveredResource {
    /// Group, version, kind, plural, singular, scope, verbs and subresource names: ready for
    /// [`Api::dynamic`](crate::Api::dynamic).
    pub info: ResourceInfo,
    /// Short names (`po`, `deploy`).
    pub short_names: Vec<String>,
    /// Categories (`all`).
    pub categories: Vec<String>,
    /// Subresources with their body kinds and verbs.
    pub subresources: Vec<DiscoveredSubresource>,
    /// Every verb as the server lists it (including non-standard ones such as `use`).
    pub verbs: Vec<String>,
}

/// One subresource, e.g. `status` or `scale`.
#[derive(Clone, Debug)]
pub struct DiscoveredSubresource {
    /// The name, e.g. `scale`.
    pub name: String,
    /// The kind of its body (`autoscaling/v1 Scale`), when the server says.
    pub kind: Option<GroupVersionKind>,
    /// Its verbs (e.g. `get`, `patch`, `update`).
    pub verbs: Vec<String>,
}

fn verbs(names: &[String]) -> Verbs {
    names.iter().filter_map(|v| Verbs::from_name(v)).collect()
}

fn gvk(k: &DiscoveryKind) -> GroupVersionKind {
    GroupVersionKind::new(k.group.as_str(), k.version.as_str(), k.kind.as_str())
}

fn resource(group: &str, version: &str, r: &ApiResourceDiscovery) -> DiscoveredResource {
    let kind = r
        .response_kind
        .as_ref()
        .map(|k| k.kind.clone())
        .unwrap_or_default();
    let subresources: Vec<DiscoveredSubresource> = r
        .subresources
        .iter()
        .map(|s| DiscoveredSubresource {
            name: s.subresource.clone(),
            kind: s.response_kind.as_ref().map(gvk),
            verbs: s.verbs.clone(),
        })
        .collect();
    let singular = if r.singular_resource.is_empty() {
        kind.to_lowercase()
    } else {
        r.singular_resource.clone()
    };
    let info = ResourceInfo {
        group: Cow::Owned(group.to_owned()),
        version: Cow::Owned(version.to_owned()),
        kind: Cow::Owned(kind),
        plural: Cow::Owned(r.resource.clone()),
        singular: Cow::Owned(singular),
        scope: if r.scope == "Cluster" {
            Scope::Cluster
        } else {
            Scope::Namespaced
        },
        verbs: verbs(&r.verbs),
        subresources: Cow::Owned(
            subresources
                .iter()
                .map(|s| Cow::Owned(s.name.clone()))
                .collect(),
        ),
    };
    DiscoveredResource {
        info,
        short_names: r.short_names.clone(),
        categories: r.categories.clone(),
        subresources,
        verbs: r.verbs.clone(),
    }
}

impl ServerResources {
    /// Builds the view from the `/api` and `/apis` aggregated documents.
    pub(crate) fn from_docs(
        core: &ApiGroupDiscoveryList,
        groups: &ApiGroupDiscoveryList,
        failed: Vec<String>,
        aggregated: bool,
    ) -> Self {
        let groups = core
            .items
            .iter()
            .chain(&groups.items)
            .map(|g| {
                let name = g.metadata.name.clone().unwrap_or_default();
                let versions = g
                    .versions
                    .iter()
                    .map(|v| DiscoveredVersion {
                        version: v.version.clone(),
                        stale: v.freshness.as_deref() == Some("Stale"),
                        resources: v
                            .resources
                            .iter()
                            .map(|r| resource(&name, &v.version, r))
                            .collect(),
                    })
                    .collect();
                DiscoveredGroup {
                    name: name.into(),
                    versions,
                }
            })
            .collect();
        Self {
            groups,
            failed,
            aggregated,
        }
    }

    /// The groups, core (`""`) first.
    pub fn groups(&self) -> &[DiscoveredGroup] {
        &self.groups
    }

    /// A group by name.
    pub fn group(&self, name: &str) -> Option<&DiscoveredGroup> {
        self.groups.iter().find(|g| g.name == name)
    }

    /// Group/versions whose resources could not be read (legacy discovery only), with the
    /// reason; the rest of the view is still usable.
    pub fn failed(&self) -> &[String] {
        &self.failed
    }

    /// `true` when the server answered with aggregated discovery (v2).
    pub fn is_aggregated(&self) -> bool {
        self.aggregated
    }

    /// Every resource of every version.
    pub fn resources(&self) -> impl Iterator<Item = &DiscoveredResource> {
        self.groups
            .iter()
            .flat_map(|g| g.versions.iter())
            .flat_map(|v| v.resources.iter())
    }

    /// The resources of each group's preferred version.
    pub fn preferred_resources(&self) -> impl Iterator<Item = &DiscoveredResource> {
        self.groups
            .iter()
            .filter_map(|g| g.versions.first())
            .flat_map(|v| v.resources.iter())
    }

    /// The resource named by a GVR; an empty version means the group's preferred version
    /// that serves it. The resource may be the plural or the singular name.
    pub fn find(&self, gvr: &GroupVersionResource) -> Option<&DiscoveredResource> {
        let group = self.group(&gvr.group)?;
        let want = gvr.resource.to_lowercase();
        group
            .versions
            .iter()
            .filter(|v| gvr.version.is_empty() || v.version == gvr.version)
            .flat_map(|v| v.resources.iter())
            .find(|r| r.info.plural == want || r.info.singular == want)
    }

    /// The resource serving a kind (the first, i.e. preferred, when several do).
    pub fn find_kind(&self, gvk: &GroupVersionKind) -> Option<&DiscoveredResource> {
        self.group(&gvk.group)?
            .versions
            .iter()
            .filter(|v| v.version == gvk.version)
            .flat_map(|v| v.resources.iter())
            .find(|r| r.info.kind == gvk.kind)
    }

    /// A [`StaticRestMapper`] over everything found, with short names and categories.
    pub fn rest_mapper(&self) -> StaticRestMapper {
        let mut m = StaticRestMapper::new();
        for r in self.resources() {
            let short: Vec<&str> = r.short_names.iter().map(String::as_str).collect();
            let cats: Vec<&str> = r.categories.iter().map(String::as_str).collect();
            m.add(r.info.clone(), &short, &cats);
        }
        m
    }
}
