//! Authentication: [`Auth`] (how requests authenticate) and the tower layer that applies it.
//!
//! - A caller-set `Authorization` header always wins: the layer leaves such requests alone.
//! - Bearer tokens, token files ([`TokenFile`]), basic auth and exec plugins ([`ExecAuth`]) set
//!   the header; client certificates live in [`TlsConfig`](crate::TlsConfig) (or come from an
//!   exec plugin) and authenticate the connection instead.
//! - When the server answers 401 and the credential can be renewed (token file, exec plugin),
//!   the layer renews it and sends the request once more — if its body can be replayed — so the
//!   caller sees the fresh result rather than the 401 (client-go returns that first 401).

mod exec;
mod token_file;

use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll};

use base64::Engine as _;
use http::header::AUTHORIZATION;
use http::{HeaderValue, Request, Response, StatusCode};
use tower::{Layer, Service, ServiceExt};

pub use exec::{ExecAuth, ExecClusterInfo, EXEC_API_V1, EXEC_API_V1BETA1};
pub use token_file::TokenFile;

use crate::body::Body;
use crate::error::{AuthError, Error, Result};
use crate::secret::SecretString;
use crate::transport::clone_request;

/// How requests authenticate (besides a client certificate).
#[derive(Clone, Debug, Default)]
#[non_exhaustive]
pub enum Auth {
    /// No credentials (or only a client certificate).
    #[default]
    None,
    /// A fixed bearer token.
    Bearer(SecretString),
    /// A bearer token read from a file, re-read for rotation.
    TokenFile(TokenFile),
    /// HTTP basic authentication.
    Basic {
        /// The user name.
        username: String,
        /// The password.
        password: SecretString,
    },
    /// An exec credential plugin.
    Exec(ExecAuth),
}

impl Auth {
    /// A fixed bearer token.
    pub fn bearer(token: impl Into<SecretString>) -> Self {
        Auth::Bearer(token.into())
    }

    /// A bearer token kept in `path`.
    pub fn token_file(path: impl Into<std::path::PathBuf>) -> Self {
        Auth::TokenFile(TokenFile::new(path))
    }

    /// HTTP basic authentication.
    pub fn basic(username: impl Into<String>, password: impl Into<SecretString>) -> Self {
        Auth::Basic {
            username: username.into(),
            password: password.into(),
        }
    }

    /// `true` for [`Auth::None`].
    pub fn is_none(&self) -> bool {
        matches!(self, Auth::None)
    }

    /// The exec plugin, if that is how we authenticate.
    pub(crate) fn exec(&self) -> Option<&ExecAuth> {
        match self {
            Auth::Exec(e) => Some(e),
            _ => None,
        }
    }

    /// The `Authorization` value to send, and a stamp identifying the credential.
    async fn header(&self) -> Result<(Option<HeaderValue>, u64)> {
        let (value, generation) = match self {
            Auth::None => return Ok((None, 0)),
            Auth::Bearer(t) => (bearer(t, "bearer token")?, 0),
            Auth::TokenFile(f) => {
                let (t, g) = f.current()?;
                (bearer(&t, "token file contents")?, g)
            }
            Auth::Basic { username, password } => {
                let raw = format!("{username}:{}", password.expose_secret());
                let encoded = base64::engine::general_purpose::STANDARD.encode(raw);
                (
                    sensitive(&format!("Basic {encoded}"), "basic auth credentials")?,
                    0,
                )
            }
            Auth::Exec(e) => match e.token().await? {
                (Some(t), g) => (bearer(&t, "exec plugin token")?, g),
                (None, g) => return Ok((None, g)),
            },
        };
        Ok((Some(value), generation))
    }

    /// After a 401: renews the credential if possible; `true` when a different one is ready.
    async fn refresh(&self, stamp: u64) -> Result<bool> {
        match self {
            Auth::TokenFile(f) => Ok(f.refresh(stamp)),
            Auth::Exec(e) => e.refresh(stamp).await,
            _ => Ok(false),
        }
    }

    fn renewable(&self) -> bool {
        matches!(self, Auth::TokenFile(_) | Auth::Exec(_))
    }
}

fn bearer(token: &SecretString, what: &'static str) -> Result<HeaderValue> {
    sensitive(&format!("Bearer {}", token.expose_secret()), what)
}

fn sensitive(value: &str, what: &'static str) -> Result<HeaderValue> {
    let mut v = HeaderValue::from_str(value).map_err(|_| AuthError::InvalidHeaderValue(what))?;
    v.set_sensitive(true);
    Ok(v)
}

/// Adds credentials to requests; renews them and retries once on 401.
#[derive(Clone, Debug)]
pub(crate) struct AuthLayer {
    auth: Auth,
}

impl AuthLayer {
    pub(crate) fn new(auth: Auth) -> Self {
        Self { auth }
    }
}

impl<S> Layer<S> for AuthLayer {
    type Service = AuthService<S>;
    fn layer(&self, inner: S) -> Self::Service {
        AuthService {
            inner,
            auth: self.auth.clone(),
        }
    }
}

/// The service made by [`AuthLayer`].
#[derive(Clone, Debug)]
pub(crate) struct AuthService<S> {
    inner: S,
    auth: Auth,
}

type BoxFuture<T> = Pin<Box<dyn Future<Output = Result<T>> + Send>>;

impl<S> Service<Request<Body>> for AuthService<S>
where
    S: Service<Request<Body>, Response = Response<Body>, Error = Error> + Clone + Send + 'static,
    S::Future: Send,
{
    type Response = Response<Body>;
    type Error = Error;
    type Future = BoxFuture<Response<Body>>;

    fn poll_ready(&mut self, _cx: &mut Context<'_>) -> Poll<Result<()>> {
        Poll::Ready(Ok(()))
    }

    fn call(&mut self, mut req: Request<Body>) -> Self::Future {
        let inner = self.inner.clone();
        let auth = self.auth.clone();
        Box::pin(async move {
            if auth.is_none() || req.headers().contains_key(AUTHORIZATION) {
                return inner.oneshot(req).await;
            }
            let (value, stamp) = auth.header().await?;
            if let Some(v) = value {
                req.headers_mut().insert(AUTHORIZATION, v);
            }
            let renewable = auth.renewable();
            let replay = if renewable { clone_request(&req) } else { None };
            let resp = inner.clone().oneshot(req).await?;
            if !renewable || resp.status() != StatusCode::UNAUTHORIZED {
                return Ok(resp);
            }
            // Renew even when this request cannot be resent, so the next one is fresh.
            if !auth.refresh(stamp).await? {
                return Ok(resp);
            }
            let Some(mut again) = replay else {
                return Ok(resp);
            };
            tracing::debug!("credential renewed after 401; retrying once");
            drop(resp);
            let (value, _) = auth.header().await?;
            match value {
                Some(v) => again.headers_mut().insert(AUTHORIZATION, v),
                None => again.headers_mut().remove(AUTHORIZATION),
            };
            inner.oneshot(again).await
        })
    }
}
