//! CustomResourceDefinitions (spec §6): what a CRD turns into ([`CrdVersion`] and one
//! [`ResourceDef`] per served version), the controller that accepts names, sets conditions
//! and starts serving ([`reconcile`], rule 6.2), and the cleanup of a deleted CRD's objects
//! ([`finalize`], rule 6.7).
//!
//! Custom resource bodies are checked by [`schema`] (structural validation, pruning,
//! defaults: rule 6.3); the CRD object itself by [`validate`] (rule 6.1).

pub(crate) mod jsonpath;
pub(crate) mod schema;
mod status;
pub(crate) mod validate;

use std::sync::Arc;

use kapi_apimachinery::Verbs;
use serde_json::{json, Value};

use crate::openapi::definition_name;
use crate::registry::{FieldLabels, ResourceDef, SubresourceDef};

pub(crate) use status::{finalize, reconcile};

/// The API group of CRDs.
pub(crate) const GROUP: &str = "apiextensions.k8s.io";
/// The finalizer that makes deleting a CRD delete its objects first.
pub(crate) const CLEANUP_FINALIZER: &str = "customresourcecleanup.apiextensions.k8s.io";

/// `true` for the CRD resource itself.
pub(crate) fn is_crd(def: &ResourceDef) -> bool {
    def.group == GROUP && def.plural == "customresourcedefinitions"
}

/// One column of `additionalPrinterColumns`.
#[derive(Debug, Clone)]
pub(crate) struct PrinterColumn {
    /// Header.
    pub(crate) name: String,
    /// OpenAPI type (`string`, `integer`, `number`, `boolean`, `date`).
    pub(crate) ty: String,
    /// OpenAPI format.
    pub(crate) format: String,
    /// Description.
    pub(crate) description: String,
    /// 0 for the default view, more for `-o wide`.
    pub(crate) priority: i64,
    /// Where the value is.
    pub(crate) json_path: String,
}

/// `subresources.scale` of a version.
#[derive(Debug, Clone)]
pub(crate) struct ScalePaths {
    /// `specReplicasPath`.
    pub(crate) spec_replicas: String,
    /// `statusReplicasPath`.
    pub(crate) status_replicas: String,
    /// `labelSelectorPath`.
    pub(crate) label_selector: Option<String>,
}

/// What a CRD says about one of its versions.
#[derive(Debug)]
pub(crate) struct CrdVersion {
    /// `schema.openAPIV3Schema`.
    pub(crate) schema: Value,
    /// `additionalPrinterColumns`.
    pub(crate) columns: Vec<PrinterColumn>,
    /// `subresources.scale`.
    pub(crate) scale: Option<ScalePaths>,
    /// The CRD is being deleted: no new objects.
    pub(crate) terminating: bool,
}

fn str_at<'a>(v: &'a Value, path: &[&str]) -> &'a str {
    let mut cur = Some(v);
    for p in path {
        cur = cur.and_then(|c| c.get(*p));
    }
    cur.and_then(Value::as_str).unwrap_or("")
}

fn strings(v: Option<&Value>) -> Vec<String> {
    v.and_then(Value::as_array)
        .map(|a| {
            a.iter()
                .filter_map(Value::as_str)
                .map(str::to_owned)
                .collect()
        })
        .unwrap_or_default()
}

