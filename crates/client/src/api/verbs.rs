//! The standard verbs: get, list, create, replace, delete, deletecollection and watch.

use std::time::Duration;

use http::Method;
use kapi_apimachinery::meta::Status;
use kapi_apimachinery::options::{
    CreateOptions, DeleteOptions, GetOptions, ListOptions, UpdateOptions,
};
use kapi_apimachinery::{Object, ObjectList};

use super::request::Call;
use super::{status_or, Api, Either};
use crate::error::Result;
use crate::transport::RequestKind;
use crate::watch::{event_stream, WatchStream};

/// Extra time a watch with `timeoutSeconds` gets before the client gives up on the server
/// closing it.
const WATCH_GRACE: Duration = Duration::from_secs(30);

impl<K: Object> Api<K> {
    /// Reads one object.
    ///
    /// # Errors
    /// [`Error::Api`](crate::Error::Api) with `is_not_found()` when it does not exist.
    pub async fn get(&self, name: &str) -> Result<K> {
        self.get_with(name, &GetOptions::default()).await
    }

    /// Reads one object with options (e.g. `resourceVersion: "0"` for any cached state).
    ///
    /// # Errors
    /// As [`Api::get`].
    pub async fn get_with(&self, name: &str, opts: &GetOptions) -> Result<K> {
        let call = Call::new(Method::GET, self.object_path(name, None)?)
            .query(&opts.to_query())
            .accept(self.object_accept());
        self.fetch(call).await
    }

    /// Reads one object; `Ok(None)` when it does not exist.
    ///
    /// # Errors
    /// Any failure other than 404.
    pub async fn get_opt(&self, name: &str) -> Result<Option<K>> {
        match self.get(name).await {
            Ok(obj) => Ok(Some(obj)),
            Err(e) if e.is_not_found() => Ok(None),
            Err(e) => Err(e),
        }
    }

    /// Lists objects (one page when `opts.limit` is set; see [`Api::list_paged`] and
    /// [`Pager`](crate::Pager) for all pages). Items are decoded as the body arrives, so the
    /// raw body is never held in memory whole.
    ///
    /// # Errors
    /// [`Error::Api`](crate::Error::Api) (e.g. 410 for an expired continue token),
    /// [`Error::Decode`](crate::Error::Decode) when an item does not decode as `K`.
    pub async fn list(&self, opts: &ListOptions) -> Result<ObjectList<K>> {
        self.list_with(opts, |_| {}).await
    }

    /// [`list`](Self::list), calling `each` on every item as soon as it is decoded, while the
    /// rest of the body is still arriving: informers pass their transform here, so an unpaged
    /// list of 10 000 Pods never holds all of them with their `managedFields`.
    ///
    /// # Errors
    /// As [`list`](Self::list).
    pub async fn list_with(
        &self,
        opts: &ListOptions,
        each: impl FnMut(&mut K) + Send,
    ) -> Result<ObjectList<K>> {
        let mut opts = opts.clone();
        opts.watch = false;
        let call = Call::new(Method::GET, self.collection_path(false)?)
            .query(&opts.to_query())
            .accept(self.list_accept());
        let resp = self.client.checked(call.build()?).await?;
        super::list_decode::decode_list_with(resp.into_body(), each).await
    }

    /// Creates an object (`POST` to the collection). The namespace comes from the handle.
    ///
    /// # Errors
    /// 409 `AlreadyExists` ([`Error::is_already_exists`](crate::Error::is_already_exists)),
    /// 422 `Invalid`, 404 when the namespace does not exist, …
    pub async fn create(&self, opts: &CreateOptions, obj: &K) -> Result<K> {
        let call = Call::new(Method::POST, self.collection_path(true)?)
            .query(&opts.to_query())
            .accept(self.object_accept())
            .json(obj)?;
        self.fetch(call).await
    }

    /// Replaces an object (`PUT`). With `metadata.resourceVersion` set the write is
    /// conditional: a stale version fails with 409 `Conflict`
    /// ([`Error::is_conflict`](crate::Error::is_conflict)).
    ///
    /// # Errors
    /// 409 `Conflict`, 404, 422, …
    pub async fn replace(&self, name: &str, opts: &UpdateOptions, obj: &K) -> Result<K> {
        let call = Call::new(Method::PUT, self.object_path(name, None)?)
            .query(&opts.to_query())
            .accept(self.object_accept())
            .json(obj)?;
        self.fetch(call).await
    }

