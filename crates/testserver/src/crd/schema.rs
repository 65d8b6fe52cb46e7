//! Custom resource bodies against their structural schema (rule 6.3): pruning of unknown
//! fields (reported, for `fieldValidation`), `default`s, and validation with one cause per
//! field error (types, required, enum, bounds, lengths, patterns, item counts, formats).

use kapi_apimachinery::meta::{cause, StatusCause};
use serde_json::{Map, Value};

fn flag(s: &Value, k: &str) -> bool {
    s.get(k).and_then(Value::as_bool) == Some(true)
}

fn join(path: &str, key: &str) -> String {
    if path.is_empty() {
        key.to_owned()
    } else {
        format!("{path}.{key}")
    }
}

/// Removes the fields `schema` does not know (keeping `apiVersion`, `kind`, `metadata` at the
/// root and in embedded resources) and returns their paths (`spec.foo`).
pub(crate) fn prune(v: &mut Value, schema: &Value) -> Vec<String> {
    let mut unknown = Vec::new();
    prune_at(v, schema, "", true, &mut unknown);
    unknown
}

fn prune_at(v: &mut Value, s: &Value, path: &str, root: bool, unknown: &mut Vec<String>) {
    match v {
        Value::Object(m) => {
            let preserve = flag(s, "x-kubernetes-preserve-unknown-fields");
            let keep_meta = root || flag(s, "x-kubernetes-embedded-resource");
            let props = s.get("properties").and_then(Value::as_object);
            let extra = s.get("additionalProperties").filter(|a| a.is_object());
            let keys: Vec<String> = m.keys().cloned().collect();
            for k in keys {
                if keep_meta && matches!(k.as_str(), "apiVersion" | "kind" | "metadata") {
                    continue;
                }
                let child_schema = props.and_then(|p| p.get(&k)).or(extra);
                match child_schema {
                    Some(cs) => {
                        if let Some(child) = m.get_mut(&k) {
                            prune_at(child, cs, &join(path, &k), false, unknown);
                        }
                    }
                    None if preserve => {}
                    None => {
                        m.remove(&k);
                        unknown.push(join(path, &k));
                    }
                }
            }
        }
        Value::Array(items) => {
            if let Some(is) = s.get("items") {
                for (i, item) in items.iter_mut().enumerate() {
                    prune_at(item, is, &format!("{path}[{i}]"), false, unknown);
                }
            }
        }
        _ => {}
    }
}

/// Fills missing (or `null`, when not nullable) fields that have a `default`.
pub(crate) fn apply_defaults(v: &mut Value, s: &Value) {
    match v {
        Value::Object(m) => {
            if let Some(props) = s.get("properties").and_then(Value::as_object) {
                for (k, ps) in props {
                    let Some(d) = ps.get("default") else { continue };
                    let missing = match m.get(k) {
                        None => true,
                        Some(Value::Null) => !flag(ps, "nullable"),
                        Some(_) => false,
                    };
                    if missing {
                        m.insert(k.clone(), d.clone());
                    }
                }
                for (k, ps) in props {
                    if let Some(child) = m.get_mut(k) {
                        apply_defaults(child, ps);
                    }
                }
            } else if let Some(a) = s.get("additionalProperties").filter(|a| a.is_object()) {
                for child in m.values_mut() {
                    apply_defaults(child, a);
                }
            }
        }
        Value::Array(items) => {
            if let Some(is) = s.get("items") {
                for item in items {
                    apply_defaults(item, is);
                }
            }
        }
        _ => {}
    }
}

/// Every schema violation of `v`, one cause per field.
pub(crate) fn validate(v: &Value, schema: &Value) -> Vec<StatusCause> {
    let mut out = Vec::new();
    let Value::Object(m) = v else {
        return out;
    };
    // The root's apiVersion, kind and metadata are checked elsewhere.
    let mut body = m.clone();
    for k in ["apiVersion", "kind", "metadata"] {
        body.remove(k);
    }
    let mut root = schema.clone();
    if let Some(props) = root.get_mut("properties").and_then(Value::as_object_mut) {
        for k in ["apiVersion", "kind", "metadata"] {
            props.remove(k);
        }
    }
    if let Some(req) = root.get_mut("required").and_then(Value::as_array_mut) {
        req.retain(|r| !matches!(r.as_str(), Some("apiVersion" | "kind" | "metadata")));
    }
    check(&Value::Object(body), &root, "", &mut out);
    out
}

