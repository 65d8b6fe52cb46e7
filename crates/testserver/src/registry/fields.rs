//! Field labels: which `fieldSelector` fields a type supports and where their values live.
//!
//! Every type supports `metadata.name`, namespaced types `metadata.namespace` (both read from
//! the stored object's identity). The per-type labels below follow upstream's `GetAttrs`
//! functions; their values are extracted once, when an object is written.

use std::borrow::Cow;

use serde_json::Value;

/// One type-specific field label: its name, JSON path and value when the field is unset.
#[derive(Debug, Clone, Copy)]
struct Label {
    name: &'static str,
    path: &'static [&'static str],
    default: &'static str,
}

const fn l(name: &'static str, path: &'static [&'static str], default: &'static str) -> Label {
    Label {
        name,
        path,
        default,
    }
}

const POD: &[Label] = &[
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
const EVENT: &[Label] = &[
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
const SECRET: &[Label] = &[l("type", &["type"], "")];
const NAMESPACE: &[Label] = &[l("status.phase", &["status", "phase"], "")];
const NODE: &[Label] = &[l("spec.unschedulable", &["spec", "unschedulable"], "false")];
const REPLICAS: &[Label] = &[l("status.replicas", &["status", "replicas"], "0")];
const JOB: &[Label] = &[l("status.successful", &["status", "succeeded"], "0")];
const SERVICE: &[Label] = &[
    l("spec.clusterIP", &["spec", "clusterIP"], ""),
    l("spec.type", &["spec", "type"], ""),
];
const CSR: &[Label] = &[l("spec.signerName", &["spec", "signerName"], "")];

/// The field labels of one type.
#[derive(Debug, Clone, Default)]
pub(crate) struct FieldLabels {
    namespaced: bool,
    labels: Cow<'static, [Label]>,
}

impl FieldLabels {
    /// The labels of a built-in resource.
    pub(crate) fn for_resource(group: &str, plural: &str, namespaced: bool) -> Self {
        let labels: &'static [Label] = match (group, plural) {
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
            labels: Cow::Borrowed(labels),
        }
    }

    /// `true` when `field` may appear in a field selector for this type.
    pub(crate) fn supports(&self, field: &str) -> bool {
        field == "metadata.name"
            || (self.namespaced && field == "metadata.namespace")
            || self.labels.iter().any(|l| l.name == field)
    }

    /// The values of the type-specific labels of `obj`, in label order.
    pub(crate) fn extract(&self, obj: &Value) -> Vec<(&'static str, String)> {
        self.labels
            .iter()
            .map(|l| {
                let mut v = Some(obj);
                for seg in l.path {
                    v = v.and_then(|x| x.get(*seg));
                }
                let value = match v {
                    Some(Value::String(s)) => s.clone(),
                    Some(Value::Bool(b)) => b.to_string(),
                    Some(Value::Number(n)) => n.to_string(),
                    _ => l.default.to_owned(),
                };
                (l.name, value)
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
        assert!(vals.contains(&("spec.nodeName", "n1".to_owned())));
        assert!(vals.contains(&("spec.hostNetwork", "false".to_owned())));
        assert!(f.supports("metadata.namespace"));
        assert!(!f.supports("spec.foo"));
        let ns = FieldLabels::for_resource("", "nodes", false);
        assert!(!ns.supports("metadata.namespace"));
    }
}
