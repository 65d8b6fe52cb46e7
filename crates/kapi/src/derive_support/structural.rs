//! JSON Schema (as `schemars` writes it) → structural OpenAPI v3 (as the API server wants it).
//!
//! One pass over the tree: references are inlined (a type that refers to itself becomes
//! `x-kubernetes-preserve-unknown-fields`), `null` alternatives become `nullable: true`, unions
//! are merged into one structural node (see [`super::union`]), and every keyword the API server
//! rejects or ignores is dropped.

use serde_json::{json, Map, Value};

use super::union;

/// String formats the API server knows (anything else is dropped).
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

/// Keywords copied as they are once the node's type is known.
const STRING_KEYS: &[&str] = &["pattern", "minLength", "maxLength"];
const NUMBER_KEYS: &[&str] = &["minimum", "maximum", "multipleOf"];
const ARRAY_KEYS: &[&str] = &["minItems", "maxItems"];
const OBJECT_KEYS: &[&str] = &["minProperties", "maxProperties"];

/// Rewrites schemas, resolving `$ref`s against `defs`.
pub(crate) struct Converter<'a> {
    defs: &'a Map<String, Value>,
    /// Definitions being expanded, to stop on recursive types.
    stack: Vec<String>,
}

impl<'a> Converter<'a> {
    pub(crate) fn new(defs: &'a Map<String, Value>) -> Self {
        Self {
            defs,
            stack: Vec::new(),
        }
    }

    /// The structural form of `schema`.
    pub(crate) fn convert(&mut self, schema: &Value) -> Map<String, Value> {
        let depth = self.stack.len();
        let out = match self.flatten(schema) {
            Some(node) => self.convert_flat(node),
            None => preserve_unknown(),
        };
        self.stack.truncate(depth);
        out
    }

    /// Inlines `$ref` and `allOf`, and folds `null` alternatives into `nullable`. `None` for a
    /// reference back into a definition being expanded.
    fn flatten(&mut self, schema: &Value) -> Option<Map<String, Value>> {
        let mut node = as_object(schema);
        loop {
            if let Some(reference) = node.remove("$ref") {
                let name = definition_name(reference.as_str().unwrap_or_default());
                if self.stack.contains(&name) {
                    return None;
                }
                let target = self.defs.get(&name).map(as_object).unwrap_or_default();
                self.stack.push(name);
                node = overlay(target, node);
                continue;
            }
            if let Some(Value::Array(parts)) = node.remove("allOf") {
                for part in parts {
                    let part = self.flatten(&part)?;
                    node = merge_all_of(node, part);
                }
                continue;
            }
            break;
        }
        fold_null(&mut node);
        // One alternative left after dropping `null`: it is the schema.
        for key in ["anyOf", "oneOf"] {
            let single = matches!(node.get(key), Some(Value::Array(v)) if v.len() == 1);
            if single {
                if let Some(Value::Array(mut alts)) = node.remove(key) {
                    let alt = self.flatten(&alts.remove(0))?;
                    let nullable = node.contains_key("nullable") || alt.contains_key("nullable");
                    node = overlay(alt, node);
                    if nullable {
                        node.insert("nullable".into(), Value::Bool(true));
                    }
                    fold_null(&mut node);
                }
            }
        }
        Some(node)
    }

    fn convert_flat(&mut self, mut node: Map<String, Value>) -> Map<String, Value> {
        let nullable = node.get("nullable") == Some(&Value::Bool(true));
        // `x-kubernetes-int-or-string` keeps its own `anyOf` (see `convert_typed`).
        let int_or_string = node.get("x-kubernetes-int-or-string") == Some(&Value::Bool(true));
        let alternatives = ["anyOf", "oneOf"]
            .iter()
            .find_map(|k| match node.remove(*k) {
                Some(Value::Array(alts)) if alts.len() > 1 && !int_or_string => Some(alts),
                _ => None,
            });
        node.remove("anyOf");
        node.remove("oneOf");

        let mut out = match alternatives {
            Some(alts) => {
                let variants = alts.iter().map(|a| self.convert(a)).collect();
                union::merge(variants)
            }
            None => self.convert_typed(&mut node),
        };

        if let Some(Value::String(d)) = node.get("description") {
            out.insert("description".into(), Value::String(d.clone()));
        }
        match node.get("default") {
            None | Some(Value::Null) => {}
            Some(default) => {
                out.insert("default".into(), default.clone());
            }
        }
        if let Some(example) = node.get("example").or_else(|| first(node.get("examples"))) {
            out.insert("example".into(), example.clone());
        }
        for (key, value) in &node {
            // int-or-string was handled by `convert_typed`; `false` flags mean nothing.
            let passthrough = key.starts_with("x-kubernetes-")
                && key != "x-kubernetes-int-or-string"
                && value != &Value::Bool(false);
            if passthrough {
                out.insert(key.clone(), value.clone());
            }
        }
        if nullable {
            out.insert("nullable".into(), Value::Bool(true));
            if let Some(Value::Array(values)) = out.get_mut("enum") {
                if !values.contains(&Value::Null) {
                    values.push(Value::Null);
                }
            }
        }
        out
    }

