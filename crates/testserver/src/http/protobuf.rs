//! Just enough of Kubernetes' protobuf encoding to accept the request bodies `kubectl create`
//! sends for a few built-in kinds (ConfigMap, Secret, Namespace, ServiceAccount, and the
//! common fields of Deployment and Service, as `kubectl create deployment|service` fill them).
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
    /// `map<string, Quantity>` (a Quantity is `{string = 1}`).
    MapQuantity,
    /// `IntOrString {type = 1, intVal = 2, strVal = 3}`.
    IntOrString,
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
const SELECTOR_REQ: &[F] = &[
    F(1, "key", Ty::Str, false),
    F(2, "operator", Ty::Str, false),
    F(3, "values", Ty::Str, true),
];
const LABEL_SELECTOR: &[F] = &[
    F(1, "matchLabels", Ty::MapStr, false),
    F(2, "matchExpressions", Ty::Msg(SELECTOR_REQ), true),
];
const CONTAINER_PORT: &[F] = &[
    F(1, "name", Ty::Str, false),
    F(2, "hostPort", Ty::Int, false),
    F(3, "containerPort", Ty::Int, false),
    F(4, "protocol", Ty::Str, false),
    F(5, "hostIP", Ty::Str, false),
];
const ENV_VAR: &[F] = &[F(1, "name", Ty::Str, false), F(2, "value", Ty::Str, false)];
const RESOURCE_CLAIM: &[F] = &[
    F(1, "name", Ty::Str, false),
    F(2, "request", Ty::Str, false),
];
const RESOURCES: &[F] = &[
    F(1, "limits", Ty::MapQuantity, false),
    F(2, "requests", Ty::MapQuantity, false),
    F(3, "claims", Ty::Msg(RESOURCE_CLAIM), true),
];
const CONTAINER: &[F] = &[
    F(1, "name", Ty::Str, false),
    F(2, "image", Ty::Str, false),
    F(3, "command", Ty::Str, true),
    F(4, "args", Ty::Str, true),
    F(5, "workingDir", Ty::Str, false),
    F(6, "ports", Ty::Msg(CONTAINER_PORT), true),
    F(7, "env", Ty::Msg(ENV_VAR), true),
    F(8, "resources", Ty::Msg(RESOURCES), false),
    F(13, "terminationMessagePath", Ty::Str, false),
    F(14, "imagePullPolicy", Ty::Str, false),
    F(20, "terminationMessagePolicy", Ty::Str, false),
];
const POD_SPEC: &[F] = &[
    F(2, "containers", Ty::Msg(CONTAINER), true),
    F(3, "restartPolicy", Ty::Str, false),
    F(6, "dnsPolicy", Ty::Str, false),
    F(7, "nodeSelector", Ty::MapStr, false),
    F(8, "serviceAccountName", Ty::Str, false),
    F(10, "nodeName", Ty::Str, false),
    F(19, "schedulerName", Ty::Str, false),
    F(20, "initContainers", Ty::Msg(CONTAINER), true),
];
const POD_TEMPLATE: &[F] = &[
    F(1, "metadata", Ty::Msg(OBJECT_META), false),
    F(2, "spec", Ty::Msg(POD_SPEC), false),
];
const ROLLING_UPDATE: &[F] = &[
    F(1, "maxUnavailable", Ty::IntOrString, false),
    F(2, "maxSurge", Ty::IntOrString, false),
];
const STRATEGY: &[F] = &[
    F(1, "type", Ty::Str, false),
    F(2, "rollingUpdate", Ty::Msg(ROLLING_UPDATE), false),
];
const DEPLOYMENT_SPEC: &[F] = &[
    F(1, "replicas", Ty::Int, false),
    F(2, "selector", Ty::Msg(LABEL_SELECTOR), false),
    F(3, "template", Ty::Msg(POD_TEMPLATE), false),
    F(4, "strategy", Ty::Msg(STRATEGY), false),
    F(5, "minReadySeconds", Ty::Int, false),
    F(6, "revisionHistoryLimit", Ty::Int, false),
    F(7, "paused", Ty::Bool, false),
    F(9, "progressDeadlineSeconds", Ty::Int, false),
];
const DEPLOYMENT: &[F] = &[
    F(1, "metadata", Ty::Msg(OBJECT_META), false),
    F(2, "spec", Ty::Msg(DEPLOYMENT_SPEC), false),
];
const SERVICE_PORT: &[F] = &[
    F(1, "name", Ty::Str, false),
    F(2, "protocol", Ty::Str, false),
    F(3, "port", Ty::Int, false),
    F(4, "targetPort", Ty::IntOrString, false),
    F(5, "nodePort", Ty::Int, false),
    F(6, "appProtocol", Ty::Str, false),
];
const SERVICE_SPEC: &[F] = &[
    F(1, "ports", Ty::Msg(SERVICE_PORT), true),
    F(2, "selector", Ty::MapStr, false),
    F(3, "clusterIP", Ty::Str, false),
    F(4, "type", Ty::Str, false),
    F(5, "externalIPs", Ty::Str, true),
    F(7, "sessionAffinity", Ty::Str, false),
    F(10, "externalName", Ty::Str, false),
];
const SERVICE: &[F] = &[
    F(1, "metadata", Ty::Msg(OBJECT_META), false),
    F(2, "spec", Ty::Msg(SERVICE_SPEC), false),
];
const TYPE_META: &[F] = &[
    F(1, "apiVersion", Ty::Str, false),
    F(2, "kind", Ty::Str, false),
];

