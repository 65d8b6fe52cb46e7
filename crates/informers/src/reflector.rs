//! The reflector: keeps a [`Store`] equal to the server's state with list + watch (or a
//! watch-list), relisting and backing off like client-go.
//!
//! * First sync: `LIST` with RV `"0"` (served from the watch cache, page size ignored by the
//!   server), paged with `limit` for later relists; an expired continue token falls back to one
//!   unpaged list. In watch-list mode the first sync is a watch with `sendInitialEvents=true`
//!   whose initial events are collected until the `k8s.io/initial-events-end` bookmark, then the
//!   same stream continues live; if the bookmark does not come within
//!   [`ReflectorConfig::watch_list_timeout`] (a known upstream hang) or the request fails, the
//!   reflector falls back to list + watch for good.
//! * WATCH from the last seen resourceVersion with bookmarks and a random `timeoutSeconds` in
//!   `[min_watch_timeout, 2 × min_watch_timeout]`. A clean close re-watches; 410 Expired or a
//!   "too large resource version" relists with RV `""` at once; 429 and unreachable servers back
//!   off and re-watch; anything else backs off and relists.

use std::sync::Arc;
use std::time::Duration;

use futures::StreamExt;
use kapi_apimachinery::meta::WatchEvent;
use kapi_apimachinery::options::ListOptions;
use kapi_apimachinery::{ApiError, Object};
use tokio::sync::watch;
use tokio::time::Instant;

use crate::backoff::{Backoff, BackoffConfig};
use crate::listwatch::{ListWatchError, ListerWatcher, WatchStream};
use crate::store::{key_of, Change, Store};

/// How the reflector gets its initial state.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum SyncMode {
    /// `LIST` (paged) then `WATCH` — works with every server. The default.
    #[default]
    ListWatch,
    /// One `WATCH` with `sendInitialEvents=true` (less memory on the server and the client),
    /// falling back to list + watch when it fails or the end bookmark never comes.
    WatchList,
}

/// Reflector settings.
#[derive(Clone, Debug)]
pub struct ReflectorConfig {
    /// How the initial state is fetched.
    pub mode: SyncMode,
    /// Page size of relists (client-go: 500).
    pub page_size: i64,
    /// Lower bound of the random server-side watch timeout (client-go: 5 min; upper bound 2×).
    pub min_watch_timeout: Duration,
    /// How long a watch-list may take to deliver its end bookmark before falling back.
    pub watch_list_timeout: Duration,
    /// Back-off between failed attempts.
    pub backoff: BackoffConfig,
}

impl Default for ReflectorConfig {
    fn default() -> Self {
        Self {
            mode: SyncMode::default(),
            page_size: 500,
            min_watch_timeout: Duration::from_secs(300),
            watch_list_timeout: Duration::from_secs(60),
            backoff: BackoffConfig::default(),
        }
    }
}

/// Receives every change the reflector makes to the store, in order.
pub type ChangeSink<K> = Arc<dyn Fn(Vec<Change<K>>) + Send + Sync>;

/// Runs list/watch against a [`ListerWatcher`] and mirrors the result into a [`Store`].
pub struct Reflector<K, L> {
    lw: L,
    store: Store<K>,
    config: ReflectorConfig,
    sink: ChangeSink<K>,
    synced: watch::Sender<bool>,
    transform: Option<crate::Transform<K>>,
}

impl<K, L> std::fmt::Debug for Reflector<K, L> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Reflector")
            .field("config", &self.config)
            .finish_non_exhaustive()
    }
}

enum Next {
    /// Relist; `fresh` means with RV "" (the last RV is too old).
    Relist {
        fresh: bool,
    },
    /// Watch again from the current RV.
    Rewatch,
    Stop,
}

impl<K: Object, L: ListerWatcher<K>> Reflector<K, L> {
    /// A reflector filling `store` and reporting each change to `sink`.
    pub fn new(lw: L, store: Store<K>, config: ReflectorConfig, sink: ChangeSink<K>) -> Self {
        let (synced, _) = watch::channel(false);
        Self {
            lw,
            store,
            config,
            sink,
            synced,
            transform: None,
        }
    }

    /// Sets a transform applied to every object before it is stored (e.g. strip managedFields).
    #[must_use]
    pub fn with_transform(mut self, f: crate::Transform<K>) -> Self {
        self.transform = Some(f);
        self
    }

    /// A receiver that turns `true` once the first sync is complete.
    pub fn synced(&self) -> watch::Receiver<bool> {
        self.synced.subscribe()
    }

    fn prepare(&self, mut obj: K) -> K {
        if let Some(t) = &self.transform {
            t(&mut obj);
        }
        obj
    }