fn shown(v: &Value) -> String {
    match v {
        Value::Object(_) => "\"object\"".into(),
        Value::Array(_) => "\"array\"".into(),
        other => other.to_string(),
    }
}

fn type_name(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "boolean",
        Value::Number(n) if n.is_i64() || n.is_u64() => "integer",
        Value::Number(_) => "number",
        Value::String(_) => "string",
        Value::Array(_) => "array",
        Value::Object(_) => "object",
    }
}

fn invalid(out: &mut Vec<StatusCause>, path: &str, v: &Value, detail: &str) {
    out.push(StatusCause::new(
        cause::FIELD_VALUE_INVALID,
        format!("Invalid value: {}: {detail}", shown(v)),
        path,
    ));
}

fn type_ok(v: &Value, ty: &str) -> bool {
    match ty {
        "" => true,
        "number" => v.is_number(),
        t => type_name(v) == t,
    }
}

fn check(v: &Value, s: &Value, path: &str, out: &mut Vec<StatusCause>) {
    let ty = s.get("type").and_then(Value::as_str).unwrap_or("");
    if v.is_null() {
        if !flag(s, "nullable") && !ty.is_empty() {
            invalid(
                out,
                path,
                &Value::String("null".into()),
                &format!("{path} in body must be of type {ty}: \"null\""),
            );
        }
        return;
    }
    if flag(s, "x-kubernetes-int-or-string") {
        if !(v.is_string() || type_name(v) == "integer") {
            invalid(
                out,
                path,
                v,
                &format!(
                    "{path} in body must be of type integer or string: {}",
                    shown(v)
                ),
            );
        }
    } else if !type_ok(v, ty) {
        let actual = Value::String(type_name(v).into());
        invalid(
            out,
            path,
            &actual,
            &format!("{path} in body must be of type {ty}: \"{}\"", type_name(v)),
        );
        return;
    }
    if let Some(options) = s.get("enum").and_then(Value::as_array) {
        if !options.contains(v) {
            let list: Vec<String> = options.iter().map(Value::to_string).collect();
            out.push(StatusCause::new(
                cause::FIELD_VALUE_NOT_SUPPORTED,
                format!(
                    "Unsupported value: {}: supported values: {}",
                    shown(v),
                    list.join(", ")
                ),
                path,
            ));
        }
    }
    match v {
        Value::Number(n) => check_number(n.as_f64().unwrap_or(0.0), v, s, path, out),
        Value::String(text) => check_string(text, v, s, path, out),
        Value::Array(items) => check_array(items, v, s, path, out),
        Value::Object(m) => check_object(m, v, s, path, out),
        _ => {}
    }
}

fn num(s: &Value, k: &str) -> Option<f64> {
    s.get(k).and_then(Value::as_f64)
}

fn fmt_num(x: f64) -> String {
    if x.fract() == 0.0 && x.abs() < 1e15 {
        format!("{}", x as i64)
    } else {
        x.to_string()
    }
}

fn check_number(x: f64, v: &Value, s: &Value, path: &str, out: &mut Vec<StatusCause>) {
    if let Some(max) = num(s, "maximum") {
        if flag(s, "exclusiveMaximum") && x >= max {
            invalid(
                out,
                path,
                v,
                &format!("{path} in body should be less than {}", fmt_num(max)),
            );
        } else if x > max {
            invalid(
                out,
                path,
                v,
                &format!(
                    "{path} in body should be less than or equal to {}",
                    fmt_num(max)
                ),
            );
        }
    }
    if let Some(min) = num(s, "minimum") {
        if flag(s, "exclusiveMinimum") && x <= min {
            invalid(
                out,
                path,
                v,
                &format!("{path} in body should be greater than {}", fmt_num(min)),
            );
        } else if x < min {
            invalid(
                out,
                path,
                v,
                &format!(
                    "{path} in body should be greater than or equal to {}",
                    fmt_num(min)
                ),
            );
        }
    }
    if let Some(m) = num(s, "multipleOf").filter(|m| *m > 0.0) {
        if (x / m).fract().abs() > 1e-9 {
            invalid(
                out,
                path,
                v,
                &format!("{path} in body should be a multiple of {}", fmt_num(m)),
            );
        }
    }
    let format = s.get("format").and_then(Value::as_str).unwrap_or("");
    let bad = match format {
        "int32" => x.fract() != 0.0 || x < f64::from(i32::MIN) || x > f64::from(i32::MAX),
        "int64" => x.fract() != 0.0,
        _ => false,
    };
    if bad {
        invalid(
            out,
            path,
            v,
            &format!("{path} in body must be of type {format}: {}", shown(v)),
        );
    }
}

