//! [`DynamicClient`]: untyped and metadata-only handles for any resource, found through
//! discovery.

use kapi_apimachinery::meta::PartialObjectMetadata;
use kapi_apimachinery::{DynamicObject, GroupVersionResource};

use super::Discovery;
use crate::api::Api;
use crate::client::Client;
use crate::error::Result;

/// client-go's `dynamic.Interface` (and `metadata.Interface`): name a resource by
/// group/version/resource, get an [`Api`] over [`DynamicObject`]s (or metadata only).
///
/// The GVR is resolved through [`Discovery`] (scope, kind, subresources; an empty version
/// picks the preferred one), refreshing once when it is not found.
///
/// ```no_run
/// use kapi_apimachinery::options::ListOptions;
/// use kapi_apimachinery::GroupVersionResource;
/// use kapi_client::discovery::DynamicClient;
/// use kapi_client::Client;
///
/// # async fn demo() -> Result<(), kapi_client::Error> {
/// let dynamic = DynamicClient::new(Client::try_default()?);
/// let gvr = GroupVersionResource::new("apps", "v1", "deployments");
/// let deploys = dynamic.resource(&gvr, Some("default")).await?;
/// for d in deploys.list(&ListOptions::default()).await? {
///     println!("{} replicas={}", d.metadata.name.unwrap_or_default(), d.data["spec"]["replicas"]);
/// }
/// let names = dynamic.metadata(&gvr, None).await?.list(&ListOptions::default()).await?;
/// # drop(names); Ok(()) }
/// ```
#[derive(Clone, Debug)]
pub struct DynamicClient {
    client: Client,
    discovery: Discovery,
}

impl DynamicClient {
    /// A dynamic client with its own discovery cache.
    pub fn new(client: Client) -> Self {
        Self {
            discovery: Discovery::new(client.clone()),
            client,
        }
    }

    /// A dynamic client sharing `discovery` (and its cache).
    pub fn with_discovery(discovery: Discovery) -> Self {
        Self {
            client: discovery.client().clone(),
            discovery,
        }
    }

    /// The discovery client.
    pub fn discovery(&self) -> &Discovery {
        &self.discovery
    }

    /// A handle on `gvr` in `namespace` (`None`: cluster-scoped, or all namespaces).
    ///
    /// # Errors
    /// [`Error::Discovery`](crate::Error::Discovery) when the server does not serve it.
    pub async fn resource(
        &self,
        gvr: &GroupVersionResource,
        namespace: Option<&str>,
    ) -> Result<Api<DynamicObject>> {
        let info = self.discovery.resolve(gvr).await?;
        Ok(Api::dynamic(self.client.clone(), &info, namespace))
    }

    /// A metadata-only handle on `gvr`.
    ///
    /// # Errors
    /// As [`DynamicClient::resource`].
    pub async fn metadata(
        &self,
        gvr: &GroupVersionResource,
        namespace: Option<&str>,
    ) -> Result<Api<PartialObjectMetadata>> {
        let info = self.discovery.resolve(gvr).await?;
        Ok(Api::metadata(self.client.clone(), &info, namespace))
    }
}
