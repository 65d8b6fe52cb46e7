//! A handler that applies its events in order and counts every anomaly.

use std::collections::BTreeMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};

use kapi_api::core::v1::ConfigMap;
use kapi_apimachinery::Object;
use kapi_informers::{DeleteKind, ResourceEventHandler};

use crate::cluster::Truth;

/// Applies the events it is given to its own map (`namespace/name` → resourceVersion) and
/// counts what a correct informer never does:
///
/// * **duplicated**: an add of a key it already holds, an update to the resourceVersion it
///   already holds, a delete of a key it does not hold;
/// * **out of order**: an update whose `old` is not what it last saw, or a resourceVersion that
///   goes back in time.
///
/// Events **lost** are found at the end by comparing its map with the server
/// ([`HandlerView::lost`]).
#[derive(Clone, Debug, Default)]
pub struct HandlerView {
    objects: Arc<Mutex<BTreeMap<String, String>>>,
    /// Events received.
    pub events: Arc<AtomicU64>,
    /// Duplicated events (see the type's documentation).
    pub duplicated: Arc<AtomicU64>,
    /// Out-of-order events (see the type's documentation).
    pub out_of_order: Arc<AtomicU64>,
    samples: Arc<Mutex<Vec<String>>>,
}

fn rv_num(o: &ConfigMap) -> u64 {
    o.resource_version()
        .and_then(|r| r.parse().ok())
        .unwrap_or(0)
}

impl HandlerView {
    fn flag(&self, counter: &AtomicU64, what: String) {
        counter.fetch_add(1, Ordering::Relaxed);
        let mut s = self.samples.lock().expect("lock");
        if s.len() < 20 {
            s.push(what);
        }
    }

    /// The first anomalies seen, for failure messages.
    pub fn samples(&self) -> Vec<String> {
        self.samples.lock().expect("lock").clone()
    }

    /// The view: `namespace/name` → resourceVersion.
    pub fn snapshot(&self) -> BTreeMap<String, String> {
        self.objects.lock().expect("lock").clone()
    }

    /// Keys whose final state the handler never got: missing, stale, or deleted on the server
    /// but still held.
    pub fn lost(&self, truth: &Truth) -> usize {
        let view = self.snapshot();
        let stale_or_missing = truth
            .iter()
            .filter(|(k, (rv, _))| view.get(*k) != Some(rv))
            .count();
        let extra = view.keys().filter(|k| !truth.contains_key(*k)).count();
        stale_or_missing + extra
    }
}

impl ResourceEventHandler<ConfigMap> for HandlerView {
    fn on_add(&self, o: &Arc<ConfigMap>, _initial: bool) {
        self.events.fetch_add(1, Ordering::Relaxed);
        let rv = o.resource_version().unwrap_or_default().to_owned();
        let prev = self.objects.lock().expect("lock").insert(o.cache_key(), rv);
        if let Some(prev) = prev {
            self.flag(
                &self.duplicated,
                format!("add of {} already held at {prev}", o.cache_key()),
            );
        }
    }

    fn on_update(&self, old: &Arc<ConfigMap>, new: &Arc<ConfigMap>) {
        self.events.fetch_add(1, Ordering::Relaxed);
        let rv = new.resource_version().unwrap_or_default().to_owned();
        let seen = self
            .objects
            .lock()
            .expect("lock")
            .insert(new.cache_key(), rv.clone());
        if seen.as_deref() == Some(rv.as_str()) {
            self.flag(
                &self.duplicated,
                format!("update of {} to {rv} it already held", new.cache_key()),
            );
        } else if seen.as_deref() != old.resource_version() {
            self.flag(
                &self.out_of_order,
                format!(
                    "update of {} from {:?} but the view held {seen:?}",
                    new.cache_key(),
                    old.resource_version()
                ),
            );
        }
        if rv_num(new) < rv_num(old) {
            self.flag(
                &self.out_of_order,
                format!("{} went back in time", new.cache_key()),
            );
        }
    }

    fn on_delete(&self, o: &Arc<ConfigMap>, _kind: DeleteKind) {
        self.events.fetch_add(1, Ordering::Relaxed);
        let prev = self.objects.lock().expect("lock").remove(&o.cache_key());
        match prev {
            None => self.flag(
                &self.duplicated,
                format!("delete of {} not held", o.cache_key()),
            ),
            Some(prev) if prev.parse::<u64>().unwrap_or(0) > rv_num(o) => self.flag(
                &self.out_of_order,
                format!("delete of {} older than the view's {prev}", o.cache_key()),
            ),
            Some(_) => {}
        }
    }
}
