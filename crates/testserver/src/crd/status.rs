//! The CRD controllers: names, conditions and stored versions (rule 6.2), what is served, and
//! the cleanup of a deleted CRD (rule 6.7).
//!
//! [`reconcile`] runs right after every CRD write (so a created CRD is served from the next
//! request on) and on every controller pass.

use std::collections::HashMap;
use std::sync::{Arc, PoisonError};

use serde_json::{json, Value};

use super::{defs_from_crd, str_at, strings, CLEANUP_FINALIZER, GROUP};
use crate::api::meta::{finalizers, is_deleting, meta_mut, now};
use crate::api::{commit_update, delete_object, DeleteOptions, Managed};
use crate::registry::ResourceDef;
use crate::shared::{Api, Shared};
use crate::store::StoredObject;

fn crd_def(sh: &Shared) -> Option<Arc<ResourceDef>> {
    sh.builtin
        .get(GROUP, "v1", "customresourcedefinitions")
        .cloned()
}

fn list_crds(sh: &Shared, def: &ResourceDef) -> Vec<Arc<StoredObject>> {
    sh.store
        .list(&def.storage_key, None, None, None)
        .map(|(_, items)| items)
        .unwrap_or_default()
}

/// The names a CRD asks for: plural, singular, kind, listKind, short names.
fn requested_names(crd: &Value) -> Value {
    let names = crd
        .get("spec")
        .and_then(|s| s.get("names"))
        .cloned()
        .unwrap_or_default();
    let kind = str_at(&names, &["kind"]).to_owned();
    let mut out = json!({
        "plural": str_at(&names, &["plural"]),
        "singular": match str_at(&names, &["singular"]) { "" => kind.to_ascii_lowercase(), s => s.to_owned() },
        "kind": kind,
        "listKind": match str_at(&names, &["listKind"]) { "" => format!("{kind}List"), s => s.to_owned() },
    });
    let short = strings(names.get("shortNames"));
    if !short.is_empty() {
        out["shortNames"] = json!(short);
    }
    let categories = strings(names.get("categories"));
    if !categories.is_empty() {
        out["categories"] = json!(categories);
    }
    out
}

/// Why `names` cannot be accepted next to `taken` (names already accepted in the group).
fn conflict(names: &Value, taken: &[Value]) -> Option<(&'static str, String)> {
    let s = |v: &Value, k: &str| str_at(v, &[k]).to_owned();
    for other in taken {
        let mut others: Vec<String> = ["plural", "singular"].iter().map(|k| s(other, k)).collect();
        others.extend(strings(other.get("shortNames")));
        if s(names, "plural") == s(other, "plural") {
            return Some((
                "PluralConflict",
                format!("\"{}\" is already in use", s(names, "plural")),
            ));
        }
        if others.contains(&s(names, "singular")) {
            return Some((
                "SingularConflict",
                format!("\"{}\" is already in use", s(names, "singular")),
            ));
        }
        if let Some(short) = strings(names.get("shortNames"))
            .into_iter()
            .find(|n| others.contains(n))
        {
            return Some((
                "ShortNamesConflict",
                format!("\"{short}\" is already in use"),
            ));
        }
        let kinds = [s(other, "kind"), s(other, "listKind")];
        if kinds.contains(&s(names, "kind")) || kinds.contains(&s(names, "listKind")) {
            return Some((
                "KindConflict",
                format!("\"{}\" is already in use", s(names, "kind")),
            ));
        }
    }
    None
}

fn condition(ty: &str, status: bool, reason: &str, message: &str, old: &Value) -> Value {
    let status = if status { "True" } else { "False" };
    let previous = old
        .get("status")
        .and_then(|s| s.get("conditions"))
        .and_then(Value::as_array)
        .and_then(|cs| cs.iter().find(|c| str_at(c, &["type"]) == ty));
    let time = match previous {
        Some(p) if str_at(p, &["status"]) == status => {
            str_at(p, &["lastTransitionTime"]).to_owned()
        }
        _ => now(),
    };
    json!({"type": ty, "status": status, "lastTransitionTime": time, "reason": reason, "message": message})
}

/// The status a CRD should have, and whether it is served.
fn desired_status(crd: &Value, taken: &mut HashMap<String, Vec<Value>>) -> (Value, bool) {
    let group = str_at(crd, &["spec", "group"]).to_owned();
    let names = requested_names(crd);
    let clash = conflict(
        &names,
        taken.get(&group).map(Vec::as_slice).unwrap_or_default(),
    );
    let accepted = clash.is_none();
    let mut conditions = Vec::new();
    match &clash {
        None => {
            conditions.push(condition(
                "NamesAccepted",
                true,
                "NoConflicts",
                "no conflicts found",
                crd,
            ));
            conditions.push(condition(
                "Established",
                true,
                "InitialNamesAccepted",
                "the initial names have been accepted",
                crd,
            ));
            taken.entry(group).or_default().push(names.clone());
        }
        Some((reason, message)) => {
            conditions.push(condition("NamesAccepted", false, reason, message, crd));
            conditions.push(condition(
                "Established",
                false,
                "NotAccepted",
                "not all names are accepted",
                crd,
            ));
        }
    }
    if is_deleting(crd) {
        conditions.push(condition(
            "Terminating",
            true,
            "InstanceDeletionInProgress",
            "CustomResource deletion is in progress",
            crd,
        ));
    }
    let mut stored = strings(crd.get("status").and_then(|s| s.get("storedVersions")));
    if let Some(storage) = crd
        .get("spec")
        .and_then(|s| s.get("versions"))
        .and_then(Value::as_array)
        .and_then(|vs| {
            vs.iter()
                .find(|v| v.get("storage").and_then(Value::as_bool) == Some(true))
        })
    {
        let name = str_at(storage, &["name"]).to_owned();
        if !stored.contains(&name) {
            stored.push(name);
        }
    }
    let accepted_names = if accepted {
        names
    } else {
        crd.get("status")
            .and_then(|s| s.get("acceptedNames"))
            .cloned()
            .unwrap_or_else(|| json!({"plural": "", "kind": ""}))
    };
    let status = json!({
        "conditions": conditions,
        "acceptedNames": accepted_names,
        "storedVersions": stored,
    });
    (status, accepted)
}

