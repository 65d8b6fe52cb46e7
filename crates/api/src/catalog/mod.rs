//! The built-in resource catalog: what the API server serves, with no Rust types needed.
//!
//! [`RESOURCES`] lists every built-in resource of the generated Kubernetes version: its
//! [`ResourceInfo`] (group, version, kind, plural, singular, scope, verbs, subresources), short
//! names and categories, the schema definitions of the kind and its list, and per subresource
//! its body kind, verbs and `connect` methods. The schema facts come from an embedded copy of
//! the OpenAPI document with every `description` removed ([`definition`], [`definitions`],
//! [`paths`], [`openapi_v2`]); helpers answer the questions a server or a patcher asks
//! ([`field_schema`], [`patch_strategy`], [`list_type`]).
//!
//! Everything here is generated from the same spec as the types, by `kapi-codegen`, except this
//! file.
//!
//! ```
//! use kapi_api::catalog;
//! use kapi_apimachinery::{GroupVersionKind, Verbs};
//!
//! let pods = catalog::find_by_gvk(&GroupVersionKind::new("", "v1", "Pod")).expect("built in");
//! assert_eq!(pods.info.plural, "pods");
//! assert!(pods.info.verbs.contains(Verbs::WATCH));
//! assert_eq!(pods.short_names, ["po"]);
//! assert!(pods.has_status);
//!
//! let deploy = catalog::find_by_short_name("deploy").next().expect("built in");
//! assert_eq!(deploy.info.kind, "Deployment");
//! let scale = deploy.subresource("scale").expect("has scale");
//! assert_eq!(scale.definition, Some("io.k8s.api.autoscaling.v1.Scale"));
//!
//! let containers = catalog::patch_strategy("io.k8s.api.core.v1.PodSpec", "containers");
//! assert_eq!(containers.map(|p| (p.strategy, p.merge_key)), Some(("merge", Some("name"))));
//! ```

use std::sync::LazyLock;

use kapi_apimachinery::{GroupVersionKind, GroupVersionResource, ResourceInfo, Verbs};
use serde_json::{Map, Value};

mod generated;

/// Every built-in resource, sorted by group, version and plural.
pub static RESOURCES: &[CatalogEntry] = generated::ENTRIES;

/// One built-in resource.
#[derive(Clone, Debug)]
pub struct CatalogEntry {
    /// Group, version, kind, plural, singular, scope, verbs and subresource names.
    pub info: ResourceInfo,
    /// Short names (`po`, `deploy`), from a hand-kept table (the spec lacks them).
    pub short_names: &'static [&'static str],
    /// Categories (`all`, `api-extensions`), from the same table.
    pub categories: &'static [&'static str],
    /// Schema definition of the kind, e.g. `io.k8s.api.core.v1.Pod`.
    pub definition: Option<&'static str>,
    /// Schema definition of `<Kind>List`, when the resource can be listed.
    pub list_definition: Option<&'static str>,
    /// `true` when the resource has a `status` subresource.
    pub has_status: bool,
    /// Subresources, sorted by name.
    pub subresources: &'static [SubresourceEntry],
    /// Path of the generated Rust type (`kapi_api::core::v1::Pod`), when it implements
    /// `Resource`.
    pub rust_type: Option<&'static str>,
    /// Cargo feature that compiles the Rust type.
    pub feature: Option<&'static str>,
}

impl CatalogEntry {
    /// The subresource called `name`.
    pub fn subresource(&self, name: &str) -> Option<&'static SubresourceEntry> {
        self.subresources.iter().find(|s| s.name == name)
    }

    /// `true` for the resource's group/version/kind.
    pub fn is_gvk(&self, group: &str, version: &str, kind: &str) -> bool {
        self.info.group == group && self.info.version == version && self.info.kind == kind
    }
}

