//! Round-trips every upstream fixture (`<group>.<version>.<Kind>.json|yaml`) through its
//! generated type: decode, re-encode, compare with the original as a `serde_json::Value`.
//!
//! Fixtures come from `KAPI_FIXTURES` (default `<workspace>/../shared/fixtures/api-v1.36`); when
//! the folder is missing the test fails under `CI=true` and skips loudly otherwise. Dispatch is
//! the generated table in `generated/kinds.rs`. A fixture kind with no generated type fails the
//! test unless it is listed in [`EXCEPTIONS`] with its reason, and every exception is checked
//! to really have no schema in the spec.
#![cfg(feature = "all-groups")]

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use serde::de::DeserializeOwned;
use serde::Serialize;
use serde_json::Value;

#[path = "generated/kinds.rs"]
mod kinds;

/// One row of the generated dispatch table.
pub(crate) struct KindEntry {
    pub(crate) api_version: &'static str,
    pub(crate) kind: &'static str,
    pub(crate) json: fn(&str) -> Result<(Value, Value), String>,
    pub(crate) yaml: fn(&str) -> Result<(Value, Value), String>,
}

/// Decodes JSON into `T`, re-encodes; returns `(original, round-tripped)`.
pub(crate) fn json<T: Serialize + DeserializeOwned>(text: &str) -> Result<(Value, Value), String> {
    let original: Value = serde_json::from_str(text).map_err(|e| format!("not JSON: {e}"))?;
    let typed: T = serde_json::from_str(text).map_err(|e| format!("decode: {e}"))?;
    let back = serde_json::to_value(&typed).map_err(|e| format!("encode: {e}"))?;
    Ok((original, back))
}

/// Decodes YAML into `T`, re-encodes as JSON; returns `(original, round-tripped)`.
pub(crate) fn yaml<T: Serialize + DeserializeOwned>(text: &str) -> Result<(Value, Value), String> {
    let original: Value = serde_yaml::from_str(text).map_err(|e| format!("not YAML: {e}"))?;
    let typed: T = serde_yaml::from_str(text).map_err(|e| format!("decode: {e}"))?;
    let back = serde_json::to_value(&typed).map_err(|e| format!("encode: {e}"))?;
    Ok((original, back))
}

/// Meta kinds implemented in kapi-apimachinery that the spec maps onto (not generated here);
/// round-tripped too, since they travel inside and beside the generated types.
static APIMACHINERY_KINDS: &[KindEntry] = &[
    KindEntry {
        api_version: "v1",
        kind: "APIGroup",
        json: json::<kapi_apimachinery::meta::ApiGroup>,
        yaml: yaml::<kapi_apimachinery::meta::ApiGroup>,
    },
    KindEntry {
        api_version: "v1",
        kind: "APIVersions",
        json: json::<kapi_apimachinery::meta::ApiVersions>,
        yaml: yaml::<kapi_apimachinery::meta::ApiVersions>,
    },
    KindEntry {
        api_version: "v1",
        kind: "DeleteOptions",
        json: json::<kapi_apimachinery::options::DeleteOptions>,
        yaml: yaml::<kapi_apimachinery::options::DeleteOptions>,
    },
    KindEntry {
        api_version: "v1",
        kind: "GetOptions",
        json: json::<kapi_apimachinery::options::GetOptions>,
        yaml: yaml::<kapi_apimachinery::options::GetOptions>,
    },
    KindEntry {
        api_version: "apidiscovery.k8s.io/v2",
        kind: "APIGroupDiscovery",
        json: json::<kapi_apimachinery::meta::ApiGroupDiscovery>,
        yaml: yaml::<kapi_apimachinery::meta::ApiGroupDiscovery>,
    },
    KindEntry {
        api_version: "apidiscovery.k8s.io/v2beta1",
        kind: "APIGroupDiscovery",
        json: json::<kapi_apimachinery::meta::ApiGroupDiscovery>,
        yaml: yaml::<kapi_apimachinery::meta::ApiGroupDiscovery>,
    },
];

