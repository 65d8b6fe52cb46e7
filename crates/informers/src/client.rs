//! [`ListerWatcher`] for the client's [`Api`], with optional list-option tweaks (selectors).

use std::sync::Arc;

use futures::future::BoxFuture;
use futures::StreamExt;
use kapi_apimachinery::options::ListOptions;
use kapi_apimachinery::{Object, ObjectList};
use kapi_client::Api;

use crate::listwatch::{ListWatchError, ListerWatcher, WatchStream};
use crate::Transform;

impl From<kapi_client::Error> for ListWatchError {
    fn from(e: kapi_client::Error) -> Self {
        if let Some(api) = e.api() {
            return Self::Api(api.clone());
        }
        if e.is_decode() {
            return Self::Decode(Box::new(e));
        }
        Self::Transport(Box::new(e))
    }
}

/// Adjusts list/watch options, e.g. to add a label or field selector.
pub type TweakListOptions = Arc<dyn Fn(&mut ListOptions) + Send + Sync>;

/// An [`Api`] as a [`ListerWatcher`], with an optional tweak applied to every list and watch.
pub struct ApiListerWatcher<K> {
    api: Api<K>,
    tweak: Option<TweakListOptions>,
}

impl<K> std::fmt::Debug for ApiListerWatcher<K> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ApiListerWatcher")
            .field("api", &self.api)
            .field("tweak", &self.tweak.is_some())
            .finish()
    }
}

impl<K> ApiListerWatcher<K> {
    /// Lists and watches through `api`.
    pub fn new(api: Api<K>) -> Self {
        Self { api, tweak: None }
    }

    /// Applies `tweak` to the options of every request (selectors, page size …).
    #[must_use]
    pub fn with_tweak(mut self, tweak: TweakListOptions) -> Self {
        self.tweak = Some(tweak);
        self
    }

    fn options(&self, mut opts: ListOptions) -> ListOptions {
        if let Some(t) = &self.tweak {
            t(&mut opts);
        }
        opts
    }
}

impl<K: Object> ListerWatcher<K> for ApiListerWatcher<K> {
    fn list(&self, opts: ListOptions) -> BoxFuture<'_, Result<ObjectList<K>, ListWatchError>> {
        let opts = self.options(opts);
        Box::pin(async move {
            Api::list(&self.api, &opts)
                .await
                .map_err(ListWatchError::from)
        })
    }

    fn list_transformed(
        &self,
        opts: ListOptions,
        transform: Transform<K>,
    ) -> BoxFuture<'_, Result<ObjectList<K>, ListWatchError>> {
        self.api.list_transformed(self.options(opts), transform)
    }

    fn watch(&self, opts: ListOptions) -> BoxFuture<'_, Result<WatchStream<K>, ListWatchError>> {
        let opts = self.options(opts);
        Box::pin(async move {
            let stream = Api::watch(&self.api, &opts).await?;
            Ok(stream.map(|r| r.map_err(ListWatchError::from)).boxed())
        })
    }
}

impl<K: Object> ListerWatcher<K> for Api<K> {
    fn list(&self, opts: ListOptions) -> BoxFuture<'_, Result<ObjectList<K>, ListWatchError>> {
        Box::pin(async move { Api::list(self, &opts).await.map_err(ListWatchError::from) })
    }

    fn list_transformed(
        &self,
        opts: ListOptions,
        transform: Transform<K>,
    ) -> BoxFuture<'_, Result<ObjectList<K>, ListWatchError>> {
        Box::pin(async move {
            Api::list_with(self, &opts, |o| transform(o))
                .await
                .map_err(ListWatchError::from)
        })
    }

    fn watch(&self, opts: ListOptions) -> BoxFuture<'_, Result<WatchStream<K>, ListWatchError>> {
        Box::pin(async move {
            let stream = Api::watch(self, &opts).await?;
            Ok(stream.map(|r| r.map_err(ListWatchError::from)).boxed())
        })
    }
}
