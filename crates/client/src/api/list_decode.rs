//! Decoding a list body (`{"kind":…,"metadata":…,"items":[…]}`) as it arrives.
//!
//! A small state machine walks the top-level object. Every member other than `items` is copied
//! into a small envelope document (decoded at the end); each element of `items` is decoded as
//! `K` the moment its last byte arrives — straight from the network chunk when it lies within
//! one, else from a buffer holding just that element. Peak memory is therefore the decoded
//! items plus one element and one chunk, not the whole body.

use std::pin::pin;

use futures::TryStreamExt;
use kapi_apimachinery::meta::ListMeta;
use kapi_apimachinery::ObjectList;
use serde::de::DeserializeOwned;
use serde::Deserialize;

use crate::body::Body;
use crate::error::{Error, Result};

/// Decodes a list body (`{"kind":…,"metadata":…,"items":[…]}`) as it arrives, each item as
/// soon as its last byte is in: the body is never held whole. This is what [`Api::list`]
/// does with a response; use it for bodies from elsewhere
/// ([`Body::from_stream`](crate::Body::from_stream)).
///
/// [`Api::list`]: crate::Api::list
///
/// ```
/// use kapi_client::{api::decode_list, Body};
/// # async fn demo() -> Result<(), kapi_client::Error> {
/// let chunks = ["{\"kind\":\"ConfigMapList\",\"items\":[{\"metadata\":{\"na", "me\":\"a\"}}]}"];
/// let body = Body::from_stream(futures::stream::iter(chunks.map(Ok::<_, std::io::Error>)));
/// let list = decode_list::<serde_json::Value>(body).await?;
/// assert_eq!(list.items[0]["metadata"]["name"], "a");
/// # Ok(()) }
/// ```
///
/// # Errors
/// [`Error::Decode`] for a malformed body or an item that does not decode as `K`; the body's
/// own read errors.
pub async fn decode_list<K: DeserializeOwned>(body: Body) -> Result<ObjectList<K>> {
    decode_list_with(body, |_| {}).await
}