/// Whether the CRD's status says its names were accepted.
fn names_accepted(crd: &Value) -> bool {
    crd.get("status")
        .and_then(|s| s.get("conditions"))
        .and_then(Value::as_array)
        .is_some_and(|cs| {
            cs.iter().any(|c| {
                str_at(c, &["type"]) == "NamesAccepted" && str_at(c, &["status"]) == "True"
            })
        })
}

/// Brings every CRD's status up to date and serves exactly the established ones.
pub(crate) fn reconcile(sh: &Shared) {
    let Some(def) = crd_def(sh) else { return };
    let mut last = sh.crd_sync.lock().unwrap_or_else(PoisonError::into_inner);
    let mut crds = list_crds(sh, &def);
    // Names already accepted stay with their holder (as upstream's naming controller, which
    // checks requests against other CRDs' accepted names); then the oldest CRD wins.
    crds.sort_by_key(|o| {
        let v = o.value();
        (
            !names_accepted(&v),
            str_at(&v, &["metadata", "creationTimestamp"]).to_owned(),
            o.name.clone(),
        )
    });
    let mut taken = HashMap::new();
    let mut served = Vec::new();
    for obj in &crds {
        let v = obj.value();
        let (status, accepted) = desired_status(&v, &mut taken);
        let needs_finalizer =
            !is_deleting(&v) && !finalizers(&v).iter().any(|f| f == CLEANUP_FINALIZER);
        let current = if v.get("status") == Some(&status) && !needs_finalizer {
            Arc::clone(obj)
        } else {
            let mut nv = v.clone();
            nv["status"] = status;
            if needs_finalizer {
                let mut fins = finalizers(&nv);
                fins.push(CLEANUP_FINALIZER.into());
                meta_mut(&mut nv).insert("finalizers".into(), json!(fins));
            }
            let stored = sh.store.write(|txn| {
                let cur = txn.get(&def.storage_key, &obj.key)?;
                let cv = cur.value();
                Some(commit_update(
                    txn,
                    &def,
                    &cur,
                    &cv,
                    nv,
                    false,
                    &Managed::Keep,
                ))
            });
            match stored {
                Some(c) => Arc::clone(c.object()),
                None => continue,
            }
        };
        if accepted {
            served.push(current);
        }
    }
    let fingerprint: Vec<(String, u64)> = served.iter().map(|o| (o.uid.clone(), o.rv)).collect();
    if *last == fingerprint {
        return;
    }
    let defs = served
        .iter()
        .flat_map(|o| defs_from_crd(&o.value()))
        .collect();
    sh.set_api(Api::new(sh.builtin.with_custom(defs)));
    *last = fingerprint;
}

/// Deleted CRDs: delete their objects, then drop the cleanup finalizer (which removes the CRD
/// once nothing else holds it).
pub(crate) fn finalize(sh: &Shared) {
    let Some(def) = crd_def(sh) else { return };
    let mut changed = false;
    for obj in list_crds(sh, &def).iter().filter(|o| o.deleting) {
        let v = obj.value();
        if !finalizers(&v).iter().any(|f| f == CLEANUP_FINALIZER) {
            continue;
        }
        let key = format!(
            "{}/{}",
            str_at(&v, &["spec", "group"]),
            str_at(&v, &["spec", "names", "plural"])
        );
        let items = sh
            .store
            .list(&key, None, None, None)
            .map(|(_, items)| items)
            .unwrap_or_default();
        if let Some(sdef) = sh.storage_def_of(&key) {
            for item in items.iter().filter(|o| !o.deleting) {
                sh.store.write(|txn| {
                    if let Some(cur) = txn.get(&key, &item.key) {
                        let _ =
                            delete_object(txn, &sdef, &cur, &DeleteOptions::background(), false);
                    }
                });
            }
        }
        let left = sh
            .store
            .list(&key, None, None, None)
            .map(|(_, items)| items.len())
            .unwrap_or(0);
        if left > 0 {
            continue;
        }
        sh.store.write(|txn| {
            let Some(cur) = txn.get(&def.storage_key, &obj.key) else {
                return;
            };
            let cv = cur.value();
            let mut nv = cv.clone();
            let keep: Vec<String> = finalizers(&cv)
                .into_iter()
                .filter(|f| f != CLEANUP_FINALIZER)
                .collect();
            meta_mut(&mut nv).insert("finalizers".into(), json!(keep));
            let _ = commit_update(txn, &def, &cur, &cv, nv, false, &Managed::Keep);
        });
        changed = true;
    }
    if changed || list_crds(sh, &def).iter().any(|o| o.deleting) {
        reconcile(sh);
    }
}
