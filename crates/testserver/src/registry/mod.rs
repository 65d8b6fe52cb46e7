//! The resource table: every resource the server serves, by group, version and plural.
//!
//! Filled from `kapi_api::catalog` at start. Each [`ResourceDef`] carries what the handlers
//! need to know about a type beyond its URL: scope, verbs, subresources, whether it tracks
//! `metadata.generation`, how deletes answer, which field labels it supports, and where its
//! objects are stored (one store per group and plural, shared by all versions).

mod discovery;
mod fields;

use std::collections::BTreeMap;
use std::sync::Arc;

use kapi_api::catalog::{self, CatalogEntry};
use kapi_apimachinery::Verbs;

pub(crate) use discovery::Discovery;

use crate::crd::CrdVersion;
use crate::patch::Schemas;
pub(crate) use fields::FieldLabels;

/// One served resource at one version.
#[derive(Debug)]
pub(crate) struct ResourceDef {
    /// Group (`""` for core).
    pub(crate) group: String,
    /// Version.
    pub(crate) version: String,
    /// Kind.
    pub(crate) kind: String,
    /// Plural (the URL segment).
    pub(crate) plural: String,
    /// Singular.
    pub(crate) singular: String,
    /// `true` for namespaced resources.
    pub(crate) namespaced: bool,
    /// Verbs of the main resource.
    pub(crate) verbs: Verbs,
    /// Subresources (status, scale, log, exec, ...).
    pub(crate) subresources: Vec<SubresourceDef>,
    /// Short names.
    pub(crate) short_names: Vec<String>,
    /// Categories.
    pub(crate) categories: Vec<String>,
    /// OpenAPI definition of the kind (for strategic merge patch).
    pub(crate) definition: Option<String>,
    /// `true` when `/status` exists.
    pub(crate) has_status: bool,
    /// `true` when `metadata.generation` is maintained.
    pub(crate) tracks_generation: bool,
    /// `true` when a completed delete answers with the object instead of a `Status`.
    pub(crate) returns_deleted_object: bool,
    /// Field labels supported by field selectors.
    pub(crate) field_labels: FieldLabels,
    /// Store key: `group/plural`, shared by every version of the resource.
    pub(crate) storage_key: Arc<str>,
    /// `true` when this version is the one objects are stored in.
    pub(crate) is_storage_version: bool,
    /// `true` for custom resources (from CRDs).
    pub(crate) custom: bool,
    /// Schemas for strategic merge patch, server-side apply and unknown-field detection.
    pub(crate) schemas: Schemas,
    /// What a CRD says about this version (custom resources only).
    pub(crate) crd: Option<Arc<CrdVersion>>,
}

/// One subresource of a [`ResourceDef`].
#[derive(Debug, Clone)]
pub(crate) struct SubresourceDef {
    /// Name (`status`, `scale`).
    pub(crate) name: String,
    /// Body kind `(group, version, kind)`.
    pub(crate) kind: (String, String, String),
    /// Verb names for discovery.
    pub(crate) verbs: Vec<String>,
}

impl ResourceDef {
    /// `apiVersion` of the objects served at this version.
    pub(crate) fn api_version(&self) -> String {
        if self.group.is_empty() {
            self.version.clone()
        } else {
            format!("{}/{}", self.group, self.version)
        }
    }

    /// `true` when the main resource supports `verb`.
    pub(crate) fn allows(&self, verb: Verbs) -> bool {
        self.verbs.contains(verb)
    }

    /// `plural` or `plural.group`, as upstream messages name a resource.
    pub(crate) fn qualified(&self) -> String {
        if self.group.is_empty() {
            self.plural.clone()
        } else {
            format!("{}.{}", self.plural, self.group)
        }
    }

    /// The subresource called `name`.
    pub(crate) fn subresource(&self, name: &str) -> Option<&SubresourceDef> {
        self.subresources.iter().find(|s| s.name == name)
    }
}

/// Every served resource, indexed for routing.
#[derive(Debug, Default, Clone)]
pub(crate) struct Registry {
    /// `(group, version, plural)` → definition.
    by_path: BTreeMap<(String, String, String), Arc<ResourceDef>>,
    /// Group → versions, most preferred first.
    groups: BTreeMap<String, Vec<String>>,
}

impl Registry {
    /// The built-in resources of the catalog.
    pub(crate) fn builtin() -> Self {
        let mut reg = Registry::default();
        let mut versions: BTreeMap<String, Vec<String>> = BTreeMap::new();
        for e in catalog::RESOURCES {
            let g = e.info.group.to_string();
            let list = versions.entry(g).or_default();
            if !list.iter().any(|v| v == e.info.version.as_ref()) {
                list.push(e.info.version.to_string());
            }
        }
        for list in versions.values_mut() {
            list.sort_by(|a, b| kapi_apimachinery::version_priority(b, a));
        }
        for e in catalog::RESOURCES {
            let storage_version = storage_version(e, &versions);
            let def = from_catalog(e, storage_version == e.info.version.as_ref());
            reg.insert(def);
        }
        reg.groups = versions;
        reg
    }

    fn insert(&mut self, def: ResourceDef) {
        let key = (def.group.clone(), def.version.clone(), def.plural.clone());
        self.by_path.insert(key, Arc::new(def));
    }

    /// This registry plus custom resources (one definition per served version).
    pub(crate) fn with_custom(&self, defs: Vec<ResourceDef>) -> Self {
        let mut reg = self.clone();
        for def in defs {
            let list = reg.groups.entry(def.group.clone()).or_default();
            if !list.contains(&def.version) {
                list.push(def.version.clone());
            }
            reg.insert(def);
        }
        for list in reg.groups.values_mut() {
            list.sort_by(|a, b| kapi_apimachinery::version_priority(b, a));
        }
        reg
    }

