//! Response bodies: whole buffers, lists streamed from shared object bytes, and channels
//! (watch streams).

use std::convert::Infallible;
use std::io;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};

use bytes::{Bytes, BytesMut};
use http_body_util::combinators::UnsyncBoxBody;
use http_body_util::{BodyExt, Full};
use hyper::body::{Body as HttpBody, Frame, SizeHint};
use tokio::sync::mpsc;

use crate::store::StoredObject;

/// The body type of every response.
pub(crate) type Body = UnsyncBoxBody<Bytes, io::Error>;

/// A body from one buffer.
pub(crate) fn full(bytes: impl Into<Bytes>) -> Body {
    Full::new(bytes.into())
        .map_err(|e: Infallible| match e {})
        .boxed_unsync()
}

/// An empty body.
pub(crate) fn empty() -> Body {
    full(Bytes::new())
}

/// `prefix item,item,... suffix`, written in chunks of about 256 KiB straight from the
/// objects' stored bytes, with an exact length.
pub(crate) struct ListBody {
    prefix: Option<Bytes>,
    items: std::vec::IntoIter<Arc<StoredObject>>,
    first: bool,
    suffix: Option<Bytes>,
    remaining: u64,
}

impl std::fmt::Debug for ListBody {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ListBody")
            .field("remaining", &self.remaining)
            .finish()
    }
}

const CHUNK: usize = 256 * 1024;

impl ListBody {
    /// A list body.
    pub(crate) fn new(prefix: Bytes, items: Vec<Arc<StoredObject>>, suffix: Bytes) -> Self {
        let items_len: usize =
            items.iter().map(|i| i.bytes.len()).sum::<usize>() + items.len().saturating_sub(1);
        let remaining = (prefix.len() + items_len + suffix.len()) as u64;
        Self {
            prefix: Some(prefix),
            items: items.into_iter(),
            first: true,
            suffix: Some(suffix),
            remaining,
        }
    }
}

impl HttpBody for ListBody {
    type Data = Bytes;
    type Error = io::Error;

    fn poll_frame(
        mut self: Pin<&mut Self>,
        _cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Bytes>, io::Error>>> {
        let this = &mut *self;
        let mut buf = BytesMut::with_capacity(CHUNK + 4096);
        if let Some(p) = this.prefix.take() {
            buf.extend_from_slice(&p);
        }
        while buf.len() < CHUNK {
            let Some(item) = this.items.next() else { break };
            if !this.first {
                buf.extend_from_slice(b",");
            }
            this.first = false;
            buf.extend_from_slice(&item.bytes);
        }
        if buf.len() < CHUNK {
            if let Some(s) = this.suffix.take() {
                buf.extend_from_slice(&s);
            }
        }
        if buf.is_empty() {
            return Poll::Ready(None);
        }
        this.remaining = this.remaining.saturating_sub(buf.len() as u64);
        Poll::Ready(Some(Ok(Frame::data(buf.freeze()))))
    }

    fn is_end_stream(&self) -> bool {
        self.remaining == 0 && self.suffix.is_none()
    }

    fn size_hint(&self) -> SizeHint {
        SizeHint::with_exact(self.remaining)
    }
}

/// A body fed by a channel: each message is a chunk; an `Err` aborts the connection.
#[derive(Debug)]
pub(crate) struct ChannelBody {
    rx: mpsc::Receiver<Result<Bytes, io::Error>>,
}

impl ChannelBody {
    /// The body and the sender that feeds it.
    pub(crate) fn new(capacity: usize) -> (mpsc::Sender<Result<Bytes, io::Error>>, Self) {
        let (tx, rx) = mpsc::channel(capacity);
        (tx, Self { rx })
    }
}

impl HttpBody for ChannelBody {
    type Data = Bytes;
    type Error = io::Error;

    fn poll_frame(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Bytes>, io::Error>>> {
        self.rx.poll_recv(cx).map(|m| m.map(|r| r.map(Frame::data)))
    }
}
