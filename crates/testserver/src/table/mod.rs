//! Alternative representations kubectl asks for (rules 7.1, 7.2): `Table` (server-side
//! printing: columns per built-in kind, a CRD's printer columns) and
//! `PartialObjectMetadata(List)` (metadata only), negotiated from `Accept`.

mod columns;

use http::header::ACCEPT;
use serde_json::{json, Value};

use crate::crd::jsonpath;
use crate::http::{Fail, Req};
use crate::registry::ResourceDef;
use kapi_apimachinery::meta::{reason, Status};

/// What a read answers with.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Shape {
    /// The objects themselves.
    Full,
    /// A `Table` of this `meta.k8s.io` version.
    Table(String),
    /// `PartialObjectMetadata` / `PartialObjectMetadataList`.
    Metadata,
}

/// The representation `Accept` asks for: the first media type the server can produce.
pub(crate) fn shape(req: &Req) -> Result<Shape, Fail> {
    let Some(accept) = req.headers.get(ACCEPT).and_then(|v| v.to_str().ok()) else {
        return Ok(Shape::Full);
    };
    let mut asked_other = false;
    for m in accept.split(',') {
        let parts: Vec<String> = m.split(';').map(|p| p.trim().replace(' ', "")).collect();
        let Some(ty) = parts.first() else { continue };
        let param = |k: &str| {
            parts
                .iter()
                .find_map(|p| p.strip_prefix(&format!("{k}=")))
                .map(str::to_owned)
        };
        let json_like = matches!(
            ty.as_str(),
            "application/json" | "*/*" | "application/*" | ""
        );
        match param("as").as_deref() {
            None if json_like || ty == "application/yaml" => return Ok(Shape::Full),
            None => {}
            Some(a) if json_like && param("g").as_deref() == Some("meta.k8s.io") => {
                let v = param("v").unwrap_or_else(|| "v1".into());
                match a {
                    "Table" if v == "v1" || v == "v1beta1" => return Ok(Shape::Table(v)),
                    "PartialObjectMetadata" | "PartialObjectMetadataList"
                        if v == "v1" || v == "v1beta1" =>
                    {
                        return Ok(Shape::Metadata)
                    }
                    _ => asked_other = true,
                }
            }
            Some(_) => asked_other = true,
        }
    }
    if asked_other {
        return Err(Status::failure(
            406,
            reason::NOT_ACCEPTABLE,
            "only the following media types are accepted: application/json, application/yaml, application/json;as=Table;v=v1;g=meta.k8s.io, application/json;as=PartialObjectMetadata;v=v1;g=meta.k8s.io",
        )
        .into());
    }
    Ok(Shape::Full)
}

/// A `PartialObjectMetadata` of an object.
pub(crate) fn partial(obj: &Value) -> Value {
    json!({
        "kind": "PartialObjectMetadata",
        "apiVersion": "meta.k8s.io/v1",
        "metadata": obj.get("metadata").cloned().unwrap_or_else(|| json!({})),
    })
}

/// A `PartialObjectMetadataList` of objects.
pub(crate) fn partial_list(items: &[Value], list_meta: &Value) -> Value {
    json!({
        "kind": "PartialObjectMetadataList",
        "apiVersion": "meta.k8s.io/v1",
        "metadata": list_meta,
        "items": items.iter().map(partial).collect::<Vec<_>>(),
    })
}

/// A `Table` of objects (`list_meta` carries resourceVersion and continue).
pub(crate) fn table(
    def: &ResourceDef,
    items: &[Value],
    list_meta: &Value,
    version: &str,
    include: &str,
) -> Value {
    let (defs, cells): (Vec<Value>, Cells) = match &def.crd {
        Some(c) => custom_columns(&c.columns),
        None => columns::builtin(&def.group, &def.plural),
    };
    let rows: Vec<Value> = items
        .iter()
        .map(|o| {
            let mut row = json!({"cells": cells(o)});
            match include {
                "None" => {}
                "Object" => row["object"] = o.clone(),
                _ => row["object"] = partial(o),
            }
            row
        })
        .collect();
    json!({
        "kind": "Table",
        "apiVersion": format!("meta.k8s.io/{version}"),
        "metadata": list_meta,
        "columnDefinitions": defs,
        "rows": rows,
    })
}

fn column(name: &str, ty: &str, format: &str, description: &str, priority: i64) -> Value {
    json!({"name": name, "type": ty, "format": format, "description": description, "priority": priority})
}

type Cells = Box<dyn Fn(&Value) -> Vec<Value>>;

/// Name plus a CRD's printer columns (Name and Age when it has none).
fn custom_columns(cols: &[crate::crd::PrinterColumn]) -> (Vec<Value>, Cells) {
    let mut cols = cols.to_vec();
    if cols.is_empty() {
        cols.push(crate::crd::PrinterColumn {
            name: "Age".into(),
            ty: "date".into(),
            format: String::new(),
            description: String::new(),
            priority: 0,
            json_path: ".metadata.creationTimestamp".into(),
        });
    }
    let mut defs = vec![column(
        "Name",
        "string",
        "name",
        "Name must be unique within a namespace.",
        0,
    )];
    defs.extend(
        cols.iter()
            .map(|c| column(&c.name, &c.ty, &c.format, &c.description, c.priority)),
    );
    let cells = move |o: &Value| {
        let mut out = vec![columns::name(o)];
        for c in &cols {
            let found = jsonpath::find(o, &c.json_path);
            let cell = match found.as_slice() {
                [] => Value::Null,
                [one] => typed_cell(&c.ty, one),
                many => Value::String(
                    many.iter()
                        .map(|v| v.as_str().map_or_else(|| v.to_string(), str::to_owned))
                        .collect::<Vec<_>>()
                        .join(","),
                ),
            };
            out.push(cell);
        }
        out
    };
    (defs, Box::new(cells))
}

fn typed_cell(ty: &str, v: &Value) -> Value {
    match (ty, v) {
        ("date", Value::String(s)) => Value::String(columns::age_of(s)),
        ("string", Value::String(_)) => v.clone(),
        ("string", Value::Object(_) | Value::Array(_)) => Value::String(v.to_string()),
        ("string", other) => Value::String(other.to_string()),
        _ => v.clone(),
    }
}

/// `includeObject` (`None`, `Metadata` — the default — or `Object`).
pub(crate) fn include(req: &Req) -> String {
    req.query
        .get("includeObject")
        .unwrap_or("Metadata")
        .to_owned()
}

/// One object in the requested shape (a one-row table for `kubectl get` and `get -w`).
pub(crate) fn object_in(def: &ResourceDef, shape: &Shape, obj: &Value, include: &str) -> Value {
    match shape {
        Shape::Full => obj.clone(),
        Shape::Metadata => partial(obj),
        Shape::Table(v) => {
            let rv = obj
                .get("metadata")
                .and_then(|m| m.get("resourceVersion"))
                .cloned()
                .unwrap_or(Value::Null);
            table(
                def,
                std::slice::from_ref(obj),
                &json!({ "resourceVersion": rv }),
                v,
                include,
            )
        }
    }
}