/// The resource definitions of an established CRD: one per served version.
pub(crate) fn defs_from_crd(crd: &Value) -> Vec<ResourceDef> {
    let spec = crd.get("spec").cloned().unwrap_or_default();
    let group = str_at(&spec, &["group"]).to_owned();
    let names = spec.get("names").cloned().unwrap_or_default();
    let plural = str_at(&names, &["plural"]).to_owned();
    let kind = str_at(&names, &["kind"]).to_owned();
    let singular = match str_at(&names, &["singular"]) {
        "" => kind.to_ascii_lowercase(),
        s => s.to_owned(),
    };
    let namespaced = str_at(&spec, &["scope"]) != "Cluster";
    let terminating = crate::api::meta::is_deleting(crd);
    let versions = spec
        .get("versions")
        .and_then(Value::as_array)
        .cloned()
        .unwrap_or_default();
    let mut out = Vec::new();
    for v in &versions {
        if v.get("served").and_then(Value::as_bool) != Some(true) {
            continue;
        }
        let version = str_at(v, &["name"]).to_owned();
        let schema = v
            .get("schema")
            .and_then(|s| s.get("openAPIV3Schema"))
            .cloned()
            .unwrap_or_else(|| json!({"type": "object"}));
        let subs = v.get("subresources").cloned().unwrap_or_default();
        let has_status = subs.get("status").is_some();
        let scale = subs.get("scale").map(|s| ScalePaths {
            spec_replicas: str_at(s, &["specReplicasPath"]).to_owned(),
            status_replicas: str_at(s, &["statusReplicasPath"]).to_owned(),
            label_selector: Some(str_at(s, &["labelSelectorPath"]).to_owned())
                .filter(|p| !p.is_empty()),
        });
        let mut subresources = Vec::new();
        if has_status {
            subresources.push(SubresourceDef {
                name: "status".into(),
                kind: (group.clone(), version.clone(), kind.clone()),
                verbs: vec!["get".into(), "patch".into(), "update".into()],
            });
        }
        if scale.is_some() {
            subresources.push(SubresourceDef {
                name: "scale".into(),
                kind: ("autoscaling".into(), "v1".into(), "Scale".into()),
                verbs: vec!["get".into(), "patch".into(), "update".into()],
            });
        }
        let columns = v
            .get("additionalPrinterColumns")
            .and_then(Value::as_array)
            .map(|cols| {
                cols.iter()
                    .map(|c| PrinterColumn {
                        name: str_at(c, &["name"]).to_owned(),
                        ty: str_at(c, &["type"]).to_owned(),
                        format: str_at(c, &["format"]).to_owned(),
                        description: str_at(c, &["description"]).to_owned(),
                        priority: c.get("priority").and_then(Value::as_i64).unwrap_or(0),
                        json_path: str_at(c, &["jsonPath"]).to_owned(),
                    })
                    .collect()
            })
            .unwrap_or_default();
        let selectable: Vec<String> = v
            .get("selectableFields")
            .and_then(Value::as_array)
            .map(|a| {
                a.iter()
                    .map(|f| str_at(f, &["jsonPath"]).to_owned())
                    .collect()
            })
            .unwrap_or_default();
        let definition = definition_name(&group, &version, &kind);
        let schemas = crate::patch::Schemas::builtin()
            .with_definitions([(definition.clone(), schema_with_metadata(&schema))]);
        out.push(ResourceDef {
            group: group.clone(),
            version: version.clone(),
            kind: kind.clone(),
            plural: plural.clone(),
            singular: singular.clone(),
            namespaced,
            verbs: Verbs::ALL,
            subresources,
            short_names: strings(names.get("shortNames")),
            categories: strings(names.get("categories")),
            definition: Some(definition),
            has_status,
            tracks_generation: true,
            returns_deleted_object: false,
            field_labels: FieldLabels::for_custom(namespaced, &selectable),
            storage_key: Arc::from(format!("{group}/{plural}")),
            is_storage_version: v.get("storage").and_then(Value::as_bool) == Some(true),
            custom: true,
            schemas,
            crd: Some(Arc::new(CrdVersion {
                schema,
                columns,
                scale,
                terminating,
            })),
        });
    }
    out
}

/// A custom resource schema whose `metadata` refers to `ObjectMeta` (for server-side apply
/// and unknown-field detection of metadata).
fn schema_with_metadata(schema: &Value) -> Value {
    let mut s = schema.clone();
    if let Some(props) = s
        .as_object_mut()
        .map(|m| m.entry("properties").or_insert_with(|| json!({})))
        .and_then(Value::as_object_mut)
    {
        props.insert(
            "metadata".into(),
            json!({"$ref": "#/definitions/io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta"}),
        );
        props.insert("apiVersion".into(), json!({"type": "string"}));
        props.insert("kind".into(), json!({"type": "string"}));
    }
    s
}
