//! Watches: the event stream of one watch request ([`WatchStream`]), a watcher that resumes
//! across disconnects ([`RetryWatcher`]), and [`list_then_watch`].
//!
//! # How a watch stream reports things
//!
//! | the server sends | the stream yields |
//! |---|---|
//! | `ADDED` / `MODIFIED` / `DELETED` | `Ok(WatchEvent::Added(obj))` … |
//! | `BOOKMARK` | `Ok(WatchEvent::Bookmark(b))` — only a resourceVersion |
//! | `ERROR` (e.g. 410 Expired) | `Err(Error::Api(e))` with the server's `Status`, then the end |
//! | a line that is not a valid event | `Err(Error::Decode { .. })`, and the stream goes on |
//! | a line longer than [`Api::max_event_size`](crate::Api::max_event_size) | `Err(Error::EventTooLarge { .. })`, and the stream goes on |
//! | a clean end (e.g. `timeoutSeconds`) | the end (`None`) |
//! | a broken connection | `Err(Error::Http(..))`, then the end |
//!
//! The body is split on `\n` as bytes arrive; only the partial line is buffered, so memory
//! does not grow with the length of the stream.

mod event;
pub(crate) mod lines;
mod list_watch;
mod retry;

use std::collections::VecDeque;
use std::pin::Pin;
use std::task::{Context, Poll};

use bytes::Bytes;
use futures::stream::BoxStream;
use futures::Stream;
use kapi_apimachinery::meta::WatchEvent;
use kapi_apimachinery::ApiError;
use serde::de::DeserializeOwned;

pub use list_watch::list_then_watch;
pub use retry::RetryWatcher;

use crate::body::Body;
use crate::error::{Error, Result, TimeoutKind};
use lines::{Line, LineSplitter};

/// The events of one watch request, decoded as they arrive. See the [module
/// documentation](self) for how errors and the end are reported.
pub type WatchStream<K> = BoxStream<'static, Result<WatchEvent<K>, Error>>;

/// Decodes a watch response body into events.
pub(crate) fn event_stream<K: DeserializeOwned + Send + 'static>(
    body: Body,
    deadline: Option<tokio::time::Instant>,
    max_line: usize,
) -> WatchStream<K> {
    Box::pin(EventStream::<K> {
        chunks: Box::pin(body.into_data_stream()),
        lines: LineSplitter::new(max_line),
        ready: VecDeque::new(),
        done: false,
        deadline: deadline.map(|d| Box::pin(tokio::time::sleep_until(d))),
        max_line,
    })
}

/// Decodes a stream of chunks holding watch events (for bodies that do not come from an
/// [`Api`](crate::Api), e.g. a recorded stream or a benchmark).
pub fn decode_events<K, S>(chunks: S, max_line: usize) -> WatchStream<K>
where
    K: DeserializeOwned + Send + 'static,
    S: Stream<Item = Result<Bytes>> + Send + 'static,
{
    Box::pin(EventStream::<K> {
        chunks: Box::pin(chunks),
        lines: LineSplitter::new(max_line),
        ready: VecDeque::new(),
        done: false,
        deadline: None,
        max_line,
    })
}

struct EventStream<K> {
    chunks: Pin<Box<dyn Stream<Item = Result<Bytes>> + Send>>,
    lines: LineSplitter,
    ready: VecDeque<Result<WatchEvent<K>>>,
    done: bool,
    deadline: Option<Pin<Box<tokio::time::Sleep>>>,
    max_line: usize,
}

// Nothing is pinned in place: the body stream is boxed, events are moved out of the queue.
impl<K> Unpin for EventStream<K> {}

impl<K: DeserializeOwned> EventStream<K> {
    fn take(&mut self, line: Line<'_>) {
        if self.done {
            return;
        }
        let item = match line {
            Line::TooLong => Err(Error::EventTooLarge {
                limit: self.max_line,
            }),
            Line::Full(bytes) => match event::decode::<K>(bytes) {
                Ok(WatchEvent::Error(status)) => {
                    // The server ends the watch after an ERROR; so do we.
                    self.done = true;
                    Err(Error::Api(ApiError::new(status)))
                }
                Ok(ev) => Ok(ev),
                Err(e) => Err(Error::decode("watch event", &e.to_string())),
            },
        };
        self.ready.push_back(item);
    }
}

impl<K: DeserializeOwned> Stream for EventStream<K> {
    type Item = Result<WatchEvent<K>>;

    fn poll_next(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        let this = self.get_mut();
        loop {
            if let Some(item) = this.ready.pop_front() {
                return Poll::Ready(Some(item));
            }
            if this.done {
                return Poll::Ready(None);
            }
            if let Some(d) = this.deadline.as_mut() {
                if d.as_mut().poll(cx).is_ready() {
                    this.done = true;
                    return Poll::Ready(Some(Err(Error::Timeout(TimeoutKind::Watch))));
                }
            }
            match this.chunks.as_mut().poll_next(cx) {
                Poll::Pending => return Poll::Pending,
                Poll::Ready(Some(Ok(chunk))) => {
                    let mut lines = std::mem::replace(&mut this.lines, LineSplitter::new(0));
                    lines.push(&chunk, |l| this.take(l));
                    this.lines = lines;
                }
                Poll::Ready(Some(Err(e))) => {
                    this.done = true;
                    this.ready.push_back(Err(e));
                }
                Poll::Ready(None) => {
                    let mut lines = std::mem::replace(&mut this.lines, LineSplitter::new(0));
                    lines.finish(|l| this.take(l));
                    this.lines = lines;
                    this.done = true;
                }
            }
        }
    }
}

use std::future::Future as _;

#[cfg(test)]
mod tests {
    use super::*;
    use futures::StreamExt;
    use serde_json::Value;

    fn stream(chunks: &[&'static str]) -> WatchStream<Value> {
        let chunks: Vec<Result<Bytes>> = chunks
            .iter()
            .map(|c| Ok(Bytes::from_static(c.as_bytes())))
            .collect();
        decode_events(futures::stream::iter(chunks), 100)
    }

    #[tokio::test]
    async fn a_malformed_line_does_not_end_the_stream_but_an_error_event_does() {
        let got: Vec<_> = stream(&[
            "{\"type\":\"ADDED\",\"object\":{\"a\":1}}\nnot json\n{\"type\":\"MODIFIED\",",
            "\"object\":{}}\n",
            "{\"type\":\"ADDED\",\"object\":{\"pad\":\"xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx\"}}\n",
            "{\"type\":\"ERROR\",\"object\":{\"kind\":\"Status\",\"code\":410,\"reason\":\"Expired\"}}\n",
            "{\"type\":\"ADDED\",\"object\":{}}\n",
        ])
        .collect()
        .await;
        assert_eq!(got.len(), 5, "{got:?}");
        assert!(matches!(got[0], Ok(WatchEvent::Added(_))));
        assert!(matches!(got[1], Err(Error::Decode { .. })));
        assert!(matches!(got[2], Ok(WatchEvent::Modified(_))));
        assert!(matches!(got[3], Err(Error::EventTooLarge { limit: 100 })));
        assert!(matches!(&got[4], Err(e) if e.is_expired()));
    }
}
