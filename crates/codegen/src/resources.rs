//! Resource facts read from the spec's `paths`: plural, scope, verbs and subresources.

use std::collections::{BTreeMap, BTreeSet};

use serde_json::Value;

use crate::model::Gvk;

/// A subresource of a resource, e.g. `pods/status` or `deployments/scale`.
#[derive(Clone, Debug, Default)]
pub(crate) struct SubFacts {
    /// Kind of the request/response body (`autoscaling/v1 Scale` for `scale`).
    pub(crate) gvk: Option<Gvk>,
    /// Standard verbs (`get`, `update`, `patch`, `create`).
    pub(crate) verbs: BTreeSet<&'static str>,
    /// HTTP methods of `connect` actions (exec, attach, portforward, proxy).
    pub(crate) connect: BTreeSet<String>,
}

/// One REST resource (group, version, plural) and what its paths say about it.
#[derive(Clone, Debug)]
pub(crate) struct ResourceFacts {
    pub(crate) group: String,
    pub(crate) version: String,
    pub(crate) plural: String,
    pub(crate) kind: String,
    pub(crate) namespaced: bool,
    /// Verb names as the API spells them (`deletecollection`), sorted.
    pub(crate) verbs: BTreeSet<&'static str>,
    pub(crate) subresources: BTreeMap<String, SubFacts>,
    /// Schema definition of the kind, when the spec has one.
    pub(crate) definition: Option<String>,
    /// Schema definition of `<Kind>List`, when the spec has one.
    pub(crate) list_definition: Option<String>,
}

/// Maps an `x-kubernetes-action` to a verb name.
fn verb(action: &str) -> Option<&'static str> {
    Some(match action {
        "get" => "get",
        "list" => "list",
        "watch" | "watchlist" => "watch",
        "post" => "create",
        "put" => "update",
        "patch" => "patch",
        "delete" => "delete",
        "deletecollection" => "deletecollection",
        _ => return None,
    })
}

const METHODS: &[&str] = &["get", "put", "post", "delete", "patch", "head", "options"];

