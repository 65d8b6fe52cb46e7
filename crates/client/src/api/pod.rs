//! Pod logs, pod eviction and service-account tokens.

use std::fmt;
use std::pin::Pin;
use std::task::{Context, Poll};

use bytes::Bytes;
use futures::stream::BoxStream;
use futures::{Stream, StreamExt};
use http::Method;
use kapi_apimachinery::meta::Status;
use kapi_apimachinery::options::DeleteOptions;
use kapi_apimachinery::Object;

use super::request::Call;
use super::{status_or, Api, Either};
use crate::error::{Error, Result};
use crate::transport::RequestKind;
use crate::watch::lines::LineSplitter as Lines;

/// The longest log line [`LogStream::lines`] hands out whole.
const MAX_LOG_LINE: usize = 1 << 20;

/// Options of a log request (`PodLogOptions`).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct LogParams {
    /// `container`: required when the pod has several containers.
    pub container: Option<String>,
    /// `follow`: keep streaming as the container writes.
    pub follow: bool,
    /// `previous`: the previous (terminated) instance of the container.
    pub previous: bool,
    /// `sinceSeconds`: only lines newer than this many seconds.
    pub since_seconds: Option<i64>,
    /// `sinceTime` (RFC 3339): only lines newer than this time.
    pub since_time: Option<String>,
    /// `timestamps`: prefix each line with its RFC 3339 timestamp.
    pub timestamps: bool,
    /// `tailLines`: only the last N lines.
    pub tail_lines: Option<i64>,
    /// `limitBytes`: stop after this many bytes.
    pub limit_bytes: Option<i64>,
    /// `insecureSkipTLSVerifyBackend`: do not verify the kubelet's certificate.
    pub insecure_skip_tls_verify_backend: bool,
}

impl LogParams {
    /// The query string.
    pub fn to_query(&self) -> String {
        let mut q = form_urlencoded::Serializer::new(String::new());
        let flag = |q: &mut form_urlencoded::Serializer<'_, String>, k: &str, v: bool| {
            if v {
                q.append_pair(k, "true");
            }
        };
        if let Some(c) = &self.container {
            q.append_pair("container", c);
        }
        flag(&mut q, "follow", self.follow);
        flag(&mut q, "previous", self.previous);
        if let Some(s) = self.since_seconds {
            q.append_pair("sinceSeconds", &s.to_string());
        }
        if let Some(t) = &self.since_time {
            q.append_pair("sinceTime", t);
        }
        flag(&mut q, "timestamps", self.timestamps);
        if let Some(n) = self.tail_lines {
            q.append_pair("tailLines", &n.to_string());
        }
        if let Some(n) = self.limit_bytes {
            q.append_pair("limitBytes", &n.to_string());
        }
        flag(
            &mut q,
            "insecureSkipTLSVerifyBackend",
            self.insecure_skip_tls_verify_backend,
        );
        q.finish()
    }
}

/// A log as it arrives: a stream of byte chunks; [`LogStream::lines`] splits it into lines.
pub struct LogStream(BoxStream<'static, Result<Bytes>>);

impl fmt::Debug for LogStream {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("LogStream")
    }
}

impl Stream for LogStream {
    type Item = Result<Bytes>;
    fn poll_next(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Result<Bytes>>> {
        self.0.as_mut().poll_next(cx)
    }
}

impl LogStream {
    /// The log line by line (without the `\n`; invalid UTF-8 replaced). A line longer than
    /// 1 MiB is skipped and reported as [`Error::EventTooLarge`].
    pub fn lines(self) -> BoxStream<'static, Result<String>> {
        let mut chunks = self.0;
        let mut lines = Lines::keeping_blank(MAX_LOG_LINE);
        let mut ready: std::collections::VecDeque<Result<String>> = Default::default();
        let mut done = false;
        futures::stream::poll_fn(move |cx| loop {
            if let Some(line) = ready.pop_front() {
                return Poll::Ready(Some(line));
            }
            if done {
                return Poll::Ready(None);
            }
            let mut take = |l: crate::watch::lines::Line<'_>| {
                ready.push_back(match l {
                    crate::watch::lines::Line::Full(b) => {
                        Ok(String::from_utf8_lossy(b).into_owned())
                    }
                    crate::watch::lines::Line::TooLong => Err(Error::EventTooLarge {
                        limit: MAX_LOG_LINE,
                    }),
                });
            };
            match chunks.as_mut().poll_next(cx) {
                Poll::Pending => return Poll::Pending,
                Poll::Ready(Some(Ok(chunk))) => lines.push(&chunk, &mut take),
                Poll::Ready(Some(Err(e))) => {
                    done = true;
                    ready.push_back(Err(e));
                }
                Poll::Ready(None) => {
                    lines.finish(&mut take);
                    done = true;
                }
            }
        })
        .boxed()
    }
}

impl<K: Object> Api<K> {
    fn log_call(&self, name: &str, params: &LogParams) -> Result<Call> {
        self.require_subresource("log")?;
        Ok(Call::new(Method::GET, self.object_path(name, Some("log"))?)
            .query(&params.to_query())
            .accept("text/plain, */*"))
    }

