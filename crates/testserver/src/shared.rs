//! State shared by every connection of one server.

use std::sync::{Arc, Mutex, PoisonError, RwLock};
use std::time::Duration;

use tokio::sync::Notify;

use crate::faults::Faults;
use crate::openapi::OpenApi;
use crate::registry::{Discovery, Registry, ResourceDef};
use crate::store::{HistoryLimits, Store};

/// Server settings the handlers read.
#[derive(Debug, Clone)]
pub(crate) struct Settings {
    /// Required bearer token, if any.
    pub(crate) token: Option<String>,
    /// Interval of periodic watch bookmarks.
    pub(crate) bookmark_interval: Duration,
    /// How long a read waits for a future resourceVersion before 504.
    pub(crate) rv_wait: Duration,
    /// How long a non-watch request may take before 504 (rule 2.12).
    pub(crate) request_timeout: Duration,
    /// Log every request.
    pub(crate) log_requests: bool,
    /// History limits.
    pub(crate) history: HistoryLimits,
    /// Per-watcher buffer, in events.
    pub(crate) watch_buffer: usize,
}

/// What the server serves at one moment: resources, discovery, OpenAPI. Replaced as a whole
/// when a CustomResourceDefinition changes; requests keep the snapshot they started with.
#[derive(Debug)]
pub(crate) struct Api {
    /// Served resources.
    pub(crate) registry: Registry,
    /// Discovery documents.
    pub(crate) discovery: Discovery,
    /// OpenAPI documents (built on first use).
    pub(crate) openapi: OpenApi,
}

impl Api {
    /// Builds discovery for `registry`.
    pub(crate) fn new(registry: Registry) -> Self {
        let discovery = Discovery::build(&registry);
        Self {
            registry,
            discovery,
            openapi: OpenApi::default(),
        }
    }
}

/// Everything a request handler can reach.
#[derive(Debug)]
pub(crate) struct Shared {
    api: RwLock<Arc<Api>>,
    /// The built-in resources (what custom resources are added to).
    pub(crate) builtin: Registry,
    /// Serializes CRD reconciliation; holds the fingerprint of the CRDs last served.
    pub(crate) crd_sync: Mutex<Vec<(String, u64)>>,
    /// Storage.
    pub(crate) store: Store,
    /// Fault injection.
    pub(crate) faults: Faults,
    /// Settings.
    pub(crate) settings: Settings,
    /// `host:port` the server listens on.
    pub(crate) address: String,
    /// Wakes the controllers.
    pub(crate) controllers: Notify,
}

impl Shared {
    /// A server's state with the built-in resources.
    pub(crate) fn new(settings: Settings, faults: Faults, address: String) -> Arc<Self> {
        let builtin = Registry::builtin();
        Arc::new(Self {
            store: Store::new(settings.history, settings.watch_buffer),
            api: RwLock::new(Arc::new(Api::new(builtin.clone()))),
            builtin,
            crd_sync: Mutex::new(Vec::new()),
            faults,
            settings,
            address,
            controllers: Notify::new(),
        })
    }

    /// The current snapshot of what is served.
    pub(crate) fn api(&self) -> Arc<Api> {
        Arc::clone(&self.api.read().unwrap_or_else(PoisonError::into_inner))
    }

    /// Replaces what is served.
    pub(crate) fn set_api(&self, api: Api) {
        *self.api.write().unwrap_or_else(PoisonError::into_inner) = Arc::new(api);
    }

    /// The definition objects of `def`'s resource are stored with.
    pub(crate) fn storage_def(&self, def: &Arc<ResourceDef>) -> Arc<ResourceDef> {
        if def.is_storage_version {
            return Arc::clone(def);
        }
        self.storage_def_of(&def.storage_key)
            .unwrap_or_else(|| Arc::clone(def))
    }

    /// The storage definition of a store key (`group/plural`), if it is served.
    pub(crate) fn storage_def_of(&self, storage_key: &str) -> Option<Arc<ResourceDef>> {
        self.api().registry.storage_def(storage_key).cloned()
    }

    /// The namespace definition (core/v1).
    pub(crate) fn namespaces(&self) -> Option<Arc<ResourceDef>> {
        self.builtin.get("", "v1", "namespaces").cloned()
    }
}