/// Fixture kinds deliberately not round-tripped here, with the reason.
const EXCEPTIONS: &[(&str, &[&str])] = &[
    (
        "meta types: implemented and fixture-tested in kapi-apimachinery",
        &["core.v1.ListOptions", "core.v1.Status"],
    ),
    (
        "meta option types sent as query parameters (no JSON form in kapi-apimachinery)",
        &["core.v1.CreateOptions", "core.v1.PatchOptions", "core.v1.UpdateOptions"],
    ),
    (
        "query-parameter option structs and internal types: no schema in the OpenAPI document",
        &[
            "core.v1.NodeProxyOptions",
            "core.v1.PodAttachOptions",
            "core.v1.PodExecOptions",
            "core.v1.PodLogOptions",
            "core.v1.PodPortForwardOptions",
            "core.v1.PodProxyOptions",
            "core.v1.ServiceProxyOptions",
            "core.v1.PodStatusResult",
            "core.v1.RangeAllocation",
            "core.v1.SerializedReference",
        ],
    ),
    (
        "webhook wire types the API server does not serve: no schema in the OpenAPI document",
        &[
            "admission.k8s.io.v1.AdmissionReview",
            "admission.k8s.io.v1beta1.AdmissionReview",
            "imagepolicy.k8s.io.v1alpha1.ImageReview",
        ],
    ),
    (
        "group-versions (or kinds of them) no longer served by v1.36: no schema in the OpenAPI document",
        &[
            "admissionregistration.k8s.io.v1alpha1.ValidatingAdmissionPolicy",
            "admissionregistration.k8s.io.v1alpha1.ValidatingAdmissionPolicyBinding",
            "admissionregistration.k8s.io.v1beta1.MutatingWebhookConfiguration",
            "admissionregistration.k8s.io.v1beta1.ValidatingAdmissionPolicy",
            "admissionregistration.k8s.io.v1beta1.ValidatingAdmissionPolicyBinding",
            "admissionregistration.k8s.io.v1beta1.ValidatingWebhookConfiguration",
            "apps.v1beta1.ControllerRevision",
            "apps.v1beta1.Deployment",
            "apps.v1beta1.DeploymentRollback",
            "apps.v1beta1.Scale",
            "apps.v1beta1.StatefulSet",
            "apps.v1beta2.ControllerRevision",
            "apps.v1beta2.DaemonSet",
            "apps.v1beta2.Deployment",
            "apps.v1beta2.ReplicaSet",
            "apps.v1beta2.Scale",
            "apps.v1beta2.StatefulSet",
            "authentication.k8s.io.v1beta1.SelfSubjectReview",
            "authentication.k8s.io.v1beta1.TokenReview",
            "authorization.k8s.io.v1beta1.LocalSubjectAccessReview",
            "authorization.k8s.io.v1beta1.SelfSubjectAccessReview",
            "authorization.k8s.io.v1beta1.SelfSubjectRulesReview",
            "authorization.k8s.io.v1beta1.SubjectAccessReview",
            "batch.v1beta1.CronJob",
            "certificates.k8s.io.v1beta1.CertificateSigningRequest",
            "coordination.k8s.io.v1beta1.Lease",
            "discovery.k8s.io.v1beta1.EndpointSlice",
            "events.k8s.io.v1beta1.Event",
            "extensions.v1beta1.DaemonSet",
            "extensions.v1beta1.Deployment",
            "extensions.v1beta1.DeploymentRollback",
            "extensions.v1beta1.Ingress",
            "extensions.v1beta1.NetworkPolicy",
            "extensions.v1beta1.ReplicaSet",
            "extensions.v1beta1.Scale",
            "flowcontrol.apiserver.k8s.io.v1beta1.FlowSchema",
            "flowcontrol.apiserver.k8s.io.v1beta1.PriorityLevelConfiguration",
            "flowcontrol.apiserver.k8s.io.v1beta2.FlowSchema",
            "flowcontrol.apiserver.k8s.io.v1beta2.PriorityLevelConfiguration",
            "flowcontrol.apiserver.k8s.io.v1beta3.FlowSchema",
            "flowcontrol.apiserver.k8s.io.v1beta3.PriorityLevelConfiguration",
            "networking.k8s.io.v1beta1.Ingress",
            "networking.k8s.io.v1beta1.IngressClass",
            "node.k8s.io.v1alpha1.RuntimeClass",
            "node.k8s.io.v1beta1.RuntimeClass",
            "policy.v1beta1.Eviction",
            "policy.v1beta1.PodDisruptionBudget",
            "rbac.authorization.k8s.io.v1alpha1.ClusterRole",
            "rbac.authorization.k8s.io.v1alpha1.ClusterRoleBinding",
            "rbac.authorization.k8s.io.v1alpha1.Role",
            "rbac.authorization.k8s.io.v1alpha1.RoleBinding",
            "rbac.authorization.k8s.io.v1beta1.ClusterRole",
            "rbac.authorization.k8s.io.v1beta1.ClusterRoleBinding",
            "rbac.authorization.k8s.io.v1beta1.Role",
            "rbac.authorization.k8s.io.v1beta1.RoleBinding",
            "scheduling.k8s.io.v1beta1.PriorityClass",
            "storage.k8s.io.v1alpha1.CSIStorageCapacity",
            "storage.k8s.io.v1alpha1.VolumeAttachment",
            "storage.k8s.io.v1alpha1.VolumeAttributesClass",
            "storage.k8s.io.v1beta1.CSIDriver",
            "storage.k8s.io.v1beta1.CSINode",
            "storage.k8s.io.v1beta1.CSIStorageCapacity",
            "storage.k8s.io.v1beta1.StorageClass",
            "storage.k8s.io.v1beta1.VolumeAttachment",
        ],
    ),
];

