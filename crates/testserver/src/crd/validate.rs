//! Validation and defaults of a CustomResourceDefinition itself (rule 6.1): its name, group,
//! names, scope, versions (exactly one storage version), and a structural schema for every
//! version.

use kapi_apimachinery::meta::{cause, StatusCause};
use kapi_apimachinery::validation;
use serde_json::{json, Value};

use super::str_at;

fn invalid(field: &str, value: &Value, detail: &str) -> StatusCause {
    StatusCause::new(
        cause::FIELD_VALUE_INVALID,
        format!("Invalid value: {value}: {detail}"),
        field,
    )
}

fn required(field: &str, detail: &str) -> StatusCause {
    let msg = if detail.is_empty() {
        "Required value".to_owned()
    } else {
        format!("Required value: {detail}")
    };
    StatusCause::new(cause::FIELD_VALUE_REQUIRED, msg, field)
}

/// Fills the defaults of a CRD (`conversion.strategy: None`, `listKind`, `singular`).
pub(crate) fn default_crd(crd: &mut Value) {
    let Some(spec) = crd.get_mut("spec").and_then(Value::as_object_mut) else {
        return;
    };
    spec.entry("conversion")
        .or_insert_with(|| json!({"strategy": "None"}));
    if let Some(names) = spec.get_mut("names").and_then(Value::as_object_mut) {
        let kind = names
            .get("kind")
            .and_then(Value::as_str)
            .unwrap_or("")
            .to_owned();
        if !kind.is_empty() {
            names
                .entry("listKind")
                .or_insert_with(|| Value::String(format!("{kind}List")));
            names
                .entry("singular")
                .or_insert_with(|| Value::String(kind.to_ascii_lowercase()));
        }
    }
}