    /// Deletes an object. The server answers with the object ([`Either::Left`]) when the
    /// delete is pending (finalizers, foreground propagation) or for types that return the
    /// deleted object (pods, namespaces, …), else with a `Status` ([`Either::Right`]).
    ///
    /// # Errors
    /// 404 when it does not exist, 409 when a precondition fails.
    pub async fn delete(&self, name: &str, opts: &DeleteOptions) -> Result<Either<K, Status>> {
        let call = Call::new(Method::DELETE, self.object_path(name, None)?)
            .accept(self.object_accept())
            .json(&opts.to_body())?;
        let body = self.fetch_bytes(call).await?;
        status_or(&body, std::any::type_name::<K>())
    }

    /// Deletes every object matching `list` in the handle's namespace (or at cluster level).
    /// The server answers with the list of deleted objects, or a `Status`.
    ///
    /// # Errors
    /// As [`Api::delete`]; a handle over all namespaces of a namespaced resource is refused.
    pub async fn delete_collection(
        &self,
        opts: &DeleteOptions,
        list: &ListOptions,
    ) -> Result<Either<ObjectList<K>, Status>> {
        let call = Call::new(Method::DELETE, self.collection_path(true)?)
            .query(&list.to_query())
            .accept(self.list_accept())
            .json(&opts.to_body())?;
        let body = self.fetch_bytes(call).await?;
        status_or(&body, std::any::type_name::<ObjectList<K>>())
    }

    /// Starts a watch (`watch=true` is added to `opts`). Events are decoded as they arrive;
    /// see [`WatchStream`] for how errors, bookmarks and the end of the stream are reported.
    ///
    /// With `timeoutSeconds` the server ends the stream cleanly after that long; if it has not
    /// 30 s later, the stream ends with [`Error::Timeout`](crate::Error::Timeout).
    ///
    /// ```no_run
    /// use futures::TryStreamExt;
    /// use kapi_api::core::v1::Pod;
    /// use kapi_apimachinery::{meta::WatchEvent, options::ListOptions};
    /// use kapi_client::{Api, Client};
    ///
    /// # async fn demo() -> Result<(), kapi_client::Error> {
    /// let pods: Api<Pod> = Api::default_namespaced(Client::try_default()?);
    /// let list = pods.list(&ListOptions::default()).await?;
    /// let rv = list.metadata.resource_version.unwrap_or_default();
    /// let mut events = pods.watch(&ListOptions::default().watch_from(&rv)).await?;
    /// while let Some(event) = events.try_next().await? {
    ///     match event {
    ///         WatchEvent::Added(p) | WatchEvent::Modified(p) => println!("{:?}", p.metadata.name),
    ///         WatchEvent::Deleted(p) => println!("gone: {:?}", p.metadata.name),
    ///         WatchEvent::Bookmark(b) => println!("at {}", b.metadata.resource_version),
    ///         WatchEvent::Error(_) => unreachable!("errors arrive as Err"),
    ///     }
    /// }
    /// # Ok(()) }
    /// ```
    ///
    /// # Errors
    /// The request's own failure (e.g. 403); failures after the start are items of the stream.
    pub async fn watch(&self, opts: &ListOptions) -> Result<WatchStream<K>> {
        let mut opts = opts.clone();
        opts.watch = true;
        let deadline = opts.timeout_seconds.filter(|s| *s > 0).map(|s| {
            tokio::time::Instant::now() + Duration::from_secs(s.unsigned_abs()) + WATCH_GRACE
        });
        let call = Call::new(Method::GET, self.collection_path(false)?)
            .query(&opts.to_query())
            .accept(self.object_accept())
            .kind(RequestKind::Watch);
        let request = call.build()?;
        let resp = match deadline {
            Some(d) => match tokio::time::timeout_at(d, self.client.checked(request)).await {
                Ok(r) => r?,
                Err(_) => return Err(crate::Error::Timeout(crate::error::TimeoutKind::Watch)),
            },
            None => self.client.checked(request).await?,
        };
        Ok(event_stream(
            resp.into_body(),
            deadline,
            self.max_event_size,
        ))
    }
}
