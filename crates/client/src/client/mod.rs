//! [`Client`]: a cheap-to-clone handle on the transport stack, with raw, JSON, text and
//! streaming request helpers.

mod builder;

use std::fmt;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};

use bytes::Bytes;
use futures::Stream;
use http::{Request, Response, Uri};
use http_body_util::{BodyExt, Limited};
use kapi_apimachinery::meta::Status;
use serde::de::DeserializeOwned;
use tower::ServiceExt;

pub use builder::{ClientBuilder, ClientService};

use crate::body::{body_error, Body};
use crate::config::Config;
use crate::error::{ApiError, Error, Result};
use crate::transport::{RateLimit, RequestKind};

/// Error bodies larger than this are cut off when building an [`ApiError`].
const MAX_ERROR_BODY: usize = 1 << 20;

/// A client for one API server. Clones share connections, the rate limiter and credentials.
#[derive(Clone)]
pub struct Client {
    service: ClientService,
    default_namespace: Arc<str>,
    rate_limit: RateLimit,
    cluster_url: Uri,
}

impl fmt::Debug for Client {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Client")
            .field("cluster_url", &self.cluster_url.host())
            .field("default_namespace", &self.default_namespace)
            .field("rate_limit", &self.rate_limit)
            .finish_non_exhaustive()
    }
}

impl TryFrom<Config> for Client {
    type Error = Error;
    fn try_from(config: Config) -> Result<Self> {
        Client::new(config)
    }
}

impl Client {
    /// Builds a client with the standard stack.
    pub fn new(config: Config) -> Result<Self> {
        ClientBuilder::new(config).build()
    }

    /// A builder to add tower layers to the stack.
    pub fn builder(config: Config) -> ClientBuilder {
        ClientBuilder::new(config)
    }

    /// [`Config::infer`], then [`Client::new`].
    pub fn try_default() -> Result<Self> {
        Client::new(Config::infer()?)
    }

    /// The namespace to use when a request names none.
    pub fn default_namespace(&self) -> &str {
        &self.default_namespace
    }

    /// The API server URL.
    pub fn cluster_url(&self) -> &Uri {
        &self.cluster_url
    }

    /// The shared rate limiter (for its [`stats`](RateLimit::stats)).
    pub fn rate_limit(&self) -> &RateLimit {
        &self.rate_limit
    }

    /// Sends a request and returns the response whatever its status. The URI may be a path
    /// (`/api/v1/pods`), joined to the cluster URL.
    pub async fn send(&self, request: Request<Body>) -> Result<Response<Body>> {
        self.service.clone().oneshot(request).await
    }

    /// Sends a request; 2xx bodies decode as `T`, anything else becomes [`Error::Api`].
    pub async fn request_json<T: DeserializeOwned>(&self, request: Request<Body>) -> Result<T> {
        let body = self
            .checked(request)
            .await?
            .into_body()
            .collect_bytes()
            .await?;
        serde_json::from_slice(&body)
            .map_err(|e| Error::decode(std::any::type_name::<T>(), &e.to_string()))
    }

    /// Sends a request; a 2xx body is returned as text, anything else becomes [`Error::Api`].
    pub async fn request_text(&self, request: Request<Body>) -> Result<String> {
        let body = self
            .checked(request)
            .await?
            .into_body()
            .collect_bytes()
            .await?;
        String::from_utf8(body.to_vec()).map_err(|e| Error::decode("text", &e.to_string()))
    }

    /// Sends a request and streams a 2xx body chunk by chunk as it arrives (watches, log
    /// follow). The request is marked [`RequestKind::Stream`] unless it is a watch or already
    /// marked, so the request timeout does not cut it off.
    pub async fn request_stream(&self, mut request: Request<Body>) -> Result<ByteStream> {
        if request.extensions().get::<RequestKind>().is_none()
            && RequestKind::of(&request) == RequestKind::Normal
        {
            request.extensions_mut().insert(RequestKind::Stream);
        }
        let body = self.checked(request).await?.into_body();
        Ok(ByteStream(Box::pin(body.into_data_stream())))
    }

    pub(crate) async fn checked(&self, request: Request<Body>) -> Result<Response<Body>> {
        let resp = self.send(request).await?;
        if resp.status().is_success() {
            Ok(resp)
        } else {
            Err(Error::Api(api_error(resp).await))
        }
    }
}

/// Builds the [`ApiError`] for a non-2xx response: the server's Status when the body is one,
/// else one synthesized from the code and the text; `Retry-After` is kept.
pub async fn api_error(resp: Response<Body>) -> ApiError {
    let code = resp.status().as_u16();
    let retry_after = crate::transport::retry_after_seconds(&resp);
    let body = match Limited::new(resp.into_body(), MAX_ERROR_BODY)
        .collect()
        .await
    {
        Ok(b) => b.to_bytes(),
        Err(e) => {
            let e = body_error(e);
            tracing::debug!(error = %e, "could not read the error body");
            Bytes::new()
        }
    };
    let mut err = match serde_json::from_slice::<Status>(&body) {
        Ok(mut s) if s.kind.as_deref() == Some("Status") || s.code.is_some() => {
            if s.code.is_none_or(|c| c == 0) {
                s.code = Some(i32::from(code));
            }
            ApiError::new(s)
        }
        _ => ApiError::from_code(code, &String::from_utf8_lossy(&body)),
    };
    err.retry_after_header = retry_after;
    err
}

/// A response body as a stream of chunks.
pub struct ByteStream(Pin<Box<dyn Stream<Item = Result<Bytes>> + Send>>);

impl Stream for ByteStream {
    type Item = Result<Bytes>;
    fn poll_next(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Result<Bytes>>> {
        self.0.as_mut().poll_next(cx)
    }
}

impl fmt::Debug for ByteStream {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("ByteStream")
    }
}