/// Every problem of a CRD, one cause per field.
pub(crate) fn validate_crd(crd: &Value) -> Vec<StatusCause> {
    let mut out = Vec::new();
    let spec = crd.get("spec").cloned().unwrap_or_default();
    let group = str_at(&spec, &["group"]);
    let plural = str_at(&spec, &["names", "plural"]);
    let kind = str_at(&spec, &["names", "kind"]);
    let name = str_at(crd, &["metadata", "name"]);
    if name != format!("{plural}.{group}") {
        out.push(invalid(
            "metadata.name",
            &json!(name),
            "must be spec.names.plural+\".\"+spec.group",
        ));
    }
    if group.is_empty() {
        out.push(required("spec.group", ""));
    } else if !group.contains('.') {
        out.push(invalid(
            "spec.group",
            &json!(group),
            "should be a domain with at least one dot",
        ));
    } else if let Err(e) = validation::is_dns1123_subdomain(group) {
        out.push(invalid(
            "spec.group",
            &json!(group),
            &e.messages().join("; "),
        ));
    }
    if plural.is_empty() {
        out.push(required("spec.names.plural", ""));
    } else if let Err(e) = validation::is_dns1123_label(plural) {
        out.push(invalid(
            "spec.names.plural",
            &json!(plural),
            &e.messages().join("; "),
        ));
    }
    if kind.is_empty() {
        out.push(required("spec.names.kind", ""));
    }
    match str_at(&spec, &["scope"]) {
        "Namespaced" | "Cluster" => {}
        "" => out.push(required("spec.scope", "")),
        other => out.push(StatusCause::new(
            cause::FIELD_VALUE_NOT_SUPPORTED,
            format!("Unsupported value: {other:?}: supported values: \"Cluster\", \"Namespaced\""),
            "spec.scope",
        )),
    }
    let versions = spec
        .get("versions")
        .and_then(Value::as_array)
        .cloned()
        .unwrap_or_default();
    if versions.is_empty() {
        out.push(invalid(
            "spec.versions",
            &json!([]),
            "must have exactly one version marked as storage version",
        ));
        return out;
    }
    let storage = versions
        .iter()
        .filter(|v| v.get("storage").and_then(Value::as_bool) == Some(true))
        .count();
    if storage != 1 {
        let names: Vec<&str> = versions.iter().map(|v| str_at(v, &["name"])).collect();
        out.push(invalid(
            "spec.versions",
            &json!(names),
            "must have exactly one version marked as storage version",
        ));
    }
    let mut seen = Vec::new();
    for (i, v) in versions.iter().enumerate() {
        let path = format!("spec.versions[{i}]");
        let vname = str_at(v, &["name"]);
        if vname.is_empty() {
            out.push(required(&format!("{path}.name"), ""));
        } else if validation::is_dns1035_label(vname).is_err() {
            out.push(invalid(
                &format!("{path}.name"),
                &json!(vname),
                "must be a DNS-1035 label",
            ));
        } else if seen.contains(&vname) {
            out.push(StatusCause::new(
                cause::FIELD_VALUE_DUPLICATE,
                format!("Duplicate value: {vname:?}"),
                format!("{path}.name"),
            ));
        }
        seen.push(vname);
        match v.get("schema").and_then(|s| s.get("openAPIV3Schema")) {
            None => out.push(required(
                &format!("{path}.schema.openAPIV3Schema"),
                "schemas are required",
            )),
            Some(s) => structural(s, &format!("{path}.schema.openAPIV3Schema"), true, &mut out),
        }
        let cols = v
            .get("additionalPrinterColumns")
            .and_then(Value::as_array)
            .map(Vec::as_slice)
            .unwrap_or_default();
        for (j, c) in cols.iter().enumerate() {
            let cpath = format!("{path}.additionalPrinterColumns[{j}]");
            for f in ["name", "type", "jsonPath"] {
                if str_at(c, &[f]).is_empty() {
                    out.push(required(&format!("{cpath}.{f}"), ""));
                }
            }
            let ty = str_at(c, &["type"]);
            if !ty.is_empty() && !matches!(ty, "integer" | "number" | "string" | "boolean" | "date")
            {
                out.push(StatusCause::new(
                    cause::FIELD_VALUE_NOT_SUPPORTED,
                    format!("Unsupported value: {ty:?}: supported values: \"boolean\", \"date\", \"integer\", \"number\", \"string\""),
                    format!("{cpath}.type"),
                ));
            }
        }
        if let Some(scale) = v.get("subresources").and_then(|s| s.get("scale")) {
            for f in ["specReplicasPath", "statusReplicasPath"] {
                if str_at(scale, &[f]).is_empty() {
                    out.push(required(&format!("{path}.subresources.scale.{f}"), ""));
                }
            }
        }
        let fields = v
            .get("selectableFields")
            .and_then(Value::as_array)
            .map(Vec::as_slice)
            .unwrap_or_default();
        for (j, f) in fields.iter().enumerate() {
            if str_at(f, &["jsonPath"]).is_empty() {
                out.push(required(
                    &format!("{path}.selectableFields[{j}].jsonPath"),
                    "",
                ));
            }
        }
    }
    out
}

/// A schema is structural when every node says its `type` (unless it preserves unknown
/// fields or is an int-or-string) and the root is an object.
fn structural(s: &Value, path: &str, root: bool, out: &mut Vec<StatusCause>) {
    let ty = str_at(s, &["type"]);
    let flag = |k: &str| s.get(k).and_then(Value::as_bool) == Some(true);
    let exempt = flag("x-kubernetes-int-or-string") || flag("x-kubernetes-preserve-unknown-fields");
    if root && ty != "object" {
        if ty.is_empty() {
            out.push(required(
                &format!("{path}.type"),
                "must not be empty at the root",
            ));
        } else {
            out.push(invalid(
                &format!("{path}.type"),
                &json!(ty),
                "must be object at the root",
            ));
        }
    } else if ty.is_empty() && !exempt {
        out.push(required(
            &format!("{path}.type"),
            "must not be empty for specified object fields",
        ));
    }
    if s.get("properties").is_some() && s.get("additionalProperties").is_some() {
        out.push(StatusCause::new(
            cause::FIELD_VALUE_FORBIDDEN,
            "Forbidden: additionalProperties and properties are mutual exclusive",
            format!("{path}.additionalProperties"),
        ));
    }
    if let Some(props) = s.get("properties").and_then(Value::as_object) {
        for (k, p) in props {
            structural(p, &format!("{path}.properties[{k}]"), false, out);
        }
    }
    if let Some(items) = s.get("items") {
        structural(items, &format!("{path}.items"), false, out);
    }
    if let Some(a) = s.get("additionalProperties").filter(|a| a.is_object()) {
        structural(a, &format!("{path}.additionalProperties"), false, out);
    }
}
