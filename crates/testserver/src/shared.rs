//! State shared by every connection of one server.

use std::sync::Arc;
use std::time::Duration;

use tokio::sync::Notify;

use crate::faults::Faults;
use crate::patch::Schemas;
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
    /// Log every request.
    pub(crate) log_requests: bool,
    /// History limits.
    pub(crate) history: HistoryLimits,
    /// Per-watcher buffer, in events.
    pub(crate) watch_buffer: usize,
}

/// Everything a request handler can reach.
#[derive(Debug)]
pub(crate) struct Shared {
    /// Served resources.
    pub(crate) registry: Registry,
    /// Discovery documents.
    pub(crate) discovery: Discovery,
    /// Storage.
    pub(crate) store: Store,
    /// Fault injection.
    pub(crate) faults: Faults,
    /// OpenAPI definitions for strategic merge patch.
    pub(crate) schemas: Schemas,
    /// Settings.
    pub(crate) settings: Settings,
    /// `host:port` the server listens on.
    pub(crate) address: String,
    /// Wakes the namespace and garbage-collection controllers.
    pub(crate) controllers: Notify,
}

impl Shared {
    /// A server's state with the built-in resources.
    pub(crate) fn new(settings: Settings, faults: Faults, address: String) -> Arc<Self> {
        let registry = Registry::builtin();
        let discovery = Discovery::build(&registry);
        Arc::new(Self {
            store: Store::new(settings.history, settings.watch_buffer),
            schemas: Schemas::builtin(),
            registry,
            discovery,
            faults,
            settings,
            address,
            controllers: Notify::new(),
        })
    }

    /// The definition objects of `def`'s resource are stored with.
    pub(crate) fn storage_def<'a>(&'a self, def: &'a Arc<ResourceDef>) -> &'a Arc<ResourceDef> {
        if def.is_storage_version {
            def
        } else {
            self.registry.storage_def(&def.storage_key).unwrap_or(def)
        }
    }

    /// The namespace definition (core/v1).
    pub(crate) fn namespaces(&self) -> Option<&Arc<ResourceDef>> {
        self.registry.get("", "v1", "namespaces")
    }
}