    /// A node with (at most) one type and no alternatives.
    fn convert_typed(&mut self, node: &mut Map<String, Value>) -> Map<String, Value> {
        let mut out = Map::new();
        if node.get("x-kubernetes-int-or-string") == Some(&Value::Bool(true)) {
            return union::int_or_string(node.get("pattern"));
        }
        let Some(Value::String(ty)) = node.get("type").cloned() else {
            if let Some(values) = node.get("enum") {
                // An untyped enum (rare): type it from its values when they agree.
                return union::typed_enum(values);
            }
            return preserve_unknown();
        };
        match ty.as_str() {
            "object" => self.object(node, &mut out),
            "array" => self.array(node, &mut out),
            "string" => {
                copy(node, &mut out, STRING_KEYS);
                if let Some(Value::String(f)) = node.get("format") {
                    if STRING_FORMATS.contains(&f.as_str()) {
                        out.insert("format".into(), Value::String(f.clone()));
                    }
                }
            }
            "integer" | "number" => {
                copy(node, &mut out, NUMBER_KEYS);
                exclusive_bound(node, &mut out, "exclusiveMinimum", "minimum");
                exclusive_bound(node, &mut out, "exclusiveMaximum", "maximum");
                if let Some(format) = number_format(&ty, node.get("format")) {
                    out.insert("format".into(), Value::String(format.into()));
                }
            }
            "boolean" => {}
            // `()` and other null-only types: nothing structural to say.
            _ => return preserve_unknown(),
        }
        if let Some(Value::Array(values)) = node.get("enum") {
            out.insert("enum".into(), Value::Array(values.clone()));
        }
        out.insert("type".into(), Value::String(ty));
        out
    }

    fn object(&mut self, node: &Map<String, Value>, out: &mut Map<String, Value>) {
        copy(node, out, OBJECT_KEYS);
        let mut properties = Map::new();
        if let Some(Value::Object(props)) = node.get("properties") {
            for (name, schema) in props {
                properties.insert(name.clone(), Value::Object(self.convert(schema)));
            }
        }
        match node.get("additionalProperties") {
            None | Some(Value::Bool(false)) => {}
            Some(Value::Bool(true)) => preserve(out),
            // A flattened map next to named fields: keep the fields, let the rest through.
            Some(_) if !properties.is_empty() => preserve(out),
            Some(schema) => {
                let values = self.convert(schema);
                if values == preserve_unknown() {
                    // A map of arbitrary JSON.
                    preserve(out);
                } else {
                    out.insert("additionalProperties".into(), Value::Object(values));
                }
            }
        }
        if let Some(Value::Array(required)) = node.get("required") {
            let required: Vec<Value> = required
                .iter()
                .filter(|r| r.as_str().is_some_and(|r| properties.contains_key(r)))
                .cloned()
                .collect();
            if !required.is_empty() {
                out.insert("required".into(), Value::Array(required));
            }
        }
        if !properties.is_empty() {
            out.insert("properties".into(), Value::Object(properties));
        }
    }

    fn array(&mut self, node: &Map<String, Value>, out: &mut Map<String, Value>) {
        copy(node, out, ARRAY_KEYS);
        let items = match node.get("items") {
            Some(items @ (Value::Object(_) | Value::Bool(true)))
                if !node.contains_key("prefixItems") =>
            {
                self.convert(items)
            }
            // Tuples and anything else: one schema for every item is all we can say.
            _ => preserve_unknown(),
        };
        let scalar = matches!(
            items.get("type").and_then(Value::as_str),
            Some("string" | "integer" | "number" | "boolean")
        );
        // `uniqueItems: true` is rejected by the API server; a set of scalars says the same.
        if node.get("uniqueItems") == Some(&Value::Bool(true)) && scalar {
            out.insert("x-kubernetes-list-type".into(), json!("set"));
        }
        out.insert("items".into(), Value::Object(items));
    }
}

/// `{x-kubernetes-preserve-unknown-fields: true}`: any JSON value.
pub(crate) fn preserve_unknown() -> Map<String, Value> {
    let mut map = Map::new();
    preserve(&mut map);
    map
}

fn preserve(out: &mut Map<String, Value>) {
    out.insert(
        "x-kubernetes-preserve-unknown-fields".into(),
        Value::Bool(true),
    );
}

/// The object form of a schema; `true`/`false` become `{}`.
fn as_object(schema: &Value) -> Map<String, Value> {
    match schema {
        Value::Object(map) => map.clone(),
        _ => Map::new(),
    }
}

/// `#/$defs/Name` → `Name` (JSON-pointer and percent escapes undone).
fn definition_name(reference: &str) -> String {
    let last = reference.rsplit('/').next().unwrap_or(reference);
    let unescaped = last.replace("~1", "/").replace("~0", "~");
    percent_decode(&unescaped)
}

