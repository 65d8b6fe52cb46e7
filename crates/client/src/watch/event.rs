//! Decoding one watch event line in a single pass: when `type` comes before `object` (as the
//! API server writes it) the object is decoded straight into its final type.

use std::fmt;
use std::marker::PhantomData;

use kapi_apimachinery::meta::{EventType, RawWatchEvent, WatchEvent};
use serde::de::{self, DeserializeOwned, DeserializeSeed, IgnoredAny, MapAccess, Visitor};
use serde::{Deserialize, Deserializer};
use serde_json::value::RawValue;

/// Decodes one event line.
pub(crate) fn decode<K: DeserializeOwned>(line: &[u8]) -> Result<WatchEvent<K>, serde_json::Error> {
    serde_json::from_slice::<Event<K>>(line).map(|e| e.0)
}

struct Event<K>(WatchEvent<K>);

impl<'de, K: DeserializeOwned> Deserialize<'de> for Event<K> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        d.deserialize_map(EventVisitor(PhantomData))
    }
}

struct EventVisitor<K>(PhantomData<fn() -> K>);

#[derive(Deserialize)]
#[serde(field_identifier, rename_all = "lowercase")]
enum Field {
    Type,
    Object,
    #[serde(other)]
    Other,
}

impl<'de, K: DeserializeOwned> Visitor<'de> for EventVisitor<K> {
    type Value = Event<K>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a watch event {\"type\": ..., \"object\": ...}")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
        let mut type_: Option<EventType> = None;
        let mut event: Option<WatchEvent<K>> = None;
        let mut raw: Option<Box<RawValue>> = None;
        while let Some(field) = map.next_key::<Field>()? {
            match field {
                Field::Type => type_ = Some(map.next_value()?),
                Field::Object => match type_ {
                    Some(t) => event = Some(map.next_value_seed(ObjectSeed::<K>(t, PhantomData))?),
                    // `object` before `type`: keep it raw until the type is known.
                    None => raw = Some(map.next_value()?),
                },
                Field::Other => {
                    map.next_value::<IgnoredAny>()?;
                }
            }
        }
        if let Some(ev) = event {
            return Ok(Event(ev));
        }
        let type_ = type_.ok_or_else(|| de::Error::missing_field("type"))?;
        let object = raw.ok_or_else(|| de::Error::missing_field("object"))?;
        RawWatchEvent { type_, object }
            .decode()
            .map(Event)
            .map_err(de::Error::custom)
    }
}

struct ObjectSeed<K>(EventType, PhantomData<fn() -> K>);

impl<'de, K: DeserializeOwned> DeserializeSeed<'de> for ObjectSeed<K> {
    type Value = WatchEvent<K>;

    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<Self::Value, D::Error> {
        Ok(match self.0 {
            EventType::Added => WatchEvent::Added(K::deserialize(d)?),
            EventType::Modified => WatchEvent::Modified(K::deserialize(d)?),
            EventType::Deleted => WatchEvent::Deleted(K::deserialize(d)?),
            EventType::Bookmark => WatchEvent::Bookmark(Deserialize::deserialize(d)?),
            EventType::Error => WatchEvent::Error(Deserialize::deserialize(d)?),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::Value;

    #[test]
    fn decodes_in_either_field_order() {
        let a: WatchEvent<Value> =
            decode(br#"{"type":"ADDED","object":{"metadata":{"name":"a"}}}"#).expect("a");
        let b: WatchEvent<Value> =
            decode(br#"{"object":{"metadata":{"name":"a"}},"x":1,"type":"ADDED"}"#).expect("b");
        assert_eq!(a, b);
        let bm: WatchEvent<Value> = decode(
            br#"{"type":"BOOKMARK","object":{"kind":"Pod","apiVersion":"v1","metadata":{"resourceVersion":"7"}}}"#,
        )
        .expect("bookmark");
        assert!(matches!(bm, WatchEvent::Bookmark(b) if b.metadata.resource_version == "7"));
        let err: WatchEvent<Value> = decode(
            br#"{"type":"ERROR","object":{"kind":"Status","status":"Failure","code":410,"reason":"Expired"}}"#,
        )
        .expect("error");
        assert!(matches!(err, WatchEvent::Error(s) if s.code == Some(410)));
    }

    #[test]
    fn malformed_events_are_errors() {
        for bad in [
            &br#"{"type":"ADDED"}"#[..],
            br#"{"object":{}}"#,
            br#"{"type":"UPSERTED","object":{}}"#,
            br#"{"type":"ADDED","object":{"#,
            b"[]",
        ] {
            assert!(
                decode::<Value>(bad).is_err(),
                "{}",
                String::from_utf8_lossy(bad)
            );
        }
    }
}