/// Collects resources from the paths, sorted by group, version and plural.
pub(crate) fn collect(
    spec: &Value,
    gvk_defs: &BTreeMap<Gvk, String>,
) -> Result<Vec<ResourceFacts>, String> {
    let mut map: BTreeMap<(String, String, String), ResourceFacts> = BTreeMap::new();
    let Some(paths) = spec.get("paths").and_then(Value::as_object) else {
        return Err("the spec has no paths".into());
    };
    for (path, item) in paths {
        let segs: Vec<&str> = path.trim_matches('/').split('/').collect();
        let (group, version, mut rest) = match segs.as_slice() {
            ["api", v, rest @ ..] => ("", *v, rest),
            ["apis", g, v, rest @ ..] => (*g, *v, rest),
            _ => continue,
        };
        if rest.first() == Some(&"watch") {
            rest = &rest[1..];
        }
        let mut namespaced = false;
        if rest.len() >= 3 && rest[0] == "namespaces" && rest[1] == "{namespace}" {
            namespaced = true;
            rest = &rest[2..];
        }
        let Some(plural) = rest.first() else { continue };
        let Some(ops) = item.as_object() else {
            continue;
        };
        for method in METHODS {
            let Some(op) = ops.get(*method) else { continue };
            let Some(action) = op.get("x-kubernetes-action").and_then(Value::as_str) else {
                continue;
            };
            let gvk = op
                .get("x-kubernetes-group-version-kind")
                .and_then(Gvk::from_value);
            let key = (group.to_owned(), version.to_owned(), (*plural).to_owned());
            let entry = map.entry(key).or_insert_with(|| ResourceFacts {
                group: group.to_owned(),
                version: version.to_owned(),
                plural: (*plural).to_owned(),
                kind: String::new(),
                namespaced: false,
                verbs: BTreeSet::new(),
                subresources: BTreeMap::new(),
                definition: None,
                list_definition: None,
            });
            entry.namespaced |= namespaced;
            if rest.len() <= 2 {
                if let Some(g) = &gvk {
                    if entry.kind.is_empty() {
                        entry.kind.clone_from(&g.kind);
                    } else if entry.kind != g.kind {
                        return Err(format!(
                            "{path}: kind {} but {} elsewhere",
                            g.kind, entry.kind
                        ));
                    }
                }
                if let Some(v) = verb(action) {
                    entry.verbs.insert(v);
                }
            } else {
                let sub = entry.subresources.entry(rest[2].to_owned()).or_default();
                if sub.gvk.is_none() {
                    sub.gvk = gvk;
                }
                if action == "connect" {
                    sub.connect.insert(method.to_ascii_uppercase());
                } else if let Some(v) = verb(action) {
                    sub.verbs.insert(v);
                }
            }
        }
    }
    let mut out: Vec<ResourceFacts> = map.into_values().filter(|r| !r.kind.is_empty()).collect();
    for r in &mut out {
        let gvk = Gvk {
            group: r.group.clone(),
            version: r.version.clone(),
            kind: r.kind.clone(),
        };
        r.definition = gvk_defs.get(&gvk).cloned();
        let list = Gvk {
            kind: format!("{}List", r.kind),
            ..gvk
        };
        r.list_definition = gvk_defs.get(&list).cloned();
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn op(action: &str, kind: &str) -> Value {
        serde_json::json!({
            "x-kubernetes-action": action,
            "x-kubernetes-group-version-kind": {"group": "apps", "version": "v1", "kind": kind}
        })
    }

    #[test]
    fn verbs_scope_and_subresources_come_from_paths() {
        let spec = serde_json::json!({"paths": {
            "/apis/apps/v1/deployments": {"get": op("list", "Deployment")},
            "/apis/apps/v1/namespaces/{namespace}/deployments": {
                "get": op("list", "Deployment"), "post": op("post", "Deployment"),
                "delete": op("deletecollection", "Deployment")
            },
            "/apis/apps/v1/namespaces/{namespace}/deployments/{name}": {
                "get": op("get", "Deployment"), "put": op("put", "Deployment"),
                "patch": op("patch", "Deployment"), "delete": op("delete", "Deployment")
            },
            "/apis/apps/v1/watch/namespaces/{namespace}/deployments": {"get": op("watchlist", "Deployment")},
            "/apis/apps/v1/namespaces/{namespace}/deployments/{name}/scale": {
                "get": {"x-kubernetes-action": "get",
                        "x-kubernetes-group-version-kind": {"group": "autoscaling", "version": "v1", "kind": "Scale"}}
            },
            "/apis/apps/v1/namespaces/{namespace}/deployments/{name}/status": {"patch": op("patch", "Deployment")},
            "/version/": {"get": {}}
        }});
        let mut defs = BTreeMap::new();
        let gvk = Gvk {
            group: "apps".into(),
            version: "v1".into(),
            kind: "Deployment".into(),
        };
        defs.insert(gvk, "io.k8s.api.apps.v1.Deployment".to_owned());
        let rs = collect(&spec, &defs).expect("collects");
        assert_eq!(rs.len(), 1);
        let r = &rs[0];
        assert_eq!(
            (r.plural.as_str(), r.kind.as_str(), r.namespaced),
            ("deployments", "Deployment", true)
        );
        let verbs: Vec<&str> = r.verbs.iter().copied().collect();
        assert_eq!(
            verbs,
            [
                "create",
                "delete",
                "deletecollection",
                "get",
                "list",
                "patch",
                "update",
                "watch"
            ]
        );
        assert_eq!(
            r.subresources.keys().collect::<Vec<_>>(),
            ["scale", "status"]
        );
        assert_eq!(
            r.subresources["scale"]
                .gvk
                .as_ref()
                .map(|g| g.kind.as_str()),
            Some("Scale")
        );
        assert_eq!(
            r.definition.as_deref(),
            Some("io.k8s.api.apps.v1.Deployment")
        );
        assert_eq!(r.list_definition, None);
    }

    #[test]
    fn cluster_scoped_namespaces_are_not_mistaken_for_namespaced() {
        let core = |action: &str| {
            serde_json::json!({"x-kubernetes-action": action,
                "x-kubernetes-group-version-kind": {"group": "", "version": "v1", "kind": "Namespace"}})
        };
        let spec = serde_json::json!({"paths": {
            "/api/v1/namespaces": {"get": core("list")},
            "/api/v1/namespaces/{name}": {"get": core("get")},
            "/api/v1/namespaces/{name}/finalize": {"put": core("put")}
        }});
        let rs = collect(&spec, &BTreeMap::new()).expect("collects");
        assert_eq!(rs.len(), 1);
        assert!(!rs[0].namespaced);
        assert!(rs[0].subresources.contains_key("finalize"));
    }
}
