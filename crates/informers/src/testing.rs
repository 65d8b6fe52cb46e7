//! An in-memory [`ListerWatcher`] with scripted faults, for unit tests of handlers and
//! controllers that do not need a real API server (behind the `testing` feature).
//!
//! [`FakeSource`] keeps objects, a resourceVersion counter and an event history; writes notify
//! open watches; faults (410 on watch, withheld watch-list end bookmark, silent deletes) are
//! switched on through [`FakeState`]. For behaviour that matters — HTTP, real resourceVersion
//! rules, pagination — test against `kapi-testserver` instead.

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};

use crate::{ListWatchError, ListerWatcher, WatchStream};
use futures::future::BoxFuture;
use futures::StreamExt;
use kapi_apimachinery::meta::{Bookmark, BookmarkMeta, ObjectMeta, Status, WatchEvent};
use kapi_apimachinery::options::ListOptions;
use kapi_apimachinery::{DynamicObject, Object, ObjectList};
use tokio::sync::mpsc;

type Event = WatchEvent<DynamicObject>;

/// The fake source's state and fault switches.
#[derive(Default)]
pub struct FakeState {
    /// Current objects by cache key.
    pub objects: BTreeMap<String, DynamicObject>,
    /// The last resourceVersion handed out.
    pub rv: u64,
    history: Vec<(u64, Event)>,
    watchers: Vec<mpsc::UnboundedSender<Result<Event, ListWatchError>>>,
    /// Watches to answer with a 410 ERROR event before anything else.
    pub expire_next_watches: usize,
    /// Watch-list requests never get their end bookmark.
    pub withhold_end_bookmark: bool,
    /// LIST calls served.
    pub lists: usize,
    /// WATCH calls served.
    pub watches: usize,
}

/// The fake source; clones share state.
#[derive(Clone, Default)]
pub struct FakeSource(Arc<Mutex<FakeState>>);

impl std::fmt::Debug for FakeState {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("FakeState")
            .field("objects", &self.objects.len())
            .field("rv", &self.rv)
            .field("lists", &self.lists)
            .field("watches", &self.watches)
            .finish_non_exhaustive()
    }
}

impl std::fmt::Debug for FakeSource {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_tuple("FakeSource").field(&*self.state()).finish()
    }
}

/// A namespaced object with a name, a uid derived from both, and labels.
pub fn obj(ns: &str, name: &str, labels: &[(&str, &str)]) -> DynamicObject {
    DynamicObject {
        metadata: ObjectMeta {
            name: Some(name.into()),
            namespace: Some(ns.into()),
            uid: Some(kapi_apimachinery::format_compact!("uid-{ns}-{name}")),
            labels: labels
                .iter()
                .map(|(k, v)| ((*k).into(), (*v).into()))
                .collect(),
            ..ObjectMeta::default()
        },
        ..DynamicObject::default()
    }
}

impl FakeSource {
    /// Locks and returns the state (to inspect counters or switch faults).
    pub fn state(&self) -> std::sync::MutexGuard<'_, FakeState> {
        self.0.lock().unwrap()
    }

    fn emit(st: &mut FakeState, ev: Event) {
        st.watchers.retain(|w| w.send(Ok(ev.clone())).is_ok());
        st.history.push((st.rv, ev));
    }

    /// Creates or updates an object (bumping the RV) and notifies watches.
    pub fn upsert(&self, mut o: DynamicObject) {
        let mut st = self.state();
        st.rv += 1;
        o.metadata.resource_version = Some(kapi_apimachinery::ToCompactString::to_compact_string(
            &st.rv,
        ));
        let key = o.cache_key();
        let ev = if st.objects.contains_key(&key) {
            WatchEvent::Modified(o.clone())
        } else {
            WatchEvent::Added(o.clone())
        };
        st.objects.insert(key, o);
        Self::emit(&mut st, ev);
    }

    /// Deletes an object and notifies watches.
    pub fn delete(&self, key: &str) {
        let mut st = self.state();
        st.rv += 1;
        if let Some(mut o) = st.objects.remove(key) {
            o.metadata.resource_version = Some(
                kapi_apimachinery::ToCompactString::to_compact_string(&st.rv),
            );
            Self::emit(&mut st, WatchEvent::Deleted(o));
        }
    }

    /// Changes state without telling watchers (as if events were lost), and ends every watch
    /// with 410 so clients must relist.
    pub fn silent_delete_and_expire(&self, key: &str) {
        let mut st = self.state();
        st.rv += 1;
        st.objects.remove(key);
        st.history.clear();
        let gone = Status::expired("too old resource version");
        for w in st.watchers.drain(..) {
            let _ = w.send(Ok(WatchEvent::Error(gone.clone())));
        }
    }

    /// Closes every open watch cleanly.
    pub fn close_watches(&self) {
        self.state().watchers.clear();
    }
}

impl ListerWatcher<DynamicObject> for FakeSource {
    fn list(
        &self,
        _opts: ListOptions,
    ) -> BoxFuture<'_, Result<ObjectList<DynamicObject>, ListWatchError>> {
        let mut st = self.state();
        st.lists += 1;
        let mut list = ObjectList {
            items: st.objects.values().cloned().collect(),
            ..ObjectList::default()
        };
        list.metadata.resource_version = Some(st.rv.to_string());
        Box::pin(futures::future::ready(Ok(list)))
    }

    fn watch(
        &self,
        opts: ListOptions,
    ) -> BoxFuture<'_, Result<WatchStream<DynamicObject>, ListWatchError>> {
        let mut st = self.state();
        st.watches += 1;
        let (tx, rx) = mpsc::unbounded_channel();
        if st.expire_next_watches > 0 {
            st.expire_next_watches -= 1;
            let _ = tx.send(Ok(WatchEvent::Error(Status::expired(
                "too old resource version",
            ))));
            drop(tx);
        } else if opts.send_initial_events == Some(true) {
            for o in st.objects.values() {
                let _ = tx.send(Ok(WatchEvent::Added(o.clone())));
            }
            if !st.withhold_end_bookmark {
                let mut b = Bookmark {
                    metadata: BookmarkMeta {
                        resource_version: st.rv.to_string(),
                        ..BookmarkMeta::default()
                    },
                    ..Bookmark::default()
                };
                b.metadata
                    .annotations
                    .insert("k8s.io/initial-events-end".into(), "true".into());
                let _ = tx.send(Ok(WatchEvent::Bookmark(b)));
            }
            st.watchers.push(tx);
        } else {
            let from: u64 = opts
                .resource_version
                .as_deref()
                .unwrap_or("0")
                .parse()
                .unwrap_or(0);
            if st.history.first().is_some_and(|(rv, _)| *rv > from + 1) {
                let _ = tx.send(Ok(WatchEvent::Error(Status::expired(
                    "too old resource version",
                ))));
                drop(tx);
            } else {
                for (rv, ev) in &st.history {
                    if *rv > from {
                        let _ = tx.send(Ok(ev.clone()));
                    }
                }
                st.watchers.push(tx);
            }
        }
        let stream = tokio_stream_from(rx);
        Box::pin(futures::future::ready(Ok(stream)))
    }
}

fn tokio_stream_from(
    mut rx: mpsc::UnboundedReceiver<Result<Event, ListWatchError>>,
) -> WatchStream<DynamicObject> {
    futures::stream::poll_fn(move |cx| rx.poll_recv(cx)).boxed()
}
