//! An event recorder for `events.k8s.io/v1` with client-go's protections: a per-object spam
//! filter (burst 25, then one per 5 minutes), aggregation of similar events (10 within
//! 10 minutes are combined into one), series updates instead of new events for repeats, and a
//! bounded queue so publishing never blocks or grows memory without limit.

mod correlator;

use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};

use futures::future::BoxFuture;
use kapi_api::core::v1::ObjectReference;
use kapi_api::events::v1::{Event, EventSeries};
use kapi_apimachinery::meta::ObjectMeta;
use kapi_apimachinery::{MicroTime, Resource};
use tokio::sync::mpsc;

use correlator::{Correlator, Decision};

/// Events waiting to be written beyond this are dropped (and counted).
pub const QUEUE_CAPACITY: usize = 1000;

/// `Normal` or `Warning`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum EventType {
    /// Routine progress.
    Normal,
    /// Something may need attention.
    Warning,
}

impl EventType {
    fn as_str(self) -> &'static str {
        match self {
            Self::Normal => "Normal",
            Self::Warning => "Warning",
        }
    }
}

/// An error from writing an event.
#[derive(Debug, thiserror::Error)]
#[error("event sink error: {0}")]
pub struct EventSinkError(pub Box<dyn std::error::Error + Send + Sync>);

/// Where events are written: the client crate implements it over the events API.
pub trait EventSink: Send + Sync + 'static {
    /// Creates an event.
    fn create(&self, event: Event) -> BoxFuture<'_, Result<(), EventSinkError>>;
    /// Updates the series of an existing event.
    fn update_series(
        &self,
        namespace: String,
        name: String,
        series: EventSeries,
    ) -> BoxFuture<'_, Result<(), EventSinkError>>;
}

/// An [`EventSink`] that keeps events in memory (for tests).
#[derive(Clone, Debug, Default)]
pub struct MemoryEventSink {
    events: Arc<Mutex<Vec<Event>>>,
}

impl MemoryEventSink {
    /// The events written so far, with their current series.
    pub fn events(&self) -> Vec<Event> {
        self.events
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .clone()
    }
}

impl EventSink for MemoryEventSink {
    fn create(&self, event: Event) -> BoxFuture<'_, Result<(), EventSinkError>> {
        self.events
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .push(event);
        Box::pin(async { Ok(()) })
    }
    fn update_series(
        &self,
        namespace: String,
        name: String,
        series: EventSeries,
    ) -> BoxFuture<'_, Result<(), EventSinkError>> {
        let mut events = self
            .events
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        let found = events.iter_mut().find(|e| {
            e.metadata.name.as_deref() == Some(&name)
                && e.metadata.namespace.as_deref() == Some(&namespace)
        });
        let result = match found {
            Some(e) => {
                e.series = Some(series);
                Ok(())
            }
            None => Err(EventSinkError(
                format!("event {namespace}/{name} not found").into(),
            )),
        };
        Box::pin(async move { result })
    }
}

enum Write {
    Create(Box<Event>, String),
    Repeat(String, i32),
}

/// Records events about objects. Cloning shares the recorder.
#[derive(Clone)]
pub struct EventRecorder {
    controller: String,
    instance: String,
    correlator: Arc<Mutex<Correlator>>,
    tx: mpsc::Sender<Write>,
    dropped: Arc<AtomicU64>,
}

impl std::fmt::Debug for EventRecorder {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("EventRecorder")
            .field("controller", &self.controller)
            .field("instance", &self.instance)
            .finish_non_exhaustive()
    }
}

/// A reference to an object for [`EventRecorder::publish`].
pub fn object_reference<K: Resource>(obj: &K) -> ObjectReference {
    let meta = obj.metadata();
    ObjectReference {
        api_version: Some(K::API_VERSION.into()),
        kind: Some(K::INFO.kind.into()),
        name: meta.name.clone(),
        namespace: meta.namespace.clone(),
        uid: meta.uid.clone(),
        resource_version: meta.resource_version.clone(),
        field_path: None,
    }
}

