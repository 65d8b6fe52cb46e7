//! [`DynamicObject`]: any object as TypeMeta + ObjectMeta + the rest as JSON, losslessly.

use serde::de::Error as _;
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use serde_json::{Map, Value};

use crate::meta::{ObjectMeta, TypeMeta};
use crate::resource::{Object, ResourceInfo};

/// An object of a type not known at compile time.
///
/// Every top-level field other than `apiVersion`, `kind` and `metadata` is kept verbatim in
/// [`DynamicObject::data`], so decode → encode loses nothing (an empty `metadata` is omitted).
#[derive(Clone, Debug, Default, PartialEq)]
pub struct DynamicObject {
    /// `apiVersion` and `kind` as read.
    pub types: TypeMeta,
    /// `metadata`.
    pub metadata: ObjectMeta,
    /// Every other top-level field (`spec`, `status`, `data`, …).
    pub data: Map<String, Value>,
}

impl DynamicObject {
    /// An empty object of the given type with a name.
    pub fn new(name: &str, info: &ResourceInfo) -> Self {
        Self {
            types: TypeMeta::new(info.api_version(), info.kind.as_ref()),
            metadata: ObjectMeta {
                name: Some(name.into()),
                ..ObjectMeta::default()
            },
            data: Map::new(),
        }
    }

    /// Sets the namespace.
    #[must_use]
    pub fn within(mut self, namespace: &str) -> Self {
        self.metadata.namespace = Some(namespace.into());
        self
    }

    /// Sets a top-level field (e.g. `spec`).
    #[must_use]
    pub fn with_field(mut self, key: &str, value: Value) -> Self {
        self.data.insert(key.to_owned(), value);
        self
    }

    /// Converts a typed object into a dynamic one.
    ///
    /// # Errors
    /// When `obj` does not serialize to a JSON object.
    pub fn from_typed<K: Serialize>(obj: &K) -> Result<Self, serde_json::Error> {
        serde_json::from_value(serde_json::to_value(obj)?)
    }

    /// Converts into a typed object.
    ///
    /// # Errors
    /// When the content does not decode as `K`.
    pub fn to_typed<K: serde::de::DeserializeOwned>(&self) -> Result<K, serde_json::Error> {
        serde_json::from_value(serde_json::to_value(self)?)
    }
}

impl Serialize for DynamicObject {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeMap;
        let mut map = serializer.serialize_map(None)?;
        if !self.types.api_version.is_empty() {
            map.serialize_entry("apiVersion", &self.types.api_version)?;
        }
        if !self.types.kind.is_empty() {
            map.serialize_entry("kind", &self.types.kind)?;
        }
        if self.metadata != ObjectMeta::default() {
            map.serialize_entry("metadata", &self.metadata)?;
        }
        for (k, v) in &self.data {
            map.serialize_entry(k, v)?;
        }
        map.end()
    }
}

impl<'de> Deserialize<'de> for DynamicObject {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let mut data = Map::<String, Value>::deserialize(deserializer)?;
        let text = |v: Option<Value>, field: &str| -> Result<String, D::Error> {
            match v {
                None | Some(Value::Null) => Ok(String::new()),
                Some(Value::String(s)) => Ok(s),
                Some(_) => Err(D::Error::custom(format!("{field} must be a string"))),
            }
        };
        let api_version = text(data.remove("apiVersion"), "apiVersion")?;
        let kind = text(data.remove("kind"), "kind")?;
        let metadata = match data.remove("metadata") {
            None | Some(Value::Null) => ObjectMeta::default(),
            Some(v) => {
                serde_json::from_value(v).map_err(|e| D::Error::custom(format!("metadata: {e}")))?
            }
        };
        Ok(Self {
            types: TypeMeta { api_version, kind },
            metadata,
            data,
        })
    }
}

impl Object for DynamicObject {
    fn metadata(&self) -> &ObjectMeta {
        &self.metadata
    }
    fn metadata_mut(&mut self) -> &mut ObjectMeta {
        &mut self.metadata
    }
}

impl Object for crate::meta::PartialObjectMetadata {
    fn metadata(&self) -> &ObjectMeta {
        &self.metadata
    }
    fn metadata_mut(&mut self) -> &mut ObjectMeta {
        &mut self.metadata
    }
}
