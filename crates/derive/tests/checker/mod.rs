//! A small checker for what the API server demands of a CRD: apiserver.md §6.1 (name
//! `<plural>.<group>`, exactly one storage version, a structural `openAPIV3Schema` on every
//! version) plus the structural-schema rules and the basic name, column and subresource checks.
//! It returns one readable message per violation, prefixed with the JSON path.

use serde_json::{Map, Value};

/// Every keyword of `JSONSchemaProps`; anything else would be rejected by the API server.
const KNOWN: &[&str] = &[
    "$ref",
    "$schema",
    "additionalItems",
    "additionalProperties",
    "allOf",
    "anyOf",
    "default",
    "definitions",
    "dependencies",
    "description",
    "enum",
    "example",
    "exclusiveMaximum",
    "exclusiveMinimum",
    "externalDocs",
    "format",
    "id",
    "items",
    "maxItems",
    "maxLength",
    "maxProperties",
    "maximum",
    "minItems",
    "minLength",
    "minProperties",
    "minimum",
    "multipleOf",
    "not",
    "nullable",
    "oneOf",
    "pattern",
    "patternProperties",
    "properties",
    "required",
    "title",
    "type",
    "uniqueItems",
    "x-kubernetes-embedded-resource",
    "x-kubernetes-int-or-string",
    "x-kubernetes-list-map-keys",
    "x-kubernetes-list-type",
    "x-kubernetes-map-type",
    "x-kubernetes-preserve-unknown-fields",
    "x-kubernetes-validations",
];

/// Keywords a CRD schema must not use (v1 forbids them, or they are not structural).
const FORBIDDEN: &[&str] = &[
    "$ref",
    "$schema",
    "definitions",
    "dependencies",
    "additionalItems",
    "patternProperties",
    "id",
    "title",
];

/// Keywords not allowed anywhere under `allOf`/`anyOf`/`oneOf`/`not`.
const NOT_IN_JUNCTORS: &[&str] = &[
    "type",
    "description",
    "default",
    "additionalProperties",
    "nullable",
];

const STRING_FORMATS: &[&str] = &[
    "bsonobjectid",
    "uri",
    "email",
    "hostname",
    "ipv4",
    "ipv6",
    "cidr",
    "mac",
    "uuid",
    "uuid3",
    "uuid4",
    "uuid5",
    "isbn",
    "isbn10",
    "isbn13",
    "creditcard",
    "ssn",
    "hexcolor",
    "rgbcolor",
    "byte",
    "password",
    "date",
    "duration",
    "datetime",
    "date-time",
];

/// All violations in a CRD (as JSON).
pub(crate) fn crd_violations(crd: &Value) -> Vec<String> {
    let mut out = Vec::new();
    let spec = &crd["spec"];
    let group = spec["group"].as_str().unwrap_or_default();
    let names = &spec["names"];
    let plural = names["plural"].as_str().unwrap_or_default();

    // §6.1: the name.
    let expected = format!("{plural}.{group}");
    if crd["metadata"]["name"].as_str() != Some(expected.as_str()) {
        out.push(format!(
            "metadata.name: must be {expected:?}, got {}",
            crd["metadata"]["name"]
        ));
    }
    if !group.contains('.') || !group.split('.').all(is_dns_label) {
        out.push(format!(
            "spec.group: {group:?} must be a DNS subdomain with a dot"
        ));
    }
    for key in ["plural", "singular"] {
        check_label(&mut out, &format!("spec.names.{key}"), &names[key]);
    }
    for key in ["shortNames", "categories"] {
        for (i, v) in names[key].as_array().into_iter().flatten().enumerate() {
            check_label(&mut out, &format!("spec.names.{key}[{i}]"), v);
        }
    }
    let kind = names["kind"].as_str().unwrap_or_default();
    if !kind.starts_with(|c: char| c.is_ascii_uppercase()) {
        out.push(format!(
            "spec.names.kind: {kind:?} must start with an upper-case letter"
        ));
    }
    if names["listKind"] != Value::String(format!("{kind}List")) {
        out.push(format!("spec.names.listKind: expected {kind}List"));
    }
    if !matches!(spec["scope"].as_str(), Some("Namespaced" | "Cluster")) {
        out.push(format!(
            "spec.scope: {} is not Namespaced or Cluster",
            spec["scope"]
        ));
    }

    // §6.1: versions.
    let versions = spec["versions"].as_array().cloned().unwrap_or_default();
    let storage = versions.iter().filter(|v| v["storage"] == true).count();
    if storage != 1 {
        out.push(format!(
            "spec.versions: exactly one must have storage: true, found {storage}"
        ));
    }
    if !versions.iter().any(|v| v["served"] == true) {
        out.push("spec.versions: at least one must be served".into());
    }
    for (i, version) in versions.iter().enumerate() {
        let at = format!("spec.versions[{i}]");
        check_label(&mut out, &format!("{at}.name"), &version["name"]);
        match version.pointer("/schema/openAPIV3Schema") {
            Some(schema) => {
                root_violations(schema, &format!("{at}.schema.openAPIV3Schema"), &mut out);
            }
            None => out.push(format!("{at}.schema.openAPIV3Schema: required")),
        }
        subresource_violations(&version["subresources"], &at, &mut out);
        for (j, column) in version["additionalPrinterColumns"]
            .as_array()
            .into_iter()
            .flatten()
            .enumerate()
        {
            let at = format!("{at}.additionalPrinterColumns[{j}]");
            if !matches!(
                column["type"].as_str(),
                Some("integer" | "number" | "string" | "boolean" | "date")
            ) {
                out.push(format!("{at}.type: unsupported {}", column["type"]));
            }
            if !column["jsonPath"]
                .as_str()
                .is_some_and(|p| p.starts_with('.'))
            {
                out.push(format!("{at}.jsonPath: must start with '.'"));
            }
            if column["name"].as_str().is_none_or(str::is_empty) {
                out.push(format!("{at}.name: required"));
            }
        }
    }
    out
}

