//! Subresources: `status`, `scale`, and any other by name.
//!
//! Every call first checks [`ResourceInfo::subresources`](kapi_apimachinery::ResourceInfo)
//! and fails with [`Error::InvalidRequest`](crate::Error::InvalidRequest) when the resource
//! has no such subresource.

use http::Method;
use kapi_apimachinery::options::{CreateOptions, GetOptions, PatchOptions, UpdateOptions};
use kapi_apimachinery::Object;
use serde::de::DeserializeOwned;
use serde::Serialize;

use super::request::Call;
use super::{Api, Patch};
use crate::error::Result;

impl<K: Object> Api<K> {
    /// Reads an object through its `status` subresource.
    ///
    /// # Errors
    /// When the resource has no `status` subresource; 404.
    pub async fn get_status(&self, name: &str) -> Result<K> {
        self.get_subresource("status", name).await
    }

    /// Replaces the status of an object: only `.status` is taken from `obj` (the rest comes
    /// from storage), and `metadata.resourceVersion` makes it conditional.
    ///
    /// ```no_run
    /// use kapi_api::apps::v1::{Deployment, DeploymentStatus};
    /// use kapi_apimachinery::options::UpdateOptions;
    /// use kapi_client::{Api, Client};
    ///
    /// # async fn demo() -> Result<(), kapi_client::Error> {
    /// let deploys: Api<Deployment> = Api::default_namespaced(Client::try_default()?);
    /// let mut d = deploys.get_status("web").await?;
    /// d.status.get_or_insert_with(DeploymentStatus::default).observed_generation = Some(2);
    /// deploys.replace_status("web", &UpdateOptions::default(), &d).await?;
    /// # Ok(()) }
    /// ```
    ///
    /// # Errors
    /// As [`Api::replace`]; when the resource has no `status` subresource.
    pub async fn replace_status(&self, name: &str, opts: &UpdateOptions, obj: &K) -> Result<K> {
        self.replace_subresource("status", name, opts, obj).await
    }

    /// Patches the status of an object.
    ///
    /// # Errors
    /// As [`Api::patch`]; when the resource has no `status` subresource.
    pub async fn patch_status<P: Serialize>(
        &self,
        name: &str,
        opts: &PatchOptions,
        patch: &Patch<P>,
    ) -> Result<K> {
        self.patch_sub("status", name, opts, patch).await
    }

    /// Reads any subresource of an object (`GET .../{name}/{sub}`) as `T`.
    ///
    /// # Errors
    /// When the resource has no such subresource; what the server answers.
    pub async fn get_subresource<T: DeserializeOwned>(&self, sub: &str, name: &str) -> Result<T> {
        self.get_subresource_with(sub, name, &GetOptions::default())
            .await
    }

    /// [`Api::get_subresource`] with options.
    ///
    /// # Errors
    /// As [`Api::get_subresource`].
    pub async fn get_subresource_with<T: DeserializeOwned>(
        &self,
        sub: &str,
        name: &str,
        opts: &GetOptions,
    ) -> Result<T> {
        self.require_subresource(sub)?;
        let call =
            Call::new(Method::GET, self.object_path(name, Some(sub))?).query(&opts.to_query());
        self.fetch(call).await
    }

    /// Posts `body` to a subresource of an object (`POST .../{name}/{sub}`: eviction, token,
    /// binding, …) and decodes the answer as `T`.
    ///
    /// # Errors
    /// When the resource has no such subresource; what the server answers.
    pub async fn create_subresource<B: Serialize, T: DeserializeOwned>(
        &self,
        sub: &str,
        name: &str,
        opts: &CreateOptions,
        body: &B,
    ) -> Result<T> {
        self.require_subresource(sub)?;
        let call = Call::new(Method::POST, self.object_path(name, Some(sub))?)
            .query(&opts.to_query())
            .json(body)?;
        self.fetch(call).await
    }

    /// Replaces a subresource of an object (`PUT .../{name}/{sub}`).
    ///
    /// # Errors
    /// When the resource has no such subresource; what the server answers.
    pub async fn replace_subresource<B: Serialize, T: DeserializeOwned>(
        &self,
        sub: &str,
        name: &str,
        opts: &UpdateOptions,
        body: &B,
    ) -> Result<T> {
        self.require_subresource(sub)?;
        let call = Call::new(Method::PUT, self.object_path(name, Some(sub))?)
            .query(&opts.to_query())
            .json(body)?;
        self.fetch(call).await
    }

    /// Patches a subresource of an object (`PATCH .../{name}/{sub}`).
    ///
    /// # Errors
    /// As [`Api::patch`]; when the resource has no such subresource.
    pub async fn patch_subresource<P: Serialize, T: DeserializeOwned>(
        &self,
        sub: &str,
        name: &str,
        opts: &PatchOptions,
        patch: &Patch<P>,
    ) -> Result<T> {
        self.patch_sub(sub, name, opts, patch).await
    }
}

#[cfg(feature = "autoscaling")]
mod scale {
    use kapi_api::autoscaling::v1::Scale;
    use kapi_apimachinery::options::{PatchOptions, UpdateOptions};
    use kapi_apimachinery::Object;
    use serde::Serialize;

    use super::super::{Api, Patch};
    use crate::error::Result;

    impl<K: Object> Api<K> {
        /// Reads the `scale` subresource (`autoscaling/v1 Scale`): deployments, replica and
        /// stateful sets, replication controllers, custom resources with a scale subresource.
        ///
        /// ```no_run
        /// use kapi_api::apps::v1::Deployment;
        /// use kapi_apimachinery::options::PatchOptions;
        /// use kapi_client::{Api, Client, Patch};
        ///
        /// # async fn demo() -> Result<(), kapi_client::Error> {
        /// let deploys: Api<Deployment> = Api::default_namespaced(Client::try_default()?);
        /// let scale = deploys.get_scale("web").await?;
        /// println!("{:?}", scale.spec.and_then(|s| s.replicas));
        /// let patch = Patch::Merge(serde_json::json!({"spec": {"replicas": 4}}));
        /// deploys.patch_scale("web", &PatchOptions::default(), &patch).await?;
        /// # Ok(()) }
        /// ```
        ///
        /// # Errors
        /// When the resource has no `scale` subresource; 404.
        pub async fn get_scale(&self, name: &str) -> Result<Scale> {
            self.get_subresource("scale", name).await
        }

        /// Replaces the scale (only `spec.replicas` counts; `metadata.resourceVersion` makes it
        /// conditional).
        ///
        /// # Errors
        /// When the resource has no `scale` subresource; 404, 409.
        pub async fn replace_scale(
            &self,
            name: &str,
            opts: &UpdateOptions,
            scale: &Scale,
        ) -> Result<Scale> {
            self.replace_subresource("scale", name, opts, scale).await
        }

        /// Patches the scale.
        ///
        /// # Errors
        /// When the resource has no `scale` subresource; 404, 409, 422.
        pub async fn patch_scale<P: Serialize>(
            &self,
            name: &str,
            opts: &PatchOptions,
            patch: &Patch<P>,
        ) -> Result<Scale> {
            self.patch_sub("scale", name, opts, patch).await
        }
    }
}
