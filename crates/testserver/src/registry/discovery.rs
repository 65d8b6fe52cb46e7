//! Discovery documents (rules 1.4–1.6), built once from the [`Registry`] and served as bytes.

use std::collections::hash_map::DefaultHasher;
use std::collections::BTreeMap;
use std::hash::{Hash, Hasher};

use bytes::Bytes;
use kapi_apimachinery::meta::{
    ApiGroup, ApiGroupDiscovery, ApiGroupDiscoveryList, ApiGroupList, ApiResource,
    ApiResourceDiscovery, ApiResourceList, ApiSubresourceDiscovery, ApiVersionDiscovery,
    DiscoveryKind, GroupVersionForDiscovery, ObjectMeta,
};

use super::{Registry, ResourceDef};

/// Serialized discovery documents.
#[derive(Debug, Default)]
pub(crate) struct Discovery {
    /// `/apis` legacy.
    pub(crate) group_list: Bytes,
    /// `/apis/{g}` legacy, by group.
    pub(crate) groups: BTreeMap<String, Bytes>,
    /// `/api/v1`, `/apis/{g}/{v}`, by `(group, version)`.
    pub(crate) resource_lists: BTreeMap<(String, String), Bytes>,
    /// Aggregated `/api` and its ETag.
    pub(crate) aggregated_core: (Bytes, String),
    /// Aggregated `/apis` and its ETag.
    pub(crate) aggregated_groups: (Bytes, String),
}

fn to_bytes<T: serde::Serialize>(v: &T) -> Bytes {
    Bytes::from(serde_json::to_vec(v).unwrap_or_default())
}

fn etag(b: &Bytes) -> String {
    let mut h = DefaultHasher::new();
    b.hash(&mut h);
    format!("\"{:016X}\"", h.finish())
}

fn gv(group: &str, version: &str) -> String {
    if group.is_empty() {
        version.to_owned()
    } else {
        format!("{group}/{version}")
    }
}

impl Discovery {
    /// Builds every document.
    pub(crate) fn build(reg: &Registry) -> Self {
        let mut d = Discovery::default();
        let mut group_list = ApiGroupList {
            kind: Some("APIGroupList".into()),
            api_version: Some("v1".into()),
            groups: Vec::new(),
        };
        let mut agg_core = Vec::new();
        let mut agg_groups = Vec::new();
        for (group, versions) in reg.groups() {
            let mut agg = ApiGroupDiscovery {
                metadata: ObjectMeta {
                    name: Some(group.into()),
                    ..ObjectMeta::default()
                },
                versions: Vec::new(),
            };
            for v in versions {
                let defs: Vec<_> = reg.resources(group, v).collect();
                d.resource_lists.insert(
                    (group.to_owned(), v.clone()),
                    to_bytes(&resource_list(group, v, &defs)),
                );
                agg.versions.push(ApiVersionDiscovery {
                    version: v.clone(),
                    resources: defs.iter().map(|d| aggregated_resource(d)).collect(),
                    freshness: Some("Current".into()),
                });
            }
            if group.is_empty() {
                agg_core.push(agg);
                continue;
            }
            agg_groups.push(agg);
            let api_group = api_group(group, versions);
            d.groups.insert(group.to_owned(), to_bytes(&api_group));
            group_list.groups.push(ApiGroup {
                kind: None,
                api_version: None,
                ..api_group
            });
        }
        d.group_list = to_bytes(&group_list);
        let list = |items| ApiGroupDiscoveryList {
            kind: Some("APIGroupDiscoveryList".into()),
            api_version: Some("apidiscovery.k8s.io/v2".into()),
            items,
            ..ApiGroupDiscoveryList::default()
        };
        let core = to_bytes(&list(agg_core));
        let groups = to_bytes(&list(agg_groups));
        d.aggregated_core = (core.clone(), etag(&core));
        d.aggregated_groups = (groups.clone(), etag(&groups));
        d
    }
}

fn api_group(group: &str, versions: &[String]) -> ApiGroup {
    let vs: Vec<GroupVersionForDiscovery> = versions
        .iter()
        .map(|v| GroupVersionForDiscovery {
            group_version: gv(group, v),
            version: v.clone(),
        })
        .collect();
    ApiGroup {
        kind: Some("APIGroup".into()),
        api_version: Some("v1".into()),
        name: group.to_owned(),
        preferred_version: vs.first().cloned(),
        versions: vs,
        server_address_by_client_cidrs: Vec::new(),
    }
}

fn resource_list(
    group: &str,
    version: &str,
    defs: &[&std::sync::Arc<ResourceDef>],
) -> ApiResourceList {
    let mut resources = Vec::new();
    for d in defs {
        resources.push(ApiResource {
            name: d.plural.clone(),
            singular_name: d.singular.clone(),
            namespaced: d.namespaced,
            group: None,
            version: None,
            kind: d.kind.clone(),
            verbs: d.verbs.names().map(str::to_owned).collect(),
            short_names: d.short_names.clone(),
            categories: d.categories.clone(),
            storage_version_hash: None,
        });
        for s in &d.subresources {
            let (g, v, k) = &s.kind;
            let other = g != &d.group || v != &d.version;
            resources.push(ApiResource {
                name: format!("{}/{}", d.plural, s.name),
                singular_name: String::new(),
                namespaced: d.namespaced,
                group: other.then(|| g.clone()),
                version: other.then(|| v.clone()),
                kind: k.clone(),
                verbs: s.verbs.clone(),
                ..ApiResource::default()
            });
        }
    }
    ApiResourceList {
        kind: Some("APIResourceList".into()),
        api_version: (!group.is_empty()).then(|| "v1".into()),
        group_version: gv(group, version),
        resources,
    }
}

fn aggregated_resource(d: &ResourceDef) -> ApiResourceDiscovery {
    ApiResourceDiscovery {
        resource: d.plural.clone(),
        response_kind: Some(DiscoveryKind {
            group: d.group.clone(),
            version: d.version.clone(),
            kind: d.kind.clone(),
        }),
        scope: if d.namespaced {
            "Namespaced"
        } else {
            "Cluster"
        }
        .into(),
        singular_resource: d.singular.clone(),
        verbs: d.verbs.names().map(str::to_owned).collect(),
        short_names: d.short_names.clone(),
        categories: d.categories.clone(),
        subresources: d
            .subresources
            .iter()
            .map(|s| ApiSubresourceDiscovery {
                subresource: s.name.clone(),
                response_kind: Some(DiscoveryKind {
                    group: s.kind.0.clone(),
                    version: s.kind.1.clone(),
                    kind: s.kind.2.clone(),
                }),
                accepted_types: Vec::new(),
                verbs: s.verbs.clone(),
            })
            .collect(),
    }
}
