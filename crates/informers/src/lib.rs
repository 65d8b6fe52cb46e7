//! Informers for kapi: client-go's `tools/cache` in Rust.
//!
//! # Map
//!
//! | piece | what it does |
//! |---|---|
//! | [`ListerWatcher`] | the two API calls a reflector needs; implemented for `kapi_client::Api` and [`ApiListerWatcher`] |
//! | [`SharedInformerFactory`] | one shared informer per type (typed, dynamic, metadata-only) with namespace/selector/resync options |
//! | [`Reflector`] | list + watch (or watch-list) into a [`Store`], relisting and backing off like client-go |
//! | [`Store`] | thread-safe `namespace/name` → `Arc<K>` cache with named indexes (namespace built in) |
//! | [`SharedIndexInformer`] | one reflector, one store, any number of [`ResourceEventHandler`]s with resync |
//! | [`Lister`], [`NamespaceLister`] | typed reads from the cache |
//! | [`strip_managed_fields`] | a transform that drops `managedFields` before objects are cached |
//!
//! Data flows one way: server → reflector → store → per-handler key queues → handlers. Each
//! handler has its own task and a de-duplicating queue of keys, so a slow handler never blocks
//! the others and its memory is bounded by the number of objects (see `docs/informers.md`).
//!
//! # Example
//!
//! ```no_run
//! # async fn demo<L: kapi_informers::ListerWatcher<kapi_apimachinery::DynamicObject>>(lw: L) {
//! use kapi_informers::{handler_fn, InformerConfig, SharedIndexInformer};
//! use kapi_apimachinery::{DynamicObject, Selector};
//!
//! let informer = SharedIndexInformer::<DynamicObject>::new(lw, InformerConfig::default());
//! informer.add_event_handler(
//!     handler_fn(|obj: &DynamicObject| println!("changed: {}", obj.metadata.name.as_deref().unwrap_or(""))),
//!     None,
//! );
//! informer.start();
//! informer.wait_for_sync().await;
//! let web = informer.lister().namespaced("default").list(&"app=web".parse::<Selector>().unwrap());
//! println!("{} web objects", web.len());
//! # }
//! ```

mod backoff;
mod client;
mod factory;
mod informer;
mod lister;
mod listwatch;
mod reflector;
mod store;
#[cfg(feature = "testing")]
pub mod testing;

use std::sync::Arc;

use kapi_apimachinery::Object;

pub use backoff::BackoffConfig;
pub use client::{ApiListerWatcher, TweakListOptions};
pub use factory::SharedInformerFactory;
pub use informer::{
    DeleteKind, HandlerRegistration, InformerConfig, ResourceEventHandler, SharedIndexInformer,
    Transform, MIN_RESYNC,
};
pub use lister::{Lister, NamespaceLister};
pub use listwatch::{ListWatchError, ListerWatcher, WatchStream};
pub use reflector::{ChangeSink, Reflector, ReflectorConfig, SyncMode};
pub use store::{key_for, key_of, Change, IndexFn, Replacement, Store, NAMESPACE_INDEX};

/// Drops `metadata.managedFields`: pass it as [`InformerConfig::transform`] to cache objects
/// without server-side-apply bookkeeping (about half of a typical Pod's size).
pub fn strip_managed_fields<K: Object>(obj: &mut K) {
    obj.metadata_mut().managed_fields = kapi_apimachinery::ThinVec::new();
}

/// The transform form of [`strip_managed_fields`].
pub fn strip_managed_fields_transform<K: Object>() -> Transform<K> {
    Arc::new(strip_managed_fields::<K>)
}

/// A handler that calls one closure with the current object for every add, update and delete
/// (the level-triggered style most controllers want).
pub fn handler_fn<K, F>(f: F) -> FnHandler<F>
where
    F: Fn(&K) + Send + Sync + 'static,
{
    FnHandler(f)
}

/// See [`handler_fn`].
pub struct FnHandler<F>(F);

impl<F> std::fmt::Debug for FnHandler<F> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("FnHandler")
    }
}

impl<K, F> ResourceEventHandler<K> for FnHandler<F>
where
    K: Send + Sync + 'static,
    F: Fn(&K) + Send + Sync + 'static,
{
    fn on_add(&self, obj: &Arc<K>, _initial: bool) {
        (self.0)(obj);
    }
    fn on_update(&self, _old: &Arc<K>, new: &Arc<K>) {
        (self.0)(new);
    }
    fn on_delete(&self, obj: &Arc<K>, _kind: DeleteKind) {
        (self.0)(obj);
    }
}
