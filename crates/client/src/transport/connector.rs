//! The connector: TCP (with a connect timeout and keep-alive), an optional HTTP CONNECT or
//! SOCKS5 proxy hop, then TLS (with a handshake timeout, SNI override and ALPN).

use std::fmt;
use std::future::Future;
use std::io;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};
use std::time::Duration;

use http::Uri;
use hyper::rt::{Read, ReadBufCursor, Write};
use hyper_util::client::legacy::connect::proxy::{SocksV5, Tunnel};
use hyper_util::client::legacy::connect::{Connected, Connection, HttpConnector};
use hyper_util::rt::TokioIo;
use tokio::net::TcpStream;
use tokio_rustls::client::TlsStream;
use tokio_rustls::TlsConnector;
use tower::{Service, ServiceExt};

use super::proxy::Route;
use crate::error::{BoxError, TimeoutKind};
use crate::tls::TlsState;

/// A timeout inside the connector, recognised when mapping errors.
#[derive(Debug)]
pub(crate) struct TimedOut(pub(crate) TimeoutKind);

impl fmt::Display for TimedOut {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} timed out", self.0)
    }
}

impl std::error::Error for TimedOut {}

/// Connects to the API server.
#[derive(Clone)]
pub(crate) struct Connector {
    tcp: HttpConnector,
    route: Route,
    tls: Option<Arc<TlsState>>,
    server_name: Option<String>,
    connect_timeout: Duration,
    handshake_timeout: Duration,
}

impl fmt::Debug for Connector {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Connector")
            .field("route", &self.route)
            .finish_non_exhaustive()
    }
}

impl Connector {
    pub(crate) fn new(
        route: Route,
        tls: Option<Arc<TlsState>>,
        server_name: Option<String>,
        connect_timeout: Duration,
        handshake_timeout: Duration,
    ) -> Self {
        let mut tcp = HttpConnector::new();
        tcp.enforce_http(false);
        tcp.set_nodelay(true);
        tcp.set_keepalive(Some(Duration::from_secs(30)));
        tcp.set_connect_timeout(Some(connect_timeout));
        Self {
            tcp,
            route,
            tls,
            server_name,
            connect_timeout,
            handshake_timeout,
        }
    }

    async fn tcp(&self, dst: Uri) -> Result<TokioIo<TcpStream>, BoxError> {
        let tcp = self.tcp.clone();
        match &self.route {
            Route::Direct => tcp.oneshot(dst).await.map_err(Into::into),
            Route::Connect { proxy, auth } => {
                let mut tunnel = Tunnel::new(proxy.clone(), tcp);
                if let Some(a) = auth {
                    tunnel = tunnel.with_auth(a.clone());
                }
                tunnel
                    .oneshot(dst)
                    .await
                    .map_err(|e| format!("HTTP CONNECT proxy: {e:?}").into())
            }
            Route::Socks {
                proxy,
                auth,
                local_dns,
            } => {
                let mut socks = SocksV5::new(proxy.clone(), tcp).local_dns(*local_dns);
                if let Some((u, p)) = auth {
                    socks = socks.with_auth(u.clone(), p.clone());
                }
                socks
                    .oneshot(dst)
                    .await
                    .map_err(|e| format!("SOCKS5 proxy: {e:?}").into())
            }
        }
    }

    async fn connect(self, dst: Uri) -> Result<Stream, BoxError> {
        let tcp = tokio::time::timeout(self.connect_timeout, self.tcp(dst.clone()))
            .await
            .map_err(|_| TimedOut(TimeoutKind::Connect))??;
        if dst.scheme_str() != Some("https") {
            return Ok(Stream::Plain(tcp));
        }
        let tls = self
            .tls
            .as_ref()
            .ok_or("https URL but TLS is not configured")?;
        let host = dst.host().ok_or("URL has no host")?;
        let name = crate::tls::server_name(host, self.server_name.as_deref())?;
        let connector = TlsConnector::from(tls.client_config());
        let stream = tokio::time::timeout(
            self.handshake_timeout,
            connector.connect(name, tcp.into_inner()),
        )
        .await
        .map_err(|_| TimedOut(TimeoutKind::TlsHandshake))??;
        Ok(Stream::Tls(Box::new(TokioIo::new(stream))))
    }
}

impl Service<Uri> for Connector {
    type Response = Stream;
    type Error = BoxError;
    type Future = Pin<Box<dyn Future<Output = Result<Stream, BoxError>> + Send>>;

    fn poll_ready(&mut self, _cx: &mut Context<'_>) -> Poll<Result<(), BoxError>> {
        Poll::Ready(Ok(()))
    }

    fn call(&mut self, dst: Uri) -> Self::Future {
        Box::pin(self.clone().connect(dst))
    }
}

/// A plain or TLS connection.
#[derive(Debug)]
pub(crate) enum Stream {
    Plain(TokioIo<TcpStream>),
    Tls(Box<TokioIo<TlsStream<TcpStream>>>),
}

impl Connection for Stream {
    fn connected(&self) -> Connected {
        match self {
            Stream::Plain(s) => s.connected(),
            Stream::Tls(s) => {
                let (tcp, session) = s.inner().get_ref();
                let connected = tcp.connected();
                if session.alpn_protocol() == Some(b"h2") {
                    connected.negotiated_h2()
                } else {
                    connected
                }
            }
        }
    }
}

impl Read for Stream {
    fn poll_read(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: ReadBufCursor<'_>,
    ) -> Poll<io::Result<()>> {
        match self.get_mut() {
            Stream::Plain(s) => Pin::new(s).poll_read(cx, buf),
            Stream::Tls(s) => Pin::new(&mut **s).poll_read(cx, buf),
        }
    }
}

impl Write for Stream {
    fn poll_write(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        match self.get_mut() {
            Stream::Plain(s) => Pin::new(s).poll_write(cx, buf),
            Stream::Tls(s) => Pin::new(&mut **s).poll_write(cx, buf),
        }
    }

    fn poll_flush(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        match self.get_mut() {
            Stream::Plain(s) => Pin::new(s).poll_flush(cx),
            Stream::Tls(s) => Pin::new(&mut **s).poll_flush(cx),
        }
    }

    fn poll_shutdown(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        match self.get_mut() {
            Stream::Plain(s) => Pin::new(s).poll_shutdown(cx),
            Stream::Tls(s) => Pin::new(&mut **s).poll_shutdown(cx),
        }
    }

    fn poll_write_vectored(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        bufs: &[io::IoSlice<'_>],
    ) -> Poll<io::Result<usize>> {
        match self.get_mut() {
            Stream::Plain(s) => Pin::new(s).poll_write_vectored(cx, bufs),
            Stream::Tls(s) => Pin::new(&mut **s).poll_write_vectored(cx, bufs),
        }
    }

    fn is_write_vectored(&self) -> bool {
        match self {
            Stream::Plain(s) => s.is_write_vectored(),
            Stream::Tls(s) => s.is_write_vectored(),
        }
    }
}
