//! [`Patch`] and [`Api::patch`].

use bytes::Bytes;
use http::Method;
use kapi_apimachinery::options::PatchOptions;
use kapi_apimachinery::Object;
use serde::de::DeserializeOwned;
use serde::Serialize;

use super::request::Call;
use super::Api;
use crate::error::{Error, Result};

/// A patch, by kind; `P` is its body (any `Serialize`: a typed object, `serde_json::Value`,
/// a list of JSON-patch operations, …).
///
/// | variant | content type | body |
/// |---|---|---|
/// | `Json` | `application/json-patch+json` | RFC 6902 operations: `[{"op":"replace","path":"/spec/replicas","value":3}]` |
/// | `Merge` | `application/merge-patch+json` | RFC 7386: the fields to set, `null` to remove |
/// | `Strategic` | `application/strategic-merge-patch+json` | like `Merge`, but lists merge by their key (built-in types only) |
/// | `Apply` | `application/apply-patch+yaml` | server-side apply: the whole intent of one field manager (sent as JSON, which is YAML) |
///
/// ```no_run
/// use kapi_api::apps::v1::Deployment;
/// use kapi_apimachinery::options::PatchOptions;
/// use kapi_client::{Api, Client, Patch};
/// use serde_json::json;
///
/// # async fn demo() -> Result<(), kapi_client::Error> {
/// let deploys: Api<Deployment> = Api::default_namespaced(Client::try_default()?);
/// let pp = PatchOptions::default();
/// deploys.patch("web", &pp, &Patch::Merge(json!({"spec": {"replicas": 3}}))).await?;
/// deploys.patch("web", &pp, &Patch::Json(json!([
///     {"op": "add", "path": "/metadata/labels/tier", "value": "front"}
/// ]))).await?;
/// // Server-side apply: a field manager is required; `force` takes over conflicting fields.
/// let intent = json!({
///     "apiVersion": "apps/v1", "kind": "Deployment",
///     "metadata": {"name": "web"},
///     "spec": {"replicas": 5}
/// });
/// deploys.patch("web", &PatchOptions::apply("my-controller").force(), &Patch::Apply(intent)).await?;
/// # Ok(()) }
/// ```
#[derive(Clone, Debug, PartialEq)]
pub enum Patch<P> {
    /// JSON patch (RFC 6902).
    Json(P),
    /// JSON merge patch (RFC 7386).
    Merge(P),
    /// Strategic merge patch (built-in types only).
    Strategic(P),
    /// Server-side apply.
    Apply(P),
}

impl<P> Patch<P> {
    /// The `Content-Type` of the patch.
    pub fn content_type(&self) -> &'static str {
        match self {
            Patch::Json(_) => "application/json-patch+json",
            Patch::Merge(_) => "application/merge-patch+json",
            Patch::Strategic(_) => "application/strategic-merge-patch+json",
            Patch::Apply(_) => "application/apply-patch+yaml",
        }
    }

    /// The body.
    pub fn body(&self) -> &P {
        match self {
            Patch::Json(p) | Patch::Merge(p) | Patch::Strategic(p) | Patch::Apply(p) => p,
        }
    }
}

impl<P: Serialize> Patch<P> {
    /// Checks the options against the kind and builds the call.
    pub(crate) fn call(&self, path: String, opts: &PatchOptions) -> Result<Call> {
        let is_apply = matches!(self, Patch::Apply(_));
        if is_apply && opts.field_manager.as_deref().is_none_or(str::is_empty) {
            return Err(Error::InvalidRequest(
                "server-side apply needs a field manager (PatchOptions::apply(\"name\"))".into(),
            ));
        }
        if opts.force && !is_apply {
            return Err(Error::InvalidRequest(
                "force is only allowed with Patch::Apply".into(),
            ));
        }
        let body = serde_json::to_vec(self.body())
            .map_err(|e| Error::InvalidRequest(format!("cannot serialize the patch: {e}")))?;
        Ok(Call::new(Method::PATCH, path)
            .query(&opts.to_query())
            .body(self.content_type(), Bytes::from(body)))
    }
}

impl<K: Object> Api<K> {
    /// Patches an object; see [`Patch`] for the kinds. A `metadata.resourceVersion` inside
    /// the patch makes it conditional (409 when stale).
    ///
    /// # Errors
    /// [`Error::InvalidRequest`] for an apply without a field manager or `force` on another
    /// kind; from the server 404 (except for apply, which creates), 409, 422, 415 (strategic
    /// merge on a custom resource).
    pub async fn patch<P: Serialize>(
        &self,
        name: &str,
        opts: &PatchOptions,
        patch: &Patch<P>,
    ) -> Result<K> {
        let call = patch
            .call(self.object_path(name, None)?, opts)?
            .accept(self.object_accept());
        self.fetch(call).await
    }

    /// Patches a subresource and decodes the answer as `T`.
    pub(crate) async fn patch_sub<P: Serialize, T: DeserializeOwned>(
        &self,
        sub: &str,
        name: &str,
        opts: &PatchOptions,
        patch: &Patch<P>,
    ) -> Result<T> {
        self.require_subresource(sub)?;
        let call = patch.call(self.object_path(name, Some(sub))?, opts)?;
        self.fetch(call).await
    }
}
