//! Just enough of Kubernetes' protobuf encoding to accept the request bodies `kubectl create`
//! sends for a few simple built-in kinds (ConfigMap, Secret, Namespace, ServiceAccount).
//!
//! Client-go's typed clients send `application/vnd.kubernetes.protobuf` bodies: the bytes
//! `k8s\0`, then a `runtime.Unknown` message `{typeMeta{apiVersion=1, kind=2}=1, raw=2}` whose
//! `raw` is the object's message. Field numbers below are the published wire numbers of those
//! messages; unknown fields are skipped. Other kinds answer 415.

use base64::engine::general_purpose::STANDARD;
use base64::Engine;
use serde_json::{Map, Value};

/// How one field decodes.
#[derive(Clone, Copy)]
enum Ty {
    Str,
    Int,
    Bool,
    Time,
    Msg(&'static [F]),
    MapStr,
    MapBytes,
}

/// One field: number, JSON name, type, repeated.
#[derive(Clone, Copy)]
struct F(u32, &'static str, Ty, bool);

const OWNER_REF: &[F] = &[
    F(1, "kind", Ty::Str, false),
    F(3, "name", Ty::Str, false),
    F(4, "uid", Ty::Str, false),
    F(5, "apiVersion", Ty::Str, false),
    F(6, "controller", Ty::Bool, false),
    F(7, "blockOwnerDeletion", Ty::Bool, false),
];
const OBJECT_META: &[F] = &[
    F(1, "name", Ty::Str, false),
    F(2, "generateName", Ty::Str, false),
    F(3, "namespace", Ty::Str, false),
    F(5, "uid", Ty::Str, false),
    F(6, "resourceVersion", Ty::Str, false),
    F(7, "generation", Ty::Int, false),
    F(8, "creationTimestamp", Ty::Time, false),
    F(11, "labels", Ty::MapStr, false),
    F(12, "annotations", Ty::MapStr, false),
    F(13, "ownerReferences", Ty::Msg(OWNER_REF), true),
    F(14, "finalizers", Ty::Str, true),
];
const CONFIG_MAP: &[F] = &[
    F(1, "metadata", Ty::Msg(OBJECT_META), false),
    F(2, "data", Ty::MapStr, false),
    F(3, "binaryData", Ty::MapBytes, false),
    F(4, "immutable", Ty::Bool, false),
];
const SECRET: &[F] = &[
    F(1, "metadata", Ty::Msg(OBJECT_META), false),
    F(2, "data", Ty::MapBytes, false),
    F(3, "type", Ty::Str, false),
    F(4, "stringData", Ty::MapStr, false),
    F(5, "immutable", Ty::Bool, false),
];
const NAMESPACE_SPEC: &[F] = &[F(1, "finalizers", Ty::Str, true)];
const NAMESPACE: &[F] = &[
    F(1, "metadata", Ty::Msg(OBJECT_META), false),
    F(2, "spec", Ty::Msg(NAMESPACE_SPEC), false),
];
const OBJECT_REF: &[F] = &[
    F(1, "kind", Ty::Str, false),
    F(2, "namespace", Ty::Str, false),
    F(3, "name", Ty::Str, false),
    F(4, "uid", Ty::Str, false),
    F(5, "apiVersion", Ty::Str, false),
    F(6, "resourceVersion", Ty::Str, false),
    F(7, "fieldPath", Ty::Str, false),
];
const LOCAL_REF: &[F] = &[F(1, "name", Ty::Str, false)];
const SERVICE_ACCOUNT: &[F] = &[
    F(1, "metadata", Ty::Msg(OBJECT_META), false),
    F(2, "secrets", Ty::Msg(OBJECT_REF), true),
    F(3, "imagePullSecrets", Ty::Msg(LOCAL_REF), true),
    F(4, "automountServiceAccountToken", Ty::Bool, false),
];
const TYPE_META: &[F] = &[
    F(1, "apiVersion", Ty::Str, false),
    F(2, "kind", Ty::Str, false),
];

/// The protobuf media type.
pub(crate) const PROTOBUF: &str = "application/vnd.kubernetes.protobuf";

/// Decodes a protobuf request body into JSON; `Err` with a reason when it cannot.
pub(crate) fn decode(body: &[u8]) -> Result<Value, String> {
    let rest = body
        .strip_prefix(b"k8s\0")
        .ok_or("missing the k8s protobuf envelope")?;
    let mut type_meta = None;
    let mut raw = None;
    for field in Fields(rest) {
        match field? {
            (1, Wire::Len(b)) => type_meta = Some(message(b, TYPE_META)?),
            (2, Wire::Len(b)) => raw = Some(b),
            _ => {}
        }
    }
    let tm = type_meta.unwrap_or_default();
    let api_version = tm
        .get("apiVersion")
        .and_then(Value::as_str)
        .unwrap_or("")
        .to_owned();
    let kind = tm
        .get("kind")
        .and_then(Value::as_str)
        .unwrap_or("")
        .to_owned();
    let schema = match (api_version.as_str(), kind.as_str()) {
        ("v1", "ConfigMap") => CONFIG_MAP,
        ("v1", "Secret") => SECRET,
        ("v1", "Namespace") => NAMESPACE,
        ("v1", "ServiceAccount") => SERVICE_ACCOUNT,
        _ => {
            return Err(format!(
                "protobuf bodies of {api_version} {kind} are not supported; send JSON"
            ))
        }
    };
    let mut obj = message(raw.unwrap_or_default(), schema)?;
    obj.insert("apiVersion".into(), Value::String(api_version));
    obj.insert("kind".into(), Value::String(kind));
    Ok(Value::Object(obj))
}

enum Wire<'a> {
    Varint(u64),
    Len(&'a [u8]),
    Fixed,
}

struct Fields<'a>(&'a [u8]);

fn varint(b: &mut &[u8]) -> Result<u64, String> {
    let mut v = 0u64;
    for i in 0..10 {
        let (&byte, rest) = b.split_first().ok_or("truncated varint")?;
        *b = rest;
        v |= u64::from(byte & 0x7f) << (7 * i);
        if byte & 0x80 == 0 {
            return Ok(v);
        }
    }
    Err("varint too long".into())
}

impl<'a> Iterator for Fields<'a> {
    type Item = Result<(u32, Wire<'a>), String>;

    fn next(&mut self) -> Option<Self::Item> {
        if self.0.is_empty() {
            return None;
        }
        let mut step = || -> Result<(u32, Wire<'a>), String> {
            let key = varint(&mut self.0)?;
            let num = u32::try_from(key >> 3).map_err(|_| "field number too large")?;
            let wire = match key & 7 {
                0 => Wire::Varint(varint(&mut self.0)?),
                2 => {
                    let len =
                        usize::try_from(varint(&mut self.0)?).map_err(|_| "length too large")?;
                    if len > self.0.len() {
                        return Err("truncated field".into());
                    }
                    let (b, rest) = self.0.split_at(len);
                    self.0 = rest;
                    Wire::Len(b)
                }
                1 | 5 => {
                    let n = if key & 7 == 1 { 8 } else { 4 };
                    if n > self.0.len() {
                        return Err("truncated field".into());
                    }
                    self.0 = &self.0[n..];
                    Wire::Fixed
                }
                w => return Err(format!("unsupported wire type {w}")),
            };
            Ok((num, wire))
        };
        let r = step();
        if r.is_err() {
            self.0 = &[];
        }
        Some(r)
    }
}

fn utf8(b: &[u8]) -> Result<String, String> {
    String::from_utf8(b.to_vec()).map_err(|e| e.to_string())
}

fn map_entry(b: &[u8], bytes: bool) -> Result<(String, Value), String> {
    let (mut k, mut v) = (String::new(), Value::String(String::new()));
    for f in Fields(b) {
        match f? {
            (1, Wire::Len(x)) => k = utf8(x)?,
            (2, Wire::Len(x)) => {
                v = Value::String(if bytes { STANDARD.encode(x) } else { utf8(x)? });
            }
            _ => {}
        }
    }
    Ok((k, v))
}

fn time(b: &[u8]) -> Result<Value, String> {
    let mut secs = 0i64;
    for f in Fields(b) {
        if let (1, Wire::Varint(v)) = f? {
            secs = v as i64;
        }
    }
    if secs == 0 {
        return Ok(Value::Null);
    }
    kapi_apimachinery::Time::from_unix_seconds(secs)
        .map(|t| Value::String(t.to_string()))
        .map_err(|e| e.to_string())
}

fn message(b: &[u8], schema: &[F]) -> Result<Map<String, Value>, String> {
    let mut out = Map::new();
    for f in Fields(b) {
        let (num, wire) = f?;
        let Some(&F(_, name, ty, repeated)) = schema.iter().find(|f| f.0 == num) else {
            continue;
        };
        let value = match (ty, wire) {
            (Ty::Str, Wire::Len(x)) if x.is_empty() && !repeated => continue,
            (Ty::Str, Wire::Len(x)) => Value::String(utf8(x)?),
            (Ty::Int, Wire::Varint(v)) => Value::from(v as i64),
            (Ty::Bool, Wire::Varint(v)) => Value::Bool(v != 0),
            (Ty::Time, Wire::Len(x)) => match time(x)? {
                Value::Null => continue,
                t => t,
            },
            (Ty::Msg(s), Wire::Len(x)) => Value::Object(message(x, s)?),
            (Ty::MapStr | Ty::MapBytes, Wire::Len(x)) => {
                let (k, v) = map_entry(x, matches!(ty, Ty::MapBytes))?;
                let m = out.entry(name).or_insert_with(|| Value::Object(Map::new()));
                if let Some(m) = m.as_object_mut() {
                    m.insert(k, v);
                }
                continue;
            }
            _ => return Err(format!("field {name} has an unexpected wire type")),
        };
        if repeated {
            let list = out.entry(name).or_insert_with(|| Value::Array(Vec::new()));
            if let Some(a) = list.as_array_mut() {
                a.push(value);
            }
        } else {
            out.insert(name.into(), value);
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fixture(name: &str) -> Option<(Vec<u8>, Value)> {
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("../../../shared/fixtures/api-v1.36");
        let pb = std::fs::read(dir.join(format!("{name}.pb"))).ok()?;
        let json = std::fs::read(dir.join(format!("{name}.json"))).ok()?;
        Some((pb, serde_json::from_slice(&json).ok()?))
    }

    #[test]
    fn decodes_the_shared_fixtures() {
        for name in [
            "core.v1.ConfigMap",
            "core.v1.Secret",
            "core.v1.Namespace",
            "core.v1.ServiceAccount",
        ] {
            let Some((pb, json)) = fixture(name) else {
                // The shared fixtures are optional outside the project machines.
                return;
            };
            let got = decode(&pb).unwrap_or_else(|e| panic!("{name}: {e}"));
            for key in [
                "data",
                "binaryData",
                "stringData",
                "type",
                "immutable",
                "secrets",
                "imagePullSecrets",
            ] {
                assert_eq!(got.get(key), json.get(key), "{name}.{key}");
            }
            for key in [
                "name",
                "namespace",
                "labels",
                "annotations",
                "finalizers",
                "ownerReferences",
                "uid",
            ] {
                assert_eq!(
                    got["metadata"].get(key),
                    json["metadata"].get(key),
                    "{name}.metadata.{key}"
                );
            }
        }
    }

    #[test]
    fn rejects_garbage_and_unknown_kinds() {
        assert!(decode(b"nope").is_err());
        assert!(decode(b"k8s\0\x0a\x0c\x0a\x02v1\x12\x06Pod\0\0").is_err());
    }
}
