//! A small HTTPS server for the tests: hyper + rustls, optional client certificates, a handler
//! per test, and a record of every request it saw.

use std::convert::Infallible;
use std::future::Future;
use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::pin::Pin;
use std::sync::{Arc, Mutex};

use bytes::Bytes;
use http::{HeaderMap, Method, Request, Response, StatusCode, Uri, Version};
use http_body_util::combinators::BoxBody;
use http_body_util::{BodyExt, Full, StreamBody};
use hyper::body::{Frame, Incoming};
use hyper_util::rt::{TokioExecutor, TokioIo};
use tokio::net::TcpListener;
use tokio::task::JoinHandle;
use tokio_rustls::rustls::pki_types::pem::PemObject;
use tokio_rustls::rustls::pki_types::{CertificateDer, PrivateKeyDer};
use tokio_rustls::rustls::server::WebPkiClientVerifier;
use tokio_rustls::rustls::{self, RootCertStore, ServerConfig};
use tokio_rustls::TlsAcceptor;

use super::pki::Pem;

pub(crate) type ResBody = BoxBody<Bytes, std::io::Error>;
/// `Err(Abort)` closes the connection without an answer.
pub(crate) type Reply = Result<Response<ResBody>, Abort>;
pub(crate) type Handler =
    Arc<dyn Fn(Seen) -> Pin<Box<dyn Future<Output = Reply> + Send>> + Send + Sync>;

/// Close the connection instead of answering.
#[derive(Debug)]
pub(crate) struct Abort;

impl std::fmt::Display for Abort {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("aborted by the test")
    }
}

impl std::error::Error for Abort {}

/// What the server saw of one request.
#[derive(Clone, Debug)]
pub(crate) struct Seen {
    pub(crate) n: usize,
    pub(crate) method: Method,
    pub(crate) uri: Uri,
    pub(crate) version: Version,
    pub(crate) headers: HeaderMap,
    pub(crate) body: Bytes,
    /// The name of the client certificate presented, if any.
    pub(crate) client: Option<String>,
}

impl Seen {
    pub(crate) fn header(&self, name: &str) -> Option<String> {
        self.headers
            .get(name)
            .and_then(|v| v.to_str().ok())
            .map(str::to_owned)
    }
}

/// Builds a [`Handler`] from an async closure.
pub(crate) fn handler<F, Fut>(f: F) -> Handler
where
    F: Fn(Seen) -> Fut + Send + Sync + 'static,
    Fut: Future<Output = Reply> + Send + 'static,
{
    Arc::new(move |seen| Box::pin(f(seen)))
}

pub(crate) fn full(status: u16, content_type: &str, body: impl Into<Bytes>) -> Response<ResBody> {
    Response::builder()
        .status(StatusCode::from_u16(status).expect("status"))
        .header("content-type", content_type)
        .body(
            Full::new(body.into())
                .map_err(|never: Infallible| match never {})
                .boxed(),
        )
        .expect("response")
}

pub(crate) fn json(status: u16, value: &serde_json::Value) -> Response<ResBody> {
    full(status, "application/json", value.to_string())
}

/// A body fed from a channel, chunk by chunk.
pub(crate) fn streaming(rx: tokio::sync::mpsc::Receiver<Bytes>) -> ResBody {
    let stream = futures::stream::unfold(rx, |mut rx| async move {
        rx.recv()
            .await
            .map(|b| (Ok::<_, std::io::Error>(Frame::data(b)), rx))
    });
    StreamBody::new(stream).boxed()
}

/// How the server is set up.
pub(crate) struct Options {
    pub(crate) cert: Pem,
    /// Offer HTTP/2 in ALPN (else only HTTP/1.1).
    pub(crate) h2: bool,
    /// Ask for client certificates signed by this CA (optional for the client).
    pub(crate) client_ca: Option<String>,
    /// Known client certificates, by name.
    pub(crate) clients: Vec<(String, String)>,
    pub(crate) bind: IpAddr,
    /// Serve plain HTTP instead of TLS.
    pub(crate) plain: bool,
}

impl Options {
    pub(crate) fn new(cert: Pem) -> Self {
        Self {
            cert,
            h2: true,
            client_ca: None,
            clients: Vec::new(),
            bind: IpAddr::V4(Ipv4Addr::LOCALHOST),
            plain: false,
        }
    }
}

/// A running server; stops when dropped.
pub(crate) struct Server {
    pub(crate) addr: SocketAddr,
    seen: Arc<Mutex<Vec<Seen>>>,
    task: JoinHandle<()>,
    plain: bool,
}