/// Optional (pointer) scalars, whose zero value is meaningful and kept.
const POINTERS: &[&str] = &[
    "replicas",
    "revisionHistoryLimit",
    "progressDeadlineSeconds",
    "immutable",
    "automountServiceAccountToken",
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
        ("apps/v1", "Deployment") => DEPLOYMENT,
        ("v1", "Service") => SERVICE,
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

fn quantity_entry(b: &[u8]) -> Result<(String, Value), String> {
    let (mut k, mut v) = (String::new(), Value::String(String::new()));
    for f in Fields(b) {
        match f? {
            (1, Wire::Len(x)) => k = utf8(x)?,
            (2, Wire::Len(x)) => {
                for q in Fields(x) {
                    if let (1, Wire::Len(s)) = q? {
                        v = Value::String(utf8(s)?);
                    }
                }
            }
            _ => {}
        }
    }
    Ok((k, v))
}

fn int_or_string(b: &[u8]) -> Result<Value, String> {
    let (mut ty, mut int, mut text) = (0, 0i64, String::new());
    for f in Fields(b) {
        match f? {
            (1, Wire::Varint(v)) => ty = v,
            (2, Wire::Varint(v)) => int = i64::from(v as i32),
            (3, Wire::Len(x)) => text = utf8(x)?,
            _ => {}
        }
    }
    Ok(if ty == 1 {
        Value::String(text)
    } else {
        Value::from(int)
    })
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
            // Non-pointer scalars are always on the wire; their JSON omits zero values.
            (Ty::Int, Wire::Varint(0)) | (Ty::Bool, Wire::Varint(0))
                if !POINTERS.contains(&name) =>
            {
                continue
            }
            (Ty::Int, Wire::Varint(v)) => Value::from(v as i64),
            (Ty::Bool, Wire::Varint(v)) => Value::Bool(v != 0),
            (Ty::Time, Wire::Len(x)) => match time(x)? {
                Value::Null => continue,
                t => t,
            },
            (Ty::Msg(s), Wire::Len(x)) => Value::Object(message(x, s)?),
            (Ty::IntOrString, Wire::Len(x)) => int_or_string(x)?,
            (Ty::MapStr | Ty::MapBytes | Ty::MapQuantity, Wire::Len(x)) => {
                let (k, v) = if matches!(ty, Ty::MapQuantity) {
                    quantity_entry(x)?
                } else {
                    map_entry(x, matches!(ty, Ty::MapBytes))?
                };
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
    fn decodes_deployment_and_service_fields() {
        let Some((pb, json)) = fixture("apps.v1.Deployment") else {
            return;
        };
        let got = decode(&pb).expect("deployment");
        for p in [
            "/spec/replicas",
            "/spec/selector",
            "/spec/strategy/rollingUpdate",
            "/spec/minReadySeconds",
            "/spec/template/metadata/labels",
            "/spec/template/spec/nodeSelector",
            "/spec/template/spec/containers/0/name",
            "/spec/template/spec/containers/0/image",
            "/spec/template/spec/containers/0/ports",
            "/spec/template/spec/containers/0/resources",
            "/spec/template/spec/containers/0/imagePullPolicy",
        ] {
            assert_eq!(got.pointer(p), json.pointer(p), "Deployment {p}");
        }
        let Some((pb, json)) = fixture("core.v1.Service") else {
            return;
        };
        let got = decode(&pb).expect("service");
        for p in [
            "/spec/ports",
            "/spec/selector",
            "/spec/clusterIP",
            "/spec/type",
            "/spec/externalIPs",
        ] {
            assert_eq!(got.pointer(p), json.pointer(p), "Service {p}");
        }
    }

    #[test]
    fn rejects_garbage_and_unknown_kinds() {
        assert!(decode(b"nope").is_err());
        assert!(decode(b"k8s\0\x0a\x0c\x0a\x02v1\x12\x06Pod\0\0").is_err());
    }
}
