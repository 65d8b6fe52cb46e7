//! `Warning` response headers (deprecated APIs, admission warnings): parsed, logged through
//! tracing and handed to a [`WarningHandler`].

use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};

use http::header::WARNING;
use http::{Request, Response};
use tower::{Layer, Service, ServiceExt};

use crate::body::Body;
use crate::error::Error;

/// One warning from the server (`299 - "text"`).
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct Warning {
    /// The warn-code (the API server uses 299).
    pub code: u16,
    /// The warn-agent (`-` from the API server).
    pub agent: String,
    /// The text.
    pub text: String,
}

impl Warning {
    /// Parses one `Warning` header value, which may hold several comma-separated warnings.
    /// Malformed parts are skipped.
    pub fn parse_header(value: &str) -> Vec<Warning> {
        let mut out = Vec::new();
        let mut rest = value.trim_start();
        while !rest.is_empty() {
            match parse_one(rest) {
                Some((w, after)) => {
                    out.push(w);
                    rest = after.trim_start().trim_start_matches(',').trim_start();
                }
                None => break,
            }
        }
        out
    }
}

impl fmt::Display for Warning {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.text)
    }
}

/// `code SP agent SP "text" [SP "date"]`, returning the warning and what follows it.
fn parse_one(s: &str) -> Option<(Warning, &str)> {
    let (code, rest) = s.split_once(' ')?;
    if code.len() != 3 {
        return None;
    }
    let code: u16 = code.parse().ok()?;
    let (agent, rest) = rest.split_once(' ')?;
    let (text, mut rest) = quoted(rest)?;
    if let Some(after_space) = rest.strip_prefix(' ') {
        if after_space.starts_with('"') {
            rest = quoted(after_space)?.1;
        }
    }
    Some((
        Warning {
            code,
            agent: agent.to_owned(),
            text,
        },
        rest,
    ))
}

/// A quoted-string with `\` escapes, and what follows it.
fn quoted(s: &str) -> Option<(String, &str)> {
    let body = s.strip_prefix('"')?;
    let mut text = String::new();
    let mut escaped = false;
    for (i, c) in body.char_indices() {
        if escaped {
            text.push(c);
            escaped = false;
        } else if c == '\\' {
            escaped = true;
        } else if c == '"' {
            return Some((text, &body[i + 1..]));
        } else {
            text.push(c);
        }
    }
    None
}

/// Called with every warning the server sends.
#[derive(Clone)]
pub struct WarningHandler(Arc<dyn Fn(&Warning) + Send + Sync>);

impl WarningHandler {
    /// Wraps a callback.
    pub fn new(f: impl Fn(&Warning) + Send + Sync + 'static) -> Self {
        Self(Arc::new(f))
    }

    fn call(&self, w: &Warning) {
        (self.0)(w);
    }
}

impl fmt::Debug for WarningHandler {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("WarningHandler(..)")
    }
}

/// Surfaces `Warning` headers.
#[derive(Clone, Debug)]
pub(crate) struct WarningLayer(pub(crate) Option<WarningHandler>);

impl<S> Layer<S> for WarningLayer {
    type Service = Warnings<S>;
    fn layer(&self, inner: S) -> Warnings<S> {
        Warnings {
            inner,
            handler: self.0.clone(),
        }
    }
}

/// The service made by [`WarningLayer`].
#[derive(Clone, Debug)]
pub(crate) struct Warnings<S> {
    inner: S,
    handler: Option<WarningHandler>,
}

impl<S> Service<Request<Body>> for Warnings<S>
where
    S: Service<Request<Body>, Response = Response<Body>, Error = Error> + Clone + Send + 'static,
    S::Future: Send,
{
    type Response = Response<Body>;
    type Error = Error;
    type Future = Pin<Box<dyn Future<Output = Result<Response<Body>, Error>> + Send>>;

    fn poll_ready(&mut self, _cx: &mut Context<'_>) -> Poll<Result<(), Error>> {
        Poll::Ready(Ok(()))
    }

    fn call(&mut self, req: Request<Body>) -> Self::Future {
        let inner = self.inner.clone();
        let handler = self.handler.clone();
        Box::pin(async move {
            let resp = inner.oneshot(req).await?;
            for value in resp.headers().get_all(WARNING) {
                let Ok(value) = value.to_str() else { continue };
                for w in Warning::parse_header(value) {
                    tracing::warn!(code = w.code, agent = %w.agent, "API server warning: {}", w.text);
                    if let Some(h) = &handler {
                        h.call(&w);
                    }
                }
            }
            Ok(resp)
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_warning_values() {
        let ws = Warning::parse_header(
            r#"299 - "v1beta1 is deprecated, use \"v1\"", 299 - "second" "Tue, 15 Nov 1994 08:12:31 GMT""#,
        );
        assert_eq!(ws.len(), 2);
        assert_eq!(ws[0].text, r#"v1beta1 is deprecated, use "v1""#);
        assert_eq!(
            (ws[1].code, ws[1].agent.as_str(), ws[1].text.as_str()),
            (299, "-", "second")
        );
        assert!(Warning::parse_header("garbage").is_empty());
    }
}
