//! [`SharedIndexInformer`]: one reflector feeding one store and any number of handlers.

mod handler;

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use kapi_apimachinery::Object;
use tokio::sync::watch;
use tokio::task::JoinHandle;

use handler::HandlerQueue;
pub use handler::{DeleteKind, ResourceEventHandler};

use crate::lister::Lister;
use crate::listwatch::ListerWatcher;
use crate::reflector::{ChangeSink, Reflector, ReflectorConfig};
use crate::store::{Change, IndexFn, Store};

/// A transform applied to every object before it is stored.
pub type Transform<K> = Arc<dyn Fn(&mut K) + Send + Sync>;

/// Informer settings.
#[derive(Clone, Default)]
pub struct InformerConfig<K> {
    /// Reflector settings (sync mode, paging, timeouts, back-off).
    pub reflector: ReflectorConfig,
    /// Applied to each object before it is stored (see [`crate::strip_managed_fields`]).
    pub transform: Option<Transform<K>>,
    /// Resync period for handlers added without their own (`None`: never).
    pub default_resync: Option<Duration>,
}

impl<K> std::fmt::Debug for InformerConfig<K> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("InformerConfig")
            .field("reflector", &self.reflector)
            .field("transform", &self.transform.is_some())
            .field("default_resync", &self.default_resync)
            .finish()
    }
}

/// The smallest resync period accepted (shorter ones are raised to it, like client-go).
pub const MIN_RESYNC: Duration = Duration::from_secs(1);

type StartFn = Box<dyn FnOnce(watch::Receiver<bool>) -> JoinHandle<()> + Send>;

struct Registered<K> {
    id: u64,
    queue: Arc<HandlerQueue<K>>,
    tasks: Vec<JoinHandle<()>>,
}

struct Inner<K> {
    store: Store<K>,
    handlers: Mutex<Vec<Registered<K>>>,
    next_id: Mutex<u64>,
    synced: watch::Receiver<bool>,
    stop_tx: watch::Sender<bool>,
    started: AtomicBool,
    default_resync: Option<Duration>,
    reflector: Mutex<Option<StartFn>>,
}

/// A cache of one resource type kept in sync with the server, shared by any number of
/// handlers. Cloning gives another handle to the same informer.
pub struct SharedIndexInformer<K> {
    inner: Arc<Inner<K>>,
}

impl<K> Clone for SharedIndexInformer<K> {
    fn clone(&self) -> Self {
        Self {
            inner: Arc::clone(&self.inner),
        }
    }
}

impl<K> std::fmt::Debug for SharedIndexInformer<K> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SharedIndexInformer")
            .field("synced", &*self.inner.synced.borrow())
            .field("started", &self.inner.started.load(Ordering::Relaxed))
            .finish_non_exhaustive()
    }
}

/// A handler's registration: its lag, its sync state, and how to remove it.
#[derive(Debug, Clone)]
pub struct HandlerRegistration {
    id: u64,
}

impl<K: Object> SharedIndexInformer<K> {
    /// An informer over `lw`. Nothing runs until [`SharedIndexInformer::start`].
    #[allow(clippy::needless_pass_by_value)] // the config is taken like a builder's output
    pub fn new<L: ListerWatcher<K>>(lw: L, config: InformerConfig<K>) -> Self {
        let store = Store::new();
        let (stop_tx, _) = watch::channel(false);
        let inner = Arc::new_cyclic(|weak: &std::sync::Weak<Inner<K>>| {
            let weak = weak.clone();
            let sink: ChangeSink<K> = Arc::new(move |changes: Vec<Change<K>>| {
                if let Some(inner) = weak.upgrade() {
                    dispatch(&inner, &changes);
                }
            });
            let mut reflector = Reflector::new(lw, store.clone(), config.reflector.clone(), sink);
            if let Some(t) = config.transform.clone() {
                reflector = reflector.with_transform(t);
            }
            let synced = reflector.synced();
            let start = move |stop: watch::Receiver<bool>| -> JoinHandle<()> {
                tokio::spawn(reflector.run(stop))
            };
            Inner {
                store: store.clone(),
                handlers: Mutex::new(Vec::new()),
                next_id: Mutex::new(0),
                synced,
                stop_tx,
                started: AtomicBool::new(false),
                default_resync: config.default_resync,
                reflector: Mutex::new(Some(Box::new(start))),
            }
        });
        Self { inner }
    }

    /// The informer's store (the indexer): read-only use is expected.
    pub fn store(&self) -> &Store<K> {
        &self.inner.store
    }

    /// A lister over the cache.
    pub fn lister(&self) -> Lister<K> {
        Lister::new(self.inner.store.clone())
    }

    /// Adds a named index (before or after start). The function returns the object's index
    /// values as any collection of strings: a `Vec<String>`, or an `Option` of a label's value
    /// (`|o| o.metadata.labels.get("app").cloned()`).
    pub fn add_index<F, I>(&self, name: &str, index: F)
    where
        F: Fn(&K) -> I + Send + Sync + 'static,
        I: IntoIterator,
        I::Item: Into<String>,
    {
        let f: IndexFn<K> = Arc::new(move |obj| index(obj).into_iter().map(Into::into).collect());
        self.inner.store.add_index(name, f);
    }

