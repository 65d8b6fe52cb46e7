//! [`Api`]: one handle per resource type (and namespace), typed, dynamic or metadata-only.
//!
//! | file | what |
//! |---|---|
//! | `mod.rs` | the handle, its constructors and scope checks |
//! | `request.rs` | URL and request building, response decoding |
//! | `verbs.rs` | get, list, create, replace, delete, delete_collection, watch |
//! | `patch.rs` | [`Patch`] and `patch` |
//! | `subresource.rs` | status, scale and any named subresource |
//! | `pod.rs` | logs, eviction, service-account tokens |
//! | `table.rs` | server-side printing (`Table`) |
//! | `list_decode.rs` | decoding a list's items as its body arrives |

mod list_decode;
mod patch;
mod pod;
mod request;
mod subresource;
mod table;
mod verbs;

use std::fmt;
use std::marker::PhantomData;
use std::sync::Arc;

use kapi_apimachinery::meta::{PartialObjectMetadata, Status};
use kapi_apimachinery::{
    ClusterScope, DynamicObject, NamespaceScope, Resource, ResourceInfo, Scope,
};

pub use list_decode::{decode_list, decode_list_with};
pub use patch::Patch;
pub use pod::{LogParams, LogStream};

pub(crate) use request::decode as request_decode;

use crate::client::Client;
use crate::error::{Error, Result};

/// The default cap on one watch event line (16 MiB); see [`Api::max_event_size`].
pub const DEFAULT_MAX_EVENT_SIZE: usize = 16 << 20;

/// The result of a delete: the server answers with the object (still being deleted, or its
/// last state) or with a `Status`, depending on the resource and on finalizers.
#[derive(Clone, Debug, PartialEq)]
pub enum Either<L, R> {
    /// The object (a delete that is still pending, or the deleted object for some types).
    Left(L),
    /// A `Status` (`Success` for most completed deletes).
    Right(R),
}

impl<L, R> Either<L, R> {
    /// The left value, if any.
    pub fn left(self) -> Option<L> {
        match self {
            Either::Left(l) => Some(l),
            Either::Right(_) => None,
        }
    }

    /// The right value, if any.
    pub fn right(self) -> Option<R> {
        match self {
            Either::Left(_) => None,
            Either::Right(r) => Some(r),
        }
    }

    /// `true` for [`Either::Left`].
    pub fn is_left(&self) -> bool {
        matches!(self, Either::Left(_))
    }

    /// `true` for [`Either::Right`].
    pub fn is_right(&self) -> bool {
        matches!(self, Either::Right(_))
    }
}

/// Which representation the server is asked for.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Format {
    /// Full objects, `application/json`.
    Full,
    /// `PartialObjectMetadata(List)`, with JSON as the fallback.
    Metadata,
}

/// A handle on one resource type, in one namespace, across all namespaces, or at cluster
/// level. Cheap to clone; every clone shares the [`Client`].
///
/// `K` is a generated type (`kapi_api::core::v1::Pod`), your own [`Resource`],
/// [`DynamicObject`] (see [`Api::dynamic`]) or [`PartialObjectMetadata`] (see
/// [`Api::metadata`]). The same code serves all of them: typed handles take
/// [`Resource::INFO`], the others a [`ResourceInfo`] found at run time.
///
/// ```no_run
/// use kapi_api::core::v1::ConfigMap;
/// use kapi_apimachinery::options::{CreateOptions, DeleteOptions, ListOptions};
/// use kapi_client::{Api, Client};
///
/// # async fn demo() -> Result<(), kapi_client::Error> {
/// let client = Client::try_default()?;
/// let cms: Api<ConfigMap> = Api::namespaced(client, "default");
/// let mut cm = ConfigMap::default();
/// cm.metadata.name = Some("settings".into());
/// cm.data = [("mode".into(), "fast".into())].into();
/// let created = cms.create(&CreateOptions::default(), &cm).await?;
/// for cm in cms.list(&ListOptions::default().labels("app=web")).await? {
///     println!("{}", cm.metadata.name.unwrap_or_default());
/// }
/// if cms.get_opt("missing").await?.is_none() {
///     println!("no such config map");
/// }
/// cms.delete("settings", &DeleteOptions::default()).await?;
/// # drop(created); Ok(()) }
/// ```
pub struct Api<K> {
    pub(crate) client: Client,
    pub(crate) info: Arc<ResourceInfo>,
    pub(crate) namespace: Option<Arc<str>>,
    pub(crate) format: Format,
    pub(crate) max_event_size: usize,
    _kind: PhantomData<fn() -> K>,
}

