//! [`Scheme`]: a registry of typed objects by GroupVersionKind, and a manifest decoder.
//!
//! ```
//! use kapi_apimachinery::scheme::{Decoded, Scheme};
//! let scheme = Scheme::new(); // register generated types with `kapi_api::register_all(&mut scheme)`
//! let docs = scheme.decode_yaml("apiVersion: example.com/v1\nkind: Widget\nmetadata: {name: w}\nspec: {size: 3}\n").unwrap();
//! let Decoded::Dynamic(obj) = &docs[0] else { panic!("unregistered kinds decode dynamically") };
//! assert_eq!(obj.data["spec"]["size"], 3);
//! ```

use std::any::Any;
use std::cmp::Ordering;
use std::collections::HashMap;
use std::fmt;

use serde::Deserialize;
use serde_json::Value;

use crate::error::{Error, Result};
use crate::gvk::{GroupVersion, GroupVersionKind};
use crate::meta::ObjectMeta;
use crate::resource::{Object, Resource, ResourceInfo};
use crate::version_order::version_priority;
use crate::DynamicObject;

/// A typed object behind a trait object, as produced by [`Scheme::decode_value`].
pub trait AnyObject: Any + fmt::Debug + Send + Sync {
    /// The object's metadata.
    fn metadata(&self) -> &ObjectMeta;
    /// The object's metadata, mutably.
    fn metadata_mut(&mut self) -> &mut ObjectMeta;
    /// Its group, version and kind.
    fn gvk(&self) -> GroupVersionKind;
    /// Serializes it to a JSON value (with apiVersion and kind).
    ///
    /// # Errors
    /// When serialization fails.
    fn to_json(&self) -> serde_json::Result<Value>;
    /// `&dyn Any`, for downcasting by reference.
    fn as_any(&self) -> &dyn Any;
    /// `&mut dyn Any`, for downcasting by mutable reference.
    fn as_any_mut(&mut self) -> &mut dyn Any;
    /// `Box<dyn Any>`, for downcasting by value.
    fn into_any(self: Box<Self>) -> Box<dyn Any>;
}

impl<K: Resource> AnyObject for K {
    fn metadata(&self) -> &ObjectMeta {
        Object::metadata(self)
    }
    fn metadata_mut(&mut self) -> &mut ObjectMeta {
        Object::metadata_mut(self)
    }
    fn gvk(&self) -> GroupVersionKind {
        K::INFO.gvk()
    }
    fn to_json(&self) -> serde_json::Result<Value> {
        serde_json::to_value(self)
    }
    fn as_any(&self) -> &dyn Any {
        self
    }
    fn as_any_mut(&mut self) -> &mut dyn Any {
        self
    }
    fn into_any(self: Box<Self>) -> Box<dyn Any> {
        self
    }
}

/// One decoded document: a registered type, or a [`DynamicObject`] for unknown kinds.
#[derive(Debug)]
pub enum Decoded {
    /// A registered type.
    Typed(Box<dyn AnyObject>),
    /// A kind the scheme does not know.
    Dynamic(Box<DynamicObject>),
}

impl Decoded {
    /// The typed object, if it is a `K`; otherwise `self` back.
    ///
    /// # Errors
    /// Returns `self` unchanged when the object is not a `K`.
    pub fn downcast<K: Resource>(self) -> std::result::Result<K, Self> {
        match self {
            Self::Typed(obj) if obj.as_any().is::<K>() => match obj.into_any().downcast::<K>() {
                Ok(k) => Ok(*k),
                Err(_) => unreachable!("checked with is::<K>()"),
            },
            other => Err(other),
        }
    }

    /// The object's metadata.
    pub fn metadata(&self) -> &ObjectMeta {
        match self {
            Self::Typed(o) => o.metadata(),
            Self::Dynamic(d) => &d.metadata,
        }
    }

