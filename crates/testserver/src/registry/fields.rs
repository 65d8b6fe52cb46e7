//! Field labels: which `fieldSelector` fields a type supports and where their values live.
//!
//! Every type supports `metadata.name`, namespaced types `metadata.namespace` (both read from
//! the stored object's identity). The per-type labels below follow upstream's `GetAttrs`
//! functions; their values are extracted once, when an object is written.

use std::sync::Arc;

use serde_json::Value;

/// One type-specific field label of the tables below: its name, JSON path and value when the
/// field is unset.
#[derive(Debug, Clone, Copy)]
struct L {
    name: &'static str,
    path: &'static [&'static str],
    default: &'static str,
}

const fn l(name: &'static str, path: &'static [&'static str], default: &'static str) -> L {
    L {
        name,
        path,
        default,
    }
}

/// A field label as served: name, JSON path, value when unset.
#[derive(Debug, Clone)]
struct Label {
    name: Arc<str>,
    path: Vec<String>,
    default: &'static str,
}

const POD: &[L] = &[
    l("spec.nodeName", &["spec", "nodeName"], ""),
    l("spec.restartPolicy", &["spec", "restartPolicy"], ""),
    l("spec.schedulerName", &["spec", "schedulerName"], ""),
    l(
        "spec.serviceAccountName",
        &["spec", "serviceAccountName"],
        "",
    ),
    l("spec.hostNetwork", &["spec", "hostNetwork"], "false"),
    l("status.phase", &["status", "phase"], ""),
    l("status.podIP", &["status", "podIP"], ""),
    l(
        "status.nominatedNodeName",
        &["status", "nominatedNodeName"],
        "",
    ),
];
const EVENT: &[L] = &[
    l("involvedObject.kind", &["involvedObject", "kind"], ""),
    l(
        "involvedObject.namespace",
        &["involvedObject", "namespace"],
        "",
    ),
    l("involvedObject.name", &["involvedObject", "name"], ""),
    l("involvedObject.uid", &["involvedObject", "uid"], ""),
    l(
        "involvedObject.apiVersion",
        &["involvedObject", "apiVersion"],
        "",
    ),
    l(
        "involvedObject.resourceVersion",
        &["involvedObject", "resourceVersion"],
        "",
    ),
    l(
        "involvedObject.fieldPath",
        &["involvedObject", "fieldPath"],
        "",
    ),
    l("reason", &["reason"], ""),
    l("reportingComponent", &["reportingComponent"], ""),
    l("source", &["source", "component"], ""),
    l("type", &["type"], ""),
];
const SECRET: &[L] = &[l("type", &["type"], "")];
const NAMESPACE: &[L] = &[l("status.phase", &["status", "phase"], "")];
const NODE: &[L] = &[l("spec.unschedulable", &["spec", "unschedulable"], "false")];
const REPLICAS: &[L] = &[l("status.replicas", &["status", "replicas"], "0")];
const JOB: &[L] = &[l("status.successful", &["status", "succeeded"], "0")];
const SERVICE: &[L] = &[
    l("spec.clusterIP", &["spec", "clusterIP"], ""),
    l("spec.type", &["spec", "type"], ""),
];
const CSR: &[L] = &[l("spec.signerName", &["spec", "signerName"], "")];

/// The field labels of one type.
#[derive(Debug, Clone, Default)]
pub(crate) struct FieldLabels {
    namespaced: bool,
    labels: Vec<Label>,
}

impl FieldLabels {
    /// The labels of a built-in resource.
    pub(crate) fn for_resource(group: &str, plural: &str, namespaced: bool) -> Self {
        let labels: &'static [L] = match (group, plural) {
            ("", "pods") => POD,
            ("", "events") => EVENT,
            ("", "secrets") => SECRET,
            ("", "namespaces") => NAMESPACE,
            ("", "nodes") => NODE,
            ("", "replicationcontrollers") | ("apps", "replicasets") => REPLICAS,
            ("batch", "jobs") => JOB,
            ("", "services") => SERVICE,
            ("certificates.k8s.io", "certificatesigningrequests") => CSR,
            _ => &[],
        };
        Self {
            namespaced,
            labels: labels
                .iter()
                .map(|l| Label {
                    name: Arc::from(l.name),
                    path: l.path.iter().map(|s| (*s).to_owned()).collect(),
                    default: l.default,
                })
                .collect(),
        }
    }

    /// The labels of a custom resource: its CRD's `selectableFields` (JSON paths such as
    /// `.spec.color`).
    pub(crate) fn for_custom(namespaced: bool, json_paths: &[String]) -> Self {
        Self {
            namespaced,
            labels: json_paths
                .iter()
                .map(|p| {
                    let name = p.trim_start_matches('.').to_owned();
                    Label {
                        path: name.split('.').map(str::to_owned).collect(),
                        name: Arc::from(name),
                        default: "",
                    }
                })
                .collect(),
        }
    }

    /// `true` when `field` may appear in a field selector for this type.
    pub(crate) fn supports(&self, field: &str) -> bool {
        field == "metadata.name"
            || (self.namespaced && field == "metadata.namespace")
            || self.labels.iter().any(|l| &*l.name == field)
    }

    /// The values of the type-specific labels of `obj`, in label order.
    pub(crate) fn extract(&self, obj: &Value) -> Vec<(Arc<str>, String)> {
        self.labels
            .iter()
            .map(|l| {
                let mut v = Some(obj);
                for seg in &l.path {
                    v = v.and_then(|x| x.get(seg));
                }
                let value = match v {
                    Some(Value::String(s)) => s.clone(),
                    Some(Value::Bool(b)) => b.to_string(),
                    Some(Value::Number(n)) => n.to_string(),
                    _ => l.default.to_owned(),
                };
                (Arc::clone(&l.name), value)
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pod_labels_have_defaults() {
        let f = FieldLabels::for_resource("", "pods", true);
        let pod = serde_json::json!({"spec": {"nodeName": "n1"}, "status": {"phase": "Running"}});
        let vals = f.extract(&pod);
        assert!(vals.contains(&(Arc::from("spec.nodeName"), "n1".to_owned())));
        assert!(vals.contains(&(Arc::from("spec.hostNetwork"), "false".to_owned())));
        assert!(f.supports("metadata.namespace"));
        assert!(!f.supports("spec.foo"));
        let ns = FieldLabels::for_resource("", "nodes", false);
        assert!(!ns.supports("metadata.namespace"));
    }
}