    /// The log of a pod's container, whole (`follow` is ignored: see [`Api::log_stream`]).
    ///
    /// ```no_run
    /// use kapi_api::core::v1::Pod;
    /// use kapi_client::{Api, Client, LogParams};
    ///
    /// # async fn demo() -> Result<(), kapi_client::Error> {
    /// let pods: Api<Pod> = Api::default_namespaced(Client::try_default()?);
    /// let text = pods.logs("web-0", &LogParams { tail_lines: Some(100), ..LogParams::default() }).await?;
    /// print!("{text}");
    /// # Ok(()) }
    /// ```
    ///
    /// # Errors
    /// When the resource has no `log` subresource; 404, 400 (several containers and none
    /// named).
    pub async fn logs(&self, name: &str, params: &LogParams) -> Result<String> {
        let params = LogParams {
            follow: false,
            ..params.clone()
        };
        let body = self.fetch_bytes(self.log_call(name, &params)?).await?;
        Ok(String::from_utf8_lossy(&body).into_owned())
    }

    /// The log of a pod's container as it is written (with `follow: true`, until the
    /// container stops or the stream is dropped). Not subject to the request timeout.
    ///
    /// ```no_run
    /// use futures::TryStreamExt;
    /// use kapi_api::core::v1::Pod;
    /// use kapi_client::{Api, Client, LogParams};
    ///
    /// # async fn demo() -> Result<(), kapi_client::Error> {
    /// let pods: Api<Pod> = Api::default_namespaced(Client::try_default()?);
    /// let params = LogParams { follow: true, container: Some("app".into()), ..LogParams::default() };
    /// let mut lines = pods.log_stream("web-0", &params).await?.lines();
    /// while let Some(line) = lines.try_next().await? {
    ///     println!("{line}");
    /// }
    /// # Ok(()) }
    /// ```
    ///
    /// # Errors
    /// As [`Api::logs`].
    pub async fn log_stream(&self, name: &str, params: &LogParams) -> Result<LogStream> {
        let call = self.log_call(name, params)?.kind(RequestKind::Stream);
        let resp = self.client.checked(call.build()?).await?;
        Ok(LogStream(resp.into_body().into_data_stream().boxed()))
    }

    /// Evicts a pod (`POST .../pods/{name}/eviction` with a `policy/v1 Eviction`), which
    /// respects PodDisruptionBudgets. Returns the server's `Status`.
    ///
    /// ```no_run
    /// use kapi_api::core::v1::Pod;
    /// use kapi_apimachinery::options::DeleteOptions;
    /// use kapi_client::{Api, Client};
    ///
    /// # async fn demo() -> Result<(), kapi_client::Error> {
    /// let pods: Api<Pod> = Api::namespaced(Client::try_default()?, "default");
    /// match pods.evict("web-0", &DeleteOptions::default()).await {
    ///     Ok(_) => println!("evicted"),
    ///     Err(e) if e.is_too_many_requests() => println!("a disruption budget forbids it now"),
    ///     Err(e) => return Err(e),
    /// }
    /// # Ok(()) }
    /// ```
    ///
    /// # Errors
    /// When the resource has no `eviction` subresource; 404; 429 when a disruption budget
    /// does not allow it now.
    pub async fn evict(&self, name: &str, opts: &DeleteOptions) -> Result<Status> {
        self.require_subresource("eviction")?;
        let mut eviction = serde_json::json!({
            "apiVersion": "policy/v1",
            "kind": "Eviction",
            "metadata": {"name": name, "namespace": self.url_namespace(true)?},
        });
        if !opts.is_empty() {
            eviction["deleteOptions"] = serde_json::to_value(opts.to_body())
                .map_err(|e| Error::InvalidRequest(e.to_string()))?;
        }
        let call =
            Call::new(Method::POST, self.object_path(name, Some("eviction"))?).json(&eviction)?;
        let body = self.fetch_bytes(call).await?;
        Ok(match status_or::<serde_json::Value>(&body, "Eviction")? {
            Either::Right(status) => status,
            Either::Left(_) => Status::success(),
        })
    }
}

#[cfg(feature = "authentication")]
impl<K: Object> Api<K> {
    /// Requests a token for a service account (`POST .../serviceaccounts/{name}/token`).
    ///
    /// ```no_run
    /// use kapi_api::authentication::v1::{TokenRequest, TokenRequestSpec};
    /// use kapi_api::core::v1::ServiceAccount;
    /// use kapi_apimachinery::options::CreateOptions;
    /// use kapi_client::{Api, Client};
    ///
    /// # async fn demo() -> Result<(), kapi_client::Error> {
    /// let sas: Api<ServiceAccount> = Api::namespaced(Client::try_default()?, "default");
    /// let mut req = TokenRequest::default();
    /// req.spec = Some(TokenRequestSpec { audiences: kapi_apimachinery::thin_vec!["vault".into()], expiration_seconds: Some(600), ..Default::default() });
    /// let answer = sas.create_token("builder", &CreateOptions::default(), &req).await?;
    /// println!("expires {:?}", answer.status.map(|s| s.expiration_timestamp));
    /// # Ok(()) }
    /// ```
    ///
    /// # Errors
    /// When the resource has no `token` subresource; 404.
    pub async fn create_token(
        &self,
        name: &str,
        opts: &kapi_apimachinery::options::CreateOptions,
        request: &kapi_api::authentication::v1::TokenRequest,
    ) -> Result<kapi_api::authentication::v1::TokenRequest> {
        self.create_subresource("token", name, opts, request).await
    }
}