    /// Its group, version and kind (for dynamic objects, as read; a bad apiVersion gives an
    /// empty group/version).
    pub fn gvk(&self) -> GroupVersionKind {
        match self {
            Self::Typed(o) => o.gvk(),
            Self::Dynamic(d) => {
                GroupVersionKind::from_api_version(&d.types.api_version, &d.types.kind)
                    .unwrap_or_else(|_| GroupVersionKind::new("", "", d.types.kind.clone()))
            }
        }
    }

    /// Serializes it to a JSON value.
    ///
    /// # Errors
    /// When serialization fails.
    pub fn to_json(&self) -> serde_json::Result<Value> {
        match self {
            Self::Typed(o) => o.to_json(),
            Self::Dynamic(d) => serde_json::to_value(&**d),
        }
    }
}

type DecodeFn = fn(Value) -> serde_json::Result<Box<dyn AnyObject>>;
type DefaultFn = Box<dyn Fn(&mut dyn AnyObject) + Send + Sync>;

struct Registration {
    info: ResourceInfo,
    decode: DecodeFn,
    defaulters: Vec<DefaultFn>,
}

fn decode_as<K: Resource>(v: Value) -> serde_json::Result<Box<dyn AnyObject>> {
    Ok(Box::new(K::deserialize(v)?))
}

/// A registry of types by GroupVersionKind, with defaulting hooks and version priorities.
#[derive(Default)]
pub struct Scheme {
    types: HashMap<GroupVersionKind, Registration>,
    priorities: HashMap<String, Vec<String>>,
}

impl fmt::Debug for Scheme {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Scheme")
            .field("types", &self.types.len())
            .finish_non_exhaustive()
    }
}

impl Scheme {
    /// An empty scheme.
    pub fn new() -> Self {
        Self::default()
    }

    /// Registers a typed resource under its GroupVersionKind.
    pub fn register<K: Resource>(&mut self) {
        self.types.insert(
            K::INFO.gvk(),
            Registration {
                info: K::INFO,
                decode: decode_as::<K>,
                defaulters: Vec::new(),
            },
        );
    }

    /// Adds a defaulting hook for `K`, run by [`Scheme::default_object`] and on every decode.
    /// Registers `K` if needed.
    pub fn add_defaulting<K: Resource>(&mut self, hook: impl Fn(&mut K) + Send + Sync + 'static) {
        if !self.is_registered(&K::INFO.gvk()) {
            self.register::<K>();
        }
        let f: DefaultFn = Box::new(move |obj: &mut dyn AnyObject| {
            if let Some(k) = obj.as_any_mut().downcast_mut::<K>() {
                hook(k);
            }
        });
        if let Some(reg) = self.types.get_mut(&K::INFO.gvk()) {
            reg.defaulters.push(f);
        }
    }

    /// Runs the defaulting hooks registered for the object's type.
    pub fn default_object(&self, obj: &mut dyn AnyObject) {
        if let Some(reg) = self.types.get(&obj.gvk()) {
            for hook in &reg.defaulters {
                hook(obj);
            }
        }
    }

    /// `true` when the GroupVersionKind is registered.
    pub fn is_registered(&self, gvk: &GroupVersionKind) -> bool {
        self.types.contains_key(gvk)
    }

    /// The resource description of a registered type.
    pub fn info(&self, gvk: &GroupVersionKind) -> Option<&ResourceInfo> {
        self.types.get(gvk).map(|r| &r.info)
    }

    /// Every registered resource description.
    pub fn infos(&self) -> impl Iterator<Item = &ResourceInfo> {
        self.types.values().map(|r| &r.info)
    }

    /// Sets the version preference order of a group (most preferred first).
    pub fn set_version_priority(&mut self, group: &str, versions: &[&str]) {
        self.priorities.insert(
            group.to_owned(),
            versions.iter().map(|v| (*v).to_owned()).collect(),
        );
    }