/// [`decode_list`], calling `each` on every item right after the chunk that completes it is
/// decoded: a cache can trim objects (drop `managedFields`, say) while the list is still
/// arriving, so a large list never holds every untrimmed object at once.
///
/// ```
/// use kapi_client::{api::decode_list_with, Body};
/// # async fn demo() -> Result<(), kapi_client::Error> {
/// let chunks = [r#"{"items":[{"a":1,"big":"…"},"#, r#"{"a":2,"big":"…"}]}"#];
/// let body = Body::from_stream(futures::stream::iter(chunks.map(Ok::<_, std::io::Error>)));
/// let list = decode_list_with::<serde_json::Value, _>(body, |item| {
///     item.as_object_mut().map(|o| o.remove("big"));
/// })
/// .await?;
/// assert_eq!(list.items, [serde_json::json!({"a": 1}), serde_json::json!({"a": 2})]);
/// # Ok(()) }
/// ```
///
/// # Errors
/// As [`decode_list`].
pub async fn decode_list_with<K, F>(body: Body, mut each: F) -> Result<ObjectList<K>>
where
    K: DeserializeOwned,
    F: FnMut(&mut K),
{
    let mut decoder = ListDecoder::<K>::new();
    let mut chunks = pin!(body.into_data_stream());
    let mut done = 0;
    while let Some(chunk) = chunks.try_next().await? {
        decoder.push(&chunk)?;
        decoder.items[done..].iter_mut().for_each(&mut each);
        done = decoder.items.len();
    }
    let mut list = decoder.finish()?;
    list.items[done..].iter_mut().for_each(each);
    Ok(list)
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum State {
    Start,
    KeyOrEnd,
    /// After a comma between members: a member name must follow.
    KeyAfterComma,
    Key,
    Colon,
    Value,
    InValue,
    ItemsOpen,
    ItemOrEnd,
    /// After a comma between items: an item must follow.
    Item,
    InItem,
    ItemCommaOrEnd,
    CommaOrEnd,
    Done,
}

/// Finds where one JSON value ends, fed in pieces.
#[derive(Debug, Default)]
struct Scan {
    started: bool,
    depth: u32,
    in_str: bool,
    esc: bool,
    scalar: bool,
}

impl Scan {
    /// Feeds the next bytes of the value; returns the exclusive end within `data` when the
    /// value ends there (for numbers and literals, the index of the delimiter after them).
    fn feed(&mut self, data: &[u8]) -> Option<usize> {
        let mut i = 0;
        while i < data.len() {
            let b = data[i];
            if !self.started {
                self.started = true;
                match b {
                    b'{' | b'[' => self.depth = 1,
                    b'"' => self.in_str = true,
                    _ => self.scalar = true,
                }
            } else if self.in_str {
                if self.esc {
                    self.esc = false;
                } else {
                    // Skip quickly (SIMD) to the next quote or backslash.
                    match memchr::memchr2(b'"', b'\\', &data[i..]) {
                        Some(p) => i += p,
                        None => return None,
                    }
                    if data[i] == b'\\' {
                        self.esc = true;
                    } else {
                        self.in_str = false;
                        if self.depth == 0 {
                            return Some(i + 1);
                        }
                    }
                }
            } else if self.scalar {
                if matches!(b, b',' | b'}' | b']' | b' ' | b'\t' | b'\n' | b'\r') {
                    return Some(i);
                }
            } else {
                match b {
                    b'"' => self.in_str = true,
                    b'{' | b'[' => self.depth += 1,
                    b'}' | b']' => {
                        self.depth = self.depth.saturating_sub(1);
                        if self.depth == 0 {
                            return Some(i + 1);
                        }
                    }
                    _ => {}
                }
            }
            i += 1;
        }
        None
    }
}

#[derive(Deserialize)]
struct Envelope {
    #[serde(default, rename = "apiVersion")]
    api_version: Option<String>,
    #[serde(default)]
    kind: Option<String>,
    #[serde(default)]
    metadata: Option<ListMeta>,
    /// Present only when `items` is not an array: then it must be `null`.
    #[serde(default)]
    items: Option<Vec<serde::de::IgnoredAny>>,
}

/// The push decoder; see the module documentation.
#[derive(Debug)]
pub(crate) struct ListDecoder<K> {
    state: State,
    scan: Scan,
    /// The partial item.
    buf: Vec<u8>,
    key: Vec<u8>,
    envelope: Vec<u8>,
    items: Vec<K>,
    /// Whether an `items` member was seen (a second one is an error, as for serde).
    seen_items: bool,
}

fn malformed(what: &str) -> Error {
    Error::decode("list", &format!("malformed list body: {what}"))
}

impl<K: DeserializeOwned> ListDecoder<K> {
    pub(crate) fn new() -> Self {
        Self {
            state: State::Start,
            scan: Scan::default(),
            buf: Vec::new(),
            key: Vec::new(),
            envelope: b"{".to_vec(),
            items: Vec::new(),
            seen_items: false,
        }
    }

    /// Bytes held for the item being received (for tests of the memory bound).
    #[cfg(test)]
    pub(crate) fn buffered(&self) -> usize {
        self.buf.len()
    }

    fn decode_item(&mut self, bytes: &[u8]) -> Result<()> {
        let item = serde_json::from_slice(bytes)
            .map_err(|e| Error::decode(std::any::type_name::<K>(), &e.to_string()))?;
        self.items.push(item);
        Ok(())
    }

    /// Feeds the next chunk of the body.
    pub(crate) fn push(&mut self, chunk: &[u8]) -> Result<()> {
        let mut i = 0;
        while i < chunk.len() {
            let b = chunk[i];
            // JSON whitespace only (not the form feed `is_ascii_whitespace` also takes).
            let ws = matches!(b, b' ' | b'\t' | b'\n' | b'\r');
            match self.state {
                State::InValue => match self.scan.feed(&chunk[i..]) {
                    Some(n) => {
                        self.envelope.extend_from_slice(&chunk[i..i + n]);
                        i += n;
                        self.state = State::CommaOrEnd;
                    }
                    None => {
                        self.envelope.extend_from_slice(&chunk[i..]);
                        i = chunk.len();
                    }
                },
                State::InItem => match self.scan.feed(&chunk[i..]) {
                    Some(n) => {
                        let end = i + n;
                        if self.buf.is_empty() {
                            self.decode_item(&chunk[i..end])?;
                        } else {
                            let mut buf = std::mem::take(&mut self.buf);
                            buf.extend_from_slice(&chunk[i..end]);
                            let res = self.decode_item(&buf);
                            buf.clear();
                            self.buf = buf;
                            res?;
                        }
                        i = end;
                        self.state = State::ItemCommaOrEnd;
                    }
                    None => {
                        self.buf.extend_from_slice(&chunk[i..]);
                        i = chunk.len();
                    }
                },
                State::Key => {
                    if self.scan.esc {
                        // The byte after a backslash that ended the previous chunk.
                        self.key.push(b);
                        self.scan.esc = false;
                        i += 1;
                        continue;
                    }
                    match memchr::memchr2(b'"', b'\\', &chunk[i..]) {
                        None => {
                            self.key.extend_from_slice(&chunk[i..]);
                            i = chunk.len();
                        }
                        Some(p) => {
                            self.key.extend_from_slice(&chunk[i..i + p]);
                            i += p;
                            if chunk[i] == b'\\' {
                                self.key.push(b'\\');
                                self.scan.esc = true;
                            } else {
                                self.state = State::Colon;
                            }
                            i += 1;
                        }
                    }
                }
                _ if ws => i += 1,
                State::Start => {
                    if b != b'{' {
                        return Err(malformed("expected an object"));
                    }
                    self.state = State::KeyOrEnd;
                    i += 1;
                }
                State::KeyOrEnd | State::KeyAfterComma => {
                    match b {
                        b'"' => {
                            self.key.clear();
                            self.scan = Scan::default();
                            self.state = State::Key;
                        }
                        b'}' if self.state == State::KeyOrEnd => self.state = State::Done,
                        _ => return Err(malformed("expected a member name")),
                    }
                    i += 1;
                }
                State::Colon => {
                    if b != b':' {
                        return Err(malformed("expected ':'"));
                    }
                    self.state = if self.key == b"items" {
                        if self.seen_items {
                            return Err(malformed("duplicate member `items`"));
                        }
                        self.seen_items = true;
                        State::ItemsOpen
                    } else {
                        State::Value
                    };
                    i += 1;
                }
                State::ItemsOpen if b == b'[' => {
                    self.state = State::ItemOrEnd;
                    i += 1;
                }
                State::Value | State::ItemsOpen => {
                    if self.envelope.len() > 1 {
                        self.envelope.push(b',');
                    }
                    self.envelope.push(b'"');
                    self.envelope.extend_from_slice(&self.key);
                    self.envelope.extend_from_slice(b"\":");
                    self.scan = Scan::default();
                    self.state = State::InValue;
                }
                State::ItemOrEnd if b == b']' => {
                    self.state = State::CommaOrEnd;
                    i += 1;
                }
                State::ItemOrEnd | State::Item => {
                    if b == b']' {
                        return Err(malformed("expected an item after ','"));
                    }
                    self.scan = Scan::default();
                    self.buf.clear();
                    self.state = State::InItem;
                }
                State::ItemCommaOrEnd => {
                    self.state = match b {
                        b',' => State::Item,
                        b']' => State::CommaOrEnd,
                        _ => return Err(malformed("expected ',' or ']' after an item")),
                    };
                    i += 1;
                }
                State::CommaOrEnd => {
                    self.state = match b {
                        b',' => State::KeyAfterComma,
                        b'}' => State::Done,
                        _ => return Err(malformed("expected ',' or '}'")),
                    };
                    i += 1;
                }
                State::Done => return Err(malformed("data after the end")),
            }
        }
        Ok(())
    }

    /// Ends the body: checks it was complete and decodes the envelope.
    pub(crate) fn finish(mut self) -> Result<ObjectList<K>> {
        if self.state == State::InValue {
            // A number or literal ends with the body only in invalid JSON; let serde decide.
            self.state = State::CommaOrEnd;
        }
        if self.state != State::Done {
            return Err(malformed("the body ended early"));
        }
        self.envelope.push(b'}');
        // Through a `Value` first, so that members nobody reads are still checked for valid
        // JSON (UTF-8 strings, numbers in range) as a whole-body decode would.
        // Then as the envelope itself, which also rejects a duplicate member. A non-null,
        // non-array `items` fails here too.
        let env = serde_json::from_slice::<serde_json::Value>(&self.envelope)
            .and_then(|_| serde_json::from_slice::<Envelope>(&self.envelope))
            .map_err(|e| Error::decode("list metadata", &e.to_string()))?;
        debug_assert!(env.items.is_none_or(|items| items.is_empty()));
        Ok(ObjectList {
            api_version: env.api_version.unwrap_or_default(),
            kind: env.kind.unwrap_or_default(),
            metadata: env.metadata.unwrap_or_default(),
            items: self.items,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::Value;

    fn whole(doc: &str) -> ObjectList<Value> {
        serde_json::from_str(doc).expect("valid list")
    }

    fn pieces(doc: &str, cuts: &[usize]) -> Result<ObjectList<Value>> {
        let mut d = ListDecoder::<Value>::new();
        let mut last = 0;
        for &c in cuts {
            d.push(&doc.as_bytes()[last..c])?;
            last = c;
        }
        d.push(&doc.as_bytes()[last..])?;
        d.finish()
    }

    const DOCS: &[&str] = &[
        r#"{"kind":"PodList","apiVersion":"v1","metadata":{"resourceVersion":"12","continue":"x\"}]","remainingItemCount":3},"items":[{"a":1,"s":"q\\\"}]{["},{"b":[1,2,{"c":null}]},7,"str",true]}"#,
        r#" { "items" : [ ] , "kind" : "L" } "#,
        r#"{"items":null,"metadata":{}}"#,
        r#"{"metadata":{"resourceVersion":"1"}}"#,
        r#"{"items":[{"x":"é😀\u00e9"}],"k\"ey":-1.5e3,"kind":"ConfigMapList"}"#,
    ];

    #[test]
    fn every_split_decodes_like_a_whole_body() {
        for doc in DOCS {
            let want = whole(doc);
            assert_eq!(pieces(doc, &[]).expect("whole"), want, "{doc}");
            for cut in 0..=doc.len() {
                if doc.is_char_boundary(cut) {
                    assert_eq!(pieces(doc, &[cut]).expect("split"), want, "{doc} at {cut}");
                }
            }
            let all: Vec<usize> = (1..doc.len()).collect();
            assert_eq!(
                pieces(doc, &all).expect("bytes"),
                want,
                "{doc} byte by byte"
            );
        }
    }

    #[test]
    fn each_item_is_visited_once_in_order_however_the_body_is_split() {
        let doc = DOCS[0];
        let want: Vec<Value> = whole(doc).items;
        for cut in (0..=doc.len()).filter(|c| doc.is_char_boundary(*c)) {
            let chunks: Vec<Result<Vec<u8>, std::io::Error>> = vec![
                Ok(doc.as_bytes()[..cut].to_vec()),
                Ok(doc.as_bytes()[cut..].to_vec()),
            ];
            let body = Body::from_stream(futures::stream::iter(chunks));
            let mut seen = Vec::new();
            let list = futures::executor::block_on(decode_list_with(body, |v: &mut Value| {
                seen.push(v.clone());
                *v = Value::from(seen.len());
            }))
            .expect("valid");
            assert_eq!(seen, want, "cut at {cut}");
            let numbered: Vec<Value> = (1..=want.len()).map(Value::from).collect();
            assert_eq!(
                list.items, numbered,
                "the hook's changes are kept (cut at {cut})"
            );
        }
    }

    #[test]
    fn broken_bodies_are_errors() {
        for doc in [
            "",
            "[1]",
            r#"{"items":[{"a":1}"#,
            r#"{"items":[{"a":1}]"#,
            r#"{"items":[{"a":1}]}x"#,
            r#"{"items":[{"a":}]}"#,
            r#"{"metadata":"nope"}"#,
        ] {
            assert!(pieces(doc, &[]).is_err(), "{doc}");
        }
    }

    #[test]
    fn only_the_partial_item_is_buffered() {
        let item = format!(r#"{{"data":"{}"}}"#, "x".repeat(1000));
        let mut d = ListDecoder::<Value>::new();
        d.push(br#"{"kind":"L","items":["#).expect("head");
        let mut peak = 0;
        for n in 0..1000 {
            let sep = if n == 0 { "" } else { "," };
            let piece = format!("{sep}{item}");
            let (a, b) = piece.as_bytes().split_at(piece.len() / 2);
            d.push(a).expect("a");
            peak = peak.max(d.buffered());
            d.push(b).expect("b");
        }
        d.push(b"]}").expect("tail");
        assert!(peak < 1100, "peak {peak}");
        assert_eq!(d.finish().expect("list").items.len(), 1000);
    }
}