/// A subresource such as `status`, `scale`, `log` or `exec`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct SubresourceEntry {
    /// Name (`status`, `scale`, `proxy`).
    pub name: &'static str,
    /// Kind of its request/response body (`autoscaling/v1` `Scale` for `scale`; the resource's
    /// own kind for `status`).
    pub kind: Option<GroupVersionKindRef>,
    /// Schema definition of that kind, when the spec has one.
    pub definition: Option<&'static str>,
    /// Standard verbs it supports (`get`, `update`, `patch`, `create`).
    pub verbs: Verbs,
    /// HTTP methods of `connect` actions (`exec`, `attach`, `portforward`, `proxy`), upper-case.
    pub connect: &'static [&'static str],
}

/// A `const`-friendly group/version/kind.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct GroupVersionKindRef {
    /// Group (`""` for core).
    pub group: &'static str,
    /// Version.
    pub version: &'static str,
    /// Kind.
    pub kind: &'static str,
}

impl GroupVersionKindRef {
    /// The owned [`GroupVersionKind`].
    pub fn to_gvk(self) -> GroupVersionKind {
        GroupVersionKind::new(self.group, self.version, self.kind)
    }
}

/// The resource serving `gvk`.
pub fn find_by_gvk(gvk: &GroupVersionKind) -> Option<&'static CatalogEntry> {
    RESOURCES
        .iter()
        .find(|e| e.is_gvk(&gvk.group, &gvk.version, &gvk.kind))
}

/// The resource at `gvr` (its plural).
pub fn find_by_gvr(gvr: &GroupVersionResource) -> Option<&'static CatalogEntry> {
    RESOURCES.iter().find(|e| {
        e.info.group == gvr.group.as_str()
            && e.info.version == gvr.version.as_str()
            && e.info.plural == gvr.resource.as_str()
    })
}

/// Every version of the resources with this short name (`po`, `deploy`), any group.
pub fn find_by_short_name(short: &str) -> impl Iterator<Item = &'static CatalogEntry> + '_ {
    RESOURCES
        .iter()
        .filter(move |e| e.short_names.contains(&short))
}

/// Every version of `group`'s resource `plural` (or singular, or kind, case-insensitively),
/// as `kubectl get` resolves a resource argument.
pub fn find_by_name<'a>(
    group: &'a str,
    name: &'a str,
) -> impl Iterator<Item = &'static CatalogEntry> + 'a {
    RESOURCES.iter().filter(move |e| {
        e.info.group == group
            && (e.info.plural == name
                || e.info.singular == name
                || e.info.kind.eq_ignore_ascii_case(name))
    })
}

/// Every resource in `category` (`all`, `api-extensions`).
pub fn in_category(category: &str) -> impl Iterator<Item = &'static CatalogEntry> + '_ {
    RESOURCES
        .iter()
        .filter(move |e| e.categories.contains(&category))
}

/// The embedded OpenAPI document (descriptions, `consumes`/`produces`/`schemes`/`tags` and
/// schema-less responses removed), parsed once.
static OPENAPI: LazyLock<Value> = LazyLock::new(|| {
    serde_json::from_str(include_str!("openapi.json")).unwrap_or_else(|e| {
        // The file is generated and checked by the tests; this cannot happen in a build of a
        // clean checkout.
        panic!("kapi-api: embedded openapi.json does not parse: {e}")
    })
});

fn section(name: &str) -> &'static Map<String, Value> {
    static EMPTY: LazyLock<Map<String, Value>> = LazyLock::new(Map::new);
    OPENAPI
        .get(name)
        .and_then(Value::as_object)
        .unwrap_or(&EMPTY)
}

/// Every schema definition, by name (`io.k8s.api.core.v1.Pod`), without descriptions: types,
/// `$ref`s, `required`, formats and the `x-kubernetes-*` extensions (patch strategy and merge
/// key, list type and map keys, map type, group-version-kind, unions).
pub fn definitions() -> &'static Map<String, Value> {
    section("definitions")
}

/// One schema definition by name.
pub fn definition(name: &str) -> Option<&'static Value> {
    definitions().get(name)
}

/// The schema of property `field` of definition `def` (not following `$ref`).
pub fn field_schema(def: &str, field: &str) -> Option<&'static Value> {
    definition(def)?.get("properties")?.get(field)
}

