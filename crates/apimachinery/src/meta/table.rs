//! Server-side printing (`meta.k8s.io/v1 Table`) and metadata-only objects.

use serde::{Deserialize, Serialize};

use super::{ListMeta, ObjectMeta, TypeMeta};
use crate::serde_util::null_default;

/// Media type that asks for a Table response (with JSON as the fallback).
pub const TABLE_ACCEPT: &str = "application/json;as=Table;v=v1;g=meta.k8s.io,application/json";

/// Media type that asks for metadata-only objects (with JSON as the fallback).
pub const PARTIAL_OBJECT_METADATA_ACCEPT: &str =
    "application/json;as=PartialObjectMetadata;v=v1;g=meta.k8s.io,application/json";

/// Media type that asks for a metadata-only list (with JSON as the fallback).
pub const PARTIAL_OBJECT_METADATA_LIST_ACCEPT: &str =
    "application/json;as=PartialObjectMetadataList;v=v1;g=meta.k8s.io,application/json";

/// A tabular rendering of objects (`metav1.Table`).
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Table {
    /// `kind` and `apiVersion` (`Table`, `meta.k8s.io/v1`).
    #[serde(flatten)]
    pub types: TypeMeta,
    /// `metadata`.
    #[serde(default)]
    pub metadata: ListMeta,
    /// `columnDefinitions`.
    #[serde(default, deserialize_with = "null_default")]
    pub column_definitions: Vec<TableColumnDefinition>,
    /// `rows`.
    #[serde(default, deserialize_with = "null_default")]
    pub rows: Vec<TableRow>,
}

/// One column of a [`Table`].
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct TableColumnDefinition {
    /// `name`, e.g. `Name`.
    pub name: String,
    /// `type`: an OpenAPI type (`string`, `integer`, `number`, `boolean`).
    #[serde(rename = "type")]
    pub type_: String,
    /// `format`, e.g. `name` or `date`.
    #[serde(default)]
    pub format: String,
    /// `description`.
    #[serde(default)]
    pub description: String,
    /// `priority`: 0 for default columns, higher for wide output.
    #[serde(default)]
    pub priority: i32,
}

/// One row of a [`Table`].
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct TableRow {
    /// `cells`, one per column.
    #[serde(default, deserialize_with = "null_default")]
    pub cells: Vec<serde_json::Value>,
    /// `conditions`.
    #[serde(
        default,
        deserialize_with = "null_default",
        skip_serializing_if = "Vec::is_empty"
    )]
    pub conditions: Vec<serde_json::Value>,
    /// `object`: the object or its `PartialObjectMetadata`, when requested.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub object: Option<serde_json::Value>,
}

/// An object reduced to its metadata (`metav1.PartialObjectMetadata`).
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct PartialObjectMetadata {
    /// `kind`/`apiVersion` as sent by the server (`PartialObjectMetadata`, `meta.k8s.io/v1`).
    #[serde(flatten)]
    pub types: TypeMeta,
    /// `metadata`.
    #[serde(default)]
    pub metadata: ObjectMeta,
}

/// A list of [`PartialObjectMetadata`] (`metav1.PartialObjectMetadataList`).
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct PartialObjectMetadataList {
    /// `kind`/`apiVersion`.
    #[serde(flatten)]
    pub types: TypeMeta,
    /// `metadata`.
    #[serde(default)]
    pub metadata: ListMeta,
    /// `items`.
    #[serde(default, deserialize_with = "null_default")]
    pub items: Vec<PartialObjectMetadata>,
}