    /// The versions of a group known to this scheme, most preferred first: the explicit
    /// priority list, then registered versions by Kubernetes version order.
    pub fn prioritized_versions(&self, group: &str) -> Vec<GroupVersion> {
        let mut versions: Vec<String> = self.priorities.get(group).cloned().unwrap_or_default();
        let mut registered: Vec<&str> = self
            .types
            .keys()
            .filter(|g| g.group == group)
            .map(|g| g.version.as_str())
            .filter(|v| !versions.iter().any(|p| p == v))
            .collect();
        registered.sort_by(|a, b| version_priority(b, a));
        registered.dedup();
        versions.extend(registered.into_iter().map(str::to_owned));
        versions
            .into_iter()
            .map(|v| GroupVersion::new(group, v))
            .collect()
    }

    /// The preferred version of a group.
    pub fn preferred_version(&self, group: &str) -> Option<GroupVersion> {
        self.prioritized_versions(group).into_iter().next()
    }

    /// Decodes one object from a JSON value by its `apiVersion`/`kind`: a registered type
    /// (defaulted), or a [`DynamicObject`].
    ///
    /// # Errors
    /// [`Error::MissingTypeMeta`] without apiVersion/kind; [`Error::Json`] when the content does
    /// not fit the registered type.
    pub fn decode_value(&self, value: Value) -> Result<Decoded> {
        self.decode_indexed(value, 0)
    }

    fn decode_indexed(&self, value: Value, index: usize) -> Result<Decoded> {
        let text = |field: &'static str| -> Result<String> {
            match value.get(field) {
                Some(Value::String(s)) if !s.is_empty() => Ok(s.clone()),
                _ => Err(Error::MissingTypeMeta { index, field }),
            }
        };
        let gvk = GroupVersionKind::from_api_version(&text("apiVersion")?, &text("kind")?)?;
        match self.types.get(&gvk) {
            Some(reg) => {
                let mut obj = (reg.decode)(value)?;
                for hook in &reg.defaulters {
                    hook(obj.as_mut());
                }
                Ok(Decoded::Typed(obj))
            }
            None => Ok(Decoded::Dynamic(Box::new(serde_json::from_value(value)?))),
        }
    }

    /// Decodes a JSON document: one object, or a `v1 List` whose items are decoded in turn.
    ///
    /// # Errors
    /// As [`Scheme::decode_value`], plus malformed JSON.
    pub fn decode_json(&self, bytes: &[u8]) -> Result<Vec<Decoded>> {
        let value: Value = serde_json::from_slice(bytes)?;
        let mut out = Vec::new();
        self.push_expanded(value, &mut out)?;
        Ok(out)
    }

    /// Decodes a (multi-document) YAML manifest; empty documents are skipped and `v1 List`
    /// documents are expanded into their items.
    ///
    /// # Errors
    /// As [`Scheme::decode_value`], plus malformed YAML (the message names the document).
    pub fn decode_yaml(&self, text: &str) -> Result<Vec<Decoded>> {
        let mut out = Vec::new();
        for doc in serde_yaml::Deserializer::from_str(text) {
            let value = Value::deserialize(doc)?;
            if value.is_null() {
                continue;
            }
            self.push_expanded(value, &mut out)?;
        }
        Ok(out)
    }

    fn push_expanded(&self, mut value: Value, out: &mut Vec<Decoded>) -> Result<()> {
        let is_list = value.get("kind").and_then(Value::as_str) == Some("List")
            && value.get("apiVersion").and_then(Value::as_str) == Some("v1");
        if is_list {
            if let Some(Value::Array(items)) = value.get_mut("items").map(Value::take) {
                for item in items {
                    let index = out.len();
                    out.push(self.decode_indexed(item, index)?);
                }
            }
            return Ok(());
        }
        let index = out.len();
        out.push(self.decode_indexed(value, index)?);
        Ok(())
    }
}

/// Sorts group versions most preferred first by Kubernetes version order.
pub fn sort_versions(versions: &mut [String]) {
    versions.sort_by(|a, b| match version_priority(b, a) {
        Ordering::Equal => a.cmp(b),
        o => o,
    });
}