fn subresource_violations(sub: &Value, at: &str, out: &mut Vec<String>) {
    let scale = &sub["scale"];
    if scale.is_null() {
        return;
    }
    let under = |key: &str, prefixes: &[&str], out: &mut Vec<String>| match scale[key].as_str() {
        Some(p) if prefixes.iter().any(|x| p.starts_with(x)) => {}
        None if key == "labelSelectorPath" => {}
        other => out.push(format!(
            "{at}.subresources.scale.{key}: {other:?} not under {prefixes:?}"
        )),
    };
    under("specReplicasPath", &[".spec."], out);
    under("statusReplicasPath", &[".status."], out);
    under("labelSelectorPath", &[".spec.", ".status."], out);
}

/// The schema root: an object, not nullable, with `metadata` left to the server.
pub(crate) fn root_violations(schema: &Value, at: &str, out: &mut Vec<String>) {
    if schema["type"] != "object" {
        out.push(format!("{at}.type: the root must be an object"));
    }
    for key in [
        "nullable",
        "x-kubernetes-int-or-string",
        "x-kubernetes-embedded-resource",
    ] {
        if schema.get(key).is_some() {
            out.push(format!("{at}.{key}: not allowed at the root"));
        }
    }
    let props = &schema["properties"];
    if let Some(meta) = props.get("metadata") {
        let only_names = meta["properties"]
            .as_object()
            .is_none_or(|p| p.keys().all(|k| k == "name" || k == "generateName"));
        if meta["type"] != "object" || !only_names {
            out.push(format!("{at}.properties.metadata: may only be {{type: object}} (restricting name/generateName)"));
        }
    }
    for key in ["apiVersion", "kind"] {
        if let Some(p) = props.get(key) {
            if p["type"] != "string" {
                out.push(format!("{at}.properties.{key}.type: must be string"));
            }
        }
    }
    node_violations(schema, at, false, out);
}