/// The definition a property refers to, directly or through `items`/`additionalProperties`
/// (`("io.k8s.api.core.v1.PodSpec", "containers")` → `io.k8s.api.core.v1.Container`).
pub fn field_definition(def: &str, field: &str) -> Option<&'static str> {
    let mut schema = field_schema(def, field)?;
    loop {
        if let Some(r) = schema.get("$ref").and_then(Value::as_str) {
            return r.strip_prefix("#/definitions/");
        }
        schema = schema
            .get("items")
            .or_else(|| schema.get("additionalProperties"))?;
    }
}

/// Strategic-merge-patch facts of a field.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct PatchStrategy {
    /// `x-kubernetes-patch-strategy`: `merge`, `replace`, `retainKeys` or `merge,retainKeys`.
    pub strategy: &'static str,
    /// `x-kubernetes-patch-merge-key`, for merged lists of objects.
    pub merge_key: Option<&'static str>,
}

/// The strategic-merge-patch strategy of `def`'s property `field`, when it has one.
pub fn patch_strategy(def: &str, field: &str) -> Option<PatchStrategy> {
    let s = field_schema(def, field)?;
    Some(PatchStrategy {
        strategy: s.get("x-kubernetes-patch-strategy")?.as_str()?,
        merge_key: s
            .get("x-kubernetes-patch-merge-key")
            .and_then(Value::as_str),
    })
}

/// Server-side-apply list facts of a field.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ListType {
    /// `x-kubernetes-list-type`: `atomic`, `set` or `map`.
    pub list_type: &'static str,
    /// `x-kubernetes-list-map-keys`, for `map` lists.
    pub map_keys: Vec<&'static str>,
}

/// The `x-kubernetes-list-type` (and map keys) of `def`'s property `field`.
pub fn list_type(def: &str, field: &str) -> Option<ListType> {
    let s = field_schema(def, field)?;
    Some(ListType {
        list_type: s.get("x-kubernetes-list-type")?.as_str()?,
        map_keys: s
            .get("x-kubernetes-list-map-keys")
            .and_then(Value::as_array)
            .map(|a| a.iter().filter_map(Value::as_str).collect())
            .unwrap_or_default(),
    })
}

/// The `x-kubernetes-map-type` (`atomic` or `granular`) of a definition, or of `def`'s property
/// `field` when given.
pub fn map_type(def: &str, field: Option<&str>) -> Option<&'static str> {
    let s = match field {
        Some(f) => field_schema(def, f)?,
        None => definition(def)?,
    };
    s.get("x-kubernetes-map-type")?.as_str()
}

/// Every path of the API, by URL template, with per method its `operationId`,
/// `x-kubernetes-action`, `x-kubernetes-group-version-kind`, parameters and response schemas.
pub fn paths() -> &'static Map<String, Value> {
    section("paths")
}

/// The shared parameters the paths refer to (`#/parameters/...`).
pub fn parameters() -> &'static Map<String, Value> {
    section("parameters")
}

/// The embedded document as a whole: a Swagger 2.0 document (without descriptions) that a
/// test server can serve at `/openapi/v2`.
pub fn openapi_v2() -> &'static Value {
    &OPENAPI
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_entry_is_consistent() {
        for e in RESOURCES {
            if let Some(d) = e.definition {
                assert!(definition(d).is_some(), "{d} missing from openapi.json");
            }
            assert_eq!(e.has_status, e.info.has_subresource("status"));
            let names: Vec<&str> = e.subresources.iter().map(|s| s.name).collect();
            let info: Vec<&str> = e.info.subresources.iter().map(AsRef::as_ref).collect();
            assert_eq!(names, info, "{}", e.info.plural);
        }
    }

    #[test]
    fn no_descriptions_are_embedded() {
        fn walk(v: &Value, names: bool) {
            match v {
                Value::Object(m) => {
                    for (k, c) in m {
                        assert!(names || k != "description", "a description was embedded");
                        walk(
                            c,
                            !names && matches!(k.as_str(), "properties" | "responses"),
                        );
                    }
                }
                Value::Array(a) => a.iter().for_each(|c| walk(c, false)),
                _ => {}
            }
        }
        for d in definitions().values() {
            walk(d, false);
        }
    }
}
