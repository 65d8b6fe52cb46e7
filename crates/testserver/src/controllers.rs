//! The two controllers a bare API server needs to keep its promises: namespace lifecycle
//! (a deleted namespace is emptied, then removed) and a simple garbage collector
//! (ownerReferences with Background, Foreground and Orphan propagation).

use std::collections::HashSet;
use std::sync::Arc;
use std::time::Duration;

use serde_json::{json, Value};

use crate::api::meta::{finalizers, meta_mut};
use crate::api::{commit_update, delete_object, DeleteOptions};
use crate::shared::Shared;
use crate::store::{EventKind, StoredObject};

/// Runs both controllers until the server stops (the task is aborted then).
pub(crate) async fn run(sh: Arc<Shared>) {
    let mut seen = 0;
    loop {
        let _ = tokio::time::timeout(Duration::from_millis(500), sh.controllers.notified()).await;
        // Let the request that woke us finish answering first.
        tokio::time::sleep(Duration::from_millis(5)).await;
        seen = collect_garbage(&sh, seen);
        finalize_owners(&sh);
        finalize_namespaces(&sh);
    }
}

fn storage_def_of(sh: &Shared, key: &str) -> Option<Arc<crate::registry::ResourceDef>> {
    sh.registry.storage_def(key).cloned()
}

/// Background propagation: dependents of owners removed since `seen` are deleted when none of
/// their owners is left.
fn collect_garbage(sh: &Shared, seen: u64) -> u64 {
    let (events, now) = sh.store.events_since(seen);
    let removed: HashSet<String> = events
        .iter()
        .filter(|e| e.kind == EventKind::Deleted && !e.new.uid.is_empty())
        .map(|e| e.new.uid.clone())
        .collect();
    for uid in &removed {
        for (key, dep) in sh.store.dependents(uid) {
            if dep
                .owners
                .iter()
                .all(|o| removed.contains(o) || !uid_exists(sh, o))
            {
                delete_dependent(sh, &key, &dep);
            }
        }
    }
    now
}

fn uid_exists(sh: &Shared, uid: &str) -> bool {
    !sh.store.find_uid(uid).is_empty()
}

fn delete_dependent(sh: &Shared, key: &str, dep: &Arc<StoredObject>) {
    let Some(sdef) = storage_def_of(sh, key) else {
        return;
    };
    sh.store.write(|txn| {
        if let Some(cur) = txn.get(key, &dep.key) {
            let _ = delete_object(txn, &sdef, &cur, &DeleteOptions::background(), false);
        }
    });
}

/// Orphan and Foreground finalizers of deleting owners.
fn finalize_owners(sh: &Shared) {
    for (key, owner) in sh
        .store
        .deleting_with_finalizers(&["orphan", "foregroundDeletion"])
    {
        let Some(sdef) = storage_def_of(sh, &key) else {
            continue;
        };
        let v = owner.value();
        let fins = finalizers(&v);
        let deps = sh.store.dependents(&owner.uid);
        let mut done = Vec::new();
        if fins.iter().any(|f| f == "orphan") {
            for (dkey, dep) in &deps {
                let Some(ddef) = storage_def_of(sh, dkey) else {
                    continue;
                };
                sh.store.write(|txn| {
                    let Some(cur) = txn.get(dkey, &dep.key) else {
                        return;
                    };
                    let cv = cur.value();
                    let mut nv = cv.clone();
                    if let Some(refs) = meta_mut(&mut nv)
                        .get_mut("ownerReferences")
                        .and_then(Value::as_array_mut)
                    {
                        refs.retain(|r| {
                            r.get("uid").and_then(Value::as_str) != Some(owner.uid.as_str())
                        });
                    }
                    let _ = commit_update(txn, &ddef, &cur, &cv, nv, false);
                });
            }
            done.push("orphan");
        }
        if fins.iter().any(|f| f == "foregroundDeletion") {
            if deps.is_empty() {
                done.push("foregroundDeletion");
            } else {
                for (dkey, dep) in &deps {
                    if !dep.deleting {
                        delete_dependent(sh, dkey, dep);
                    }
                }
            }
        }
        if !done.is_empty() {
            remove_finalizers(sh, &sdef, &key, &owner, &done);
        }
    }
}

fn remove_finalizers(
    sh: &Shared,
    sdef: &crate::registry::ResourceDef,
    key: &str,
    obj: &StoredObject,
    names: &[&str],
) {
    sh.store.write(|txn| {
        let Some(cur) = txn.get(key, &obj.key) else {
            return;
        };
        let cv = cur.value();
        let mut nv = cv.clone();
        let keep: Vec<String> = finalizers(&cv)
            .into_iter()
            .filter(|f| !names.contains(&f.as_str()))
            .collect();
        meta_mut(&mut nv).insert("finalizers".into(), json!(keep));
        let _ = commit_update(txn, sdef, &cur, &cv, nv, false);
    });
}

/// Terminating namespaces: delete their content, then drop the `kubernetes` finalizer, which
/// removes the namespace once nothing else holds it.
fn finalize_namespaces(sh: &Shared) {
    let Some(nsdef) = sh.namespaces().cloned() else {
        return;
    };
    let Ok((_, namespaces)) = sh.store.list(&nsdef.storage_key, None, None, None) else {
        return;
    };
    for ns in namespaces.iter().filter(|n| n.deleting) {
        let content = sh.store.in_namespace(&ns.name);
        for (key, obj) in &content {
            if !obj.deleting {
                delete_dependent(sh, key, obj);
            }
        }
        if !sh.store.in_namespace(&ns.name).is_empty() {
            continue;
        }
        sh.store.write(|txn| {
            let Some(cur) = txn.get(&nsdef.storage_key, &ns.key) else {
                return;
            };
            let cv = cur.value();
            let mut nv = cv.clone();
            if let Some(spec) = nv.get_mut("spec").and_then(Value::as_object_mut) {
                spec.remove("finalizers");
            }
            let _ = commit_update(txn, &nsdef, &cur, &cv, nv, false);
        });
    }
}
