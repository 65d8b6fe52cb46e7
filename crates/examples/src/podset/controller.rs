//! The PodSet reconciler: make the Pods a PodSet owns match its spec, report the status, and
//! clean up through a finalizer.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

use futures::future::join_all;
use kapi_api::core::v1::Pod;
use kapi_apimachinery::meta::ObjectMeta;
use kapi_apimachinery::options::{CreateOptions, DeleteOptions, PatchOptions};
use kapi_apimachinery::{CompactString, ThinVec};
use kapi_apimachinery::{Object, Resource};
use kapi_client::{Api, Client, Patch};
use kapi_informers::{Lister, Store};
use kapi_runtime::events::{EventRecorder, EventType};
use kapi_runtime::helpers::{
    has_finalizer, is_being_deleted, set_controller_reference, AlreadyOwned,
};
use kapi_runtime::{Action, Reconciler, Request};
use serde_json::json;

use super::expectations::{Expectations, Seen, OVERDUE};
use super::{PodSet, PodSetStatus};

/// The controller's name: in logs, metrics, and `reportingController` of its events.
pub const CONTROLLER_NAME: &str = "podset-controller";

/// The finalizer that makes deletion wait until the Pods are gone.
pub const FINALIZER: &str = "demo.kapi.dev/pods";

/// The label every Pod of a PodSet carries: `podset: <name>`.
pub const POD_LABEL: &str = "podset";

/// The Pod informer's index from a Pod to the uid of the PodSet that controls it.
pub(crate) const OWNER_INDEX: &str = "podset-uid";

/// How soon to look again while our own writes are not yet in the cache.
const RECHECK: Duration = Duration::from_secs(1);

/// When a Pod counts as ready.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub enum Readiness {
    /// It exists and is not being deleted. The embedded test server runs no kubelet, so its
    /// Pods never become ready by themselves: the demo uses this rule there.
    #[default]
    Exists,
    /// Its `Ready` condition is `True` (what a kubelet reports on a real cluster).
    ReadyCondition,
}

/// `true` when `pod` is ready under `rule` (a Pod being deleted never is).
pub fn pod_is_ready(pod: &Pod, rule: Readiness) -> bool {
    if is_being_deleted(pod) {
        return false;
    }
    match rule {
        Readiness::Exists => true,
        Readiness::ReadyCondition => pod.status.as_ref().is_some_and(|s| {
            s.conditions
                .iter()
                .any(|c| c.type_ == "Ready" && c.status == "True")
        }),
    }
}