impl<K> Clone for Api<K> {
    fn clone(&self) -> Self {
        Self {
            client: self.client.clone(),
            info: Arc::clone(&self.info),
            namespace: self.namespace.clone(),
            format: self.format,
            max_event_size: self.max_event_size,
            _kind: PhantomData,
        }
    }
}

impl<K> fmt::Debug for Api<K> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Api")
            .field("resource", &self.info.gvr().to_string())
            .field("namespace", &self.namespace)
            .field("format", &self.format)
            .finish_non_exhaustive()
    }
}

impl<K> Api<K> {
    fn from_parts(client: Client, info: ResourceInfo, namespace: Option<&str>) -> Self {
        Self {
            client,
            info: Arc::new(info),
            namespace: namespace.map(Arc::from),
            format: Format::Full,
            max_event_size: DEFAULT_MAX_EVENT_SIZE,
            _kind: PhantomData,
        }
    }

    /// The resource this handle works on.
    pub fn resource_info(&self) -> &ResourceInfo {
        &self.info
    }

    /// The namespace of this handle; `None` for cluster-scoped resources and for handles over
    /// all namespaces.
    pub fn namespace(&self) -> Option<&str> {
        self.namespace.as_deref()
    }

    /// The client behind this handle.
    pub fn client(&self) -> &Client {
        &self.client
    }

    /// The same resource in another namespace.
    #[must_use]
    pub fn within(&self, namespace: &str) -> Self {
        let mut api = self.clone();
        api.namespace = Some(Arc::from(namespace));
        api
    }

    /// Caps the size of one watch event line (default [`DEFAULT_MAX_EVENT_SIZE`]). A longer
    /// line is skipped and reported as [`Error::EventTooLarge`]; the stream goes on.
    #[must_use]
    pub fn max_event_size(mut self, bytes: usize) -> Self {
        self.max_event_size = bytes.max(1);
        self
    }

    /// `group/resource` for messages.
    pub(crate) fn what(&self) -> String {
        self.info.gvr().group_resource().to_string()
    }

    /// The namespace to put in a URL. `require` is set for calls on one object and for
    /// creates: a namespaced resource then needs a namespace.
    pub(crate) fn url_namespace(&self, require: bool) -> Result<Option<&str>> {
        match (self.info.scope, self.namespace.as_deref()) {
            (Scope::Cluster, Some(ns)) => Err(Error::InvalidRequest(format!(
                "{} is cluster-scoped, but the handle names namespace {ns:?}",
                self.what()
            ))),
            (Scope::Cluster, None) => Ok(None),
            (Scope::Namespaced, Some(ns)) => {
                request::check_segment("namespace", ns)?;
                Ok(Some(ns))
            }
            (Scope::Namespaced, None) if require => Err(Error::InvalidRequest(format!(
                "{} is namespaced and this handle covers all namespaces: name a namespace for this call",
                self.what()
            ))),
            (Scope::Namespaced, None) => Ok(None),
        }
    }
}

impl<K: Resource> Api<K> {
    /// A handle on `K` in `namespace`.
    pub fn namespaced(client: Client, namespace: &str) -> Self
    where
        K: Resource<Scope = NamespaceScope>,
    {
        Self::from_parts(client, K::INFO, Some(namespace))
    }

    /// A handle on `K` in the client's default namespace (the kubeconfig context's, or the
    /// pod's).
    pub fn default_namespaced(client: Client) -> Self
    where
        K: Resource<Scope = NamespaceScope>,
    {
        let ns = client.default_namespace().to_owned();
        Self::from_parts(client, K::INFO, Some(&ns))
    }

