//! Navigation over OpenAPI v2 definitions for strategic merge patch: which lists merge, by
//! which key, and the schema of nested values.

use std::collections::HashMap;
use std::sync::Arc;

use serde_json::Value;

/// The OpenAPI definitions patch strategies are read from, shared cheaply.
#[derive(Clone, Debug, Default)]
pub(crate) struct Schemas {
    defs: Arc<HashMap<String, Value>>,
    /// Definitions added on top (a custom resource's schema), looked up first.
    extra: Arc<HashMap<String, Value>>,
}

/// A position in the schema: a (resolved) schema node, or nothing known.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Node<'a> {
    schemas: &'a Schemas,
    value: Option<&'a Value>,
}

/// How a list field is patched.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum ListStrategy {
    /// The patch's list replaces the original (the default).
    Replace,
    /// Lists of maps merge by this key.
    MergeByKey(String),
    /// Lists of scalars merge as a set (union, original order first).
    MergeSet,
}

impl Schemas {
    /// From an OpenAPI v2 document (its `definitions`), or a bare map of definitions.
    #[cfg(test)]
    pub(crate) fn from_openapi(doc: &Value) -> Self {
        let defs = doc.get("definitions").unwrap_or(doc);
        let map = defs
            .as_object()
            .map(|m| m.iter().map(|(k, v)| (k.clone(), v.clone())).collect())
            .unwrap_or_default();
        Self {
            defs: Arc::new(map),
            extra: Arc::default(),
        }
    }

    /// These schemas plus `extra` definitions (which win over same-named ones).
    pub(crate) fn with_definitions(
        &self,
        extra: impl IntoIterator<Item = (String, Value)>,
    ) -> Self {
        let mut map: HashMap<String, Value> = (*self.extra).clone();
        map.extend(extra);
        Self {
            defs: Arc::clone(&self.defs),
            extra: Arc::new(map),
        }
    }

    fn lookup(&self, name: &str) -> Option<&Value> {
        self.extra.get(name).or_else(|| self.defs.get(name))
    }

    /// The built-in definitions of the resource catalog (loaded once per process).
    pub(crate) fn builtin() -> Self {
        static BUILTIN: std::sync::OnceLock<Schemas> = std::sync::OnceLock::new();
        BUILTIN
            .get_or_init(|| {
                let defs = kapi_api::catalog::definitions();
                Self {
                    defs: Arc::new(defs.iter().map(|(k, v)| (k.clone(), v.clone())).collect()),
                    extra: Arc::default(),
                }
            })
            .clone()
    }

    /// The schema node of a named definition (unknown names give an empty node, which patches
    /// with the default strategies).
    pub(crate) fn definition(&self, name: &str) -> Node<'_> {
        Node {
            schemas: self,
            value: self.lookup(name),
        }
        .resolved()
    }

    /// `true` when the definition is known.
    pub(crate) fn has(&self, name: &str) -> bool {
        self.lookup(name).is_some()
    }
}

impl<'a> Node<'a> {
    fn resolved(self) -> Self {
        let mut node = self;
        for _ in 0..16 {
            let Some(r) = node
                .value
                .and_then(|v| v.get("$ref"))
                .and_then(Value::as_str)
            else {
                break;
            };
            let name = r.rsplit('/').next().unwrap_or(r);
            node.value = node.schemas.lookup(name);
        }
        node
    }

    fn child(self, value: Option<&'a Value>) -> Self {
        Node {
            schemas: self.schemas,
            value,
        }
        .resolved()
    }

    /// The schema of property `key` of an object (or of a map's values).
    pub(crate) fn property(self, key: &str) -> Self {
        let v = self.value;
        let prop = v.and_then(|v| v.get("properties")).and_then(|p| p.get(key));
        let extra = v
            .and_then(|v| v.get("additionalProperties"))
            .filter(|a| a.is_object());
        self.child(prop.or(extra))
    }

    /// The schema value itself (resolved), if known.
    pub(crate) fn raw(self) -> Option<&'a Value> {
        self.value
    }

    /// The raw (unresolved) property declaration, which carries the `x-kubernetes-patch-*`
    /// and list-type extensions.
    pub(crate) fn declaration(self, key: &str) -> Option<&'a Value> {
        self.value
            .and_then(|v| v.get("properties"))
            .and_then(|p| p.get(key))
    }

    /// The schema of a list's items.
    pub(crate) fn items(self) -> Self {
        self.child(self.value.and_then(|v| v.get("items")))
    }

    /// How the list at property `key` is patched.
    pub(crate) fn list_strategy(self, key: &str) -> ListStrategy {
        let Some(decl) = self.declaration(key) else {
            return ListStrategy::Replace;
        };
        let strategy = decl
            .get("x-kubernetes-patch-strategy")
            .and_then(Value::as_str)
            .unwrap_or("");
        if !strategy.split(',').any(|s| s == "merge") {
            return ListStrategy::Replace;
        }
        match decl
            .get("x-kubernetes-patch-merge-key")
            .and_then(Value::as_str)
        {
            Some(k) => ListStrategy::MergeByKey(k.to_owned()),
            None => ListStrategy::MergeSet,
        }
    }
}
