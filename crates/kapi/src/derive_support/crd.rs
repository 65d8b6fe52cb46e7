//! Assembling the CustomResourceDefinition that `#[derive(CustomResource)]`'s `crd()` returns.

use kapi_api::apiextensions::v1::{
    CustomResourceColumnDefinition, CustomResourceDefinition, CustomResourceDefinitionNames,
    CustomResourceDefinitionSpec, CustomResourceDefinitionVersion, CustomResourceSubresourceScale,
    CustomResourceSubresourceStatus, CustomResourceSubresources, CustomResourceValidation,
    JsonSchemaProps, SelectableField,
};
use kapi_apimachinery::meta::ObjectMeta;
use schemars::{Schema, SchemaGenerator};
use serde_json::{json, Map, Value};

use super::structural::Converter;

/// What the derive knows at compile time, handed to [`custom_resource_definition`].
#[doc(hidden)]
#[derive(Clone, Copy, Debug)]
pub struct CrdParams<'a> {
    pub group: &'a str,
    pub version: &'a str,
    pub kind: &'a str,
    pub plural: &'a str,
    pub singular: &'a str,
    pub namespaced: bool,
    pub short_names: &'a [&'a str],
    pub categories: &'a [&'a str],
    pub description: Option<&'a str>,
    pub scale: Option<CrdScale<'a>>,
    pub printer_columns: &'a [CrdColumn<'a>],
    pub selectable_fields: &'a [&'a str],
}

/// `scale(...)` of the derive.
#[doc(hidden)]
#[derive(Clone, Copy, Debug)]
pub struct CrdScale<'a> {
    pub spec_replicas_path: &'a str,
    pub status_replicas_path: &'a str,
    pub label_selector_path: Option<&'a str>,
}

/// One `printcolumn(...)` of the derive.
#[doc(hidden)]
#[derive(Clone, Copy, Debug)]
pub struct CrdColumn<'a> {
    pub name: &'a str,
    pub type_: &'a str,
    pub json_path: &'a str,
    pub description: Option<&'a str>,
    pub format: Option<&'a str>,
    pub priority: Option<i32>,
}

/// Builds the CRD: one served and stored version whose schema is the structural form of
/// `spec` (and `status`), with the derive's names, subresources and columns.
#[doc(hidden)]
pub fn custom_resource_definition(
    params: &CrdParams<'_>,
    generator: &mut SchemaGenerator,
    spec: &Schema,
    status: Option<&Schema>,
) -> CustomResourceDefinition {
    let definitions = generator.definitions().clone();
    let mut converter = Converter::new(&definitions);

    let mut properties = Map::new();
    properties.insert(
        "apiVersion".into(),
        json!({
            "type": "string",
            "description": format!(
                "The schema version of this object: `{}/{}`.",
                params.group, params.version
            ),
        }),
    );
    properties.insert(
        "kind".into(),
        json!({
            "type": "string",
            "description": format!("The kind of this object: `{}`.", params.kind),
        }),
    );
    properties.insert("metadata".into(), json!({ "type": "object" }));
    properties.insert(
        "spec".into(),
        Value::Object(converter.convert(spec.as_value())),
    );
    if let Some(status) = status {
        properties.insert(
            "status".into(),
            Value::Object(converter.convert(status.as_value())),
        );
    }
    let mut root = Map::new();
    root.insert("type".into(), json!("object"));
    if let Some(description) = params.description {
        root.insert("description".into(), json!(description));
    }
    root.insert("required".into(), json!(["spec"]));
    root.insert("properties".into(), Value::Object(properties));

    let subresources =
        (status.is_some() || params.scale.is_some()).then(|| CustomResourceSubresources {
            status: status
                .is_some()
                .then_some(CustomResourceSubresourceStatus {}),
            scale: params.scale.map(|s| {
                field(CustomResourceSubresourceScale {
                    spec_replicas_path: s.spec_replicas_path.into(),
                    status_replicas_path: s.status_replicas_path.into(),
                    label_selector_path: s.label_selector_path.map(Into::into),
                })
            }),
        });

    CustomResourceDefinition {
        metadata: ObjectMeta {
            name: Some(format!("{}.{}", params.plural, params.group).into()),
            ..ObjectMeta::default()
        },
        spec: CustomResourceDefinitionSpec {
            group: params.group.into(),
            names: CustomResourceDefinitionNames {
                kind: params.kind.into(),
                list_kind: Some(format!("{}List", params.kind).into()),
                plural: params.plural.into(),
                singular: Some(params.singular.into()),
                short_names: strings(params.short_names),
                categories: strings(params.categories),
            },
            scope: if params.namespaced {
                "Namespaced"
            } else {
                "Cluster"
            }
            .into(),
            versions: vec![CustomResourceDefinitionVersion {
                name: params.version.into(),
                served: true,
                storage: true,
                schema: Some(CustomResourceValidation {
                    open_apiv3_schema: Some(field(into_props(root))),
                }),
                subresources: subresources.map(Box::new),
                additional_printer_columns: params.printer_columns.iter().map(column).collect(),
                selectable_fields: params
                    .selectable_fields
                    .iter()
                    .map(|path| SelectableField {
                        json_path: (*path).into(),
                    })
                    .collect(),
                ..CustomResourceDefinitionVersion::default()
            }]
            .into(),
            ..CustomResourceDefinitionSpec::default()
        },
        status: None,
    }
}

/// A structural schema as the typed `JSONSchemaProps`.
pub(crate) fn into_props(schema: Map<String, Value>) -> JsonSchemaProps {
    // Every value the converter writes has the type JSONSchemaProps expects; should a user's
    // `extend(...)` put something odd in, fall back to "anything goes" rather than panic.
    serde_json::from_value(Value::Object(schema)).unwrap_or_else(|_| JsonSchemaProps {
        x_kubernetes_preserve_unknown_fields: Some(true),
        ..JsonSchemaProps::default()
    })
}

fn column(c: &CrdColumn<'_>) -> CustomResourceColumnDefinition {
    CustomResourceColumnDefinition {
        name: c.name.into(),
        type_: c.type_.into(),
        json_path: c.json_path.into(),
        description: c.description.map(Into::into),
        format: c.format.map(Into::into),
        priority: c.priority,
    }
}

/// A value for an optional field of a generated type, boxed or not: the generator boxes some
/// nested structs, and this keeps the code independent of which.
fn field<T, U: From<T>>(value: T) -> U {
    U::from(value)
}

fn strings(values: &[&str]) -> kapi_apimachinery::ThinVec<kapi_apimachinery::CompactString> {
    values.iter().map(|s| (*s).into()).collect()
}