    /// A handle on `K` across all namespaces (for a cluster-scoped `K`, the same as
    /// [`Api::cluster`]). Lists and watches span every namespace; calls on one object need a
    /// namespace and fail with [`Error::InvalidRequest`].
    pub fn all(client: Client) -> Self {
        Self::from_parts(client, K::INFO, None)
    }

    /// A handle on a cluster-scoped `K`.
    pub fn cluster(client: Client) -> Self
    where
        K: Resource<Scope = ClusterScope>,
    {
        Self::from_parts(client, K::INFO, None)
    }
}

impl Api<DynamicObject> {
    /// A handle on a resource known at run time (from discovery, a
    /// [`RestMapper`](kapi_apimachinery::restmapper::RestMapper) or by hand), with untyped
    /// objects.
    ///
    /// `namespace` must be `None` for a cluster-scoped resource; for a namespaced one, `None`
    /// means all namespaces. A mismatch is reported by every call on the handle as
    /// [`Error::InvalidRequest`].
    ///
    /// ```no_run
    /// use kapi_apimachinery::{DynamicObject, GroupVersionKind, ResourceInfo, Scope};
    /// use kapi_apimachinery::options::ListOptions;
    /// use kapi_client::{Api, Client};
    ///
    /// # async fn demo() -> Result<(), kapi_client::Error> {
    /// let client = Client::try_default()?;
    /// let gvk = GroupVersionKind::new("example.com", "v1", "Widget");
    /// let info = ResourceInfo::new(&gvk, "widgets", Scope::Namespaced);
    /// let widgets = Api::<DynamicObject>::dynamic(client, &info, Some("default"));
    /// for w in widgets.list(&ListOptions::default()).await? {
    ///     println!("{} {:?}", w.metadata.name.unwrap_or_default(), w.data.get("spec"));
    /// }
    /// # Ok(()) }
    /// ```
    pub fn dynamic(client: Client, info: &ResourceInfo, namespace: Option<&str>) -> Self {
        Self::from_parts(client, info.clone(), namespace)
    }
}

impl Api<PartialObjectMetadata> {
    /// A metadata-only handle: the server is asked for `PartialObjectMetadata` (and
    /// `PartialObjectMetadataList`), so only `apiVersion`, `kind` and `metadata` travel. A
    /// server that cannot answer so sends full objects, which decode the same way.
    ///
    /// Scope rules are those of [`Api::dynamic`].
    ///
    /// ```no_run
    /// use kapi_api::core::v1::Secret;
    /// use kapi_apimachinery::meta::PartialObjectMetadata;
    /// use kapi_apimachinery::{options::ListOptions, Resource};
    /// use kapi_client::{Api, Client};
    ///
    /// # async fn demo() -> Result<(), kapi_client::Error> {
    /// let client = Client::try_default()?;
    /// // Names and labels of every secret, without their data.
    /// let secrets = Api::<PartialObjectMetadata>::metadata(client, &Secret::INFO, None);
    /// for s in secrets.list(&ListOptions::default()).await? {
    ///     println!("{}/{}", s.metadata.namespace.unwrap_or_default(), s.metadata.name.unwrap_or_default());
    /// }
    /// # Ok(()) }
    /// ```
    pub fn metadata(client: Client, info: &ResourceInfo, namespace: Option<&str>) -> Self {
        let mut api = Self::from_parts(client, info.clone(), namespace);
        api.format = Format::Metadata;
        api
    }
}

/// Decodes a delete-like response: a `Status`, or an object.
pub(crate) fn status_or<T: serde::de::DeserializeOwned>(
    body: &[u8],
    target: &str,
) -> Result<Either<T, Status>> {
    #[derive(serde::Deserialize)]
    struct Kind<'a> {
        #[serde(default, borrow)]
        kind: Option<std::borrow::Cow<'a, str>>,
    }
    let kind: Kind<'_> =
        serde_json::from_slice(body).map_err(|e| Error::decode(target, &e.to_string()))?;
    if kind.kind.as_deref() == Some("Status") {
        serde_json::from_slice(body)
            .map(Either::Right)
            .map_err(|e| Error::decode("Status", &e.to_string()))
    } else {
        serde_json::from_slice(body)
            .map(Either::Left)
            .map_err(|e| Error::decode(target, &e.to_string()))
    }
}
