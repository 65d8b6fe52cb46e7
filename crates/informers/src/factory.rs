//! [`SharedInformerFactory`]: one informer per resource type, shared by everything that asks.

use std::any::Any;
use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use kapi_apimachinery::meta::PartialObjectMetadata;
use kapi_apimachinery::{DynamicObject, GroupVersionResource, Object, Resource, ResourceInfo};
use kapi_client::{Api, Client};

use crate::client::{ApiListerWatcher, TweakListOptions};
use crate::informer::{InformerConfig, SharedIndexInformer, Transform};
use crate::listwatch::ListerWatcher;
use crate::reflector::ReflectorConfig;

#[derive(Clone, Debug, PartialEq, Eq, Hash)]
enum Flavor {
    Typed(std::any::TypeId),
    Dynamic,
    Metadata,
}

type Key = (Flavor, GroupVersionResource);

struct Entry {
    informer: Box<dyn Any + Send + Sync>,
    start: Box<dyn Fn() + Send + Sync>,
    stop: Box<dyn Fn() + Send + Sync>,
    synced: Box<dyn Fn() -> bool + Send + Sync>,
}

/// Creates and shares informers: asking twice for the same type returns the same informer.
///
/// Options apply to every informer it creates: a namespace (default all), a list-options tweak
/// (e.g. a label selector), a default resync period and reflector settings. Informers created
/// after [`SharedInformerFactory::start`] start at once.
pub struct SharedInformerFactory {
    client: Client,
    namespace: Option<String>,
    tweak: Option<TweakListOptions>,
    resync: Option<Duration>,
    reflector: ReflectorConfig,
    entries: Mutex<HashMap<Key, Entry>>,
    started: Mutex<bool>,
}

impl std::fmt::Debug for SharedInformerFactory {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SharedInformerFactory")
            .field("namespace", &self.namespace)
            .field(
                "informers",
                &self.entries.lock().map(|e| e.len()).unwrap_or(0),
            )
            .finish_non_exhaustive()
    }
}

impl SharedInformerFactory {
    /// A factory over `client` watching all namespaces.
    pub fn new(client: Client) -> Self {
        Self {
            client,
            namespace: None,
            tweak: None,
            resync: None,
            reflector: ReflectorConfig::default(),
            entries: Mutex::new(HashMap::new()),
            started: Mutex::new(false),
        }
    }

    /// Restricts namespaced informers to one namespace.
    #[must_use]
    pub fn namespace(mut self, namespace: &str) -> Self {
        self.namespace = Some(namespace.to_owned());
        self
    }

    /// Adjusts every list/watch (e.g. add a label selector).
    #[must_use]
    pub fn tweak_list_options(
        mut self,
        tweak: impl Fn(&mut kapi_apimachinery::options::ListOptions) + Send + Sync + 'static,
    ) -> Self {
        self.tweak = Some(Arc::new(tweak));
        self
    }

    /// Default resync period for handlers.
    #[must_use]
    pub fn resync(mut self, period: Duration) -> Self {
        self.resync = Some(period);
        self
    }

    /// Reflector settings (sync mode, page size, timeouts, back-off).
    #[must_use]
    pub fn reflector(mut self, config: ReflectorConfig) -> Self {
        self.reflector = config;
        self
    }

    /// The client informers list and watch with.
    pub fn client(&self) -> &Client {
        &self.client
    }

    fn scoped<K>(&self, api: Api<K>, info: &ResourceInfo) -> ApiListerWatcher<K> {
        let api = match (&self.namespace, info.scope.is_namespaced()) {
            (Some(ns), true) => api.within(ns),
            _ => api,
        };
        match &self.tweak {
            Some(t) => ApiListerWatcher::new(api).with_tweak(Arc::clone(t)),
            None => ApiListerWatcher::new(api),
        }
    }

    fn get_or_create<K: Object, L: ListerWatcher<K>>(
        &self,
        key: Key,
        make_lw: impl FnOnce() -> L,
        transform: Option<Transform<K>>,
    ) -> SharedIndexInformer<K> {
        let mut entries = self
            .entries
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        if let Some(e) = entries.get(&key) {
            if let Some(i) = e.informer.downcast_ref::<SharedIndexInformer<K>>() {
                return i.clone();
            }
        }
        let config = InformerConfig {
            reflector: self.reflector.clone(),
            transform,
            default_resync: self.resync,
        };
        let informer = SharedIndexInformer::new(make_lw(), config);
        let (a, b, c) = (informer.clone(), informer.clone(), informer.clone());
        entries.insert(
            key,
            Entry {
                informer: Box::new(informer.clone()),
                start: Box::new(move || a.start()),
                stop: Box::new(move || b.stop()),
                synced: Box::new(move || c.has_synced()),
            },
        );
        if *self
            .started
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
        {
            informer.start();
        }
        informer
    }

    /// The shared informer of a typed resource.
    pub fn informer<K: Resource>(&self) -> SharedIndexInformer<K> {
        self.informer_with_transform::<K>(None)
    }

    /// The shared informer of a typed resource, created with a transform (the transform only
    /// applies if this call creates the informer).
    pub fn informer_with_transform<K: Resource>(
        &self,
        transform: Option<Transform<K>>,
    ) -> SharedIndexInformer<K> {
        let info = K::INFO;
        let key = (Flavor::Typed(std::any::TypeId::of::<K>()), info.gvr());
        self.get_or_create(
            key,
            || self.scoped(Api::<K>::all(self.client.clone()), &info),
            transform,
        )
    }

    /// The shared informer of a resource known only at run time.
    pub fn dynamic_informer(&self, info: &ResourceInfo) -> SharedIndexInformer<DynamicObject> {
        let key = (Flavor::Dynamic, info.gvr());
        self.get_or_create(
            key,
            || {
                self.scoped(
                    Api::<DynamicObject>::dynamic(self.client.clone(), info, None),
                    info,
                )
            },
            None,
        )
    }

    /// A metadata-only informer (`PartialObjectMetadata`): a fraction of the memory for
    /// controllers that only need names, labels, owners and versions.
    pub fn metadata_informer(
        &self,
        info: &ResourceInfo,
    ) -> SharedIndexInformer<PartialObjectMetadata> {
        let key = (Flavor::Metadata, info.gvr());
        self.get_or_create(
            key,
            || {
                self.scoped(
                    Api::<PartialObjectMetadata>::metadata(self.client.clone(), info, None),
                    info,
                )
            },
            None,
        )
    }

    /// Starts every informer created so far, and every one created later.
    pub fn start(&self) {
        *self
            .started
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner) = true;
        for e in self
            .entries
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .values()
        {
            (e.start)();
        }
    }

    /// `true` when every informer created so far has synced.
    pub fn has_synced(&self) -> bool {
        self.entries
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .values()
            .all(|e| (e.synced)())
    }

    /// Waits until every informer created so far has synced.
    pub async fn wait_for_cache_sync(&self) {
        while !self.has_synced() {
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    }

    /// Stops every informer.
    pub fn shutdown(&self) {
        for e in self
            .entries
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .values()
        {
            (e.stop)();
        }
    }
}
