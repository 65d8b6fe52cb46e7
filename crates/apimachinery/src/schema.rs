//! `schemars::JsonSchema` for the value types (feature `schemars`), in the structural form
//! Kubernetes CRD schemas need, so custom resources can use them directly.

use std::borrow::Cow;

use schemars::{json_schema, JsonSchema, Schema, SchemaGenerator};

use crate::meta::ObjectMeta;
use crate::{ByteString, Duration, IntOrString, MicroTime, Quantity, Time};

macro_rules! inline_schema {
    ($ty:ty, $name:literal, $schema:tt) => {
        impl JsonSchema for $ty {
            fn inline_schema() -> bool {
                true
            }
            fn schema_name() -> Cow<'static, str> {
                Cow::Borrowed($name)
            }
            fn json_schema(_: &mut SchemaGenerator) -> Schema {
                json_schema!($schema)
            }
        }
    };
}

inline_schema!(IntOrString, "IntOrString", {
    "x-kubernetes-int-or-string": true,
    "anyOf": [{"type": "integer"}, {"type": "string"}]
});
inline_schema!(Quantity, "Quantity", {
    "x-kubernetes-int-or-string": true,
    "anyOf": [{"type": "integer"}, {"type": "string"}],
    "pattern": r"^[+-]?([0-9]+(\.[0-9]*)?|\.[0-9]+)([KMGTPE]i|[numkMGTPE]|[eE][+-]?([0-9]+(\.[0-9]*)?|\.[0-9]+))?$"
});
inline_schema!(Time, "Time", {"type": "string", "format": "date-time"});
inline_schema!(MicroTime, "MicroTime", {"type": "string", "format": "date-time"});
inline_schema!(Duration, "Duration", {"type": "string"});
inline_schema!(ByteString, "ByteString", {"type": "string", "format": "byte"});
inline_schema!(ObjectMeta, "ObjectMeta", {"type": "object", "x-kubernetes-preserve-unknown-fields": true});