/// One node and everything under it. `junctor` is true under `allOf`/`anyOf`/`oneOf`/`not`.
pub(crate) fn node_violations(schema: &Value, at: &str, junctor: bool, out: &mut Vec<String>) {
    let Some(node) = schema.as_object() else {
        out.push(format!("{at}: must be a schema object, got {schema}"));
        return;
    };
    for key in node.keys() {
        if !KNOWN.contains(&key.as_str()) {
            out.push(format!("{at}.{key}: unknown keyword"));
        } else if FORBIDDEN.contains(&key.as_str()) {
            out.push(format!("{at}.{key}: forbidden in a structural schema"));
        }
    }
    let flag = |key: &str| node.get(key) == Some(&Value::Bool(true));
    let int_or_string = flag("x-kubernetes-int-or-string");
    let preserve = flag("x-kubernetes-preserve-unknown-fields");
    if node.get("x-kubernetes-preserve-unknown-fields") == Some(&Value::Bool(false)) {
        out.push(format!(
            "{at}.x-kubernetes-preserve-unknown-fields: must be true if set"
        ));
    }
    if flag("uniqueItems") {
        out.push(format!("{at}.uniqueItems: cannot be true"));
    }
    if node.get("default") == Some(&Value::Null) {
        out.push(format!("{at}.default: null is not allowed"));
    }

    if junctor {
        for key in NOT_IN_JUNCTORS {
            if node.contains_key(*key) {
                out.push(format!("{at}.{key}: not allowed under a junctor"));
            }
        }
        if node.keys().any(|k| k.starts_with("x-kubernetes-")) {
            out.push(format!("{at}: x-kubernetes-* not allowed under a junctor"));
        }
    }

    let ty = node.get("type").and_then(Value::as_str);
    match ty {
        Some("object" | "array" | "string" | "integer" | "number" | "boolean") => {}
        Some(other) => out.push(format!("{at}.type: unknown type {other:?}")),
        None if junctor || int_or_string || preserve => {}
        None => out.push(format!(
            "{at}.type: must be set (or int-or-string / preserve-unknown-fields)"
        )),
    }
    if int_or_string && ty.is_some() {
        out.push(format!(
            "{at}.type: must be empty with x-kubernetes-int-or-string"
        ));
    }

    if let Some(Value::Array(values)) = node.get("enum") {
        for v in values {
            let ok = match (v, ty) {
                (Value::Null, _) => flag("nullable"),
                (Value::String(_), Some("string")) => true,
                (Value::Number(n), Some("integer")) => n.is_i64() || n.is_u64(),
                (Value::Number(_), Some("number")) => true,
                (Value::Bool(_), Some("boolean")) => true,
                (_, None) => !junctor,
                _ => false,
            };
            if !ok {
                out.push(format!("{at}.enum: {v} does not match type {ty:?}"));
            }
        }
    }
    if let Some(format) = node.get("format").and_then(Value::as_str) {
        let ok = match ty {
            Some("integer") => matches!(format, "int32" | "int64"),
            Some("number") => matches!(format, "float" | "double"),
            Some("string") => STRING_FORMATS.contains(&format),
            _ => false,
        };
        if !ok {
            out.push(format!(
                "{at}.format: {format:?} is unknown for type {ty:?}"
            ));
        }
    }

    let props = node.get("properties").and_then(Value::as_object);
    if let Some(props) = props {
        for (name, sub) in props {
            node_violations(sub, &format!("{at}.properties.{name}"), junctor, out);
        }
    }
    match node.get("additionalProperties") {
        None => {}
        Some(Value::Object(_)) if props.is_some() => {
            out.push(format!(
                "{at}: properties and additionalProperties are mutually exclusive"
            ));
        }
        Some(sub @ Value::Object(_)) => {
            node_violations(sub, &format!("{at}.additionalProperties"), junctor, out);
        }
        Some(other) => out.push(format!("{at}.additionalProperties: {other} is not allowed")),
    }
    if let Some(required) = node.get("required").and_then(Value::as_array) {
        for name in required {
            let known = name
                .as_str()
                .is_some_and(|n| props.is_some_and(|p| p.contains_key(n)));
            if !known && !junctor {
                out.push(format!("{at}.required: {name} is not a property"));
            }
        }
    }
    if ty == Some("array") {
        match node.get("items") {
            Some(items @ Value::Object(_)) => {
                node_violations(items, &format!("{at}.items"), junctor, out);
                if node.get("x-kubernetes-list-type") == Some(&Value::from("set"))
                    && !matches!(
                        items["type"].as_str(),
                        Some("string" | "integer" | "number" | "boolean")
                    )
                {
                    out.push(format!(
                        "{at}.x-kubernetes-list-type: set needs scalar items"
                    ));
                }
            }
            _ => out.push(format!("{at}.items: an array needs one items schema")),
        }
    }

    for key in ["allOf", "anyOf", "oneOf"] {
        let Some(alts) = node.get(key) else { continue };
        let Some(alts) = alts.as_array() else {
            out.push(format!("{at}.{key}: must be an array"));
            continue;
        };
        if key == "anyOf" && int_or_string && is_int_or_string_pair(alts) {
            continue;
        }
        for (i, alt) in alts.iter().enumerate() {
            let at = format!("{at}.{key}[{i}]");
            node_violations(alt, &at, true, out);
            junctor_fields_known(alt, props, &at, out);
        }
    }
    if let Some(not) = node.get("not") {
        node_violations(not, &format!("{at}.not"), true, out);
    }
}

fn is_int_or_string_pair(alts: &[Value]) -> bool {
    alts.len() == 2
        && alts[0] == serde_json::json!({"type": "integer"})
        && alts[1] == serde_json::json!({"type": "string"})
}

/// A junctor may not name fields the node itself does not have.
fn junctor_fields_known(
    alt: &Value,
    props: Option<&Map<String, Value>>,
    at: &str,
    out: &mut Vec<String>,
) {
    let names = alt["properties"]
        .as_object()
        .into_iter()
        .flat_map(|p| p.keys());
    let required = alt["required"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(Value::as_str);
    for name in names.map(String::as_str).chain(required) {
        if !props.is_some_and(|p| p.contains_key(name)) {
            out.push(format!(
                "{at}: names field {name:?} that the node does not have"
            ));
        }
    }
}

fn check_label(out: &mut Vec<String>, at: &str, value: &Value) {
    let v = value.as_str().unwrap_or_default();
    if !v.starts_with(|c: char| c.is_ascii_lowercase()) || !is_dns_label(v) {
        out.push(format!("{at}: {v:?} is not a DNS-1035 label"));
    }
}

fn is_dns_label(s: &str) -> bool {
    let ok = |c: char| c.is_ascii_lowercase() || c.is_ascii_digit();
    !s.is_empty()
        && s.len() <= 63
        && s.starts_with(ok)
        && s.ends_with(ok)
        && s.chars().all(|c| ok(c) || c == '-')
}
