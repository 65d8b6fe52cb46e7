//! [`ListerWatcher`]: the two API calls a reflector needs, and how their errors are classified.

use futures::future::BoxFuture;
use futures::stream::BoxStream;
use kapi_apimachinery::meta::WatchEvent;
use kapi_apimachinery::options::ListOptions;
use kapi_apimachinery::{ApiError, ObjectList};

/// An error from a list or watch call.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ListWatchError {
    /// The API server answered with a Status.
    #[error("API error: {0}")]
    Api(#[from] ApiError),
    /// The request never got an answer (connection refused or reset, TLS, timeout, …).
    #[error("transport error: {0}")]
    Transport(Box<dyn std::error::Error + Send + Sync>),
    /// The response could not be decoded.
    #[error("decode error: {0}")]
    Decode(Box<dyn std::error::Error + Send + Sync>),
}

impl ListWatchError {
    /// 410 Expired/Gone, or a "too large resource version": the reflector must relist from
    /// scratch (RV "").
    pub fn needs_fresh_relist(&self) -> bool {
        matches!(self, Self::Api(e) if e.is_expired() || e.is_resource_version_too_large())
    }

    /// 429 or an unreachable server: back off and try the same thing again.
    pub fn is_throttle_or_unreachable(&self) -> bool {
        match self {
            Self::Api(e) => e.is_too_many_requests(),
            Self::Transport(_) => true,
            Self::Decode(_) => false,
        }
    }

    /// How long the server asked us to wait, if it did.
    pub fn retry_after(&self) -> Option<std::time::Duration> {
        match self {
            Self::Api(e) => e.retry_after(),
            _ => None,
        }
    }
}

/// A stream of watch events.
pub type WatchStream<K> = BoxStream<'static, Result<WatchEvent<K>, ListWatchError>>;

/// Lists and watches one resource type (in one namespace or all), with fixed selectors.
///
/// The client crate implements it for its typed and dynamic APIs; tests may implement it over
/// anything.
pub trait ListerWatcher<K>: Send + Sync + 'static {
    /// One list call (one page when `opts.limit` is set).
    fn list(&self, opts: ListOptions) -> BoxFuture<'_, Result<ObjectList<K>, ListWatchError>>;
    /// [`list`](Self::list) with `transform` applied to every item. This default applies it
    /// once the whole response is decoded; the client-backed implementations apply it to each
    /// item as it is decoded, so a large unpaged list (the reflector's first `LIST` with
    /// resourceVersion "0", which the server answers whole) never holds every untransformed
    /// object at once.
    fn list_transformed(
        &self,
        opts: ListOptions,
        transform: crate::Transform<K>,
    ) -> BoxFuture<'_, Result<ObjectList<K>, ListWatchError>>
    where
        K: Send + 'static,
    {
        Box::pin(async move {
            let mut list = self.list(opts).await?;
            list.items.iter_mut().for_each(|o| transform(o));
            Ok(list)
        })
    }
    /// Starts a watch; the stream ends when the server closes it.
    fn watch(&self, opts: ListOptions) -> BoxFuture<'_, Result<WatchStream<K>, ListWatchError>>;
}