impl EventRecorder {
    /// A recorder writing through `sink` as `reporting_controller` / `reporting_instance`. Spawns
    /// its writer task (needs a tokio runtime).
    pub fn new(sink: impl EventSink, reporting_controller: &str, reporting_instance: &str) -> Self {
        let (tx, rx) = mpsc::channel(QUEUE_CAPACITY);
        tokio::spawn(writer(Arc::new(sink), rx));
        Self {
            controller: reporting_controller.to_owned(),
            instance: reporting_instance.to_owned(),
            correlator: Arc::new(Mutex::new(Correlator::new())),
            tx,
            dropped: Arc::default(),
        }
    }

    /// Events dropped because the queue was full.
    pub fn dropped(&self) -> u64 {
        self.dropped.load(Ordering::Relaxed)
    }

    /// Records an event about `regarding` (never blocks; see the module docs for filtering).
    pub fn publish(
        &self,
        regarding: &ObjectReference,
        type_: EventType,
        reason: &str,
        action: &str,
        note: &str,
    ) {
        let object = format!(
            "{}/{}/{}/{}",
            regarding.kind.as_deref().unwrap_or(""),
            regarding.namespace.as_deref().unwrap_or(""),
            regarding.name.as_deref().unwrap_or(""),
            regarding.uid.as_deref().unwrap_or("")
        );
        let aggregate = format!("{object}|{}|{reason}|{action}", type_.as_str());
        let decision = self
            .correlator
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .observe(&object, &aggregate, note);
        let write = match decision {
            Decision::Drop => return,
            Decision::Repeat { series_key, count } => Write::Repeat(series_key, count),
            Decision::Create { note, series_key } => {
                let now = MicroTime::now();
                let namespace = regarding
                    .namespace
                    .clone()
                    .filter(|n| !n.is_empty())
                    .unwrap_or_else(|| "default".into());
                let name = format!(
                    "{}.{:x}",
                    regarding.name.as_deref().unwrap_or("object"),
                    now.0.as_nanosecond()
                );
                let event = Event {
                    metadata: ObjectMeta {
                        name: Some(name.into()),
                        namespace: Some(namespace),
                        ..ObjectMeta::default()
                    },
                    event_time: Some(now),
                    reporting_controller: Some(self.controller.clone().into()),
                    reporting_instance: Some(self.instance.clone().into()),
                    action: Some(action.into()),
                    reason: Some(reason.into()),
                    regarding: Some(regarding.clone()),
                    note: Some(note.into()),
                    type_: Some(type_.as_str().into()),
                    ..Event::default()
                };
                Write::Create(Box::new(event), series_key)
            }
        };
        if self.tx.try_send(write).is_err() {
            self.dropped.fetch_add(1, Ordering::Relaxed);
        }
    }

    /// Records an event about a typed object.
    pub fn publish_for<K: Resource>(
        &self,
        obj: &K,
        type_: EventType,
        reason: &str,
        action: &str,
        note: &str,
    ) {
        self.publish(&object_reference(obj), type_, reason, action, note);
    }
}

async fn writer(sink: Arc<dyn EventSink>, mut rx: mpsc::Receiver<Write>) {
    // series key → (namespace, name) of the event that carries it
    let mut written: HashMap<String, (String, String)> = HashMap::new();
    while let Some(w) = rx.recv().await {
        match w {
            Write::Create(event, key) => {
                let ns = event.metadata.namespace.clone().unwrap_or_default();
                let name = event.metadata.name.clone().unwrap_or_default();
                match sink.create(*event).await {
                    Ok(()) => {
                        if written.len() > 4096 {
                            written.clear();
                        }
                        written.insert(key, (ns.into(), name.into()));
                    }
                    Err(e) => tracing::warn!(error = %e, "could not write event"),
                }
            }
            Write::Repeat(key, count) => {
                let Some((ns, name)) = written.get(&key).cloned() else {
                    continue;
                };
                let series = EventSeries {
                    count,
                    last_observed_time: Some(MicroTime::now()),
                };
                if let Err(e) = sink.update_series(ns, name, series).await {
                    tracing::warn!(error = %e, "could not update event series");
                }
            }
        }
    }
}
