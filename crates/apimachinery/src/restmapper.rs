//! REST mapping: between kinds and resources (plural, singular, short names), with scope and
//! preferred versions.
//!
//! [`RestMapper`] is the trait; [`StaticRestMapper`] is filled from known [`ResourceInfo`]s (the
//! generated catalog, CRDs you know about). A discovery-backed mapper lives in the client crate.
//!
//! ```
//! use kapi_apimachinery::restmapper::{RestMapper, StaticRestMapper};
//! use kapi_apimachinery::{GroupVersionKind, ResourceInfo, Scope};
//! let mut mapper = StaticRestMapper::new();
//! let deploy = ResourceInfo::new(&GroupVersionKind::new("apps", "v1", "Deployment"), "deployments", Scope::Namespaced);
//! mapper.add(deploy, &["deploy"], &["all"]);
//! assert_eq!(mapper.resolve("deploy").unwrap().kind, "Deployment");
//! assert_eq!(mapper.resolve("deployments.apps").unwrap().plural, "deployments");
//! assert_eq!(mapper.resolve("deployments.v1.apps").unwrap().version, "v1");
//! ```

use std::cmp::Ordering;

use crate::error::{Error, Result};
use crate::gvk::{GroupKind, GroupResource, GroupVersionKind, GroupVersionResource};
use crate::resource::ResourceInfo;
use crate::version_order::version_priority;

/// The plural and singular resource names upstream guesses for a kind: lower-case, `…s` → `…ses`,
/// `…y` → `…ies`, otherwise `+s`; `endpoints` stays as it is.
///
/// ```
/// use kapi_apimachinery::restmapper::guess_plural;
/// assert_eq!(guess_plural("Ingress"), ("ingresses".into(), "ingress".into()));
/// assert_eq!(guess_plural("NetworkPolicy"), ("networkpolicies".into(), "networkpolicy".into()));
/// assert_eq!(guess_plural("Endpoints"), ("endpoints".into(), "endpoints".into()));
/// assert_eq!(guess_plural("Pod"), ("pods".into(), "pod".into()));
/// ```
pub fn guess_plural(kind: &str) -> (String, String) {
    let singular = kind.to_lowercase();
    let plural = if singular.is_empty() || singular.ends_with("endpoints") {
        singular.clone()
    } else if singular.ends_with('s') {
        format!("{singular}es")
    } else if let Some(stem) = singular.strip_suffix('y') {
        format!("{stem}ies")
    } else {
        format!("{singular}s")
    };
    (plural, singular)
}

/// Maps between kinds and resources.
pub trait RestMapper: Send + Sync {
    /// Every resource matching a partial GVR: empty group or version match anything; the
    /// resource may be the plural or the singular name. Most preferred version first.
    fn resources_for(&self, partial: &GroupVersionResource) -> Vec<ResourceInfo>;

    /// Every mapping of a group/kind, most preferred version first; `versions` (if not empty)
    /// restricts and orders the versions.
    fn mappings_for(&self, gk: &GroupKind, versions: &[&str]) -> Vec<ResourceInfo>;

    /// The single best resource for a partial GVR.
    ///
    /// # Errors
    /// [`Error::NoMapping`] when nothing matches; [`Error::Ambiguous`] when several groups match.
    fn resource_for(&self, partial: &GroupVersionResource) -> Result<ResourceInfo> {
        let found = self.resources_for(partial);
        let Some(first) = found.first() else {
            return Err(Error::NoMapping(format!("resource {partial}")));
        };
        let other_group: Vec<String> = found
            .iter()
            .filter(|i| i.group != first.group)
            .map(|i| i.gvr().group_resource().to_string())
            .collect();
        if !other_group.is_empty() && partial.group.is_empty() {
            let mut all = vec![first.gvr().group_resource().to_string()];
            all.extend(other_group);
            all.dedup();
            if all.len() > 1 {
                return Err(Error::Ambiguous {
                    what: partial.resource.clone(),
                    candidates: all.join(", "),
                });
            }
        }
        Ok(first.clone())
    }

    /// The kind served by a partial GVR.
    ///
    /// # Errors
    /// As [`RestMapper::resource_for`].
    fn kind_for(&self, partial: &GroupVersionResource) -> Result<GroupVersionKind> {
        self.resource_for(partial).map(|i| i.gvk())
    }

    /// The preferred mapping of a group/kind.
    ///
    /// # Errors
    /// [`Error::NoMapping`] when the kind is unknown (in the given versions).
    fn rest_mapping(&self, gk: &GroupKind, versions: &[&str]) -> Result<ResourceInfo> {
        self.mappings_for(gk, versions)
            .into_iter()
            .next()
            .ok_or_else(|| Error::NoMapping(format!("kind {gk} in versions {versions:?}")))
    }
}

#[derive(Clone, Debug)]
struct Entry {
    info: ResourceInfo,
    short_names: Vec<String>,
    categories: Vec<String>,
}

