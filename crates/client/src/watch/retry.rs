//! [`RetryWatcher`]: one logical watch over many watch requests.

use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll};

use futures::future::BoxFuture;
use futures::Stream;
use kapi_apimachinery::meta::WatchEvent;
use kapi_apimachinery::options::ListOptions;
use kapi_apimachinery::Object;

use super::WatchStream;
use crate::api::Api;
use crate::error::{Error, Result};
use crate::retry::Backoff;

/// A watch that survives its connection: after a clean end (`timeoutSeconds`, a server
/// restart) or a transport failure it watches again from the last resourceVersion it saw —
/// from objects and from bookmarks, which it always asks for — so no event is lost or
/// repeated. Failed attempts back off ([`Backoff::watch_default`], honouring `Retry-After`).
///
/// It ends only with a terminal error: 410 Expired (the resourceVersion was compacted: list
/// again and start a new watcher), or a failure retrying cannot fix (403, 404, …). Events
/// that do not decode are passed on as errors without ending it. Retried failures are
/// logged with `tracing`, not yielded.
///
/// ```no_run
/// use futures::TryStreamExt;
/// use kapi_api::core::v1::ConfigMap;
/// use kapi_apimachinery::options::ListOptions;
/// use kapi_client::{Api, Client, RetryWatcher};
///
/// # async fn demo() -> Result<(), kapi_client::Error> {
/// let cms: Api<ConfigMap> = Api::default_namespaced(Client::try_default()?);
/// let list = cms.list(&ListOptions::default()).await?;
/// let rv = list.metadata.resource_version.unwrap_or_default();
/// let mut events = RetryWatcher::new(cms, &rv)?;
/// while let Some(event) = events.try_next().await? {
///     println!("{:?}", event.event_type());
/// }
/// // Here the watcher ended with an error (e.g. 410): relist and start again.
/// # Ok(()) }
/// ```
pub struct RetryWatcher<K> {
    api: Api<K>,
    opts: ListOptions,
    rv: String,
    backoff: Backoff,
    current: Option<WatchStream<K>>,
    starting: Option<BoxFuture<'static, Result<WatchStream<K>>>>,
    sleeping: Option<Pin<Box<tokio::time::Sleep>>>,
    events_in_current: u64,
    restarts: u64,
    started: bool,
    done: bool,
}

impl<K> fmt::Debug for RetryWatcher<K> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("RetryWatcher")
            .field("api", &self.api)
            .field("resource_version", &self.rv)
            .field("restarts", &self.restarts)
            .field("done", &self.done)
            .finish_non_exhaustive()
    }
}

impl<K: Object> RetryWatcher<K> {
    /// Watches `api` from `resource_version` (from a list, or an event already seen).
    ///
    /// # Errors
    /// [`Error::InvalidRequest`] for `""` and `"0"`: they replay the current state as
    /// synthetic ADDED events, which a watch that resumes cannot tell from real ones.
    pub fn new(api: Api<K>, resource_version: &str) -> Result<Self> {
        Self::with_options(api, resource_version, ListOptions::default())
    }

    /// Like [`RetryWatcher::new`], with selectors and `timeoutSeconds` from `opts` (its
    /// resourceVersion fields are replaced).
    ///
    /// # Errors
    /// As [`RetryWatcher::new`].
    pub fn with_options(
        api: Api<K>,
        resource_version: &str,
        mut opts: ListOptions,
    ) -> Result<Self> {
        if resource_version.is_empty() || resource_version == "0" {
            return Err(Error::InvalidRequest(format!(
                "RetryWatcher needs a concrete resourceVersion, not {resource_version:?}: list first and watch from the list's resourceVersion"
            )));
        }
        opts.watch = true;
        opts.allow_watch_bookmarks = true;
        opts.resource_version_match = None;
        opts.send_initial_events = None;
        opts.continue_token = None;
        opts.limit = None;
        Ok(Self {
            api,
            opts,
            rv: resource_version.to_owned(),
            backoff: Backoff::watch_default(),
            current: None,
            starting: None,
            sleeping: None,
            events_in_current: 0,
            restarts: 0,
            started: false,
            done: false,
        })
    }