    /// Every resource (every version).
    pub(crate) fn all(&self) -> impl Iterator<Item = &Arc<ResourceDef>> {
        self.by_path.values()
    }

    /// The resource at `group/version/plural`.
    pub(crate) fn get(
        &self,
        group: &str,
        version: &str,
        plural: &str,
    ) -> Option<&Arc<ResourceDef>> {
        self.by_path
            .get(&(group.to_owned(), version.to_owned(), plural.to_owned()))
    }

    /// The versions of `group`, most preferred first (`None` for an unknown group).
    pub(crate) fn versions(&self, group: &str) -> Option<&[String]> {
        self.groups.get(group).map(Vec::as_slice)
    }

    /// Every group (core first, as `""`), in name order.
    pub(crate) fn groups(&self) -> impl Iterator<Item = (&str, &[String])> {
        self.groups.iter().map(|(g, v)| (g.as_str(), v.as_slice()))
    }

    /// Every resource of one group-version, by plural.
    pub(crate) fn resources<'a>(
        &'a self,
        group: &'a str,
        version: &'a str,
    ) -> impl Iterator<Item = &'a Arc<ResourceDef>> + 'a {
        self.by_path
            .iter()
            .filter(move |((g, v, _), _)| g == group && v == version)
            .map(|(_, d)| d)
    }

    /// The definition objects of `storage_key` are stored with (its preferred version).
    pub(crate) fn storage_def(&self, storage_key: &str) -> Option<&Arc<ResourceDef>> {
        self.by_path
            .values()
            .find(|d| d.is_storage_version && &*d.storage_key == storage_key)
    }
}

/// The version a group-resource is stored at: the most preferred version that serves it.
fn storage_version<'a>(e: &CatalogEntry, versions: &'a BTreeMap<String, Vec<String>>) -> &'a str {
    let list = versions
        .get(e.info.group.as_ref())
        .map(Vec::as_slice)
        .unwrap_or_default();
    list.iter()
        .find(|v| {
            catalog::RESOURCES.iter().any(|o| {
                o.info.group == e.info.group
                    && o.info.plural == e.info.plural
                    && o.info.version == v.as_str()
            })
        })
        .map_or("", String::as_str)
}

fn from_catalog(e: &CatalogEntry, is_storage_version: bool) -> ResourceDef {
    let info = &e.info;
    let subresources = e
        .subresources
        .iter()
        .map(|s| {
            let kind = s.kind.map_or_else(
                || {
                    (
                        info.group.to_string(),
                        info.version.to_string(),
                        info.kind.to_string(),
                    )
                },
                |k| (k.group.to_owned(), k.version.to_owned(), k.kind.to_owned()),
            );
            let mut verbs: Vec<String> = s.verbs.names().map(str::to_owned).collect();
            for m in s.connect {
                let v = match *m {
                    "GET" => "get",
                    "POST" => "create",
                    "PUT" => "update",
                    "PATCH" => "patch",
                    "DELETE" => "delete",
                    _ => continue,
                };
                if !verbs.iter().any(|x| x == v) {
                    verbs.push(v.to_owned());
                }
            }
            verbs.sort();
            SubresourceDef {
                name: s.name.to_owned(),
                kind,
                verbs,
            }
        })
        .collect::<Vec<_>>();
    let group = info.group.to_string();
    let plural = info.plural.to_string();
    ResourceDef {
        tracks_generation: tracks_generation(&group, &plural),
        returns_deleted_object: returns_deleted_object(&group, &plural),
        field_labels: FieldLabels::for_resource(&group, &plural, info.scope.is_namespaced()),
        storage_key: Arc::from(format!("{group}/{plural}")),
        group,
        version: info.version.to_string(),
        kind: info.kind.to_string(),
        plural,
        singular: info.singular.to_string(),
        namespaced: info.scope.is_namespaced(),
        verbs: info.verbs,
        has_status: e.has_status,
        subresources,
        short_names: e.short_names.iter().map(|s| (*s).to_owned()).collect(),
        categories: e.categories.iter().map(|s| (*s).to_owned()).collect(),
        definition: e.definition.map(str::to_owned),
        is_storage_version,
        custom: false,
        schemas: Schemas::builtin(),
        crd: None,
    }
}

/// Built-in types whose strategies maintain `metadata.generation`.
fn tracks_generation(group: &str, plural: &str) -> bool {
    match group {
        "" => matches!(plural, "pods" | "replicationcontrollers"),
        "apps" => plural != "controllerrevisions",
        "batch"
        | "autoscaling"
        | "policy"
        | "admissionregistration.k8s.io"
        | "apiextensions.k8s.io"
        | "flowcontrol.apiserver.k8s.io" => true,
        "networking.k8s.io" => matches!(plural, "networkpolicies" | "ingresses"),
        "resource.k8s.io" => true,
        _ => false,
    }
}

/// Built-in types whose delete answers with the deleted object rather than a `Status`.
fn returns_deleted_object(group: &str, plural: &str) -> bool {
    match group {
        "" => matches!(
            plural,
            "pods"
                | "services"
                | "serviceaccounts"
                | "namespaces"
                | "persistentvolumes"
                | "persistentvolumeclaims"
        ),
        "storage.k8s.io" => plural == "storageclasses",
        _ => false,
    }
}