    /// Starts the reflector (once; later calls do nothing). Needs a tokio runtime.
    pub fn start(&self) {
        if self.inner.started.swap(true, Ordering::AcqRel) {
            return;
        }
        let start = self
            .inner
            .reflector
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .take();
        let Some(start) = start else { return };
        // The task runs until the stop signal; it is not joined.
        drop(start(self.inner.stop_tx.subscribe()));
    }

    /// Stops the reflector and every handler.
    pub fn stop(&self) {
        self.inner.stop_tx.send_replace(true);
        let handlers = std::mem::take(
            &mut *self
                .inner
                .handlers
                .lock()
                .unwrap_or_else(std::sync::PoisonError::into_inner),
        );
        for h in handlers {
            h.queue.stop();
            for t in h.tasks {
                t.abort();
            }
        }
    }

    /// `true` once the first list (or watch-list) has been stored.
    pub fn has_synced(&self) -> bool {
        *self.inner.synced.borrow()
    }

    /// Waits until [`SharedIndexInformer::has_synced`].
    pub async fn wait_for_sync(&self) {
        let mut rx = self.inner.synced.clone();
        let _ = rx.wait_for(|s| *s).await;
    }

    /// Adds a handler. If the informer already holds objects, the handler first gets them as
    /// adds flagged `initial`. `resync` (at least [`MIN_RESYNC`]) re-delivers every object as an
    /// update with `old == new` periodically; `None` uses the informer's default.
    pub fn add_event_handler(
        &self,
        handler: impl ResourceEventHandler<K>,
        resync: Option<Duration>,
    ) -> HandlerRegistration {
        let queue = Arc::new(HandlerQueue::new());
        let id = {
            let mut n = self
                .inner
                .next_id
                .lock()
                .unwrap_or_else(std::sync::PoisonError::into_inner);
            *n += 1;
            *n
        };
        let mut handlers = self
            .inner
            .handlers
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        // Under the handlers lock no change can be dispatched, so the snapshot and the live
        // changes after it line up exactly.
        for key in self.inner.store.keys() {
            queue.push(&key, true, false, None);
        }
        let handler: Arc<dyn ResourceEventHandler<K>> = Arc::new(handler);
        let mut tasks = vec![tokio::spawn(
            Arc::clone(&queue).run(self.inner.store.clone(), handler),
        )];
        if let Some(period) = resync.or(self.inner.default_resync) {
            tasks.push(tokio::spawn(resync_loop(
                Arc::downgrade(&self.inner),
                Arc::downgrade(&queue),
                period.max(MIN_RESYNC),
            )));
        }
        handlers.push(Registered { id, queue, tasks });
        HandlerRegistration { id }
    }

    /// Removes a handler; it gets no more calls.
    pub fn remove_event_handler(&self, reg: &HandlerRegistration) {
        let mut handlers = self
            .inner
            .handlers
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        if let Some(pos) = handlers.iter().position(|h| h.id == reg.id) {
            let h = handlers.remove(pos);
            h.queue.stop();
            for t in h.tasks {
                t.abort();
            }
        }
    }

    /// Keys waiting for this handler (its lag).
    pub fn handler_lag(&self, reg: &HandlerRegistration) -> Option<usize> {
        self.with_queue(reg, HandlerQueue::lag)
    }

    /// Callbacks made to this handler so far.
    pub fn handler_delivered(&self, reg: &HandlerRegistration) -> Option<usize> {
        self.with_queue(reg, HandlerQueue::delivered)
    }

    /// `true` once the informer has synced and this handler has received every initial object.
    pub fn handler_has_synced(&self, reg: &HandlerRegistration) -> bool {
        self.has_synced()
            && self
                .with_queue(reg, HandlerQueue::initial_done)
                .unwrap_or(false)
    }

    fn with_queue<T>(
        &self,
        reg: &HandlerRegistration,
        f: impl FnOnce(&HandlerQueue<K>) -> T,
    ) -> Option<T> {
        let handlers = self
            .inner
            .handlers
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        handlers
            .iter()
            .find(|h| h.id == reg.id)
            .map(|h| f(&h.queue))
    }
}

fn dispatch<K: Object>(inner: &Inner<K>, changes: &[Change<K>]) {
    let initial = !*inner.synced.borrow();
    let handlers = inner
        .handlers
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner);
    for change in changes {
        let key = change.key();
        let final_state = match change {
            Change::Deleted {
                last,
                unknown_final_state,
            } => Some((
                Arc::clone(last),
                if *unknown_final_state {
                    DeleteKind::FinalStateUnknown
                } else {
                    DeleteKind::Observed
                },
            )),
            _ => None,
        };
        for h in handlers.iter() {
            h.queue.push(&key, initial, false, final_state.clone());
        }
    }
}

async fn resync_loop<K: Object>(
    inner: std::sync::Weak<Inner<K>>,
    queue: std::sync::Weak<HandlerQueue<K>>,
    period: Duration,
) {
    let mut tick = tokio::time::interval_at(tokio::time::Instant::now() + period, period);
    loop {
        tick.tick().await;
        let (Some(inner), Some(queue)) = (inner.upgrade(), queue.upgrade()) else {
            return;
        };
        if !*inner.synced.borrow() {
            continue;
        }
        let _guard = inner
            .handlers
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        for key in inner.store.keys() {
            queue.push(&key, false, true, None);
        }
    }
}
