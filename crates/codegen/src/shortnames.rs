//! Short names and categories of the built-in resources.
//!
//! The OpenAPI document does not carry them (discovery does), so this small table is kept by
//! hand. Keyed by API group and plural; it applies to every version of the resource.

/// `(group, plural, short names, categories)`.
pub(crate) const TABLE: &[(&str, &str, &[&str], &[&str])] = &[
    ("", "componentstatuses", &["cs"], &[]),
    ("", "configmaps", &["cm"], &[]),
    ("", "endpoints", &["ep"], &[]),
    ("", "events", &["ev"], &[]),
    ("", "limitranges", &["limits"], &[]),
    ("", "namespaces", &["ns"], &[]),
    ("", "nodes", &["no"], &[]),
    ("", "persistentvolumeclaims", &["pvc"], &[]),
    ("", "persistentvolumes", &["pv"], &[]),
    ("", "pods", &["po"], &["all"]),
    ("", "replicationcontrollers", &["rc"], &["all"]),
    ("", "resourcequotas", &["quota"], &[]),
    ("", "serviceaccounts", &["sa"], &[]),
    ("", "services", &["svc"], &["all"]),
    (
        "admissionregistration.k8s.io",
        "mutatingadmissionpolicies",
        &[],
        &["api-extensions"],
    ),
    (
        "admissionregistration.k8s.io",
        "mutatingadmissionpolicybindings",
        &[],
        &["api-extensions"],
    ),
    (
        "admissionregistration.k8s.io",
        "mutatingwebhookconfigurations",
        &[],
        &["api-extensions"],
    ),
    (
        "admissionregistration.k8s.io",
        "validatingadmissionpolicies",
        &[],
        &["api-extensions"],
    ),
    (
        "admissionregistration.k8s.io",
        "validatingadmissionpolicybindings",
        &[],
        &["api-extensions"],
    ),
    (
        "admissionregistration.k8s.io",
        "validatingwebhookconfigurations",
        &[],
        &["api-extensions"],
    ),
    (
        "apiextensions.k8s.io",
        "customresourcedefinitions",
        &["crd", "crds"],
        &["api-extensions"],
    ),
    (
        "apiregistration.k8s.io",
        "apiservices",
        &[],
        &["api-extensions"],
    ),
    ("apps", "daemonsets", &["ds"], &["all"]),
    ("apps", "deployments", &["deploy"], &["all"]),
    ("apps", "replicasets", &["rs"], &["all"]),
    ("apps", "statefulsets", &["sts"], &["all"]),
    (
        "autoscaling",
        "horizontalpodautoscalers",
        &["hpa"],
        &["all"],
    ),
    ("batch", "cronjobs", &["cj"], &["all"]),
    ("batch", "jobs", &[], &["all"]),
    (
        "certificates.k8s.io",
        "certificatesigningrequests",
        &["csr"],
        &[],
    ),
    ("events.k8s.io", "events", &["ev"], &[]),
    ("networking.k8s.io", "ingresses", &["ing"], &[]),
    ("networking.k8s.io", "ipaddresses", &["ip"], &[]),
    ("networking.k8s.io", "networkpolicies", &["netpol"], &[]),
    ("policy", "poddisruptionbudgets", &["pdb"], &[]),
    ("scheduling.k8s.io", "priorityclasses", &["pc"], &[]),
    ("storage.k8s.io", "storageclasses", &["sc"], &[]),
    ("storage.k8s.io", "volumeattributesclasses", &["vac"], &[]),
];

/// Short names and categories of a resource (empty when it has none).
pub(crate) fn lookup(
    group: &str,
    plural: &str,
) -> (&'static [&'static str], &'static [&'static str]) {
    TABLE
        .iter()
        .find(|(g, p, _, _)| *g == group && *p == plural)
        .map_or((&[], &[]), |(_, _, s, c)| (*s, *c))
}
