//! Starting and stopping a server: the builder, the runtime thread, the accept loop (with
//! TLS and the connection-refusal fault), and the [`TestServer`] handle.

use std::net::{Ipv4Addr, SocketAddr};
use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

use hyper::service::service_fn;
use hyper_util::rt::{TokioExecutor, TokioIo};
use hyper_util::server::conn::auto;
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::{oneshot, watch};
use tokio_rustls::TlsAcceptor;

use crate::faults::Faults;
use crate::shared::{Settings, Shared};
use crate::store::HistoryLimits;
use crate::{kubeconfig, tls, Error};

/// Options for a [`TestServer`]; start with [`TestServer::builder`].
#[derive(Debug, Clone)]
pub struct TestServerBuilder {
    https: bool,
    token: Option<String>,
    port: u16,
    history_events: usize,
    history_age: Option<Duration>,
    bookmark_interval: Duration,
    log_requests: bool,
    watch_buffer: usize,
    rv_wait: Duration,
    request_timeout: Duration,
}

impl Default for TestServerBuilder {
    fn default() -> Self {
        Self {
            https: true,
            token: None,
            port: 0,
            history_events: 10_000,
            history_age: None,
            bookmark_interval: Duration::from_secs(60),
            log_requests: false,
            watch_buffer: 1024,
            rv_wait: Duration::from_secs(3),
            request_timeout: Duration::from_secs(60),
        }
    }
}

impl TestServerBuilder {
    /// Serve plain HTTP instead of HTTPS.
    #[must_use]
    pub fn http(mut self) -> Self {
        self.https = false;
        self
    }

    /// Serve HTTPS (the default) or plain HTTP.
    #[must_use]
    pub fn https(mut self, on: bool) -> Self {
        self.https = on;
        self
    }

    /// Require `Authorization: Bearer <token>` (401 otherwise). The kubeconfig carries it.
    #[must_use]
    pub fn token(mut self, token: impl Into<String>) -> Self {
        self.token = Some(token.into());
        self
    }

    /// Listen on this port of 127.0.0.1 (default: a free port).
    #[must_use]
    pub fn port(mut self, port: u16) -> Self {
        self.port = port;
        self
    }

    /// Keep at most this many events of history (default 10 000). Watches and exact reads
    /// from an older resourceVersion get 410 Expired.
    #[must_use]
    pub fn history_events(mut self, events: usize) -> Self {
        self.history_events = events;
        self
    }

    /// Drop events older than this from the history (default: no age limit).
    #[must_use]
    pub fn history_age(mut self, age: Duration) -> Self {
        self.history_age = Some(age);
        self
    }

    /// Interval of periodic watch bookmarks (default 60 s).
    #[must_use]
    pub fn bookmark_interval(mut self, interval: Duration) -> Self {
        self.bookmark_interval = interval;
        self
    }

    /// Log every request (method, path, status, duration) through `tracing`.
    #[must_use]
    pub fn log_requests(mut self, on: bool) -> Self {
        self.log_requests = on;
        self
    }

    /// Events buffered per watcher before a slow watcher is closed with 410 (default 1024).
    #[must_use]
    pub fn watch_buffer(mut self, events: usize) -> Self {
        self.watch_buffer = events;
        self
    }

    /// How long a read waits for a future resourceVersion before 504 (default 3 s).
    #[must_use]
    pub fn resource_version_wait(mut self, wait: Duration) -> Self {
        self.rv_wait = wait;
        self
    }

    /// How long a non-watch request may take before it is answered with 504 Timeout
    /// (default 60 s, as upstream; rule 2.12). A request's own `?timeout=` may shorten it.
    #[must_use]
    pub fn request_timeout(mut self, timeout: Duration) -> Self {
        self.request_timeout = timeout;
        self
    }

    /// Starts the server on its own runtime thread and waits until it listens.
    ///
    /// # Errors
    /// [`Error::Bind`] when the port is taken, [`Error::Tls`] when certificates cannot be made.
    pub async fn start(self) -> Result<TestServer, Error> {
        let (ready_rx, handle) = self.spawn()?;
        let ready = ready_rx.await.map_err(|_| Error::Stopped)??;
        Ok(handle.finish(ready))
    }

    /// Like [`TestServerBuilder::start`], for code outside an async runtime.
    ///
    /// # Errors
    /// As [`TestServerBuilder::start`].
    ///
    /// # Panics
    /// When called from inside an async runtime.
    pub fn start_blocking(self) -> Result<TestServer, Error> {
        let (ready_rx, handle) = self.spawn()?;
        let ready = ready_rx.blocking_recv().map_err(|_| Error::Stopped)??;
        Ok(handle.finish(ready))
    }

