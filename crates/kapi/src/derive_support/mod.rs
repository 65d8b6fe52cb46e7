//! Run-time support for `#[derive(CustomResource)]`: structural schemas and schema helpers.
//!
//! `PodSet::crd()` asks [`schemars`](https://docs.rs/schemars/1) for the JSON Schema of the
//! spec and status types and rewrites it into the *structural* OpenAPI v3 schema the API server
//! requires (`docs/derive.md` lists every rule):
//!
//! * `$ref`/`$defs` are inlined; a type that contains itself becomes
//!   `x-kubernetes-preserve-unknown-fields: true` at the point it recurs;
//! * `Option<T>` (`type: [T, "null"]`, `anyOf: [T, null]`) becomes `T` with `nullable: true`
//!   (and `null` joins an `enum`, so a null value still validates);
//! * enums are merged into one node: unit variants → `type: string` + `enum`, data variants →
//!   one object with every variant's fields; integer-or-string → `x-kubernetes-int-or-string`;
//! * `serde_json::Value` and maps of it → `x-kubernetes-preserve-unknown-fields: true`;
//! * `$schema`, `title`, `$defs`, `const`, `additionalProperties: false`, `uniqueItems`,
//!   tuples' `prefixItems` and formats the API server does not know are removed or rewritten.
//!
//! [`merge_crds`] combines the CRDs of several versions of one resource (one derive per
//! version) into one CRD with a single storage version.
//!
//! The helpers below are for `#[schemars(schema_with = "...")]` on fields whose types have no
//! `JsonSchema` impl, such as kapi's own value types:
//!
//! ```no_run
//! use kapi::apimachinery::{IntOrString, Quantity};
//! use schemars::JsonSchema;
//! use serde::{Deserialize, Serialize};
//!
//! #[derive(Clone, Debug, Serialize, Deserialize, JsonSchema)]
//! pub struct Limits {
//!     #[schemars(schema_with = "kapi::derive_support::quantity_schema")]
//!     pub memory: Quantity,
//!     #[schemars(schema_with = "kapi::derive_support::int_or_string_schema")]
//!     pub max_unavailable: IntOrString,
//! }
//!
//! let schema = kapi::derive_support::structural_schema_for::<Limits>();
//! assert_eq!(schema.type_.as_deref(), Some("object"));
//! ```

mod crd;
mod merge;
mod structural;
#[cfg(test)]
mod tests;
mod union;

use kapi_api::apiextensions::v1::JsonSchemaProps;
use schemars::generate::SchemaSettings;
use schemars::{json_schema, JsonSchema, Schema, SchemaGenerator};

#[doc(hidden)]
pub use self::crd::{custom_resource_definition, CrdColumn, CrdParams, CrdScale};
pub use self::merge::{merge_crds, MergeError};

/// The generator `crd()` uses: JSON Schema 2020-12 describing what deserializes (so fields
/// with `#[serde(default)]` are not `required`), definitions kept apart for inlining.
pub fn schema_generator() -> SchemaGenerator {
    SchemaSettings::draft2020_12()
        .with(|s| s.meta_schema = None)
        .into_generator()
}

/// The structural schema of `T`, as `crd()` would embed it.
pub fn structural_schema_for<T: JsonSchema>() -> JsonSchemaProps {
    let mut generator = schema_generator();
    let schema = generator.subschema_for::<T>();
    structural_schema(&generator, &schema)
}

/// The structural form of `schema`, resolving its references against `generator`'s
/// definitions.
pub fn structural_schema(generator: &SchemaGenerator, schema: &Schema) -> JsonSchemaProps {
    let mut converter = structural::Converter::new(generator.definitions());
    crd::into_props(converter.convert(schema.as_value()))
}

/// `IntOrString` (`intstr.IntOrString`): `x-kubernetes-int-or-string: true`.
pub fn int_or_string_schema(_: &mut SchemaGenerator) -> Schema {
    json_schema!({
        "x-kubernetes-int-or-string": true,
        "anyOf": [{ "type": "integer" }, { "type": "string" }],
    })
}

/// `Quantity` (`resource.Quantity`): an integer or a string like `1.5Gi` or `250m`.
pub fn quantity_schema(_: &mut SchemaGenerator) -> Schema {
    json_schema!({
        "x-kubernetes-int-or-string": true,
        "anyOf": [{ "type": "integer" }, { "type": "string" }],
        "pattern": QUANTITY_PATTERN,
    })
}

/// The quantity grammar: a signed decimal, then a binary suffix (`Ki`…`Ei`), a decimal suffix
/// (`n`, `u`, `m`, `k`, `M`…`E`) or a decimal exponent (`e3`).
const QUANTITY_PATTERN: &str = r"^[+-]?([0-9]+(\.[0-9]*)?|\.[0-9]+)([KMGTPE]i|[numkMGTPE]|[eE][+-]?([0-9]+(\.[0-9]*)?|\.[0-9]+))?$";

/// `Time` and `MicroTime` (`metav1.Time`): an RFC 3339 string, `format: date-time`.
pub fn time_schema(_: &mut SchemaGenerator) -> Schema {
    json_schema!({ "type": "string", "format": "date-time" })
}

/// `Duration` (`metav1.Duration`): a Go duration string such as `1h30m` (no `format`: the API
/// server's `duration` format rejects negative durations, which Go's syntax allows).
pub fn duration_schema(_: &mut SchemaGenerator) -> Schema {
    json_schema!({ "type": "string" })
}

/// `ByteString` (`[]byte`): base64 text, `format: byte`.
pub fn byte_string_schema(_: &mut SchemaGenerator) -> Schema {
    json_schema!({ "type": "string", "format": "byte" })
}

/// Any JSON value, kept as it is: `x-kubernetes-preserve-unknown-fields: true`.
pub fn preserve_unknown_fields_schema(_: &mut SchemaGenerator) -> Schema {
    json_schema!({ "x-kubernetes-preserve-unknown-fields": true })
}

/// A JSON object kept as it is, for embedding a built-in API type (a `PodTemplateSpec`, a
/// `LabelSelector`, …) without spelling out its schema.
pub fn embedded_object_schema(_: &mut SchemaGenerator) -> Schema {
    json_schema!({ "type": "object", "x-kubernetes-preserve-unknown-fields": true })
}

/// A whole Kubernetes object (`apiVersion`, `kind`, `metadata`, …) embedded in a field:
/// `x-kubernetes-embedded-resource: true`.
pub fn embedded_resource_schema(_: &mut SchemaGenerator) -> Schema {
    json_schema!({
        "type": "object",
        "x-kubernetes-embedded-resource": true,
        "x-kubernetes-preserve-unknown-fields": true,
    })
}
