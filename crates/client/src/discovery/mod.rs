//! Discovery: what the server serves ([`Discovery`]), cached in memory and optionally on disk
//! ([`DiskCache`]), a REST mapper over it ([`DiscoveryRestMapper`]), and a dynamic client that
//! resolves resources through it ([`DynamicClient`]).
//!
//! Aggregated discovery (v2: two requests, `/api` and `/apis`, each with an ETag) is asked
//! for first; a server without it gets the legacy walk (`/api`, `/apis`, then `/api/v1` and
//! every `/apis/{group}/{version}`, eight at a time). Either way the result is a
//! [`ServerResources`].

mod disk;
mod dynamic;
mod fetch;
mod mapper;
mod model;

use std::fmt;
use std::sync::{Arc, PoisonError, RwLock};
use std::time::{SystemTime, UNIX_EPOCH};

use http::header::ACCEPT;
use http::Request;
use kapi_apimachinery::{GroupVersionKind, GroupVersionResource, ResourceInfo};

pub use disk::DiskCache;
pub use dynamic::DynamicClient;
pub use mapper::DiscoveryRestMapper;
pub use model::{
    DiscoveredGroup, DiscoveredResource, DiscoveredSubresource, DiscoveredVersion, ServerResources,
};

use crate::body::Body;
use crate::client::Client;
use crate::error::{Error, Result};
use fetch::Docs;

/// The server's version (`GET /version`).
pub type ServerVersion = kapi_api::version::Info;

/// A discovery client with an in-memory cache (shared by clones).
///
/// ```no_run
/// use kapi_apimachinery::GroupVersionResource;
/// use kapi_client::discovery::Discovery;
/// use kapi_client::Client;
///
/// # async fn demo() -> Result<(), kapi_client::Error> {
/// let discovery = Discovery::new(Client::try_default()?);
/// println!("server {}", discovery.server_version().await?.git_version);
/// for group in discovery.resources().await?.groups() {
///     let versions: Vec<&str> = group.versions.iter().map(|v| v.version.as_str()).collect();
///     println!("{:20} {}", group.name, versions.join(","));
/// }
/// let deploy = discovery.resolve(&GroupVersionResource::new("apps", "", "deployments")).await?;
/// assert_eq!(deploy.kind, "Deployment");
/// // After installing a CRD:
/// discovery.invalidate();
/// # Ok(()) }
/// ```
#[derive(Clone)]
pub struct Discovery {
    inner: Arc<Inner>,
}

struct Inner {
    client: Client,
    disk: Option<DiskCache>,
    /// The current view; `None` after [`Discovery::invalidate`].
    current: RwLock<Option<Arc<ServerResources>>>,
    /// The documents behind it (kept across invalidation for ETag revalidation); the lock
    /// also makes concurrent loads wait for one fetch.
    docs: tokio::sync::Mutex<Option<Docs>>,
}

impl fmt::Debug for Discovery {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Discovery")
            .field("disk", &self.inner.disk)
            .field("cached", &self.cached().is_some())
            .finish_non_exhaustive()
    }
}

fn now() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_secs())
}

impl Discovery {
    /// A discovery client with an in-memory cache only.
    pub fn new(client: Client) -> Self {
        Self::build(client, None)
    }

    fn build(client: Client, disk: Option<DiskCache>) -> Self {
        Self {
            inner: Arc::new(Inner {
                client,
                disk,
                current: RwLock::new(None),
                docs: tokio::sync::Mutex::new(None),
            }),
        }
    }

    /// The same client with an on-disk cache as well (documents from the disk are used
    /// while younger than its TTL).
    #[must_use]
    pub fn with_disk_cache(self, cache: DiskCache) -> Self {
        Self::build(self.inner.client.clone(), Some(cache))
    }

    /// The client behind this discovery.
    pub fn client(&self) -> &Client {
        &self.inner.client
    }

    /// The cached view, if any (no request).
    pub fn cached(&self) -> Option<Arc<ServerResources>> {
        self.inner
            .current
            .read()
            .unwrap_or_else(PoisonError::into_inner)
            .clone()
    }

