//! Configuration, authentication and transport for kapi — the layer every typed client, watch
//! and informer is built on.
//!
//! # Map
//!
//! | piece | what it is |
//! |---|---|
//! | [`Config`] | where the API server is and how to talk to it; [`Config::infer`] finds one (kubeconfig, else in-cluster), [`Config::new`] builds one by hand |
//! | [`kubeconfig`] | the kubeconfig format: parsing (YAML/JSON), merging `KUBECONFIG` lists with client-go's first-wins rules, resolving contexts with overrides, `minify`/`flatten` |
//! | [`InCluster`] | the service-account config of a pod (token re-read for rotation) |
//! | [`Auth`] | bearer token, [`TokenFile`], basic auth, [`ExecAuth`] plugins; client certificates live in [`TlsConfig`] |
//! | [`TlsConfig`] | rustls with the `ring` provider: custom CAs, `tls-server-name`, client certificates, insecure mode only when asked |
//! | [`transport`] | the tower stack: rate limiting ([`RateLimit`]), retries, timeouts, gzip, `Warning` headers, tracing, proxies, HTTP/2 |
//! | [`Client`] | a clonable handle: [`send`](Client::send), [`request_json`](Client::request_json), [`request_text`](Client::request_text), [`request_stream`](Client::request_stream) |
//! | [`ClientBuilder`] | the same stack plus your own tower layers |
//! | [`Error`] | one `#[non_exhaustive]` enum; API failures keep the server's `Status` ([`ApiError`]) |
//!
//! Secrets (tokens, passwords, keys, exec output) are [`SecretString`]/[`SecretBytes`] or
//! otherwise kept out of every `Debug`, `Display`, error message and log line.
//!
//! How configuration is found, every supported kubeconfig field, and where kapi deliberately
//! differs from client-go are described in `docs/configuration.md`.
//!
//! # Example
//!
//! ```no_run
//! use kapi_client::{Body, Client, Config};
//! use kapi_apimachinery::meta::Status;
//!
//! # async fn demo() -> Result<(), kapi_client::Error> {
//! let client = Client::new(Config::infer()?)?;
//! let ns = client.default_namespace().to_owned();
//! let req = http::Request::get(format!("/api/v1/namespaces/{ns}/pods?limit=1"))
//!     .body(Body::empty())
//!     .map_err(|e| kapi_client::Error::InvalidRequest(e.to_string()))?;
//! match client.request_json::<serde_json::Value>(req).await {
//!     Ok(list) => println!("{}", list["items"].as_array().map_or(0, Vec::len)),
//!     Err(kapi_client::Error::Api(e)) if e.is_forbidden() => println!("not allowed: {}", e.message()),
//!     Err(e) => return Err(e),
//! }
//! # let _ = Status::default();
//! # Ok(()) }
//! ```

pub mod api;
mod auth;
mod body;
mod client;
pub mod clientset;
mod config;
pub mod discovery;
pub mod error;
pub mod kubeconfig;
mod pager;
mod retry;
mod secret;
mod tls;
pub mod transport;
pub mod watch;

pub use api::{Api, Either, LogParams, LogStream, Patch};
pub use pager::{Page, Pager};
pub use retry::{retry_on_conflict, Backoff};
pub use watch::{list_then_watch, RetryWatcher, WatchStream};

pub use auth::{Auth, ExecAuth, ExecClusterInfo, TokenFile, EXEC_API_V1, EXEC_API_V1BETA1};
pub use body::Body;
pub use client::{api_error, ByteStream, Client, ClientBuilder, ClientService};
pub use config::{
    default_user_agent, Config, ConfigSource, Impersonate, InCluster, Timeouts, SERVICE_ACCOUNT_DIR,
};
pub use error::{ApiError, Error, Result};
pub use kubeconfig::{Kubeconfig, KubeconfigOptions};
pub use secret::{SecretBytes, SecretString};
pub use tls::{ClientIdentity, PemSource, TlsConfig};
pub use transport::{
    Proxy, ProxyUrl, RateLimit, RateLimitStats, RequestKind, Warning, WarningHandler,
};