/// A [`RestMapper`] over a fixed set of resources.
#[derive(Clone, Debug, Default)]
pub struct StaticRestMapper {
    entries: Vec<Entry>,
}

impl StaticRestMapper {
    /// An empty mapper.
    pub fn new() -> Self {
        Self::default()
    }

    /// Adds a resource with its short names and categories (replacing the same GVR).
    pub fn add(&mut self, info: ResourceInfo, short_names: &[&str], categories: &[&str]) {
        self.entries.retain(|e| e.info.gvr() != info.gvr());
        self.entries.push(Entry {
            info,
            short_names: short_names.iter().map(|s| (*s).to_owned()).collect(),
            categories: categories.iter().map(|s| (*s).to_owned()).collect(),
        });
    }

    /// Number of resources known.
    pub fn len(&self) -> usize {
        self.entries.len()
    }

    /// `true` when no resource is known.
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    /// The resources in a category (e.g. `all`), preferred versions only.
    pub fn category(&self, name: &str) -> Vec<ResourceInfo> {
        let mut out: Vec<ResourceInfo> = Vec::new();
        for e in self
            .sorted()
            .into_iter()
            .filter(|e| e.categories.iter().any(|c| c == name))
        {
            if !out
                .iter()
                .any(|o| o.group == e.info.group && o.plural == e.info.plural)
            {
                out.push(e.info.clone());
            }
        }
        out
    }

    /// Resolves a kubectl-style resource argument: `pods`, `pod`, `po`, `Pod`,
    /// `deployments.apps`, `deployments.v1.apps`, `Deployment.apps`.
    ///
    /// # Errors
    /// [`Error::NoMapping`] or [`Error::Ambiguous`].
    pub fn resolve(&self, arg: &str) -> Result<ResourceInfo> {
        let (full, gr) = GroupVersionResource::parse_resource_arg(arg);
        if let Some(gvr) = full {
            if let Ok(found) = self.resource_for(&gvr) {
                return Ok(found);
            }
        }
        let lower = gr.resource.to_lowercase();
        let by_name = GroupVersionResource::new(&gr.group, "", &lower);
        match self.resource_for(&by_name) {
            Ok(found) => return Ok(found),
            Err(e @ Error::Ambiguous { .. }) => return Err(e),
            Err(_) => {}
        }
        let by_short: Vec<ResourceInfo> = self
            .sorted()
            .into_iter()
            .filter(|e| group_matches(&gr, &e.info) && e.short_names.contains(&lower))
            .map(|e| e.info.clone())
            .collect();
        if let Some(first) = by_short.first() {
            return Ok(first.clone());
        }
        let by_kind: Vec<ResourceInfo> = self
            .sorted()
            .into_iter()
            .filter(|e| group_matches(&gr, &e.info) && e.info.kind.to_lowercase() == lower)
            .map(|e| e.info.clone())
            .collect();
        by_kind
            .into_iter()
            .next()
            .ok_or_else(|| Error::NoMapping(format!("resource type {arg:?}")))
    }

    fn sorted(&self) -> Vec<&Entry> {
        let mut v: Vec<&Entry> = self.entries.iter().collect();
        v.sort_by(|a, b| preference(&a.info, &b.info));
        v
    }
}

fn group_matches(gr: &GroupResource, info: &ResourceInfo) -> bool {
    gr.group.is_empty() || gr.group == info.group
}

/// Core group first, then groups by name; within a group the preferred version first.
fn preference(a: &ResourceInfo, b: &ResourceInfo) -> Ordering {
    let core = |i: &ResourceInfo| !i.group.is_empty();
    core(a)
        .cmp(&core(b))
        .then_with(|| a.group.cmp(&b.group))
        .then_with(|| version_priority(&b.version, &a.version))
}

impl RestMapper for StaticRestMapper {
    fn resources_for(&self, partial: &GroupVersionResource) -> Vec<ResourceInfo> {
        let want = partial.resource.to_lowercase();
        self.sorted()
            .into_iter()
            .filter(|e| {
                (partial.group.is_empty() || partial.group == e.info.group)
                    && (partial.version.is_empty() || partial.version == e.info.version)
                    && (want == e.info.plural || want == e.info.singular)
            })
            .map(|e| e.info.clone())
            .collect()
    }

    fn mappings_for(&self, gk: &GroupKind, versions: &[&str]) -> Vec<ResourceInfo> {
        let mut found: Vec<ResourceInfo> = self
            .sorted()
            .into_iter()
            .filter(|e| e.info.group == gk.group && e.info.kind == gk.kind)
            .filter(|e| versions.is_empty() || versions.contains(&e.info.version.as_ref()))
            .map(|e| e.info.clone())
            .collect();
        if !versions.is_empty() {
            found.sort_by_key(|i| {
                versions
                    .iter()
                    .position(|v| *v == i.version)
                    .unwrap_or(usize::MAX)
            });
        }
        found
    }
}
