//! OpenAPI for custom resources: a definition per served version (the CRD's
//! `openAPIV3Schema` plus `apiVersion`, `kind`, `metadata` and the group-version-kind
//! extension kubectl looks up), its list, and the paths of its endpoints.

use std::sync::Arc;

use serde_json::{json, Map, Value};

use super::v3;
use crate::registry::ResourceDef;

const META: &str = "io.k8s.apimachinery.pkg.apis.meta.v1.";

/// The definition name of a custom kind: the reversed group, the version and the kind
/// (`com.example.v1.Widget`).
pub(crate) fn definition_name(group: &str, version: &str, kind: &str) -> String {
    let reversed: Vec<&str> = group.split('.').rev().collect();
    format!("{}.{version}.{kind}", reversed.join("."))
}

fn gvk(def: &ResourceDef, kind: &str) -> Value {
    json!([{"group": def.group, "version": def.version, "kind": kind}])
}

/// The definitions of one custom resource version: the kind and its list.
fn definitions(def: &ResourceDef) -> Vec<(String, Value)> {
    let name = definition_name(&def.group, &def.version, &def.kind);
    let list_name = format!("{name}List");
    let mut schema = def
        .crd
        .as_ref()
        .map(|c| c.schema.clone())
        .unwrap_or_else(|| json!({"type": "object"}));
    if let Some(m) = schema.as_object_mut() {
        m.insert("type".into(), json!("object"));
        let props = m
            .entry("properties")
            .or_insert_with(|| json!({}))
            .as_object_mut();
        if let Some(p) = props {
            p.insert(
                "apiVersion".into(),
                json!({"type": "string", "description": "APIVersion defines the versioned schema of this representation of an object."}),
            );
            p.insert(
                "kind".into(),
                json!({"type": "string", "description": "Kind is a string value representing the REST resource this object represents."}),
            );
            p.insert(
                "metadata".into(),
                json!({"$ref": format!("#/definitions/{META}ObjectMeta"), "description": "Standard object's metadata."}),
            );
        }
        m.insert(
            "x-kubernetes-group-version-kind".into(),
            gvk(def, &def.kind),
        );
    }
    let list = json!({
        "type": "object",
        "required": ["items"],
        "properties": {
            "apiVersion": {"type": "string"},
            "kind": {"type": "string"},
            "metadata": {"$ref": format!("#/definitions/{META}ListMeta")},
            "items": {"type": "array", "items": {"$ref": format!("#/definitions/{name}")}},
        },
        "x-kubernetes-group-version-kind": gvk(def, &format!("{}List", def.kind)),
    });
    vec![(name, schema), (list_name, list)]
}

fn query(name: &str, ty: &str) -> Value {
    json!({"in": "query", "name": name, "type": ty, "uniqueItems": true})
}

fn body(def_name: &str) -> Value {
    json!({"in": "body", "name": "body", "required": true, "schema": {"$ref": format!("#/definitions/{def_name}")}})
}

fn op(def: &ResourceDef, action: &str, id: &str, params: &[Value], response: &str) -> Value {
    json!({
        "operationId": format!("{id}{}{}", def.version, def.kind),
        "parameters": params,
        "responses": {"200": {"schema": {"$ref": format!("#/definitions/{response}")}}},
        "x-kubernetes-action": action,
        "x-kubernetes-group-version-kind": {"group": def.group, "version": def.version, "kind": def.kind},
    })
}

fn write_params() -> Vec<Value> {
    vec![
        query("dryRun", "string"),
        query("fieldManager", "string"),
        query("fieldValidation", "string"),
    ]
}