    /// Runs until `stop` turns `true` (or its sender is dropped).
    pub async fn run(self, mut stop: watch::Receiver<bool>) {
        let mut backoff = Backoff::new(self.config.backoff);
        let mut mode = self.config.mode;
        let mut fresh = false;
        'outer: loop {
            if *stop.borrow() {
                return;
            }
            // 1. Sync.
            let mut live: Option<WatchStream<K>> = None;
            if mode == SyncMode::WatchList {
                match self.watch_list(fresh, &mut stop).await {
                    Ok(Some(stream)) => live = Some(stream),
                    Ok(None) => return,
                    Err(e) => {
                        tracing::warn!(error = %e, "watch-list failed; falling back to list + watch");
                        mode = SyncMode::ListWatch;
                    }
                }
            }
            if live.is_none() {
                match self.list(fresh).await {
                    Ok(()) => {}
                    Err(e) => {
                        fresh = e.needs_fresh_relist();
                        if !fresh {
                            tracing::warn!(error = %e, "list failed; backing off");
                            if !sleep_or_stop(
                                backoff
                                    .next_delay()
                                    .max(e.retry_after().unwrap_or_default()),
                                &mut stop,
                            )
                            .await
                            {
                                return;
                            }
                        }
                        continue 'outer;
                    }
                }
            }
            // 2. Watch until something forces a relist.
            loop {
                let stream = match live.take() {
                    Some(s) => s,
                    None => match self.lw.watch(self.watch_options()).await {
                        Ok(s) => s,
                        Err(e) => match self.on_error(&e, &mut backoff, &mut stop).await {
                            Next::Relist { fresh: f } => {
                                fresh = f;
                                continue 'outer;
                            }
                            Next::Rewatch => continue,
                            Next::Stop => return,
                        },
                    },
                };
                match self.consume(stream, &mut backoff, &mut stop).await {
                    Next::Relist { fresh: f } => {
                        fresh = f;
                        continue 'outer;
                    }
                    Next::Rewatch => {}
                    Next::Stop => return,
                }
            }
        }
    }

    fn watch_options(&self) -> ListOptions {
        let spread = rand::random::<f64>();
        let secs = self.config.min_watch_timeout.as_secs_f64() * (1.0 + spread);
        let mut opts = ListOptions::default().watch_from(&self.store.resource_version());
        opts.timeout_seconds = Some((secs.round() as i64).max(1));
        opts
    }

    async fn on_error(
        &self,
        e: &ListWatchError,
        backoff: &mut Backoff,
        stop: &mut watch::Receiver<bool>,
    ) -> Next {
        if e.needs_fresh_relist() {
            return Next::Relist { fresh: true };
        }
        let delay = backoff
            .next_delay()
            .max(e.retry_after().unwrap_or_default());
        tracing::warn!(error = %e, ?delay, "watch failed; backing off");
        if !sleep_or_stop(delay, stop).await {
            return Next::Stop;
        }
        if e.is_throttle_or_unreachable() {
            Next::Rewatch
        } else {
            Next::Relist { fresh: false }
        }
    }

    /// Lists (paged) and replaces the store.
    async fn list(&self, fresh: bool) -> Result<(), ListWatchError> {
        let last = self.store.resource_version();
        let rv = if fresh {
            String::new()
        } else if last.is_empty() {
            "0".to_owned()
        } else {
            last
        };
        let mut opts = ListOptions {
            resource_version: Some(rv.clone()),
            ..ListOptions::default()
        };
        if rv != "0" {
            opts.limit = Some(self.config.page_size);
        }
        let mut replacement = self.store.begin_replace();
        let list_rv = loop {
            let listed = match &self.transform {
                Some(t) => self.lw.list_transformed(opts.clone(), Arc::clone(t)).await,
                None => self.lw.list(opts.clone()).await,
            };
            let page = match listed {
                Ok(p) => p,
                Err(ListWatchError::Api(e)) if e.is_expired() && opts.continue_token.is_some() => {
                    // The continue token expired mid-way: fall back to one full list.
                    tracing::debug!("continue token expired; listing without pages");
                    replacement = self.store.begin_replace();
                    opts = ListOptions {
                        resource_version: Some(rv.clone()),
                        ..ListOptions::default()
                    };
                    continue;
                }
                Err(e) => return Err(e),
            };
            let next = page.metadata.continue_.clone().filter(|c| !c.is_empty());
            let page_rv = page.metadata.resource_version.clone().unwrap_or_default();
            replacement.add_page(page.items); // transformed as they were decoded
            match next {
                Some(token) => {
                    opts.continue_token = Some(token);
                    opts.resource_version = None;
                }
                None => break page_rv,
            }
        };
        let changes = replacement.commit(&list_rv);
        (self.sink)(changes);
        self.synced.send_replace(true);
        Ok(())
    }

    /// Watch-list: collects the initial events, replaces the store at the end bookmark and
    /// returns the stream to continue with. `Ok(None)` when stopped.
    async fn watch_list(
        &self,
        fresh: bool,
        stop: &mut watch::Receiver<bool>,
    ) -> Result<Option<WatchStream<K>>, ListWatchError> {
        let rv = if fresh {
            String::new()
        } else {
            self.store.resource_version()
        };
        let mut opts = ListOptions::default().watch_list(&rv);
        opts.timeout_seconds = Some(self.config.min_watch_timeout.as_secs().max(1) as i64 * 2);
        let mut stream = self.lw.watch(opts).await?;
        let deadline = Instant::now() + self.config.watch_list_timeout;
        let mut items = Vec::new();
        loop {
            let event = tokio::select! {
                e = stream.next() => e,
                () = tokio::time::sleep_until(deadline) => {
                    return Err(ListWatchError::Transport("watch-list end bookmark did not arrive in time".into()));
                }
                _ = stop.changed() => return Ok(None),
            };
            match event {
                Some(Ok(WatchEvent::Added(obj) | WatchEvent::Modified(obj))) => {
                    items.push(self.prepare(obj));
                }
                Some(Ok(WatchEvent::Deleted(obj))) => {
                    let key = key_of(&obj);
                    items.retain(|o| key_of(o) != key);
                }
                Some(Ok(WatchEvent::Bookmark(b))) if b.is_initial_events_end() => {
                    let changes = self.store.replace(items, &b.metadata.resource_version);
                    (self.sink)(changes);
                    self.synced.send_replace(true);
                    return Ok(Some(stream));
                }
                Some(Ok(WatchEvent::Bookmark(_))) => {}
                Some(Ok(WatchEvent::Error(status))) => return Err(ApiError::new(status).into()),
                Some(Err(e)) => return Err(e),
                None => {
                    return Err(ListWatchError::Transport(
                        "watch-list ended before its end bookmark".into(),
                    ))
                }
            }
        }
    }

    /// Applies watch events until the stream ends or fails.
    async fn consume(
        &self,
        mut stream: WatchStream<K>,
        backoff: &mut Backoff,
        stop: &mut watch::Receiver<bool>,
    ) -> Next {
        let started = Instant::now();
        let mut events = 0usize;
        loop {
            let event = tokio::select! {
                e = stream.next() => e,
                _ = stop.changed() => return Next::Stop,
            };
            let changes = match event {
                None => {
                    // A watch that closes at once with nothing in it is a sign of trouble.
                    if events == 0 && started.elapsed() < Duration::from_secs(1) {
                        let delay = backoff.next_delay();
                        if !sleep_or_stop(delay, stop).await {
                            return Next::Stop;
                        }
                    }
                    return Next::Rewatch;
                }
                Some(Err(e)) => return self.on_error(&e, backoff, stop).await,
                Some(Ok(WatchEvent::Error(status))) => {
                    let e = ListWatchError::Api(ApiError::new(status));
                    return self.on_error(&e, backoff, stop).await;
                }
                Some(Ok(WatchEvent::Bookmark(b))) => {
                    self.store
                        .set_resource_version(&b.metadata.resource_version);
                    continue;
                }
                Some(Ok(WatchEvent::Added(obj) | WatchEvent::Modified(obj))) => {
                    let obj = self.prepare(obj);
                    let rv = obj.resource_version().unwrap_or_default().to_owned();
                    let change = self.store.apply(Arc::new(obj));
                    self.store.set_resource_version(&rv);
                    change
                }
                Some(Ok(WatchEvent::Deleted(obj))) => {
                    let obj = self.prepare(obj);
                    let rv = obj.resource_version().unwrap_or_default().to_owned();
                    let key = key_of(&obj);
                    let change = self.store.remove(&key, Some(Arc::new(obj)));
                    self.store.set_resource_version(&rv);
                    change
                }
            };
            events += 1;
            if let Some(c) = changes {
                (self.sink)(vec![c]);
            }
        }
    }
}

/// Sleeps unless stopped first; `false` when stopped.
async fn sleep_or_stop(d: Duration, stop: &mut watch::Receiver<bool>) -> bool {
    tokio::select! {
        () = tokio::time::sleep(d) => !*stop.borrow(),
        r = stop.changed() => r.is_ok() && !*stop.borrow(),
    }
}