fn check_string(text: &str, v: &Value, s: &Value, path: &str, out: &mut Vec<StatusCause>) {
    let len = text.chars().count() as f64;
    if let Some(max) = num(s, "maxLength") {
        if len > max {
            out.push(StatusCause::new(
                cause::FIELD_VALUE_TOO_LONG,
                format!("Too long: may not be more than {} bytes", fmt_num(max)),
                path,
            ));
        }
    }
    if let Some(min) = num(s, "minLength") {
        if len < min {
            invalid(
                out,
                path,
                v,
                &format!(
                    "{path} in body should be at least {} chars long",
                    fmt_num(min)
                ),
            );
        }
    }
    if let Some(p) = s.get("pattern").and_then(Value::as_str) {
        let matches = regex::Regex::new(p).map(|re| re.is_match(text));
        if matches == Ok(false) {
            invalid(out, path, v, &format!("{path} in body should match '{p}'"));
        }
    }
    let format = s.get("format").and_then(Value::as_str).unwrap_or("");
    if !format_ok(format, text) {
        invalid(
            out,
            path,
            v,
            &format!("{path} in body must be of type {format}: {}", shown(v)),
        );
    }
}

fn format_ok(format: &str, text: &str) -> bool {
    use base64::Engine;
    match format {
        "date-time" => text.parse::<kapi_apimachinery::Time>().is_ok(),
        "date" => {
            let p: Vec<&str> = text.split('-').collect();
            p.len() == 3
                && p.iter().all(|x| x.chars().all(|c| c.is_ascii_digit()))
                && p[0].len() == 4
                && p[1].len() == 2
                && p[2].len() == 2
        }
        "byte" => base64::engine::general_purpose::STANDARD
            .decode(text)
            .is_ok(),
        "uuid" => {
            let p: Vec<&str> = text.split('-').collect();
            p.iter().map(|x| x.len()).eq([8, 4, 4, 4, 12])
                && p.iter().all(|x| x.chars().all(|c| c.is_ascii_hexdigit()))
        }
        "email" => text
            .split_once('@')
            .is_some_and(|(a, b)| !a.is_empty() && b.contains('.')),
        "int32" => text.parse::<i32>().is_ok(),
        "int64" => text.parse::<i64>().is_ok(),
        _ => true,
    }
}

fn check_array(items: &[Value], v: &Value, s: &Value, path: &str, out: &mut Vec<StatusCause>) {
    let n = items.len() as f64;
    if let Some(max) = num(s, "maxItems") {
        if n > max {
            out.push(StatusCause::new(
                "FieldValueTooMany",
                format!(
                    "Too many: {}: must have at most {} items",
                    items.len(),
                    fmt_num(max)
                ),
                path,
            ));
        }
    }
    if let Some(min) = num(s, "minItems") {
        if n < min {
            invalid(
                out,
                path,
                &Value::from(items.len()),
                &format!("{path} in body should have at least {} items", fmt_num(min)),
            );
        }
    }
    let list_type = s.get("x-kubernetes-list-type").and_then(Value::as_str);
    let keys: Vec<&str> = s
        .get("x-kubernetes-list-map-keys")
        .and_then(Value::as_array)
        .map(|a| a.iter().filter_map(Value::as_str).collect())
        .unwrap_or_default();
    let identity = |item: &Value| -> Value {
        if list_type == Some("map") {
            Value::Array(
                keys.iter()
                    .map(|k| item.get(*k).cloned().unwrap_or(Value::Null))
                    .collect(),
            )
        } else {
            item.clone()
        }
    };
    if flag(s, "uniqueItems") || matches!(list_type, Some("set" | "map")) {
        for (i, item) in items.iter().enumerate() {
            let id = identity(item);
            if items[..i].iter().any(|o| identity(o) == id) {
                let shown_id = if list_type == Some("map") {
                    let m: Map<String, Value> = keys
                        .iter()
                        .map(|k| {
                            (
                                (*k).to_owned(),
                                item.get(*k).cloned().unwrap_or(Value::Null),
                            )
                        })
                        .collect();
                    Value::Object(m).to_string()
                } else {
                    shown(item)
                };
                out.push(StatusCause::new(
                    cause::FIELD_VALUE_DUPLICATE,
                    format!("Duplicate value: {shown_id}"),
                    format!("{path}[{i}]"),
                ));
            }
        }
    }
    let _ = v;
    if let Some(is) = s.get("items") {
        for (i, item) in items.iter().enumerate() {
            check(item, is, &format!("{path}[{i}]"), out);
        }
    }
}