impl Drop for Server {
    fn drop(&mut self) {
        self.task.abort();
    }
}

fn der(pem: &str) -> CertificateDer<'static> {
    CertificateDer::from_pem_slice(pem.as_bytes()).expect("certificate PEM")
}

impl Server {
    pub(crate) async fn start(opts: Options, handler: Handler) -> Server {
        let provider = Arc::new(rustls::crypto::ring::default_provider());
        let builder = ServerConfig::builder_with_provider(provider.clone())
            .with_safe_default_protocol_versions()
            .expect("versions");
        let builder = match &opts.client_ca {
            Some(ca) => {
                let mut roots = RootCertStore::empty();
                roots.add(der(ca)).expect("client CA");
                let verifier =
                    WebPkiClientVerifier::builder_with_provider(Arc::new(roots), provider)
                        .allow_unauthenticated()
                        .build()
                        .expect("verifier");
                builder.with_client_cert_verifier(verifier)
            }
            None => builder.with_no_client_auth(),
        };
        let key = PrivateKeyDer::from_pem_slice(opts.cert.key.as_bytes()).expect("key");
        let mut config = builder
            .with_single_cert(vec![der(&opts.cert.cert)], key)
            .expect("cert");
        config.alpn_protocols = if opts.h2 {
            vec![b"h2".to_vec(), b"http/1.1".to_vec()]
        } else {
            vec![b"http/1.1".to_vec()]
        };
        let acceptor = TlsAcceptor::from(Arc::new(config));
        let clients: Arc<Vec<(CertificateDer<'static>, String)>> = Arc::new(
            opts.clients
                .iter()
                .map(|(name, pem)| (der(pem), name.clone()))
                .collect(),
        );

        let listener = TcpListener::bind((opts.bind, 0)).await.expect("bind");
        let addr = listener.local_addr().expect("addr");
        let seen = Arc::new(Mutex::new(Vec::new()));
        let plain = opts.plain;
        let seen2 = seen.clone();
        let task = tokio::spawn(async move {
            loop {
                let Ok((tcp, _)) = listener.accept().await else {
                    continue;
                };
                let acceptor = acceptor.clone();
                let clients = clients.clone();
                let handler = handler.clone();
                let seen = seen2.clone();
                tokio::spawn(async move {
                    if plain {
                        serve(TokioIo::new(tcp), None, handler, seen).await;
                        return;
                    }
                    let Ok(tls) = acceptor.accept(tcp).await else {
                        return;
                    };
                    let client = tls.get_ref().1.peer_certificates().and_then(|certs| {
                        let leaf = certs.first()?;
                        clients
                            .iter()
                            .find(|(d, _)| d == leaf)
                            .map(|(_, n)| n.clone())
                    });
                    serve(TokioIo::new(tls), client, handler, seen).await;
                });
            }
        });
        Server {
            addr,
            seen,
            task,
            plain,
        }
    }

    /// `https://127.0.0.1:<port>` (or `[::1]`).
    pub(crate) fn url(&self) -> String {
        let scheme = if self.plain { "http" } else { "https" };
        match self.addr.ip() {
            IpAddr::V6(ip) => format!("{scheme}://[{ip}]:{}", self.addr.port()),
            IpAddr::V4(ip) => format!("{scheme}://{ip}:{}", self.addr.port()),
        }
    }

    pub(crate) fn hits(&self) -> usize {
        self.seen.lock().expect("lock").len()
    }

    pub(crate) fn seen(&self) -> Vec<Seen> {
        self.seen.lock().expect("lock").clone()
    }
}

async fn serve<I>(io: I, client: Option<String>, handler: Handler, seen: Arc<Mutex<Vec<Seen>>>)
where
    I: hyper::rt::Read + hyper::rt::Write + Unpin + Send + 'static,
{
    let service = hyper::service::service_fn(move |req: Request<Incoming>| {
        let handler = handler.clone();
        let seen = seen.clone();
        let client = client.clone();
        async move {
            let (parts, body) = req.into_parts();
            let body = body
                .collect()
                .await
                .map(http_body_util::Collected::to_bytes)
                .unwrap_or_default();
            let record = {
                let mut all = seen.lock().expect("lock");
                let s = Seen {
                    n: all.len(),
                    method: parts.method,
                    uri: parts.uri,
                    version: parts.version,
                    headers: parts.headers,
                    body,
                    client,
                };
                all.push(s.clone());
                s
            };
            handler(record).await
        }
    });
    let builder = hyper_util::server::conn::auto::Builder::new(TokioExecutor::new());
    let _ = builder.serve_connection(io, service).await;
}