    fn spawn(self) -> Result<(oneshot::Receiver<Result<Ready, Error>>, Pending), Error> {
        let (ready_tx, ready_rx) = oneshot::channel();
        let (stop_tx, stop_rx) = oneshot::channel();
        let (done_tx, done_rx) = oneshot::channel();
        let faults = Faults::new();
        let settings = Settings {
            token: self.token.clone(),
            bookmark_interval: self.bookmark_interval,
            rv_wait: self.rv_wait,
            request_timeout: self.request_timeout,
            log_requests: self.log_requests,
            history: HistoryLimits {
                events: self.history_events.max(1),
                age: self.history_age,
            },
            watch_buffer: self.watch_buffer,
        };
        let opts = self.clone();
        let f = faults.clone();
        std::thread::Builder::new()
            .name("kapi-testserver".into())
            .spawn(move || {
                let rt = match tokio::runtime::Builder::new_multi_thread()
                    .worker_threads(2)
                    .thread_name("kapi-testserver-worker")
                    .enable_all()
                    .build()
                {
                    Ok(rt) => rt,
                    Err(e) => {
                        let _ = ready_tx.send(Err(Error::Io(e)));
                        return;
                    }
                };
                rt.block_on(run(opts, settings, f, ready_tx, stop_rx));
                rt.shutdown_timeout(Duration::from_secs(1));
                let _ = done_tx.send(());
            })?;
        Ok((
            ready_rx,
            Pending {
                token: self.token,
                faults,
                stop: stop_tx,
                done: done_rx,
            },
        ))
    }
}

struct Ready {
    addr: SocketAddr,
    ca_pem: Option<String>,
    shared: Arc<Shared>,
}

struct Pending {
    token: Option<String>,
    faults: Faults,
    stop: oneshot::Sender<()>,
    done: oneshot::Receiver<()>,
}

impl Pending {
    fn finish(self, ready: Ready) -> TestServer {
        let scheme = if ready.ca_pem.is_some() {
            "https"
        } else {
            "http"
        };
        TestServer {
            url: format!("{scheme}://{}", ready.addr),
            addr: ready.addr,
            ca_pem: ready.ca_pem,
            token: self.token,
            faults: self.faults,
            shared: ready.shared,
            stop: Some(self.stop),
            done: Some(self.done),
        }
    }
}

async fn run(
    opts: TestServerBuilder,
    settings: Settings,
    faults: Faults,
    ready: oneshot::Sender<Result<Ready, Error>>,
    stop: oneshot::Receiver<()>,
) {
    let addr = SocketAddr::from((Ipv4Addr::LOCALHOST, opts.port));
    let listener = match TcpListener::bind(addr).await {
        Ok(l) => l,
        Err(source) => {
            let _ = ready.send(Err(Error::Bind { addr, source }));
            return;
        }
    };
    let addr = match listener.local_addr() {
        Ok(a) => a,
        Err(e) => {
            let _ = ready.send(Err(Error::Io(e)));
            return;
        }
    };
    let tls = if opts.https {
        match tls::generate() {
            Ok(t) => Some(t),
            Err(e) => {
                let _ = ready.send(Err(e));
                return;
            }
        }
    } else {
        None
    };
    let shared = Shared::new(settings, faults, addr.to_string());
    crate::seed::default_namespaces(&shared);
    let controllers = tokio::spawn(crate::controllers::run(Arc::clone(&shared)));
    let acceptor = tls
        .as_ref()
        .map(|t| TlsAcceptor::from(Arc::clone(&t.config)));
    let ca_pem = tls.map(|t| t.ca_pem);
    if ready
        .send(Ok(Ready {
            addr,
            ca_pem,
            shared: Arc::clone(&shared),
        }))
        .is_err()
    {
        return;
    }
    accept_loop(listener, addr, acceptor, shared, stop).await;
    controllers.abort();
}

async fn accept_loop(
    listener: TcpListener,
    addr: SocketAddr,
    acceptor: Option<TlsAcceptor>,
    sh: Arc<Shared>,
    mut stop: oneshot::Receiver<()>,
) {
    let mut listener = Some(listener);
    let mut refusals = sh.faults.refusals();
    let (kill_tx, _) = watch::channel(0u64);
    while let Some(l) = listener.as_ref() {
        tokio::select! {
            _ = &mut stop => break,
            changed = refusals.changed() => {
                if changed.is_err() { continue; }
                let Some(until) = *refusals.borrow_and_update() else { continue };
                drop(listener.take());
                kill_tx.send_modify(|g| *g += 1);
                tokio::select! {
                    _ = &mut stop => break,
                    () = tokio::time::sleep_until(until.into()) => {}
                }
                listener = rebind(addr).await;
            }
            accepted = l.accept() => {
                let Ok((stream, _)) = accepted else { continue };
                let _ = stream.set_nodelay(true);
                tokio::spawn(connection(stream, acceptor.clone(), Arc::clone(&sh), kill_tx.subscribe()));
            }
        }
    }
    kill_tx.send_modify(|g| *g += 1);
}

