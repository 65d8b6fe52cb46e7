//! [`Body`]: the request and response body of every kapi client.
//!
//! A body is either *buffered* (empty or a [`Bytes`] value — replayable, so a request with it can
//! be retried) or *streaming* (a boxed [`http_body::Body`] — read once, never retried). Response
//! bodies are always streaming: nothing is buffered until a caller asks for it.

use std::fmt;
use std::future::Future as _;
use std::pin::Pin;
use std::task::{Context, Poll};

use bytes::Bytes;
use futures::Stream;
use http_body::{Frame, SizeHint};
use http_body_util::combinators::UnsyncBoxBody;
use http_body_util::{BodyExt, StreamBody};

use crate::error::{BoxError, Error, Result, TimeoutKind};

/// An HTTP body for requests and responses.
pub struct Body {
    kind: Kind,
    deadline: Option<Pin<Box<tokio::time::Sleep>>>,
}

enum Kind {
    Buffered(Option<Bytes>),
    Streaming(UnsyncBoxBody<Bytes, BoxError>),
}

impl Body {
    /// An empty body.
    pub fn empty() -> Self {
        Self {
            kind: Kind::Buffered(None),
            deadline: None,
        }
    }

    /// A streaming body from a stream of chunks. Requests with it are never retried.
    pub fn from_stream<S, B, E>(stream: S) -> Self
    where
        S: Stream<Item = std::result::Result<B, E>> + Send + 'static,
        B: Into<Bytes> + 'static,
        E: Into<BoxError> + 'static,
    {
        use futures::TryStreamExt;
        let frames = stream.map_ok(|b| Frame::data(b.into())).map_err(Into::into);
        Self::streaming(UnsyncBoxBody::new(StreamBody::new(frames)))
    }

    /// Wraps any [`http_body::Body`] as a streaming body.
    pub fn wrap<B>(body: B) -> Self
    where
        B: http_body::Body<Data = Bytes> + Send + 'static,
        B::Error: Into<BoxError>,
    {
        Self::streaming(UnsyncBoxBody::new(body.map_err(Into::into)))
    }

    fn streaming(body: UnsyncBoxBody<Bytes, BoxError>) -> Self {
        Self {
            kind: Kind::Streaming(body),
            deadline: None,
        }
    }

    /// A copy of this body if it is buffered (and so can be sent again), else `None`.
    pub fn try_clone(&self) -> Option<Self> {
        match &self.kind {
            Kind::Buffered(b) => Some(Self {
                kind: Kind::Buffered(b.clone()),
                deadline: None,
            }),
            Kind::Streaming(_) => None,
        }
    }

    /// `true` when the body is buffered and can be replayed on a retry.
    pub fn is_replayable(&self) -> bool {
        matches!(self.kind, Kind::Buffered(_))
    }

    /// The buffered bytes, if this body is buffered.
    pub fn as_bytes(&self) -> Option<&[u8]> {
        match &self.kind {
            Kind::Buffered(Some(b)) => Some(b),
            Kind::Buffered(None) => Some(&[]),
            Kind::Streaming(_) => None,
        }
    }

    /// Reads the whole body into memory.
    pub async fn collect_bytes(self) -> Result<Bytes> {
        Ok(BodyExt::collect(self).await?.to_bytes())
    }

    /// The body's data as a stream of chunks, delivered as they arrive.
    pub fn into_data_stream(self) -> impl Stream<Item = Result<Bytes>> + Send {
        futures::stream::try_unfold(self, |mut body| async move {
            loop {
                match body.frame().await {
                    None => return Ok(None),
                    Some(Err(e)) => return Err(e),
                    Some(Ok(frame)) => {
                        if let Ok(data) = frame.into_data() {
                            if !data.is_empty() {
                                return Ok(Some((data, body)));
                            }
                        }
                    }
                }
            }
        })
    }

    /// Fails reads with [`Error::Timeout`] once `deadline` passes.
    pub(crate) fn with_deadline(mut self, deadline: tokio::time::Instant) -> Self {
        self.deadline = Some(Box::pin(tokio::time::sleep_until(deadline)));
        self
    }
}

impl Default for Body {
    fn default() -> Self {
        Self::empty()
    }
}

impl fmt::Debug for Body {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.kind {
            Kind::Buffered(b) => write!(f, "Body(<{} bytes>)", b.as_ref().map_or(0, Bytes::len)),
            Kind::Streaming(_) => f.write_str("Body(<streaming>)"),
        }
    }
}

impl From<Bytes> for Body {
    fn from(b: Bytes) -> Self {
        Self {
            kind: Kind::Buffered(Some(b)),
            deadline: None,
        }
    }
}

impl From<Vec<u8>> for Body {
    fn from(v: Vec<u8>) -> Self {
        Bytes::from(v).into()
    }
}

impl From<String> for Body {
    fn from(s: String) -> Self {
        Bytes::from(s).into()
    }
}

impl From<&'static str> for Body {
    fn from(s: &'static str) -> Self {
        Bytes::from_static(s.as_bytes()).into()
    }
}

impl From<()> for Body {
    fn from(_: ()) -> Self {
        Self::empty()
    }
}

/// Turns a lower layer's body error into ours, keeping our own errors intact.
pub(crate) fn body_error(e: BoxError) -> Error {
    match e.downcast::<Error>() {
        Ok(ours) => *ours,
        Err(other) => Error::Http(other),
    }
}

impl http_body::Body for Body {
    type Data = Bytes;
    type Error = Error;

    fn poll_frame(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<std::result::Result<Frame<Bytes>, Error>>> {
        let this = &mut *self;
        let polled = match &mut this.kind {
            Kind::Buffered(b) => Poll::Ready(
                b.take()
                    .filter(|b| !b.is_empty())
                    .map(|b| Ok(Frame::data(b))),
            ),
            Kind::Streaming(s) => Pin::new(s).poll_frame(cx).map_err(body_error),
        };
        if polled.is_pending() {
            if let Some(d) = &mut this.deadline {
                if d.as_mut().poll(cx).is_ready() {
                    return Poll::Ready(Some(Err(Error::Timeout(TimeoutKind::Request))));
                }
            }
        }
        polled
    }

    fn is_end_stream(&self) -> bool {
        match &self.kind {
            Kind::Buffered(b) => b.as_ref().is_none_or(Bytes::is_empty),
            Kind::Streaming(s) => s.is_end_stream(),
        }
    }

    fn size_hint(&self) -> SizeHint {
        match &self.kind {
            Kind::Buffered(b) => SizeHint::with_exact(b.as_ref().map_or(0, |b| b.len() as u64)),
            Kind::Streaming(s) => s.size_hint(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use futures::StreamExt;

    #[tokio::test]
    async fn buffered_bodies_replay_and_streams_do_not() {
        let b = Body::from("hello");
        let copy = b.try_clone().expect("buffered");
        assert_eq!(copy.collect_bytes().await.unwrap_or_default(), "hello");
        let s = Body::from_stream(futures::stream::iter(vec![Ok::<_, std::io::Error>("a")]));
        assert!(s.try_clone().is_none());
        let chunks: Vec<_> = s.into_data_stream().collect().await;
        assert_eq!(chunks.len(), 1);
    }
}
