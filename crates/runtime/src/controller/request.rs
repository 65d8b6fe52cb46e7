//! What a reconciler is asked to do, and what it answers.

use std::fmt;
use std::time::Duration;

use kapi_apimachinery::Object;

/// The object to reconcile: a namespace (`None` for cluster-scoped objects) and a name. The
/// reconciler gets the key, never the event: it reads the current state from listers.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Request {
    /// Namespace, `None` for cluster-scoped objects.
    pub namespace: Option<String>,
    /// Name.
    pub name: String,
}

impl Request {
    /// A request for a namespaced object.
    pub fn namespaced(namespace: &str, name: &str) -> Self {
        Self {
            namespace: Some(namespace.to_owned()),
            name: name.to_owned(),
        }
    }

    /// A request for a cluster-scoped object.
    pub fn cluster(name: &str) -> Self {
        Self {
            namespace: None,
            name: name.to_owned(),
        }
    }

    /// The request for an object.
    pub fn for_object<K: Object>(obj: &K) -> Self {
        Self {
            namespace: obj
                .namespace()
                .filter(|ns| !ns.is_empty())
                .map(str::to_owned),
            name: obj.name().to_owned(),
        }
    }

    /// The informer cache key (`namespace/name` or `name`).
    pub fn key(&self) -> String {
        kapi_informers::key_for(self.namespace.as_deref(), &self.name)
    }
}

impl fmt::Display for Request {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.key())
    }
}

/// A successful reconcile's answer.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Action {
    /// Done until something changes. Resets the key's back-off.
    Done,
    /// Reconcile again after this long (resets the back-off).
    RequeueAfter(Duration),
    /// Reconcile again after the key's rate-limited back-off.
    Requeue,
}