    /// Replaces the back-off between failed attempts.
    #[must_use]
    pub fn backoff(mut self, backoff: Backoff) -> Self {
        self.backoff = backoff;
        self
    }

    /// The last resourceVersion seen (where the next watch request starts).
    pub fn resource_version(&self) -> &str {
        &self.rv
    }

    /// How many watch requests were started after the first.
    pub fn restarts(&self) -> u64 {
        self.restarts
    }

    fn start(&mut self) {
        let api = self.api.clone();
        let mut opts = self.opts.clone();
        opts.resource_version = Some(self.rv.clone());
        if self.started {
            self.restarts += 1;
        }
        self.started = true;
        self.starting = Some(Box::pin(async move { api.watch(&opts).await }));
    }

    /// Decides what a failure means: `Some(err)` to end with it, `None` to retry.
    fn on_failure(&mut self, err: Error) -> Option<Error> {
        self.current = None;
        self.starting = None;
        if err.is_expired() || !err.is_retryable() {
            self.done = true;
            return Some(err);
        }
        let delay = self.backoff.next_delay().unwrap_or(self.backoff.cap);
        let delay = err.retry_after().map_or(delay, |ra| ra.max(delay));
        tracing::debug!(error = %err, ?delay, rv = %self.rv, "watch failed; resuming");
        self.sleeping = Some(Box::pin(tokio::time::sleep(delay)));
        None
    }

    fn note(&mut self, ev: &WatchEvent<K>) {
        let rv = match ev {
            WatchEvent::Added(o) | WatchEvent::Modified(o) | WatchEvent::Deleted(o) => {
                o.resource_version()
            }
            WatchEvent::Bookmark(b) => Some(b.metadata.resource_version.as_str()),
            WatchEvent::Error(_) => None,
        };
        if let Some(rv) = rv.filter(|rv| !rv.is_empty()) {
            rv.clone_into(&mut self.rv);
        }
        self.events_in_current += 1;
        self.backoff.reset();
    }
}

impl<K: Object> Stream for RetryWatcher<K> {
    type Item = Result<WatchEvent<K>>;

    fn poll_next(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        let this = self.get_mut();
        loop {
            if this.done {
                return Poll::Ready(None);
            }
            if let Some(sleep) = this.sleeping.as_mut() {
                if sleep.as_mut().poll(cx).is_pending() {
                    return Poll::Pending;
                }
                this.sleeping = None;
            }
            if let Some(current) = this.current.as_mut() {
                match current.as_mut().poll_next(cx) {
                    Poll::Pending => return Poll::Pending,
                    Poll::Ready(Some(Ok(ev))) => {
                        this.note(&ev);
                        return Poll::Ready(Some(Ok(ev)));
                    }
                    Poll::Ready(Some(Err(e))) if e.is_decode() => {
                        return Poll::Ready(Some(Err(e)));
                    }
                    Poll::Ready(Some(Err(e))) => {
                        if let Some(e) = this.on_failure(e) {
                            return Poll::Ready(Some(Err(e)));
                        }
                    }
                    Poll::Ready(None) => {
                        this.current = None;
                        if this.events_in_current == 0 {
                            // Closed without a single event: do not spin.
                            let delay = this.backoff.next_delay().unwrap_or(this.backoff.cap);
                            this.sleeping = Some(Box::pin(tokio::time::sleep(delay)));
                        }
                        tracing::debug!(rv = %this.rv, "watch ended; resuming");
                    }
                }
                continue;
            }
            if this.starting.is_none() {
                this.start();
            }
            if let Some(starting) = this.starting.as_mut() {
                match starting.as_mut().poll(cx) {
                    Poll::Pending => return Poll::Pending,
                    Poll::Ready(Ok(stream)) => {
                        this.starting = None;
                        this.current = Some(stream);
                        this.events_in_current = 0;
                    }
                    Poll::Ready(Err(e)) => {
                        if let Some(e) = this.on_failure(e) {
                            return Poll::Ready(Some(Err(e)));
                        }
                    }
                }
            }
        }
    }
}