/// Deliberate differences inside otherwise round-tripped fixtures: `(fixture, path, reason)`.
/// The path's keys are dropped from the re-encoded value when the original does not have them;
/// `*` matches every array element.
const KNOWN_DIFFERENCES: &[(&str, &str, &str)] = &[
    (
        "apps.v1.StatefulSet",
        "spec.volumeClaimTemplates.*.apiVersion",
        "embedded top-level kinds write their apiVersion/kind constants (as the API server does \
         for volumeClaimTemplates); the fixture's zero TypeMeta has none",
    ),
    (
        "apps.v1.StatefulSet",
        "spec.volumeClaimTemplates.*.kind",
        "same as apiVersion",
    ),
    // kapi-apimachinery's types for these do not keep `apiVersion`/`kind` (reported to its
    // owner); every other field is still compared.
    ("core.v1.APIVersions", "apiVersion", TYPE_META_DROPPED),
    ("core.v1.APIVersions", "kind", TYPE_META_DROPPED),
    ("core.v1.GetOptions", "apiVersion", TYPE_META_DROPPED),
    ("core.v1.GetOptions", "kind", TYPE_META_DROPPED),
    (
        "apidiscovery.k8s.io.v2.APIGroupDiscovery",
        "apiVersion",
        TYPE_META_DROPPED,
    ),
    (
        "apidiscovery.k8s.io.v2.APIGroupDiscovery",
        "kind",
        TYPE_META_DROPPED,
    ),
    (
        "apidiscovery.k8s.io.v2beta1.APIGroupDiscovery",
        "apiVersion",
        TYPE_META_DROPPED,
    ),
    (
        "apidiscovery.k8s.io.v2beta1.APIGroupDiscovery",
        "kind",
        TYPE_META_DROPPED,
    ),
];

const TYPE_META_DROPPED: &str = "the kapi-apimachinery type does not keep apiVersion/kind";

/// Removes `path` from `back` wherever `original` lacks it.
fn drop_known(original: &Value, back: &mut Value, path: &[&str]) {
    let Some((head, rest)) = path.split_first() else {
        return;
    };
    match (original, back) {
        (Value::Array(o), Value::Array(b)) if *head == "*" => {
            for (o, b) in o.iter().zip(b.iter_mut()) {
                drop_known(o, b, rest);
            }
        }
        (Value::Object(o), Value::Object(b)) => {
            if rest.is_empty() {
                if !o.contains_key(*head) {
                    b.remove(*head);
                }
            } else if let (Some(o), Some(b)) = (o.get(*head), b.get_mut(*head)) {
                drop_known(o, b, rest);
            }
        }
        _ => {}
    }
}

fn exception(name: &str) -> Option<&'static str> {
    EXCEPTIONS
        .iter()
        .find(|(_, names)| names.contains(&name))
        .map(|(why, _)| *why)
}

/// `apps.v1.Deployment` → (`apps/v1`, `Deployment`); `core.v1.Pod` → (`v1`, `Pod`).
fn split(name: &str) -> Option<(String, String)> {
    let (gv, kind) = name.rsplit_once('.')?;
    let (group, version) = gv.rsplit_once('.')?;
    let api_version = if group == "core" {
        version.to_owned()
    } else {
        format!("{group}/{version}")
    };
    Some((api_version, kind.to_owned()))
}

fn fixtures_dir() -> Option<PathBuf> {
    let dir = std::env::var_os("KAPI_FIXTURES").map_or_else(
        || Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared/fixtures/api-v1.36"),
        PathBuf::from,
    );
    if dir.is_dir() {
        return Some(dir);
    }
    assert!(
        std::env::var("CI").as_deref() != Ok("true"),
        "fixtures folder {} is missing (set KAPI_FIXTURES)",
        dir.display()
    );
    println!(
        "\n*** SKIPPING fixture round-trips: {} not found (set KAPI_FIXTURES)\n",
        dir.display()
    );
    None
}