/// The paths of one custom resource version, in Swagger form.
fn paths(def: &ResourceDef) -> Vec<(String, Value)> {
    let name = definition_name(&def.group, &def.version, &def.kind);
    let list = format!("{name}List");
    let base = format!("/apis/{}/{}", def.group, def.version);
    let scope = if def.namespaced {
        format!("{base}/namespaces/{{namespace}}/{}", def.plural)
    } else {
        format!("{base}/{}", def.plural)
    };
    let ns_param = json!({"in": "path", "name": "namespace", "required": true, "type": "string", "uniqueItems": true});
    let name_param = json!({"in": "path", "name": "name", "required": true, "type": "string", "uniqueItems": true});
    let mut scope_params = Vec::new();
    if def.namespaced {
        scope_params.push(ns_param);
    }
    let mut named_params = vec![name_param];
    named_params.extend(scope_params.iter().cloned());
    let mut patch_params = vec![
        json!({"in": "body", "name": "body", "required": true, "schema": {"$ref": format!("#/definitions/{META}Patch")}}),
    ];
    patch_params.extend(write_params());
    patch_params.push(query("force", "boolean"));
    let mut create_params = vec![body(&name)];
    create_params.extend(write_params());
    let list_params = vec![
        query("labelSelector", "string"),
        query("fieldSelector", "string"),
        query("limit", "integer"),
        query("continue", "string"),
        query("resourceVersion", "string"),
        query("watch", "boolean"),
    ];
    let status = format!("{META}Status");
    let mut out = vec![
        (
            scope.clone(),
            json!({
                "get": op(def, "list", "list", &list_params, &list),
                "post": op(def, "post", "create", &create_params, &name),
                "delete": op(def, "deletecollection", "deletecollection", &[query("dryRun", "string")], &status),
                "parameters": scope_params,
            }),
        ),
        (
            format!("{scope}/{{name}}"),
            json!({
                "get": op(def, "get", "read", &[], &name),
                "put": op(def, "put", "replace", &create_params, &name),
                "patch": op(def, "patch", "patch", &patch_params, &name),
                "delete": op(def, "delete", "delete", &[query("dryRun", "string")], &status),
                "parameters": named_params.clone(),
            }),
        ),
    ];
    if def.namespaced {
        out.push((
            format!("{base}/{}", def.plural),
            json!({"get": op(def, "list", "listAll", &list_params, &list)}),
        ));
    }
    if def.has_status {
        out.push((
            format!("{scope}/{{name}}/status"),
            json!({
                "get": op(def, "get", "readStatus", &[], &name),
                "put": op(def, "put", "replaceStatus", &create_params, &name),
                "patch": op(def, "patch", "patchStatus", &patch_params, &name),
                "parameters": named_params.clone(),
            }),
        ));
    }
    if def.subresource("scale").is_some() {
        let scale = "io.k8s.api.autoscaling.v1.Scale";
        let mut put = vec![body(scale)];
        put.extend(write_params());
        out.push((
            format!("{scope}/{{name}}/scale"),
            json!({
                "get": op(def, "get", "readScale", &[], scale),
                "put": op(def, "put", "replaceScale", &put, scale),
                "patch": op(def, "patch", "patchScale", &patch_params, scale),
                "parameters": named_params,
            }),
        ));
    }
    out
}

/// Adds the definitions and paths of custom resources to a Swagger 2.0 document.
pub(super) fn add_to_v2(doc: &mut Value, defs: &[&Arc<ResourceDef>]) {
    for def in defs {
        for (name, schema) in definitions(def) {
            if let Some(d) = doc.get_mut("definitions").and_then(Value::as_object_mut) {
                d.insert(name, schema);
            }
        }
        for (path, item) in paths(def) {
            if let Some(p) = doc.get_mut("paths").and_then(Value::as_object_mut) {
                p.insert(path, item);
            }
        }
    }
}

/// The OpenAPI 3.0 document of one custom group-version.
pub(super) fn v3_document(defs: &[&Arc<ResourceDef>]) -> Value {
    let mut own = Map::new();
    let mut paths = Map::new();
    for def in defs {
        own.extend(definitions(def));
        for (path, item) in paths_of(def) {
            paths.insert(path, item);
        }
    }
    v3::document(&paths, &|n| {
        own.get(n)
            .cloned()
            .or_else(|| kapi_api::catalog::definition(n).cloned())
    })
}

fn paths_of(def: &ResourceDef) -> Vec<(String, Value)> {
    paths(def)
        .into_iter()
        .map(|(path, item)| {
            let mut out = Map::new();
            for (k, v) in item.as_object().into_iter().flatten() {
                if k == "parameters" {
                    let params = v.as_array().map(Vec::as_slice).unwrap_or_default();
                    out.insert(k.clone(), Value::Array(v3::convert_parameters(params)));
                } else {
                    out.insert(k.clone(), v3::convert_operation(v));
                }
            }
            (path, Value::Object(out))
        })
        .collect()
}
