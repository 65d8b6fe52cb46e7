//! Storing objects directly, bypassing request handling: the default namespaces of a fresh
//! server, and [`crate::TestServer::insert`] for fixtures (objects keep their `status`).

use std::sync::Arc;

use serde_json::{json, Value};

use crate::api::meta::{meta_mut, meta_str, new_uid, now};
use crate::api::prepare_new;
use crate::registry::ResourceDef;
use crate::shared::Shared;
use crate::store::object_key;
use crate::Error;

/// The four namespaces of a fresh cluster (rule 1.12).
pub(crate) fn default_namespaces(sh: &Arc<Shared>) {
    for name in ["default", "kube-system", "kube-public", "kube-node-lease"] {
        ensure_namespace(sh, name);
    }
}

fn ensure_namespace(sh: &Shared, name: &str) {
    let Some(nsdef) = sh.namespaces() else {
        return;
    };
    sh.store.write(|txn| {
        if txn.get(&nsdef.storage_key, name).is_none() {
            let mut v =
                json!({"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": name}});
            prepare_new(&nsdef, &mut v);
            txn.put(&nsdef, &mut v);
        }
    });
}

fn find_def(sh: &Shared, api_version: &str, kind: &str) -> Option<Arc<ResourceDef>> {
    let (group, version) = api_version.rsplit_once('/').unwrap_or(("", api_version));
    sh.api()
        .registry
        .resources(group, version)
        .find(|d| d.kind == kind)
        .cloned()
}

/// Stores `objects` as they are (missing `uid` and `creationTimestamp` filled, a fresh
/// resourceVersion each), creating their namespaces when missing; replaces existing objects.
pub(crate) fn insert(
    sh: &Shared,
    objects: impl IntoIterator<Item = Value>,
) -> Result<usize, Error> {
    let mut n = 0;
    for mut v in objects {
        let api_version = v
            .get("apiVersion")
            .and_then(Value::as_str)
            .unwrap_or("")
            .to_owned();
        let kind = v
            .get("kind")
            .and_then(Value::as_str)
            .unwrap_or("")
            .to_owned();
        let def = find_def(sh, &api_version, &kind).ok_or_else(|| {
            Error::InvalidObject(format!("no resource serves {api_version} {kind}"))
        })?;
        let sdef = sh.storage_def(&def);
        let name = meta_str(&v, "name").to_owned();
        if name.is_empty() {
            return Err(Error::InvalidObject(format!(
                "a {kind} without metadata.name"
            )));
        }
        let ns = if def.namespaced {
            let ns = match meta_str(&v, "namespace") {
                "" => "default".to_owned(),
                ns => ns.to_owned(),
            };
            ensure_namespace(sh, &ns);
            ns
        } else {
            String::new()
        };
        {
            let meta = meta_mut(&mut v);
            meta.remove("resourceVersion");
            if !ns.is_empty() {
                meta.insert("namespace".into(), Value::String(ns.clone()));
            }
            meta.entry("uid")
                .or_insert_with(|| Value::String(new_uid()));
            meta.entry("creationTimestamp")
                .or_insert_with(|| Value::String(now()));
            if def.tracks_generation {
                meta.entry("generation").or_insert_with(|| Value::from(1));
            }
        }
        if let Some(m) = v.as_object_mut() {
            m.insert("apiVersion".into(), Value::String(sdef.api_version()));
        }
        let key = object_key(&ns, &name);
        sh.store.write(|txn| {
            let _ = txn.get(&sdef.storage_key, &key);
            txn.put(&sdef, &mut v)
        });
        n += 1;
    }
    Ok(n)
}