/// Why a reconcile failed (it is retried with back-off).
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ReconcileError {
    /// An API request failed.
    #[error(transparent)]
    Api(#[from] kapi_client::Error),
    /// A Pod could not be given its controller reference.
    #[error(transparent)]
    Owner(#[from] AlreadyOwned),
}

/// Reconciles PodSets (see the module docs of [`crate::podset`]).
#[derive(Debug)]
pub struct PodSetReconciler {
    client: Client,
    podsets: Lister<PodSet>,
    pods: Store<Pod>,
    recorder: EventRecorder,
    readiness: Readiness,
    expectations: Arc<Expectations>,
    /// The status last written per PodSet key (with the PodSet's uid): the cached PodSet can
    /// lag behind our own status write, so the cache alone cannot say a write is needed.
    written: Mutex<HashMap<String, (String, PodSetStatus)>>,
}

impl PodSetReconciler {
    /// A reconciler reading PodSets from `podsets` and Pods from `pods` (the Pod informer's
    /// store, which must carry the owner index the operator installs), writing through
    /// `client` and recording events with `recorder`.
    pub fn new(
        client: Client,
        podsets: Lister<PodSet>,
        pods: Store<Pod>,
        recorder: EventRecorder,
        readiness: Readiness,
    ) -> Self {
        Self {
            client,
            podsets,
            pods,
            recorder,
            readiness,
            expectations: Arc::default(),
            written: Mutex::default(),
        }
    }

    /// The expectations, shared with the Pod informer's event handler that lowers them.
    pub(crate) fn expectations(&self) -> Arc<Expectations> {
        Arc::clone(&self.expectations)
    }

    /// The Pods whose controller is the PodSet with this uid, as cached.
    fn owned_pods(&self, uid: &str) -> Vec<Arc<Pod>> {
        let mut pods = self.pods.by_index(OWNER_INDEX, uid).unwrap_or_default();
        pods.sort_by(|a, b| a.name().cmp(b.name()));
        pods
    }

    fn seen(&self, namespace: &str, name: &str) -> Seen {
        match self.pods.get_by_name(Some(namespace), name) {
            None => Seen::Absent,
            Some(p) if is_being_deleted(&*p) => Seen::Terminating,
            Some(_) => Seen::Present,
        }
    }

    /// Adds or removes our finalizer with a merge patch conditional on the cached
    /// resourceVersion (a stale cache gets a 409 and the reconcile is retried).
    async fn set_finalizers(
        &self,
        api: &Api<PodSet>,
        set: &PodSet,
        finalizers: ThinVec<CompactString>,
    ) -> Result<PodSet, ReconcileError> {
        let patch = json!({
            "metadata": {
                "finalizers": finalizers,
                "resourceVersion": set.metadata.resource_version,
            }
        });
        let updated = api
            .patch(set.name(), &PatchOptions::default(), &Patch::Merge(patch))
            .await?;
        Ok(updated)
    }

    /// A new Pod for `set`: the template's labels and annotations plus `podset: <name>`, the
    /// template's spec, a generated name and the controller reference.
    fn new_pod(set: &PodSet) -> Result<Pod, AlreadyOwned> {
        let template = &set.spec.template;
        let template_meta = template.metadata.clone().unwrap_or_default();
        let mut labels = template_meta.labels;
        labels.insert(POD_LABEL.into(), set.name().into());
        let mut pod = Pod {
            metadata: ObjectMeta {
                generate_name: Some(format!("{}-", set.name()).into()),
                namespace: set.namespace().map(Into::into),
                labels,
                annotations: template_meta.annotations,
                ..ObjectMeta::default()
            },
            spec: template.spec.as_deref().cloned(),
            ..Pod::default()
        };
        set_controller_reference(set, &mut pod)?;
        Ok(pod)
    }

    /// Creates `count` Pods; records the created names as expectations and one event each.
    async fn create_pods(
        &self,
        key: &str,
        pods_api: &Api<Pod>,
        set: &PodSet,
        count: usize,
    ) -> Result<(), ReconcileError> {
        let pod = Self::new_pod(set)?;
        let opts = CreateOptions::default();
        let results = join_all((0..count).map(|_| pods_api.create(&opts, &pod))).await;
        let mut created = Vec::new();
        let mut failure = None;
        for r in results {
            match r {
                Ok(p) => created.push(p.name().to_owned()),
                Err(e) => {
                    self.recorder.publish_for(
                        set,
                        EventType::Warning,
                        "FailedCreate",
                        "Create",
                        &format!("Error creating a pod: {e}"),
                    );
                    failure.get_or_insert(e);
                }
            }
        }
        for name in &created {
            self.recorder.publish_for(
                set,
                EventType::Normal,
                "SuccessfulCreate",
                "Create",
                &format!("Created pod {name}"),
            );
        }
        self.expectations.created(key, created);
        match failure {
            Some(e) => Err(e.into()),
            None => Ok(()),
        }
    }

    /// Deletes `victims`; records them as expectations and one event each. Pods already gone
    /// count as deleted.
    async fn delete_pods(
        &self,
        key: &str,
        pods_api: &Api<Pod>,
        set: &PodSet,
        victims: &[Arc<Pod>],
    ) -> Result<(), ReconcileError> {
        let opts = DeleteOptions::default();
        let results = join_all(victims.iter().map(|p| pods_api.delete(p.name(), &opts))).await;
        let mut deleted = Vec::new();
        let mut failure = None;
        for (pod, r) in victims.iter().zip(results) {
            match r {
                Ok(_) => {
                    deleted.push(pod.name().to_owned());
                    self.recorder.publish_for(
                        set,
                        EventType::Normal,
                        "SuccessfulDelete",
                        "Delete",
                        &format!("Deleted pod {}", pod.name()),
                    );
                }
                Err(e) if e.is_not_found() => deleted.push(pod.name().to_owned()),
                Err(e) => {
                    self.recorder.publish_for(
                        set,
                        EventType::Warning,
                        "FailedDelete",
                        "Delete",
                        &format!("Error deleting pod {}: {e}", pod.name()),
                    );
                    failure.get_or_insert(e);
                }
            }
        }
        self.expectations.deleted(key, deleted);
        match failure {
            Some(e) => Err(e.into()),
            None => Ok(()),
        }
    }

    /// Which Pods to delete when there are too many: those not ready first, then the
    /// youngest (as the ReplicaSet controller does), then by name for a stable order.
    fn pick_victims(&self, active: &[Arc<Pod>], excess: usize) -> Vec<Arc<Pod>> {
        let mut ranked = active.to_vec();
        ranked.sort_by(|a, b| {
            let ready = |p: &Pod| pod_is_ready(p, self.readiness);
            ready(a)
                .cmp(&ready(b))
                .then_with(|| {
                    b.metadata
                        .creation_timestamp
                        .cmp(&a.metadata.creation_timestamp)
                })
                .then_with(|| b.name().cmp(a.name()))
        });
        ranked.truncate(excess);
        ranked
    }

    /// Writes `.status` through the status subresource unless both the cached PodSet and our
    /// last write already say the same.
    async fn update_status(
        &self,
        key: &str,
        api: &Api<PodSet>,
        set: &PodSet,
        active: &[Arc<Pod>],
    ) -> Result<(), ReconcileError> {
        let count = |n: usize| i32::try_from(n).unwrap_or(i32::MAX);
        let ready = active
            .iter()
            .filter(|p| pod_is_ready(p, self.readiness))
            .count();
        let status = PodSetStatus {
            replicas: count(active.len()),
            ready_replicas: count(ready),
            selector: Some(format!("{POD_LABEL}={}", set.name())),
            observed_generation: set.metadata.generation,
        };
        let uid = set.uid().unwrap_or_default();
        let last_written = self.written_status(key, uid);
        if set.status.as_ref() == Some(&status) && last_written.is_none_or(|w| w == status) {
            return Ok(());
        }
        api.patch_status(
            set.name(),
            &PatchOptions::default(),
            &Patch::Merge(json!({ "status": status })),
        )
        .await?;
        self.lock_written()
            .insert(key.to_owned(), (uid.to_owned(), status));
        Ok(())
    }

    fn lock_written(&self) -> std::sync::MutexGuard<'_, HashMap<String, (String, PodSetStatus)>> {
        self.written.lock().unwrap_or_else(PoisonError::into_inner)
    }

    fn written_status(&self, key: &str, uid: &str) -> Option<PodSetStatus> {
        self.lock_written()
            .get(key)
            .filter(|(u, _)| u == uid)
            .map(|(_, s)| s.clone())
    }

    fn forget(&self, key: &str) {
        self.expectations.forget(key);
        self.lock_written().remove(key);
    }

    /// Deletion requested: delete the Pods, and once the cache shows none, drop the finalizer.
    async fn finalize(
        &self,
        key: &str,
        api: &Api<PodSet>,
        pods_api: &Api<Pod>,
        set: &PodSet,
        owned: &[Arc<Pod>],
        settled: bool,
    ) -> Result<Action, ReconcileError> {
        if !has_finalizer(set, FINALIZER) {
            return Ok(Action::Done);
        }
        if owned.is_empty() && settled {
            let rest = set
                .metadata
                .finalizers
                .iter()
                .filter(|f| *f != FINALIZER)
                .cloned()
                .collect();
            self.set_finalizers(api, set, rest).await?;
            self.forget(key);
            self.recorder.publish_for(
                set,
                EventType::Normal,
                "Finalized",
                "Delete",
                &format!("All pods deleted; removed finalizer {FINALIZER}"),
            );
            return Ok(Action::Done);
        }
        let victims: Vec<Arc<Pod>> = owned
            .iter()
            .filter(|p| !is_being_deleted(&***p))
            .cloned()
            .collect();
        if settled && !victims.is_empty() {
            self.delete_pods(key, pods_api, set, &victims).await?;
        }
        // Pod deletions bring us back; this is the safety net.
        Ok(Action::RequeueAfter(RECHECK))
    }
}

impl Reconciler for PodSetReconciler {
    type Error = ReconcileError;

    async fn reconcile(&self, request: Request) -> Result<Action, ReconcileError> {
        let key = request.key();
        let Some(cached) = self.podsets.get(&key) else {
            // Deleted (after our finalizer ran): nothing is left to do.
            self.forget(&key);
            return Ok(Action::Done);
        };
        let namespace = request.namespace.clone().unwrap_or_default();
        let api = Api::<PodSet>::namespaced(self.client.clone(), &namespace);
        let pods_api = Api::<Pod>::namespaced(self.client.clone(), &namespace);
        let owned = self.owned_pods(cached.uid().unwrap_or_default());
        for name in self
            .expectations
            .overdue_creates(&key, |n| self.seen(&namespace, n), OVERDUE)
        {
            if matches!(pods_api.get_opt(&name).await, Ok(None)) {
                self.expectations.observed(&key, &name, true);
            }
        }
        let settled = self
            .expectations
            .satisfied(&key, |name| self.seen(&namespace, name));

        if is_being_deleted(&*cached) {
            return self
                .finalize(&key, &api, &pods_api, &cached, &owned, settled)
                .await;
        }
        let set = if has_finalizer(&*cached, FINALIZER) {
            (*cached).clone()
        } else {
            let mut finalizers = cached.metadata.finalizers.clone();
            finalizers.push(FINALIZER.into());
            self.set_finalizers(&api, &cached, finalizers).await?
        };

        let active: Vec<Arc<Pod>> = owned
            .into_iter()
            .filter(|p| !is_being_deleted(&**p))
            .collect();
        if settled {
            let desired = usize::try_from(set.spec.replicas.max(0)).unwrap_or(0);
            if active.len() < desired {
                self.create_pods(&key, &pods_api, &set, desired - active.len())
                    .await?;
            } else if active.len() > desired {
                let victims = self.pick_victims(&active, active.len() - desired);
                self.delete_pods(&key, &pods_api, &set, &victims).await?;
            }
        }
        self.update_status(&key, &api, &set, &active).await?;
        Ok(if settled {
            Action::Done
        } else {
            Action::RequeueAfter(RECHECK)
        })
    }
}

/// The owner index function: a Pod's controller reference to a PodSet, as its uid.
pub(crate) fn owner_uid(pod: &Pod) -> Vec<String> {
    let info = PodSet::INFO;
    pod.metadata
        .controller_ref()
        .filter(|r| r.kind == info.kind && r.api_version == PodSet::API_VERSION)
        .map(|r| vec![r.uid.to_string()])
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::podset::demo_podset;

    #[test]
    fn new_pods_carry_labels_and_the_controller_reference() {
        let mut set = demo_podset("web", 2);
        set.metadata.namespace = Some("ns".into());
        set.metadata.uid = Some("uid-1".into());
        let pod = PodSetReconciler::new_pod(&set).unwrap();
        assert_eq!(pod.metadata.generate_name.as_deref(), Some("web-"));
        assert_eq!(pod.metadata.labels["podset"], "web");
        assert_eq!(pod.metadata.labels["app"], "web");
        let owner = pod.metadata.controller_ref().unwrap();
        assert_eq!(
            (owner.kind.as_str(), owner.name.as_str(), owner.uid.as_str()),
            ("PodSet", "web", "uid-1")
        );
        assert_eq!(owner_uid(&pod), ["uid-1"]);
    }

    #[test]
    fn readiness_rules() {
        let mut pod: Pod = serde_json::from_value(json!({
            "metadata": {"name": "p"},
            "status": {"conditions": [{"type": "Ready", "status": "False"}]}
        }))
        .unwrap();
        assert!(pod_is_ready(&pod, Readiness::Exists));
        assert!(!pod_is_ready(&pod, Readiness::ReadyCondition));
        pod.status.as_mut().unwrap().conditions[0].status = "True".into();
        assert!(pod_is_ready(&pod, Readiness::ReadyCondition));
        pod.metadata.deletion_timestamp = Some(kapi_apimachinery::Time::now());
        assert!(!pod_is_ready(&pod, Readiness::Exists));
    }
}
