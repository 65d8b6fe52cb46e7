//! Watch events, typed ([`WatchEvent`]) and raw ([`RawWatchEvent`]).
//!
//! A watch stream is newline-delimited JSON; each line is `{"type":T,"object":{...}}` with
//! `T` one of `ADDED`, `MODIFIED`, `DELETED`, `BOOKMARK`, `ERROR`.

use std::collections::BTreeMap;

use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};
use serde_json::value::RawValue;

use super::Status;
use crate::serde_util::null_default;

/// Annotation on the bookmark that ends the initial events of a watch-list.
pub const INITIAL_EVENTS_END_ANNOTATION: &str = "k8s.io/initial-events-end";

/// The `type` of a watch event.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "UPPERCASE")]
pub enum EventType {
    /// An object was added (or matched the selector for the first time).
    Added,
    /// An object changed.
    Modified,
    /// An object was deleted (or stopped matching the selector).
    Deleted,
    /// A progress marker carrying only a resourceVersion.
    Bookmark,
    /// The watch failed; the object is a [`Status`].
    Error,
}

impl EventType {
    /// The wire name, e.g. `ADDED`.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Added => "ADDED",
            Self::Modified => "MODIFIED",
            Self::Deleted => "DELETED",
            Self::Bookmark => "BOOKMARK",
            Self::Error => "ERROR",
        }
    }
}

/// A watch event whose object is still undecoded JSON (`metav1.WatchEvent`).
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct RawWatchEvent {
    /// `type`.
    #[serde(rename = "type")]
    pub type_: EventType,
    /// `object`, verbatim.
    pub object: Box<RawValue>,
}

/// Decodes one watch event line with a typed object.
///
/// # Errors
/// When the line is not a watch event or its object does not decode as `K` (or as a bookmark or
/// Status, for those event types).
pub fn decode_event<K: DeserializeOwned>(line: &[u8]) -> Result<WatchEvent<K>, serde_json::Error> {
    let raw: RawWatchEvent = serde_json::from_slice(line)?;
    raw.decode()
}

impl RawWatchEvent {
    /// Decodes the object according to the event type.
    ///
    /// # Errors
    /// When the object does not decode as the expected type.
    pub fn decode<K: DeserializeOwned>(&self) -> Result<WatchEvent<K>, serde_json::Error> {
        let json = self.object.get();
        Ok(match self.type_ {
            EventType::Added => WatchEvent::Added(serde_json::from_str(json)?),
            EventType::Modified => WatchEvent::Modified(serde_json::from_str(json)?),
            EventType::Deleted => WatchEvent::Deleted(serde_json::from_str(json)?),
            EventType::Bookmark => WatchEvent::Bookmark(serde_json::from_str(json)?),
            EventType::Error => WatchEvent::Error(serde_json::from_str(json)?),
        })
    }
}

/// A decoded watch event.
// Events are moved once from the decoder to the consumer; boxing would cost an allocation each.
#[allow(clippy::large_enum_variant)]
#[derive(Clone, Debug, PartialEq)]
pub enum WatchEvent<K> {
    /// `ADDED`.
    Added(K),
    /// `MODIFIED`.
    Modified(K),
    /// `DELETED`: the last state of the object.
    Deleted(K),
    /// `BOOKMARK`: only a resourceVersion (and maybe the initial-events-end annotation).
    Bookmark(Bookmark),
    /// `ERROR`: the watch failed, e.g. 410 Expired.
    Error(Status),
}

impl<K> WatchEvent<K> {
    /// The event type.
    pub fn event_type(&self) -> EventType {
        match self {
            Self::Added(_) => EventType::Added,
            Self::Modified(_) => EventType::Modified,
            Self::Deleted(_) => EventType::Deleted,
            Self::Bookmark(_) => EventType::Bookmark,
            Self::Error(_) => EventType::Error,
        }
    }
}

impl<K: Serialize> Serialize for WatchEvent<K> {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeStruct;
        let mut s = serializer.serialize_struct("WatchEvent", 2)?;
        s.serialize_field("type", self.event_type().as_str())?;
        match self {
            Self::Added(o) | Self::Modified(o) | Self::Deleted(o) => {
                s.serialize_field("object", o)?;
            }
            Self::Bookmark(b) => s.serialize_field("object", b)?,
            Self::Error(st) => s.serialize_field("object", st)?,
        }
        s.end()
    }
}

/// The object of a `BOOKMARK` event.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Bookmark {
    /// `kind` of the watched type.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub kind: String,
    /// `apiVersion` of the watched type.
    #[serde(
        default,
        rename = "apiVersion",
        skip_serializing_if = "String::is_empty"
    )]
    pub api_version: String,
    /// `metadata`: the resourceVersion and maybe annotations.
    pub metadata: BookmarkMeta,
}

/// Metadata of a [`Bookmark`].
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct BookmarkMeta {
    /// `resourceVersion` the watch has reached.
    pub resource_version: String,
    /// `annotations`, e.g. [`INITIAL_EVENTS_END_ANNOTATION`].
    #[serde(
        default,
        deserialize_with = "null_default",
        skip_serializing_if = "BTreeMap::is_empty"
    )]
    pub annotations: BTreeMap<String, String>,
}

impl Bookmark {
    /// `true` for the bookmark that ends the initial events of a watch-list.
    pub fn is_initial_events_end(&self) -> bool {
        self.metadata
            .annotations
            .get(INITIAL_EVENTS_END_ANNOTATION)
            .map(String::as_str)
            == Some("true")
    }
}