fn percent_decode(s: &str) -> String {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let hex = bytes
            .get(i + 1..i + 3)
            .and_then(|h| std::str::from_utf8(h).ok())
            .and_then(|h| u8::from_str_radix(h, 16).ok());
        match (bytes[i], hex) {
            (b'%', Some(b)) => {
                out.push(b);
                i += 3;
            }
            (b, _) => {
                out.push(b);
                i += 1;
            }
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// `base` with every key of `top` written over it (a `$ref`'s siblings win over its target).
fn overlay(mut base: Map<String, Value>, top: Map<String, Value>) -> Map<String, Value> {
    for (key, value) in top {
        base.insert(key, value);
    }
    base
}

/// One `allOf` part into the node: properties and `required` are unioned, other keys are
/// taken from the part only when the node lacks them.
fn merge_all_of(mut node: Map<String, Value>, part: Map<String, Value>) -> Map<String, Value> {
    for (key, value) in part {
        match (key.as_str(), node.get_mut(&key), value) {
            ("properties", Some(Value::Object(mine)), Value::Object(theirs)) => {
                for (name, schema) in theirs {
                    mine.entry(name).or_insert(schema);
                }
            }
            ("required", Some(Value::Array(mine)), Value::Array(theirs)) => {
                for name in theirs {
                    if !mine.contains(&name) {
                        mine.push(name);
                    }
                }
            }
            (_, Some(_), _) => {}
            (_, None, value) => {
                node.insert(key, value);
            }
        }
    }
    node
}

/// Moves every way of saying "or null" into `nullable: true`.
fn fold_null(node: &mut Map<String, Value>) {
    let mut nullable = false;
    if let Some(Value::Array(types)) = node.get_mut("type") {
        let before = types.len();
        types.retain(|t| t != "null");
        nullable |= types.len() != before;
        if types.len() == 1 {
            let only = types.remove(0);
            node.insert("type".into(), only);
        } else if types.is_empty() {
            node.remove("type");
        } else {
            // Several types: turn them into alternatives for the union merge.
            let alts = types.iter().map(|t| json!({ "type": t })).collect();
            node.remove("type");
            node.insert("anyOf".into(), Value::Array(alts));
        }
    }
    if let Some(value) = node.remove("const") {
        if value.is_null() {
            nullable = true;
        } else {
            node.insert("enum".into(), Value::Array(vec![value]));
        }
    }
    if let Some(Value::Array(values)) = node.get_mut("enum") {
        let before = values.len();
        values.retain(|v| !v.is_null());
        nullable |= values.len() != before;
        if values.is_empty() {
            node.remove("enum");
        }
    }
    for key in ["anyOf", "oneOf"] {
        if let Some(Value::Array(alts)) = node.get_mut(key) {
            let before = alts.len();
            alts.retain(|alt| !is_null_schema(alt));
            nullable |= alts.len() != before;
        }
    }
    if nullable {
        node.insert("nullable".into(), Value::Bool(true));
    }
}

fn is_null_schema(schema: &Value) -> bool {
    schema.get("type") == Some(&json!("null")) || schema.get("const") == Some(&Value::Null)
}

fn first(value: Option<&Value>) -> Option<&Value> {
    value.and_then(Value::as_array).and_then(|v| v.first())
}

fn copy(node: &Map<String, Value>, out: &mut Map<String, Value>, keys: &[&str]) {
    for key in keys {
        if let Some(value) = node.get(*key) {
            if value.is_number() || (value.is_string() && *key == "pattern") {
                out.insert((*key).into(), value.clone());
            }
        }
    }
}

/// Draft 2020-12's numeric `exclusiveMinimum: n` → OpenAPI's `minimum: n, exclusiveMinimum:
/// true`.
fn exclusive_bound(
    node: &Map<String, Value>,
    out: &mut Map<String, Value>,
    key: &str,
    bound: &str,
) {
    match node.get(key) {
        Some(Value::Number(n)) => {
            out.insert(bound.into(), Value::Number(n.clone()));
            out.insert(key.into(), Value::Bool(true));
        }
        Some(Value::Bool(true)) if out.contains_key(bound) => {
            out.insert(key.into(), Value::Bool(true));
        }
        _ => {}
    }
}

/// Rust's integer formats (`uint8`, `int16`, …) → the two the API server knows.
fn number_format(ty: &str, format: Option<&Value>) -> Option<&'static str> {
    let format = format?.as_str()?;
    match (ty, format) {
        ("integer", "int8" | "int16" | "int32" | "uint8" | "uint16") => Some("int32"),
        ("integer", "int64" | "uint32" | "uint64" | "uint" | "int") => Some("int64"),
        ("number", "float") => Some("float"),
        ("number", "double") => Some("double"),
        _ => None,
    }
}
