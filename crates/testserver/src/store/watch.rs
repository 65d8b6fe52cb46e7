//! Watchers: registration with an atomic replay, and non-blocking delivery.
//!
//! Each watcher owns a bounded channel. Writers `try_send` into it while holding the store
//! lock and never wait: a watcher whose buffer is full is dropped from the list and flagged
//! `lagged`, and its stream ends with a 410 ERROR event once it has drained what it got.

use std::collections::{BTreeMap, HashMap};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;

use tokio::sync::mpsc;

use super::history::{Event, EventKind, History};
use super::{Filter, StoredObject, TooOld};
use crate::registry::ResourceDef;

/// What a watch stream receives.
#[derive(Debug, Clone)]
pub(crate) enum WatchMsg {
    /// A change: its type, the object, and a revision to stamp on it instead of its own
    /// (for objects that left the selection: old content, new revision).
    Event(EventKind, Arc<StoredObject>, Option<u64>),
    /// A periodic bookmark at this revision.
    Bookmark(u64),
    /// The end of the initial events of a watch-list, at this revision.
    InitialEventsEnd(u64),
}

/// Where a watch starts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum WatchStart {
    /// Synthetic ADDED events for the current state, then changes (RV unset or `0`).
    Current,
    /// Current state, then the initial-events-end bookmark, then changes (watch-list).
    InitialEvents,
    /// Only changes after this revision (may be in the future).
    After(u64),
}

/// A registered watch.
#[derive(Debug)]
pub(crate) struct WatchHandle {
    /// Its id, for bookmarks.
    pub(crate) id: u64,
    /// Events to send before the live ones.
    pub(crate) initial: Vec<WatchMsg>,
    /// Live events.
    pub(crate) rx: mpsc::Receiver<WatchMsg>,
    /// Set when the watcher fell behind and was dropped.
    pub(crate) lagged: Arc<AtomicBool>,
}

#[derive(Debug)]
struct Watcher {
    id: u64,
    filter: Filter,
    min_rv: u64,
    tx: mpsc::Sender<WatchMsg>,
    lagged: Arc<AtomicBool>,
}

/// Every watcher, by resource store key.
#[derive(Debug, Default)]
pub(crate) struct Watchers {
    by_resource: HashMap<Arc<str>, Vec<Watcher>>,
    next_id: u64,
}

/// The message one watcher gets for one event, if any (rule 2.13).
fn message_for(filter: &Filter, ev: &Event) -> Option<WatchMsg> {
    let new_m = filter.matches(&ev.new);
    let old_m = ev.old.as_deref().is_some_and(|o| filter.matches(o));
    match ev.kind {
        EventKind::Added => {
            new_m.then(|| WatchMsg::Event(EventKind::Added, Arc::clone(&ev.new), None))
        }
        EventKind::Deleted => {
            (old_m || new_m).then(|| WatchMsg::Event(EventKind::Deleted, Arc::clone(&ev.new), None))
        }
        EventKind::Modified => match (old_m, new_m) {
            (true, true) => Some(WatchMsg::Event(
                EventKind::Modified,
                Arc::clone(&ev.new),
                None,
            )),
            (false, true) => Some(WatchMsg::Event(EventKind::Added, Arc::clone(&ev.new), None)),
            (true, false) => ev
                .old
                .as_ref()
                .map(|o| WatchMsg::Event(EventKind::Deleted, Arc::clone(o), Some(ev.rv))),
            (false, false) => None,
        },
    }
}

impl Watchers {
    /// Sends `ev` to every interested watcher without waiting; drops closed and lagging ones.
    pub(crate) fn deliver(&mut self, ev: &Event) {
        let Some(list) = self.by_resource.get_mut(&ev.resource) else {
            return;
        };
        list.retain(|w| {
            if ev.rv <= w.min_rv {
                return true;
            }
            let Some(msg) = message_for(&w.filter, ev) else {
                return true;
            };
            match w.tx.try_send(msg) {
                Ok(()) => true,
                Err(mpsc::error::TrySendError::Full(_)) => {
                    w.lagged.store(true, Ordering::Release);
                    false
                }
                Err(mpsc::error::TrySendError::Closed(_)) => false,
            }
        });
    }

    /// Queues a bookmark for watcher `id`; `false` when it is gone.
    pub(crate) fn bookmark(&self, resource: &str, id: u64, rv: u64) -> bool {
        let Some(w) = self
            .by_resource
            .get(resource)
            .and_then(|l| l.iter().find(|w| w.id == id))
        else {
            return false;
        };
        if rv < w.min_rv {
            // Still waiting for the future resourceVersion it asked for: nothing to report.
            return true;
        }
        !matches!(
            w.tx.try_send(WatchMsg::Bookmark(rv)),
            Err(mpsc::error::TrySendError::Closed(_))
        )
    }
}

/// Registers a watcher and computes its replay, all under the caller's store lock.
#[allow(clippy::too_many_arguments)]
pub(super) fn register(
    watchers: &mut Watchers,
    history: &History,
    objects: Option<&BTreeMap<String, Arc<StoredObject>>>,
    current: u64,
    def: &ResourceDef,
    filter: Filter,
    start: WatchStart,
    buffer: usize,
) -> Result<WatchHandle, TooOld> {
    let mut initial = Vec::new();
    let min_rv = match start {
        WatchStart::After(rv) => {
            if rv < history.compacted() {
                return Err(TooOld {
                    oldest: history.compacted(),
                });
            }
            for ev in history.since(rv) {
                if ev.resource == def.storage_key {
                    initial.extend(message_for(&filter, ev));
                }
            }
            rv.max(current)
        }
        WatchStart::Current | WatchStart::InitialEvents => {
            if let Some(map) = objects {
                initial.extend(
                    map.values()
                        .filter(|o| filter.matches(o))
                        .map(|o| WatchMsg::Event(EventKind::Added, Arc::clone(o), None)),
                );
            }
            if start == WatchStart::InitialEvents {
                initial.push(WatchMsg::InitialEventsEnd(current));
            }
            current
        }
    };
    let (tx, rx) = mpsc::channel(buffer);
    let lagged = Arc::new(AtomicBool::new(false));
    let id = watchers.next_id;
    watchers.next_id += 1;
    watchers
        .by_resource
        .entry(Arc::clone(&def.storage_key))
        .or_default()
        .push(Watcher {
            id,
            filter,
            min_rv,
            tx,
            lagged: Arc::clone(&lagged),
        });
    Ok(WatchHandle {
        id,
        initial,
        rx,
        lagged,
    })
}
