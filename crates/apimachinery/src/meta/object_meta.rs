//! `TypeMeta`, `ObjectMeta`, `ListMeta` and the types they hold.

use std::fmt;

use serde::{Deserialize, Deserializer, Serialize, Serializer};

use crate::serde_util::{null_default, null_default_thin};
use crate::time::Time;
use crate::Map;
use compact_str::CompactString;
use thin_vec::ThinVec;

/// `apiVersion` and `kind` of a serialized object (`metav1.TypeMeta`). Both are omitted when empty.
#[derive(Clone, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct TypeMeta {
    /// `apiVersion`, e.g. `v1` or `apps/v1`.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub api_version: String,
    /// `kind`, e.g. `Pod`.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub kind: String,
}

impl TypeMeta {
    /// Builds a `TypeMeta` from an apiVersion and kind.
    pub fn new(api_version: impl Into<String>, kind: impl Into<String>) -> Self {
        Self {
            api_version: api_version.into(),
            kind: kind.into(),
        }
    }
}

/// Metadata every persisted object carries (`metav1.ObjectMeta`).
///
/// Scalars are `Option` (unset is omitted); collections are plain and omitted when empty, and
/// `null` reads as empty, exactly like upstream's `omitempty` fields.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ObjectMeta {
    /// `name`: unique within a namespace (or the cluster, for cluster-scoped types).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<CompactString>,
    /// `generateName`: prefix the server completes with random characters when `name` is empty.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub generate_name: Option<CompactString>,
    /// `namespace` of a namespaced object.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub namespace: Option<CompactString>,
    /// `selfLink` (deprecated, never set by modern servers).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub self_link: Option<CompactString>,
    /// `uid`, set by the server on create.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub uid: Option<CompactString>,
    /// `resourceVersion`: opaque version used for optimistic concurrency and watches.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub resource_version: Option<CompactString>,
    /// `generation`: sequence number of spec changes, set by the server.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub generation: Option<i64>,
    /// `creationTimestamp`, set by the server.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub creation_timestamp: Option<Time>,
    /// `deletionTimestamp`: set when deletion was requested and finalizers hold the object.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub deletion_timestamp: Option<Time>,
    /// `deletionGracePeriodSeconds`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub deletion_grace_period_seconds: Option<i64>,
    /// `labels`.
    #[serde(
        default,
        deserialize_with = "null_default",
        skip_serializing_if = "Map::is_empty"
    )]
    pub labels: Map<CompactString, CompactString>,
    /// `annotations`.
    #[serde(
        default,
        deserialize_with = "null_default",
        skip_serializing_if = "Map::is_empty"
    )]
    pub annotations: Map<CompactString, CompactString>,
    /// `ownerReferences` (merge key `uid`).
    #[serde(
        default,
        deserialize_with = "null_default_thin",
        skip_serializing_if = "ThinVec::is_empty"
    )]
    pub owner_references: ThinVec<OwnerReference>,
    /// `finalizers`.
    #[serde(
        default,
        deserialize_with = "null_default_thin",
        skip_serializing_if = "ThinVec::is_empty"
    )]
    pub finalizers: ThinVec<CompactString>,
    /// `managedFields`, written by the server for server-side apply.
    #[serde(
        default,
        deserialize_with = "null_default_thin",
        skip_serializing_if = "ThinVec::is_empty"
    )]
    pub managed_fields: ThinVec<ManagedFieldsEntry>,
}

impl ObjectMeta {
    /// The owner reference with `controller: true`, if any.
    pub fn controller_ref(&self) -> Option<&OwnerReference> {
        self.owner_references
            .iter()
            .find(|r| r.controller == Some(true))
    }
}

/// Metadata of a list response (`metav1.ListMeta`).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ListMeta {
    /// `selfLink` (deprecated).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub self_link: Option<String>,
    /// `resourceVersion` of the list: the store revision it was read at.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub resource_version: Option<String>,
    /// `continue`: token for the next page, empty on the last page.
    #[serde(default, rename = "continue", skip_serializing_if = "Option::is_none")]
    pub continue_: Option<String>,
    /// `remainingItemCount`: items after this page (only when no selector was given).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub remaining_item_count: Option<i64>,
    /// `shardInfo`: the shard this (sharded) list was served for (alpha in v1.36).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub shard_info: Option<ShardInfo>,
}

/// Which shard of a sharded list was served (`metav1.ShardInfo`).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ShardInfo {
    /// `selector`: the shard selector the list was served for.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub selector: Option<String>,
}

/// A reference from a dependent to its owner (`metav1.OwnerReference`).
#[derive(Clone, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct OwnerReference {
    /// `apiVersion` of the owner.
    pub api_version: CompactString,
    /// `kind` of the owner.
    pub kind: CompactString,
    /// `name` of the owner.
    pub name: CompactString,
    /// `uid` of the owner.
    pub uid: CompactString,
    /// `controller`: true for the managing controller (at most one per object).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub controller: Option<bool>,
    /// `blockOwnerDeletion`: foreground deletion of the owner waits for this dependent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub block_owner_deletion: Option<bool>,
}

