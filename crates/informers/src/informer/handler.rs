//! Per-handler delivery: a bounded, de-duplicating queue of keys per handler.
//!
//! The informer never buffers events per handler. It marks keys as pending; the handler's own
//! task pops keys in FIFO order and compares what the handler last saw (its *view*) with the
//! store's current object to decide what to deliver. A fast handler sees every change as it
//! happens; a slow one sees several changes of one object merged into one update — never out
//! of order, never missing the final state — and its memory stays bounded by the number of
//! objects, however far behind it is.

use std::collections::{HashMap, VecDeque};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};

use kapi_apimachinery::Object;
use tokio::sync::Notify;

use crate::store::Store;

/// How a delete was observed.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum DeleteKind {
    /// A DELETED watch event carried the object's final state.
    Observed,
    /// The object vanished in a relist (its DELETED event was missed): the object passed is the
    /// last state this handler saw, which may be stale (client-go's tombstone).
    FinalStateUnknown,
}

/// Callbacks for changes to objects in an informer's cache. Calls for one handler are made from
/// one tokio task, in order. Keep them short and non-blocking (enqueue work, do not do it): a
/// handler that blocks holds a runtime worker thread, although it never delays other handlers'
/// queues.
pub trait ResourceEventHandler<K>: Send + Sync + 'static {
    /// An object appeared. `initial` is true for objects delivered as part of the informer's
    /// first sync, or of the catch-up a handler gets when added late.
    fn on_add(&self, obj: &Arc<K>, initial: bool);
    /// An object changed (on resync, `old` and `new` are the same object).
    fn on_update(&self, old: &Arc<K>, new: &Arc<K>);
    /// An object was deleted.
    fn on_delete(&self, obj: &Arc<K>, kind: DeleteKind);
}

struct Pending<K> {
    initial: bool,
    resync: bool,
    final_state: Option<(Arc<K>, DeleteKind)>,
}

impl<K> Default for Pending<K> {
    fn default() -> Self {
        Self {
            initial: false,
            resync: false,
            final_state: None,
        }
    }
}

struct State<K> {
    order: VecDeque<Arc<str>>,
    pending: HashMap<Arc<str>, Pending<K>>,
    view: HashMap<Arc<str>, Arc<K>>,
    stopped: bool,
}

/// The delivery queue of one handler.
pub(crate) struct HandlerQueue<K> {
    state: Mutex<State<K>>,
    notify: Notify,
    outstanding_initial: AtomicUsize,
    delivered: AtomicUsize,
}

/// What to call after a key was popped.
enum Delivery<K> {
    Add(Arc<K>, bool),
    Update(Arc<K>, Arc<K>),
    Delete(Arc<K>, DeleteKind),
    Replace {
        old: Arc<K>,
        new: Arc<K>,
        initial: bool,
    },
}

impl<K: Object> HandlerQueue<K> {
    pub(crate) fn new() -> Self {
        Self {
            state: Mutex::new(State {
                order: VecDeque::new(),
                pending: HashMap::new(),
                view: HashMap::new(),
                stopped: false,
            }),
            notify: Notify::new(),
            outstanding_initial: AtomicUsize::new(0),
            delivered: AtomicUsize::new(0),
        }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, State<K>> {
        self.state
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    /// Marks a key pending.
    pub(crate) fn push(
        &self,
        key: &str,
        initial: bool,
        resync: bool,
        final_state: Option<(Arc<K>, DeleteKind)>,
    ) {
        let mut st = self.lock();
        let key: Arc<str> = match st.pending.get_key_value(key) {
            Some((k, _)) => Arc::clone(k),
            None => {
                let k: Arc<str> = Arc::from(key);
                st.order.push_back(Arc::clone(&k));
                k
            }
        };
        let entry = st.pending.entry(key).or_default();
        if initial && !entry.initial {
            entry.initial = true;
            self.outstanding_initial.fetch_add(1, Ordering::AcqRel);
        }
        entry.resync |= resync;
        if final_state.is_some() {
            entry.final_state = final_state;
        }
        drop(st);
        self.notify.notify_one();
    }

    /// Number of keys waiting for this handler.
    pub(crate) fn lag(&self) -> usize {
        self.lock().order.len()
    }

    /// `true` once every initial item has been delivered.
    pub(crate) fn initial_done(&self) -> bool {
        self.outstanding_initial.load(Ordering::Acquire) == 0
    }

    /// Number of callbacks made so far.
    pub(crate) fn delivered(&self) -> usize {
        self.delivered.load(Ordering::Relaxed)
    }

    pub(crate) fn stop(&self) {
        self.lock().stopped = true;
        self.notify.notify_one();
    }

    fn next(&self, store: &Store<K>) -> Option<Option<Delivery<K>>> {
        let mut st = self.lock();
        if st.stopped {
            return None;
        }
        let key = st.order.pop_front()?;
        let pending = st.pending.remove(&key).unwrap_or_default();
        if pending.initial {
            self.outstanding_initial.fetch_sub(1, Ordering::AcqRel);
        }
        let current = store.get(&key);
        let seen = st.view.get(&key).cloned();
        let delivery = match (seen, current) {
            (None, Some(cur)) => {
                st.view.insert(key, Arc::clone(&cur));
                Some(Delivery::Add(cur, pending.initial))
            }
            (Some(old), Some(cur)) if old.uid() != cur.uid() => {
                st.view.insert(key, Arc::clone(&cur));
                Some(Delivery::Replace {
                    old,
                    new: cur,
                    initial: pending.initial,
                })
            }
            (Some(old), Some(cur)) if !Arc::ptr_eq(&old, &cur) || pending.resync => {
                st.view.insert(key, Arc::clone(&cur));
                Some(Delivery::Update(old, cur))
            }
            (Some(_), Some(_)) | (None, None) => None,
            (Some(old), None) => {
                st.view.remove(&key);
                let (obj, kind) = pending
                    .final_state
                    .unwrap_or((old, DeleteKind::FinalStateUnknown));
                Some(Delivery::Delete(obj, kind))
            }
        };
        Some(delivery)
    }

    /// The handler's loop: runs until stopped.
    pub(crate) async fn run(
        self: Arc<Self>,
        store: Store<K>,
        handler: Arc<dyn ResourceEventHandler<K>>,
    ) {
        loop {
            let notified = self.notify.notified();
            match self.next(&store) {
                None if self.lock().stopped => return,
                None => notified.await,
                Some(None) => {}
                Some(Some(d)) => {
                    self.delivered.fetch_add(1, Ordering::Relaxed);
                    match d {
                        Delivery::Add(o, initial) => handler.on_add(&o, initial),
                        Delivery::Update(old, new) => handler.on_update(&old, &new),
                        Delivery::Delete(o, kind) => handler.on_delete(&o, kind),
                        Delivery::Replace { old, new, initial } => {
                            handler.on_delete(&old, DeleteKind::FinalStateUnknown);
                            handler.on_add(&new, initial);
                        }
                    }
                }
            }
        }
    }
}
