//! Table columns of common built-in kinds (the ones `kubectl get` shows), and the default
//! `Name`/`Created At` table of every other kind.

use serde_json::{json, Value};

use super::{column, Cells};

/// `<none>` as kubectl prints missing values.
const NONE: &str = "<none>";

/// Upstream's short human duration: `5s`, `2m3s`, `10m`, `3h`, `2d5h`, `40d`, `3y`.
pub(crate) fn human_duration(secs: i64) -> String {
    if secs < -1 {
        return "<invalid>".into();
    }
    let s = secs.max(0);
    let (m, h, d) = (s / 60, s / 3600, s / 86_400);
    match () {
        () if s < 120 => format!("{s}s"),
        () if m < 10 => {
            if s % 60 == 0 {
                format!("{m}m")
            } else {
                format!("{m}m{}s", s % 60)
            }
        }
        () if m < 180 => format!("{m}m"),
        () if h < 8 => {
            if m % 60 == 0 {
                format!("{h}h")
            } else {
                format!("{h}h{}m", m % 60)
            }
        }
        () if h < 48 => format!("{h}h"),
        () if h < 24 * 8 => {
            if h % 24 == 0 {
                format!("{d}d")
            } else {
                format!("{d}d{}h", h % 24)
            }
        }
        () if d < 365 * 2 => format!("{d}d"),
        () if d < 365 * 8 => {
            if d % 365 == 0 {
                format!("{}y", d / 365)
            } else {
                format!("{}y{}d", d / 365, d % 365)
            }
        }
        () => format!("{}y", d / 365),
    }
}

/// The age of an RFC 3339 timestamp (`<unknown>` when it does not parse).
pub(crate) fn age_of(ts: &str) -> String {
    match ts.parse::<kapi_apimachinery::Time>() {
        Ok(t) => human_duration(kapi_apimachinery::Time::now().unix_seconds() - t.unix_seconds()),
        Err(_) => "<unknown>".into(),
    }
}

fn at<'a>(v: &'a Value, path: &[&str]) -> Option<&'a Value> {
    let mut cur = Some(v);
    for p in path {
        cur = cur.and_then(|c| c.get(*p));
    }
    cur
}

fn s(v: &Value, path: &[&str]) -> String {
    at(v, path).and_then(Value::as_str).unwrap_or("").to_owned()
}

fn n(v: &Value, path: &[&str]) -> i64 {
    at(v, path).and_then(Value::as_i64).unwrap_or(0)
}

fn or_none(x: String) -> Value {
    Value::String(if x.is_empty() { NONE.into() } else { x })
}

/// The Name cell.
pub(crate) fn name(o: &Value) -> Value {
    Value::String(s(o, &["metadata", "name"]))
}

fn age(o: &Value) -> Value {
    Value::String(age_of(&s(o, &["metadata", "creationTimestamp"])))
}

fn list_len(v: Option<&Value>) -> i64 {
    let len = match v {
        Some(Value::Array(a)) => a.len(),
        Some(Value::Object(m)) => m.len(),
        _ => 0,
    };
    i64::try_from(len).unwrap_or(0)
}

fn containers(o: &Value, path: &[&str]) -> (String, String) {
    let cs = at(o, path)
        .and_then(Value::as_array)
        .cloned()
        .unwrap_or_default();
    let names: Vec<String> = cs.iter().map(|c| s(c, &["name"])).collect();
    let images: Vec<String> = cs.iter().map(|c| s(c, &["image"])).collect();
    (names.join(","), images.join(","))
}

fn selector(o: &Value) -> String {
    at(o, &["spec", "selector", "matchLabels"])
        .or_else(|| at(o, &["spec", "selector"]))
        .and_then(Value::as_object)
        .map(|m| {
            m.iter()
                .filter_map(|(k, v)| v.as_str().map(|v| format!("{k}={v}")))
                .collect::<Vec<_>>()
                .join(",")
        })
        .unwrap_or_default()
}