/// One field manager's ownership record (`metav1.ManagedFieldsEntry`).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ManagedFieldsEntry {
    /// `manager`: the field manager's name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub manager: Option<CompactString>,
    /// `operation`: `Apply` or `Update`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub operation: Option<CompactString>,
    /// `apiVersion` the fields were written in.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub api_version: Option<CompactString>,
    /// `time` of the last change by this manager.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub time: Option<Time>,
    /// `fieldsType`: always `FieldsV1` today.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub fields_type: Option<CompactString>,
    /// `fieldsV1`: the owned field set, kept as raw JSON.
    #[serde(default, rename = "fieldsV1", skip_serializing_if = "Option::is_none")]
    pub fields_v1: Option<FieldsV1>,
    /// `subresource` the write went through, e.g. `status`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub subresource: Option<CompactString>,
}

/// A managed field set in the `FieldsV1` format, held as JSON text.
///
/// Keeping the text instead of a parsed tree makes objects with managed fields several times
/// smaller in an informer cache, and decoding from JSON copies the text without parsing it into
/// a tree. It (de)serializes as the JSON structure, from and to any serde format (JSON, YAML);
/// output is always compact.
#[derive(Clone, PartialEq, Eq, Hash)]
pub struct FieldsV1(Box<str>);

impl FieldsV1 {
    /// Wraps compact JSON text.
    ///
    /// # Errors
    /// When `json` is not valid JSON.
    pub fn from_json(json: &str) -> Result<Self, serde_json::Error> {
        let value: serde_json::Value = serde_json::from_str(json)?;
        Ok(Self(value.to_string().into_boxed_str()))
    }

    /// The JSON text, compact (members in the order they came).
    pub fn as_json(&self) -> &str {
        &self.0
    }

    /// Parses the field set into a JSON value.
    pub fn to_value(&self) -> serde_json::Value {
        serde_json::from_str(&self.0).unwrap_or(serde_json::Value::Null)
    }
}

impl fmt::Debug for FieldsV1 {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_tuple("FieldsV1").field(&&*self.0).finish()
    }
}

impl Serialize for FieldsV1 {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut de = serde_json::Deserializer::from_str(&self.0);
        serde_transcode::transcode(&mut de, serializer)
    }
}

/// serde_json hands the raw text of a value to a visitor that asks for a newtype struct of this
/// name (its `RawValue` mechanism). Other formats see an ordinary newtype struct and are
/// transcoded; if serde_json ever changed the name, the transcoding path would still be correct.
const RAW_VALUE_TOKEN: &str = "$serde_json::private::RawValue";

struct FieldsV1Visitor;

/// The raw text as it came, unless it holds whitespace (a pretty-printed document; servers send
/// compact JSON): then compacted, keeping the members' order, so that equal field sets compare
/// equal and encode the same whatever the input's layout was (Go's encoder compacts it too).
fn compact(raw: String) -> Result<FieldsV1, serde_json::Error> {
    if !raw
        .bytes()
        .any(|b| matches!(b, b' ' | b'\n' | b'\r' | b'\t'))
    {
        return Ok(FieldsV1(raw.into_boxed_str()));
    }
    let mut out = Vec::with_capacity(raw.len());
    let mut de = serde_json::Deserializer::from_str(&raw);
    serde_transcode::transcode(&mut de, &mut serde_json::Serializer::new(&mut out))?;
    // serde_json writes UTF-8 only.
    let text = String::from_utf8(out).map_err(serde::de::Error::custom)?;
    Ok(FieldsV1(text.into_boxed_str()))
}

impl<'de> serde::de::Visitor<'de> for FieldsV1Visitor {
    type Value = FieldsV1;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a FieldsV1 JSON value")
    }

    /// serde_json's raw path: one entry whose key is the token and whose value is the raw text.
    /// A format that passes an ordinary map here gets it collected and re-serialized.
    fn visit_map<A: serde::de::MapAccess<'de>>(self, mut map: A) -> Result<FieldsV1, A::Error> {
        let Some(key) = map.next_key::<String>()? else {
            return Ok(FieldsV1("{}".into()));
        };
        if key == RAW_VALUE_TOKEN {
            let raw: String = map.next_value()?;
            return compact(raw).map_err(serde::de::Error::custom);
        }
        let mut obj = serde_json::Map::new();
        obj.insert(key, map.next_value()?);
        while let Some((k, v)) = map.next_entry::<String, serde_json::Value>()? {
            obj.insert(k, v);
        }
        Ok(FieldsV1(
            serde_json::Value::Object(obj).to_string().into_boxed_str(),
        ))
    }

    fn visit_newtype_struct<D: Deserializer<'de>>(
        self,
        deserializer: D,
    ) -> Result<FieldsV1, D::Error> {
        let mut out = Vec::with_capacity(256);
        let mut ser = serde_json::Serializer::new(&mut out);
        serde_transcode::transcode(deserializer, &mut ser).map_err(serde::de::Error::custom)?;
        let text = String::from_utf8(out).map_err(serde::de::Error::custom)?;
        Ok(FieldsV1(text.into_boxed_str()))
    }
}

impl<'de> Deserialize<'de> for FieldsV1 {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_newtype_struct(RAW_VALUE_TOKEN, FieldsV1Visitor)
    }
}