fn check_object(
    m: &Map<String, Value>,
    v: &Value,
    s: &Value,
    path: &str,
    out: &mut Vec<StatusCause>,
) {
    let n = m.len() as f64;
    if let Some(max) = num(s, "maxProperties") {
        if n > max {
            out.push(StatusCause::new(
                "FieldValueTooMany",
                format!(
                    "Too many: {}: must have at most {} items",
                    m.len(),
                    fmt_num(max)
                ),
                path,
            ));
        }
    }
    if let Some(min) = num(s, "minProperties") {
        if n < min {
            invalid(
                out,
                path,
                v,
                &format!(
                    "{path} in body should have at least {} properties",
                    fmt_num(min)
                ),
            );
        }
    }
    for r in s
        .get("required")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .filter_map(Value::as_str)
    {
        if !m.contains_key(r) {
            out.push(StatusCause::new(
                cause::FIELD_VALUE_REQUIRED,
                "Required value",
                join(path, r),
            ));
        }
    }
    let props = s.get("properties").and_then(Value::as_object);
    let extra = s.get("additionalProperties").filter(|a| a.is_object());
    for (k, child) in m {
        if let Some(cs) = props.and_then(|p| p.get(k)).or(extra) {
            check(child, cs, &join(path, k), out);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn schema() -> Value {
        json!({"type": "object", "properties": {
        "spec": {"type": "object", "required": ["size"], "properties": {
            "size": {"type": "integer", "minimum": 1, "maximum": 10, "default": 3},
            "color": {"type": "string", "enum": ["red", "blue"], "default": "red"},
            "name": {"type": "string", "maxLength": 5, "pattern": "^[a-z]+$"},
            "tags": {"type": "array", "maxItems": 2, "items": {"type": "string"}, "x-kubernetes-list-type": "set"},
            "free": {"type": "object", "x-kubernetes-preserve-unknown-fields": true},
        }}}})
    }

    #[test]
    fn prunes_defaults_and_validates() {
        let mut v = json!({"apiVersion": "x/v1", "kind": "K", "metadata": {"name": "a"},
            "spec": {"bogus": 1, "free": {"any": {"thing": 1}}}, "top": true});
        let unknown = prune(&mut v, &schema());
        assert_eq!(unknown, ["spec.bogus", "top"]);
        assert_eq!(v["spec"]["free"]["any"]["thing"], 1);
        apply_defaults(&mut v, &schema());
        assert_eq!(v["spec"]["size"], 3);
        assert_eq!(v["spec"]["color"], "red");
        assert!(validate(&v, &schema()).is_empty());
        let bad = json!({"spec": {"size": 15, "color": "pink", "name": "ABCDEFG", "tags": ["a", "a", "b"]}});
        let causes = validate(&bad, &schema());
        let msgs: Vec<String> = causes
            .iter()
            .map(|c| {
                format!(
                    "{}: {}",
                    c.field.clone().unwrap_or_default(),
                    c.message.clone().unwrap_or_default()
                )
            })
            .collect();
        assert!(msgs.contains(&"spec.size: Invalid value: 15: spec.size in body should be less than or equal to 10".to_owned()), "{msgs:?}");
        assert!(
            msgs.iter()
                .any(|m| m.starts_with("spec.color: Unsupported value: \"pink\"")),
            "{msgs:?}"
        );
        assert!(
            msgs.iter().any(|m| m.starts_with("spec.name: Too long")),
            "{msgs:?}"
        );
        assert!(
            msgs.iter().any(|m| m.contains("should match '^[a-z]+$'")),
            "{msgs:?}"
        );
        assert!(
            msgs.iter().any(|m| m.starts_with("spec.tags: Too many: 3")),
            "{msgs:?}"
        );
        assert!(
            msgs.iter()
                .any(|m| m.starts_with("spec.tags[1]: Duplicate value")),
            "{msgs:?}"
        );
        let missing = validate(&json!({"spec": {}}), &schema());
        assert_eq!(missing[0].field.as_deref(), Some("spec.size"));
        let wrong = validate(&json!({"spec": {"size": "x"}}), &schema());
        assert_eq!(
            wrong[0].message.as_deref(),
            Some(
                "Invalid value: \"string\": spec.size in body must be of type integer: \"string\""
            )
        );
    }
}
