//! The controllers a bare API server needs to keep its promises: namespace lifecycle (a
//! deleted namespace is emptied, then removed), a garbage collector (ownerReferences with
//! Background, Foreground and Orphan propagation), and the CRD controllers (names,
//! conditions, serving, cleanup of a deleted CRD's objects).

use std::collections::HashSet;
use std::sync::Arc;
use std::time::Duration;

use serde_json::{json, Value};

use crate::api::meta::{finalizers, meta_mut};
use crate::api::{commit_update, delete_object, DeleteOptions, Managed};
use crate::shared::Shared;
use crate::store::StoredObject;

/// Runs the controllers until the server stops (the task is aborted then).
pub(crate) async fn run(sh: Arc<Shared>) {
    let mut gc = Collector::default();
    loop {
        let _ = tokio::time::timeout(Duration::from_millis(500), sh.controllers.notified()).await;
        // Let the request that woke us finish answering first.
        tokio::time::sleep(Duration::from_millis(5)).await;
        gc.collect(&sh);
        finalize_owners(&sh);
        finalize_namespaces(&sh);
        crate::crd::finalize(&sh);
    }
}

fn storage_def_of(sh: &Shared, key: &str) -> Option<Arc<crate::registry::ResourceDef>> {
    sh.storage_def_of(key)
}

/// Background propagation: objects whose owners are all deleted are deleted (their own
/// dependents follow on later passes).
///
/// An owner counts as deleted once the server has seen it exist: references to uids it never
/// saw (fixtures stored with `TestServer::insert` pointing at owners that were never stored)
/// are left alone, where upstream would collect them too.
#[derive(Debug, Default)]
struct Collector {
    /// Revision of the last pass.
    rv: u64,
    /// Every uid the server has held.
    seen: HashSet<String>,
}

impl Collector {
    fn collect(&mut self, sh: &Shared) {
        let (changed, now) = sh.store.uids_since(self.rv);
        if now == self.rv {
            return;
        }
        self.seen.extend(changed);
        let all = sh.store.all_objects();
        let current: HashSet<&str> = all.iter().map(|(_, o)| o.uid.as_str()).collect();
        self.seen.extend(current.iter().map(|u| (*u).to_owned()));
        for (key, obj) in &all {
            let gone = |o: &String| !current.contains(o.as_str()) && self.seen.contains(o);
            if !obj.owners.is_empty() && !obj.deleting && obj.owners.iter().all(gone) {
                delete_dependent(sh, key, obj, &DeleteOptions::background());
            }
        }
        self.rv = now;
    }
}

fn delete_dependent(sh: &Shared, key: &str, dep: &Arc<StoredObject>, opts: &DeleteOptions) {
    let Some(sdef) = storage_def_of(sh, key) else {
        return;
    };
    sh.store.write(|txn| {
        if let Some(cur) = txn.get(key, &dep.key) {
            let _ = delete_object(txn, &sdef, &cur, opts, false);
        }
    });
}

/// `true` when `dep`'s reference to `owner` blocks the owner's foreground deletion.
fn blocks(dep: &StoredObject, owner: &str) -> bool {
    dep.value()
        .get("metadata")
        .and_then(|m| m.get("ownerReferences"))
        .and_then(Value::as_array)
        .is_some_and(|refs| {
            refs.iter().any(|r| {
                r.get("uid").and_then(Value::as_str) == Some(owner)
                    && r.get("blockOwnerDeletion").and_then(Value::as_bool) == Some(true)
            })
        })
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
                    let _ = commit_update(txn, &ddef, &cur, &cv, nv, false, &Managed::Keep);
                });
            }
            done.push("orphan");
        }
        if fins.iter().any(|f| f == "foregroundDeletion") {
            // Dependents go first (themselves in the foreground, so whole chains are deleted
            // bottom-up); the owner waits for those that block its deletion.
            for (dkey, dep) in &deps {
                if !dep.deleting {
                    delete_dependent(sh, dkey, dep, &DeleteOptions::foreground());
                }
            }
            let blocking = sh
                .store
                .dependents(&owner.uid)
                .iter()
                .any(|(_, d)| blocks(d, &owner.uid));
            if !blocking {
                done.push("foregroundDeletion");
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
        let _ = commit_update(txn, sdef, &cur, &cv, nv, false, &Managed::Keep);
    });
}

/// Terminating namespaces: delete their content, then drop the `kubernetes` finalizer, which
/// removes the namespace once nothing else holds it.
fn finalize_namespaces(sh: &Shared) {
    let Some(nsdef) = sh.namespaces() else {
        return;
    };
    let Ok((_, namespaces)) = sh.store.list(&nsdef.storage_key, None, None, None) else {
        return;
    };
    for ns in namespaces.iter().filter(|n| n.deleting) {
        let content = sh.store.in_namespace(&ns.name);
        for (key, obj) in &content {
            if !obj.deleting {
                delete_dependent(sh, key, obj, &DeleteOptions::background());
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
            let _ = commit_update(txn, &nsdef, &cur, &cv, nv, false, &Managed::Keep);
        });
    }
}