async fn rebind(addr: SocketAddr) -> Option<TcpListener> {
    for _ in 0..50 {
        if let Ok(l) = TcpListener::bind(addr).await {
            return Some(l);
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    tracing::error!(target: "kapi_testserver", "cannot listen again on {addr}");
    None
}

async fn connection(
    stream: TcpStream,
    acceptor: Option<TlsAcceptor>,
    sh: Arc<Shared>,
    mut kill: watch::Receiver<u64>,
) {
    let svc = service_fn(move |req| crate::http::serve(Arc::clone(&sh), req));
    let builder = auto::Builder::new(TokioExecutor::new());
    let serve = async {
        match acceptor {
            Some(acc) => match acc.accept(stream).await {
                Ok(s) => {
                    let _ = builder.serve_connection(TokioIo::new(s), svc).await;
                }
                Err(e) => tracing::debug!(target: "kapi_testserver", "TLS handshake failed: {e}"),
            },
            None => {
                let _ = builder.serve_connection(TokioIo::new(stream), svc).await;
            }
        }
    };
    tokio::select! {
        () = serve => {}
        _ = kill.changed() => {}
    }
}

/// A running server. Dropping it stops the server (without waiting); [`TestServer::stop`]
/// waits until it is gone.
///
/// ```no_run
/// # async fn demo() -> Result<(), kapi_testserver::Error> {
/// let server = kapi_testserver::TestServer::start().await?;
/// println!("{}", server.url()); // https://127.0.0.1:PORT
/// server.write_kubeconfig("./kubeconfig")?;
/// server.stop().await;
/// # Ok(()) }
/// ```
#[derive(Debug)]
pub struct TestServer {
    url: String,
    addr: SocketAddr,
    ca_pem: Option<String>,
    token: Option<String>,
    faults: Faults,
    shared: Arc<Shared>,
    stop: Option<oneshot::Sender<()>>,
    done: Option<oneshot::Receiver<()>>,
}

impl TestServer {
    /// Starts a server with the default options (HTTPS, free port, no token).
    ///
    /// # Errors
    /// See [`TestServerBuilder::start`].
    pub async fn start() -> Result<Self, Error> {
        TestServerBuilder::default().start().await
    }

    /// A builder for other options.
    pub fn builder() -> TestServerBuilder {
        TestServerBuilder::default()
    }

    /// Base URL: `https://127.0.0.1:PORT` (or `http://`).
    pub fn url(&self) -> &str {
        &self.url
    }

    /// Listening address.
    pub fn address(&self) -> SocketAddr {
        self.addr
    }

    /// PEM of the CA that signed the server certificate (`None` over plain HTTP).
    pub fn ca_pem(&self) -> Option<&str> {
        self.ca_pem.as_deref()
    }

    /// The required bearer token, if any.
    pub fn token(&self) -> Option<&str> {
        self.token.as_deref()
    }

    /// A kubeconfig document (YAML) for this server: its URL, CA data, and token (a
    /// placeholder token when none is required, so no client prompts for credentials).
    pub fn kubeconfig(&self) -> String {
        kubeconfig::render(
            &self.url,
            self.ca_pem.as_deref(),
            self.token.as_deref().unwrap_or("kapi-testserver"),
        )
    }

    /// Writes [`TestServer::kubeconfig`] to `path`.
    ///
    /// # Errors
    /// [`Error::Io`] when the file cannot be written.
    pub fn write_kubeconfig(&self, path: impl AsRef<Path>) -> Result<(), Error> {
        // Write then rename, so a reader never sees half a file.
        let path = path.as_ref();
        let mut tmp = path.as_os_str().to_owned();
        tmp.push(".tmp");
        std::fs::write(&tmp, self.kubeconfig())?;
        std::fs::rename(&tmp, path)?;
        Ok(())
    }

    /// The fault-injection handle.
    pub fn faults(&self) -> Faults {
        self.faults.clone()
    }

    /// The current resourceVersion of the store.
    pub fn resource_version(&self) -> u64 {
        self.shared.store.current_rv()
    }

    /// Forgets the event history: every resourceVersion below the current one becomes too
    /// old (410) for watches and exact reads, like an etcd compaction.
    pub fn compact(&self) {
        self.shared.store.compact();
    }

    /// Stores objects directly, as fixtures: each keeps what it carries (`status` included),
    /// gets a fresh resourceVersion (and a `uid` and `creationTimestamp` when missing), and
    /// its namespace is created when missing. Existing objects are replaced. Watchers see
    /// the usual events. Returns how many objects were stored.
    ///
    /// # Errors
    /// [`Error::InvalidObject`] for an object of an unknown `apiVersion`/`kind` or without a
    /// name (objects before it are stored).
    pub fn insert(
        &self,
        objects: impl IntoIterator<Item = serde_json::Value>,
    ) -> Result<usize, Error> {
        crate::seed::insert(&self.shared, objects)
    }

    /// Stops the server and waits until its thread is gone.
    pub async fn stop(mut self) {
        if let Some(s) = self.stop.take() {
            let _ = s.send(());
        }
        if let Some(d) = self.done.take() {
            let _ = d.await;
        }
    }
}

impl Drop for TestServer {
    fn drop(&mut self) {
        if let Some(s) = self.stop.take() {
            let _ = s.send(());
        }
    }
}