fn pod_cells(o: &Value) -> Vec<Value> {
    let total = list_len(at(o, &["spec", "containers"]));
    let statuses = at(o, &["status", "containerStatuses"])
        .and_then(Value::as_array)
        .cloned()
        .unwrap_or_default();
    let ready = statuses
        .iter()
        .filter(|c| c.get("ready").and_then(Value::as_bool) == Some(true))
        .count();
    let restarts: i64 = statuses.iter().map(|c| n(c, &["restartCount"])).sum();
    let mut status = match s(o, &["status", "reason"]) {
        r if !r.is_empty() => r,
        _ => s(o, &["status", "phase"]),
    };
    if at(o, &["metadata", "deletionTimestamp"]).is_some_and(|t| !t.is_null()) {
        status = "Terminating".into();
    }
    vec![
        name(o),
        json!(format!("{ready}/{total}")),
        json!(status),
        json!(restarts),
        age(o),
        or_none(s(o, &["status", "podIP"])),
        or_none(s(o, &["spec", "nodeName"])),
        or_none(s(o, &["status", "nominatedNodeName"])),
        json!(NONE),
    ]
}

fn deployment_cells(o: &Value) -> Vec<Value> {
    let (c, i) = containers(o, &["spec", "template", "spec", "containers"]);
    let desired = at(o, &["spec", "replicas"])
        .and_then(Value::as_i64)
        .unwrap_or(1);
    vec![
        name(o),
        json!(format!("{}/{desired}", n(o, &["status", "readyReplicas"]))),
        json!(n(o, &["status", "updatedReplicas"])),
        json!(n(o, &["status", "availableReplicas"])),
        age(o),
        json!(c),
        json!(i),
        or_none(selector(o)),
    ]
}

fn replicaset_cells(o: &Value) -> Vec<Value> {
    let (c, i) = containers(o, &["spec", "template", "spec", "containers"]);
    vec![
        name(o),
        json!(at(o, &["spec", "replicas"])
            .and_then(Value::as_i64)
            .unwrap_or(1)),
        json!(n(o, &["status", "replicas"])),
        json!(n(o, &["status", "readyReplicas"])),
        age(o),
        json!(c),
        json!(i),
        or_none(selector(o)),
    ]
}

fn service_cells(o: &Value) -> Vec<Value> {
    let ty = match s(o, &["spec", "type"]) {
        t if t.is_empty() => "ClusterIP".to_owned(),
        t => t,
    };
    let external: Vec<String> = at(o, &["spec", "externalIPs"])
        .and_then(Value::as_array)
        .map(|a| {
            a.iter()
                .filter_map(Value::as_str)
                .map(str::to_owned)
                .collect()
        })
        .unwrap_or_default();
    let ports: Vec<String> = at(o, &["spec", "ports"])
        .and_then(Value::as_array)
        .map(|ps| {
            ps.iter()
                .map(|p| {
                    let proto = match s(p, &["protocol"]) {
                        x if x.is_empty() => "TCP".to_owned(),
                        x => x,
                    };
                    match p.get("nodePort").and_then(Value::as_i64) {
                        Some(np) => format!("{}:{np}/{proto}", n(p, &["port"])),
                        None => format!("{}/{proto}", n(p, &["port"])),
                    }
                })
                .collect()
        })
        .unwrap_or_default();
    vec![
        name(o),
        json!(ty),
        or_none(s(o, &["spec", "clusterIP"])),
        or_none(external.join(",")),
        or_none(ports.join(",")),
        age(o),
        or_none(selector(o)),
    ]
}

fn node_cells(o: &Value) -> Vec<Value> {
    let conditions = at(o, &["status", "conditions"])
        .and_then(Value::as_array)
        .cloned()
        .unwrap_or_default();
    let mut status = match conditions.iter().find(|c| s(c, &["type"]) == "Ready") {
        Some(c) if s(c, &["status"]) == "True" => "Ready".to_owned(),
        Some(c) if s(c, &["status"]) == "False" => "NotReady".to_owned(),
        _ => "Unknown".to_owned(),
    };
    if at(o, &["spec", "unschedulable"]).and_then(Value::as_bool) == Some(true) {
        status.push_str(",SchedulingDisabled");
    }
    let roles: Vec<String> = at(o, &["metadata", "labels"])
        .and_then(Value::as_object)
        .map(|m| {
            m.keys()
                .filter_map(|k| k.strip_prefix("node-role.kubernetes.io/"))
                .map(str::to_owned)
                .collect()
        })
        .unwrap_or_default();
    let internal = at(o, &["status", "addresses"])
        .and_then(Value::as_array)
        .and_then(|a| a.iter().find(|x| s(x, &["type"]) == "InternalIP"))
        .map(|x| s(x, &["address"]))
        .unwrap_or_default();
    vec![
        name(o),
        json!(status),
        or_none(roles.join(",")),
        age(o),
        json!(s(o, &["status", "nodeInfo", "kubeletVersion"])),
        or_none(internal),
    ]
}