    /// Forgets the in-memory view: the next call asks the server again (revalidating
    /// aggregated documents by ETag) and ignores the disk cache's TTL once.
    pub fn invalidate(&self) {
        *self
            .inner
            .current
            .write()
            .unwrap_or_else(PoisonError::into_inner) = None;
    }

    /// What the server serves: from memory, else from a fresh disk cache, else from the
    /// server. Concurrent callers share one fetch.
    ///
    /// # Errors
    /// When the server cannot be asked or answers with something unusable.
    pub async fn resources(&self) -> Result<Arc<ServerResources>> {
        if let Some(cur) = self.cached() {
            return Ok(cur);
        }
        let mut docs = self.inner.docs.lock().await;
        if let Some(cur) = self.cached() {
            return Ok(cur);
        }
        let server = self.inner.client.cluster_url().clone();
        let now = now();
        // First load of this process: a fresh disk cache answers without a request.
        let first = docs.is_none();
        if first {
            if let Some(disk) = &self.inner.disk {
                *docs = disk.read(&server);
                if let Some(d) = docs.as_ref().filter(|d| disk.is_fresh(d.fetched_at, now)) {
                    return Ok(self.publish(d));
                }
            }
        }
        let fresh = fetch::fetch(&self.inner.client, docs.as_ref(), now).await?;
        if let Some(disk) = &self.inner.disk {
            disk.write(&server, &fresh);
        }
        let view = self.publish(&fresh);
        *docs = Some(fresh);
        Ok(view)
    }

    fn publish(&self, docs: &Docs) -> Arc<ServerResources> {
        let view = Arc::new(ServerResources::from_docs(
            &docs.core,
            &docs.groups,
            docs.failed.clone(),
            docs.aggregated,
        ));
        *self
            .inner
            .current
            .write()
            .unwrap_or_else(PoisonError::into_inner) = Some(Arc::clone(&view));
        view
    }

    /// [`Discovery::invalidate`], then [`Discovery::resources`].
    ///
    /// # Errors
    /// As [`Discovery::resources`].
    pub async fn refresh(&self) -> Result<Arc<ServerResources>> {
        self.invalidate();
        self.resources().await
    }

    /// The resource for a GVR (empty version: the preferred version serving it); on a miss
    /// the cache is refreshed once and the lookup repeated.
    ///
    /// # Errors
    /// [`Error::Discovery`] when the server does not serve it.
    pub async fn resolve(&self, gvr: &GroupVersionResource) -> Result<ResourceInfo> {
        self.lookup(
            |r| r.find(gvr).map(|d| d.info.clone()),
            || format!("resource {gvr}"),
        )
        .await
    }

    /// The resource serving a kind; refreshed once on a miss.
    ///
    /// # Errors
    /// [`Error::Discovery`] when the server does not serve it.
    pub async fn resolve_kind(&self, gvk: &GroupVersionKind) -> Result<ResourceInfo> {
        self.lookup(
            |r| r.find_kind(gvk).map(|d| d.info.clone()),
            || format!("kind {gvk}"),
        )
        .await
    }

    async fn lookup(
        &self,
        find: impl Fn(&ServerResources) -> Option<ResourceInfo>,
        what: impl Fn() -> String,
    ) -> Result<ResourceInfo> {
        if let Some(found) = find(&*self.resources().await?) {
            return Ok(found);
        }
        find(&*self.refresh().await?)
            .ok_or_else(|| Error::Discovery(format!("the server does not serve {}", what())))
    }

    /// `GET /version`.
    ///
    /// # Errors
    /// When the request fails or the answer does not decode.
    pub async fn server_version(&self) -> Result<ServerVersion> {
        let req = Request::get("/version")
            .header(ACCEPT, "application/json")
            .body(Body::empty())
            .map_err(|e| Error::InvalidRequest(e.to_string()))?;
        self.inner.client.request_json(req).await
    }
}
