//! [`DiscoveryRestMapper`]: a [`RestMapper`] over discovery that refreshes once on a miss.

use std::fmt;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, PoisonError, RwLock};
use std::time::{Duration, Instant};

use kapi_apimachinery::restmapper::{RestMapper, StaticRestMapper};
use kapi_apimachinery::{GroupKind, GroupVersionResource, ResourceInfo};

use super::Discovery;
use crate::error::{Error, Result};

/// Background refreshes after misses of the synchronous trait are at most this frequent.
const MIN_REFRESH_INTERVAL: Duration = Duration::from_secs(5);

/// A REST mapper backed by [`Discovery`]: kinds ↔ resources, short names, categories and
/// scopes as the server reports them.
///
/// The async methods ([`resolve`](Self::resolve), [`resource_for_gvr`](Self::resource_for_gvr),
/// [`mapping_for`](Self::mapping_for)) refresh discovery once when a lookup misses — a CRD
/// installed a moment ago is found. The synchronous [`RestMapper`] methods cannot wait for
/// the network: they answer from the last view and, on a miss, start one refresh in the
/// background (at most every 5 s) so the next call sees new resources.
///
/// ```no_run
/// use kapi_apimachinery::restmapper::RestMapper;
/// use kapi_apimachinery::GroupKind;
/// use kapi_client::discovery::{Discovery, DiscoveryRestMapper};
/// use kapi_client::Client;
///
/// # async fn demo() -> Result<(), kapi_client::Error> {
/// let mapper = DiscoveryRestMapper::new(Discovery::new(Client::try_default()?)).await?;
/// let deploy = mapper.resolve("deploy").await?; // kubectl-style: short name
/// assert_eq!(deploy.plural, "deployments");
/// let m = mapper.mapping_for(&GroupKind::new("apps", "Deployment"), &[]).await?;
/// assert_eq!(m.version, "v1");
/// // The synchronous trait answers from the current view:
/// let pods = mapper.kind_for(&kapi_apimachinery::GroupVersionResource::new("", "", "pods"));
/// assert_eq!(pods.map(|gvk| gvk.kind).ok().as_deref(), Some("Pod"));
/// # Ok(()) }
/// ```
#[derive(Clone)]
pub struct DiscoveryRestMapper {
    inner: Arc<Inner>,
}

struct Inner {
    discovery: Discovery,
    mapper: RwLock<Arc<StaticRestMapper>>,
    last_refresh: Mutex<Instant>,
    refreshing: AtomicBool,
}

impl fmt::Debug for DiscoveryRestMapper {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("DiscoveryRestMapper")
            .field("resources", &self.current().len())
            .finish_non_exhaustive()
    }
}

fn mapping_error(e: &kapi_apimachinery::Error) -> Error {
    Error::Discovery(e.to_string())
}

impl DiscoveryRestMapper {
    /// Loads discovery (from its cache when warm) and builds the mapper.
    ///
    /// # Errors
    /// When discovery fails.
    pub async fn new(discovery: Discovery) -> Result<Self> {
        let view = discovery.resources().await?;
        Ok(Self {
            inner: Arc::new(Inner {
                mapper: RwLock::new(Arc::new(view.rest_mapper())),
                discovery,
                last_refresh: Mutex::new(Instant::now()),
                refreshing: AtomicBool::new(false),
            }),
        })
    }

    /// The discovery client behind the mapper.
    pub fn discovery(&self) -> &Discovery {
        &self.inner.discovery
    }

    fn current(&self) -> Arc<StaticRestMapper> {
        Arc::clone(
            &self
                .inner
                .mapper
                .read()
                .unwrap_or_else(PoisonError::into_inner),
        )
    }

    /// Refreshes discovery now and rebuilds the mapper.
    ///
    /// # Errors
    /// When discovery fails (the previous view is kept).
    pub async fn refresh(&self) -> Result<()> {
        Inner::refresh(&self.inner).await
    }

    async fn with_retry<T>(
        &self,
        f: impl Fn(&StaticRestMapper) -> kapi_apimachinery::Result<T>,
    ) -> Result<T> {
        match f(&self.current()) {
            Ok(found) => Ok(found),
            Err(kapi_apimachinery::Error::NoMapping(_)) => {
                self.refresh().await?;
                f(&self.current()).map_err(|e| mapping_error(&e))
            }
            Err(e) => Err(mapping_error(&e)),
        }
    }

    /// Resolves a kubectl-style argument (`pods`, `po`, `Pod`, `deployments.apps`,
    /// `deployments.v1.apps`), refreshing once on a miss.
    ///
    /// # Errors
    /// [`Error::Discovery`] when nothing (or more than one group) matches.
    pub async fn resolve(&self, arg: &str) -> Result<ResourceInfo> {
        self.with_retry(|m| m.resolve(arg)).await
    }

    /// The best resource for a partial GVR, refreshing once on a miss.
    ///
    /// # Errors
    /// [`Error::Discovery`] when nothing (or more than one group) matches.
    pub async fn resource_for_gvr(&self, partial: &GroupVersionResource) -> Result<ResourceInfo> {
        self.with_retry(|m| m.resource_for(partial)).await
    }

    /// The preferred mapping of a group/kind (restricted to `versions` when not empty),
    /// refreshing once on a miss.
    ///
    /// # Errors
    /// [`Error::Discovery`] when the kind is not served.
    pub async fn mapping_for(&self, gk: &GroupKind, versions: &[&str]) -> Result<ResourceInfo> {
        self.with_retry(|m| m.rest_mapping(gk, versions)).await
    }

    /// On a miss of the synchronous trait: one refresh in the background, if a Tokio runtime
    /// is around and none ran in the last few seconds.
    fn refresh_soon(&self) {
        let Ok(handle) = tokio::runtime::Handle::try_current() else {
            return;
        };
        let recent = self
            .inner
            .last_refresh
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .elapsed()
            < MIN_REFRESH_INTERVAL;
        if recent || self.inner.refreshing.swap(true, Ordering::AcqRel) {
            return;
        }
        let inner = Arc::clone(&self.inner);
        handle.spawn(async move {
            if let Err(e) = Inner::refresh(&inner).await {
                tracing::debug!(error = %e, "background discovery refresh failed");
            }
            inner.refreshing.store(false, Ordering::Release);
        });
    }
}

impl Inner {
    async fn refresh(inner: &Arc<Inner>) -> Result<()> {
        let view = inner.discovery.refresh().await?;
        *inner
            .last_refresh
            .lock()
            .unwrap_or_else(PoisonError::into_inner) = Instant::now();
        *inner.mapper.write().unwrap_or_else(PoisonError::into_inner) =
            Arc::new(view.rest_mapper());
        Ok(())
    }
}

impl RestMapper for DiscoveryRestMapper {
    fn resources_for(&self, partial: &GroupVersionResource) -> Vec<ResourceInfo> {
        let found = self.current().resources_for(partial);
        if found.is_empty() {
            self.refresh_soon();
        }
        found
    }

    fn mappings_for(&self, gk: &GroupKind, versions: &[&str]) -> Vec<ResourceInfo> {
        let found = self.current().mappings_for(gk, versions);
        if found.is_empty() {
            self.refresh_soon();
        }
        found
    }
}