/// The first path where two values differ, for readable failures.
fn first_difference(path: &str, a: &Value, b: &Value) -> Option<String> {
    match (a, b) {
        (Value::Object(x), Value::Object(y)) => {
            let keys: BTreeSet<&String> = x.keys().chain(y.keys()).collect();
            keys.into_iter().find_map(|k| match (x.get(k), y.get(k)) {
                (Some(p), Some(q)) => first_difference(&format!("{path}.{k}"), p, q),
                (p, q) => Some(format!("{path}.{k}: {p:?} vs {q:?}")),
            })
        }
        (Value::Array(x), Value::Array(y)) if x.len() == y.len() => x
            .iter()
            .zip(y)
            .enumerate()
            .find_map(|(i, (p, q))| first_difference(&format!("{path}[{i}]"), p, q)),
        _ if a == b => None,
        _ => Some(format!("{path}: {a} vs {b}")),
    }
}

#[test]
fn every_fixture_round_trips() {
    let Some(dir) = fixtures_dir() else { return };
    let mut names: Vec<(String, String)> = std::fs::read_dir(&dir)
        .expect("readable fixtures folder")
        .filter_map(|e| e.ok()?.file_name().into_string().ok())
        .filter_map(|f| {
            let (stem, ext) = f.rsplit_once('.')?;
            matches!(ext, "json" | "yaml").then(|| (stem.to_owned(), ext.to_owned()))
        })
        .collect();
    names.sort();

    let spec: BTreeSet<(&str, &str)> = kinds::SPEC_GVKS.iter().copied().collect();
    let (mut passed, mut skipped) = (0, BTreeSet::new());
    let mut failures = Vec::new();
    for (stem, ext) in &names {
        let Some((api_version, kind)) = split(stem) else {
            failures.push(format!("{stem}.{ext}: unexpected file name"));
            continue;
        };
        let entry = kinds::KINDS
            .iter()
            .chain(APIMACHINERY_KINDS)
            .find(|k| k.api_version == api_version && k.kind == kind);
        let Some(entry) = entry else {
            match exception(stem) {
                Some(why) if why.starts_with("meta types") => {}
                Some(_) if spec.contains(&(api_version.as_str(), kind.as_str())) => {
                    failures.push(format!(
                        "{stem}: listed as having no schema, but the spec has it"
                    ));
                }
                Some(_) => {}
                None => {
                    failures.push(format!(
                        "{stem}.{ext}: no generated type for {api_version} {kind}"
                    ));
                }
            }
            skipped.insert(stem.clone());
            continue;
        };
        let text =
            std::fs::read_to_string(dir.join(format!("{stem}.{ext}"))).expect("readable fixture");
        let result = if ext == "json" {
            (entry.json)(&text)
        } else {
            (entry.yaml)(&text)
        };
        let result = result.map(|(mut original, mut back)| {
            for (_, path, why) in KNOWN_DIFFERENCES.iter().filter(|(f, _, _)| f == stem) {
                let path: Vec<&str> = path.split('.').collect();
                if *why == TYPE_META_DROPPED {
                    // The type drops the field: ignore it on the original side.
                    drop_known(&back.clone(), &mut original, &path);
                } else {
                    // The type adds the field: ignore it on the re-encoded side.
                    drop_known(&original, &mut back, &path);
                }
            }
            (original, back)
        });
        match result {
            Ok((original, back)) if original == back => passed += 1,
            Ok((original, back)) => failures.push(format!(
                "{stem}.{ext}: round trip differs at {}",
                first_difference("", &original, &back).unwrap_or_default()
            )),
            Err(e) => failures.push(format!("{stem}.{ext}: {e}")),
        }
    }
    println!(
        "fixtures: {passed} files round-tripped, {} kinds skipped (see EXCEPTIONS)",
        skipped.len()
    );
    assert!(
        failures.is_empty(),
        "{} failure(s):\n{}",
        failures.len(),
        failures.join("\n")
    );
    assert!(passed > 0, "no fixture was round-tripped");
}

#[test]
fn exceptions_are_not_stale() {
    // An exception must not hide a kind that now has a generated type.
    for (_, names) in EXCEPTIONS {
        for name in *names {
            let (api_version, kind) = split(name).expect("well-formed exception");
            assert!(
                !kinds::KINDS
                    .iter()
                    .any(|k| k.api_version == api_version && k.kind == kind),
                "{name} is listed as an exception but has a generated type"
            );
        }
    }
}
