//! What every write does to the object it is about to store, after the request's own logic:
//! unknown fields (rule 3.16: dropped, and reported by `fieldValidation`), custom resource
//! pruning, defaults and schema validation (rule 6.3), and CRD validation (rule 6.1).

use kapi_apimachinery::meta::Status;
use serde_json::Value;

use crate::crd;
use crate::http::{Fail, Req};
use crate::patch::Node;
use crate::registry::ResourceDef;

/// `fieldValidation`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum FieldValidation {
    /// Unknown or duplicate fields fail the request (400).
    Strict,
    /// They are dropped with a `Warning` header each (the default).
    Warn,
    /// They are dropped silently.
    Ignore,
}

/// Reads `fieldValidation` (400 for an unknown value).
pub(crate) fn field_validation(req: &Req) -> Result<FieldValidation, Fail> {
    match req.query.get("fieldValidation") {
        None | Some("" | "Warn") => Ok(FieldValidation::Warn),
        Some("Strict") => Ok(FieldValidation::Strict),
        Some("Ignore") => Ok(FieldValidation::Ignore),
        Some(other) => Err(Status::bad_request(format!(
            "fieldValidation: Unsupported value: {other:?}: supported values: \"Ignore\", \"Strict\", \"Warn\""
        ))
        .into()),
    }
}

/// Reports unknown or duplicate fields (`problems` are messages such as
/// `unknown field "spec.foo"`) as `fieldValidation` says.
pub(crate) fn report(req: &Req, problems: &[String]) -> Result<(), Fail> {
    if problems.is_empty() {
        return Ok(());
    }
    match field_validation(req)? {
        FieldValidation::Strict => Err(Status::bad_request(format!(
            "strict decoding error: {}",
            problems.join(", ")
        ))
        .into()),
        FieldValidation::Warn => {
            for p in problems {
                req.warn(p.clone());
            }
            Ok(())
        }
        FieldValidation::Ignore => Ok(()),
    }
}

/// Drops the fields a built-in schema does not know; returns their paths.
fn prune_known(v: &mut Value, node: Node<'_>, path: &str, out: &mut Vec<String>) {
    let Some(schema) = node.raw() else { return };
    match v {
        Value::Object(m) => {
            let props = schema.get("properties").and_then(Value::as_object);
            let extra = schema
                .get("additionalProperties")
                .is_some_and(Value::is_object);
            if props.is_none() && !extra {
                return;
            }
            let keys: Vec<String> = m.keys().cloned().collect();
            for k in keys {
                let child_path = if path.is_empty() {
                    k.clone()
                } else {
                    format!("{path}.{k}")
                };
                let known = props.is_some_and(|p| p.contains_key(&k)) || extra;
                if !known {
                    m.remove(&k);
                    out.push(child_path);
                } else if let Some(child) = m.get_mut(&k) {
                    prune_known(child, node.property(&k), &child_path, out);
                }
            }
        }
        Value::Array(items) => {
            for (i, item) in items.iter_mut().enumerate() {
                prune_known(item, node.items(), &format!("{path}[{i}]"), out);
            }
        }
        _ => {}
    }
}

/// Runs the admission steps on `v`, the object a write is about to store at `def`'s version.
pub(crate) fn admit(def: &ResourceDef, v: &mut Value, req: &Req) -> Result<(), Fail> {
    let name = v
        .get("metadata")
        .and_then(|m| m.get("name"))
        .and_then(Value::as_str)
        .unwrap_or("")
        .to_owned();
    let mut unknown = Vec::new();
    if let Some(c) = &def.crd {
        unknown = crd::schema::prune(v, &c.schema);
        let meta_node = def
            .schemas
            .definition("io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta");
        if let Some(meta) = v.get_mut("metadata") {
            prune_known(meta, meta_node, "metadata", &mut unknown);
        }
    } else if let Some(d) = def.definition.as_deref().filter(|d| def.schemas.has(d)) {
        prune_known(v, def.schemas.definition(d), "", &mut unknown);
    }
    let problems: Vec<String> = unknown
        .iter()
        .map(|p| format!("unknown field \"{p}\""))
        .collect();
    report(req, &problems)?;
    if let Some(c) = &def.crd {
        crd::schema::apply_defaults(v, &c.schema);
        let causes = crd::schema::validate(v, &c.schema);
        if !causes.is_empty() {
            return Err(Status::invalid(&def.group, &def.kind, &name, causes).into());
        }
    }
    if crd::is_crd(def) {
        crd::validate::default_crd(v);
        let causes = crd::validate::validate_crd(v);
        if !causes.is_empty() {
            return Err(Status::invalid(&def.group, &def.kind, &name, causes).into());
        }
    }
    Ok(())
}

/// Duplicate keys of a JSON body, as `duplicate field "a.b"` messages.
pub(crate) fn duplicate_fields(body: &[u8]) -> Vec<String> {
    use serde::de::{DeserializeSeed, Deserializer, MapAccess, SeqAccess, Visitor};

    struct Walk<'a> {
        path: String,
        out: &'a mut Vec<String>,
    }

    impl<'de> DeserializeSeed<'de> for Walk<'_> {
        type Value = ();
        fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<(), D::Error> {
            d.deserialize_any(self)
        }
    }

    impl<'de> Visitor<'de> for Walk<'_> {
        type Value = ();
        fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
            f.write_str("any JSON value")
        }
        fn visit_bool<E>(self, _: bool) -> Result<(), E> {
            Ok(())
        }
        fn visit_i64<E>(self, _: i64) -> Result<(), E> {
            Ok(())
        }
        fn visit_u64<E>(self, _: u64) -> Result<(), E> {
            Ok(())
        }
        fn visit_f64<E>(self, _: f64) -> Result<(), E> {
            Ok(())
        }
        fn visit_str<E>(self, _: &str) -> Result<(), E> {
            Ok(())
        }
        fn visit_unit<E>(self) -> Result<(), E> {
            Ok(())
        }
        fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<(), A::Error> {
            let mut i = 0;
            while seq
                .next_element_seed(Walk {
                    path: format!("{}[{i}]", self.path),
                    out: &mut *self.out,
                })?
                .is_some()
            {
                i += 1;
            }
            Ok(())
        }
        fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<(), A::Error> {
            let mut seen = std::collections::HashSet::new();
            while let Some(k) = map.next_key::<String>()? {
                let path = if self.path.is_empty() {
                    k.clone()
                } else {
                    format!("{}.{k}", self.path)
                };
                if !seen.insert(k) {
                    self.out.push(format!("duplicate field \"{path}\""));
                }
                map.next_value_seed(Walk {
                    path,
                    out: &mut *self.out,
                })?;
            }
            Ok(())
        }
    }

    let mut out = Vec::new();
    let mut de = serde_json::Deserializer::from_slice(body);
    let _ = Walk {
        path: String::new(),
        out: &mut out,
    }
    .deserialize(&mut de);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_duplicates() {
        let d = duplicate_fields(br#"{"a": 1, "b": {"c": 1, "c": 2}, "a": [{"x": 1, "x": 1}]}"#);
        assert_eq!(
            d,
            [
                "duplicate field \"b.c\"",
                "duplicate field \"a\"",
                "duplicate field \"a[0].x\""
            ]
        );
    }
}
