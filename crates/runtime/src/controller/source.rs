//! Event handlers that turn informer events into requests: the object itself, its controller
//! owner, or anything a map function returns.

use std::sync::Arc;

use kapi_apimachinery::{GroupVersion, Object};
use kapi_informers::{DeleteKind, ResourceEventHandler};
use kapi_workqueue::RateLimitingQueue;

use super::predicate::BoxPredicate;
use super::request::Request;

/// Maps an object to the requests it should trigger.
pub(crate) type MapFn<K> = Arc<dyn Fn(&K) -> Vec<Request> + Send + Sync>;

/// The handler a controller registers on an informer.
pub(crate) struct Enqueue<K> {
    pub(crate) queue: RateLimitingQueue<Request>,
    pub(crate) map: MapFn<K>,
    pub(crate) predicates: Vec<BoxPredicate<K>>,
}

impl<K: Object> Enqueue<K> {
    fn push(&self, obj: &K) {
        for req in (self.map)(obj) {
            self.queue.add(req);
        }
    }
}

impl<K: Object> ResourceEventHandler<K> for Enqueue<K> {
    fn on_add(&self, obj: &Arc<K>, _initial: bool) {
        if self.predicates.iter().all(|p| p.create(obj)) {
            self.push(obj);
        }
    }
    fn on_update(&self, old: &Arc<K>, new: &Arc<K>) {
        if self.predicates.iter().all(|p| p.update(old, new)) {
            self.push(new);
        }
    }
    fn on_delete(&self, obj: &Arc<K>, _kind: DeleteKind) {
        if self.predicates.iter().all(|p| p.delete(obj)) {
            self.push(obj);
        }
    }
}

/// The request for the object itself.
pub(crate) fn map_self<K: Object>() -> MapFn<K> {
    Arc::new(|o: &K| vec![Request::for_object(o)])
}

/// The request for the object's controller owner of the given group and kind (same namespace
/// for namespaced owners).
pub(crate) fn map_owner<K: Object>(
    owner_group: String,
    owner_kind: String,
    owner_namespaced: bool,
) -> MapFn<K> {
    Arc::new(move |o: &K| {
        let Some(owner) = o.metadata().controller_ref() else {
            return Vec::new();
        };
        let group_matches =
            GroupVersion::parse(&owner.api_version).is_ok_and(|gv| gv.group == owner_group);
        if owner.kind != owner_kind || !group_matches {
            return Vec::new();
        }
        let namespace = if owner_namespaced {
            o.namespace().map(str::to_owned)
        } else {
            None
        };
        vec![Request {
            namespace,
            name: owner.name.clone().into(),
        }]
    })
}