/// Columns and cells of a built-in kind.
pub(super) fn builtin(group: &str, plural: &str) -> (Vec<Value>, Cells) {
    let nm = column(
        "Name",
        "string",
        "name",
        "Name must be unique within a namespace.",
        0,
    );
    let age_col = column(
        "Age",
        "string",
        "",
        "CreationTimestamp is a timestamp representing the server time when this object was created.",
        0,
    );
    let c = |name: &str, ty: &str, p: i64| column(name, ty, "", "", p);
    match (group, plural) {
        ("", "pods") => (
            vec![
                nm,
                c("Ready", "string", 0),
                c("Status", "string", 0),
                c("Restarts", "string", 0),
                age_col,
                c("IP", "string", 1),
                c("Node", "string", 1),
                c("Nominated Node", "string", 1),
                c("Readiness Gates", "string", 1),
            ],
            Box::new(pod_cells),
        ),
        ("apps", "deployments") => (
            vec![
                nm,
                c("Ready", "string", 0),
                c("Up-to-date", "integer", 0),
                c("Available", "integer", 0),
                age_col,
                c("Containers", "string", 1),
                c("Images", "string", 1),
                c("Selector", "string", 1),
            ],
            Box::new(deployment_cells),
        ),
        ("apps", "replicasets") => (
            vec![
                nm,
                c("Desired", "integer", 0),
                c("Current", "integer", 0),
                c("Ready", "integer", 0),
                age_col,
                c("Containers", "string", 1),
                c("Images", "string", 1),
                c("Selector", "string", 1),
            ],
            Box::new(replicaset_cells),
        ),
        ("", "services") => (
            vec![
                nm,
                c("Type", "string", 0),
                c("Cluster-IP", "string", 0),
                c("External-IP", "string", 0),
                c("Port(s)", "string", 0),
                age_col,
                c("Selector", "string", 1),
            ],
            Box::new(service_cells),
        ),
        ("", "configmaps") => (
            vec![nm, c("Data", "integer", 0), age_col],
            Box::new(|o: &Value| {
                let data = list_len(at(o, &["data"])) + list_len(at(o, &["binaryData"]));
                vec![name(o), json!(data), age(o)]
            }),
        ),
        ("", "secrets") => (
            vec![nm, c("Type", "string", 0), c("Data", "integer", 0), age_col],
            Box::new(|o: &Value| {
                vec![
                    name(o),
                    json!(s(o, &["type"])),
                    json!(list_len(at(o, &["data"]))),
                    age(o),
                ]
            }),
        ),
        ("", "namespaces") => (
            vec![nm, c("Status", "string", 0), age_col],
            Box::new(|o: &Value| vec![name(o), json!(s(o, &["status", "phase"])), age(o)]),
        ),
        ("", "serviceaccounts") => (
            vec![nm, c("Secrets", "integer", 0), age_col],
            Box::new(|o: &Value| vec![name(o), json!(list_len(at(o, &["secrets"]))), age(o)]),
        ),
        ("", "nodes") => (
            vec![
                nm,
                c("Status", "string", 0),
                c("Roles", "string", 0),
                age_col,
                c("Version", "string", 0),
                c("Internal-IP", "string", 1),
            ],
            Box::new(node_cells),
        ),
        _ => (
            vec![
                nm,
                column(
                    "Created At",
                    "date",
                    "",
                    "CreationTimestamp is a timestamp representing the server time when this object was created.",
                    0,
                ),
            ],
            Box::new(|o: &Value| {
                vec![
                    name(o),
                    json!(s(o, &["metadata", "creationTimestamp"])),
                ]
            }),
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn human_durations() {
        for (secs, want) in [
            (0, "0s"),
            (119, "119s"),
            (125, "2m5s"),
            (600, "10m"),
            (3 * 3600 + 60, "3h1m"),
            (10 * 3600, "10h"),
            (2 * 86_400 + 3600, "2d1h"),
            (40 * 86_400, "40d"),
            (3 * 365 * 86_400, "3y"),
        ] {
            assert_eq!(human_duration(secs), want, "{secs}");
        }
    }
}
