//! The Kubernetes client of kapi — client-go's `rest`, `kubernetes` (clientset), `dynamic`,
//! `metadata`, `discovery` and `tools/pager`/`watch` in one crate.
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
//! | [`Api`] | one resource type in a namespace (or all, or cluster-wide): get, list, create, replace, [`Patch`], delete ([`Either`] object or Status), deletecollection, watch; status, scale and named subresources; logs, eviction, tokens; tables. Typed (`Api<Pod>`), dynamic ([`Api::dynamic`]) or metadata-only ([`Api::metadata`]) |
//! | [`clientset`] | `client.core_v1().pods("ns")`, `client.apps_v1().deployments("ns")`, … — the same [`Api`] |
//! | [`discovery`] | [`Discovery`](discovery::Discovery) (aggregated v2, legacy fallback, memory and [disk](discovery::DiskCache) caches), [`DiscoveryRestMapper`](discovery::DiscoveryRestMapper), [`DynamicClient`](discovery::DynamicClient) |
//! | [`watch`] | [`WatchStream`] (incremental decoding, errors as items), [`RetryWatcher`] (resumes from the last resourceVersion), [`list_then_watch`] |
//! | [`Pager`] | lists in pages, falling back to a full list when the continue token expires |
//! | [`retry_on_conflict`], [`Backoff`] | client-go's conflict retry loop |
//! | [`Error`] | one `#[non_exhaustive]` enum; API failures keep the server's `Status` ([`ApiError`]); [`Error::api`], [`Error::is_not_found`], [`Error::is_conflict`], [`Error::is_connect`], [`Error::is_timeout`], … |
//!
//! Secrets (tokens, passwords, keys, exec output) are [`SecretString`]/[`SecretBytes`] or
//! otherwise kept out of every `Debug`, `Display`, error message and log line.
//!
//! How configuration is found, every supported kubeconfig field, and where kapi deliberately
//! differs from client-go are described in `docs/configuration.md`; the API handles,
//! watches, discovery and pagers in `docs/client.md`.
//!
//! # Example
//!
//! ```no_run
//! use futures::TryStreamExt;
//! use kapi_api::core::v1::Pod;
//! use kapi_apimachinery::meta::WatchEvent;
//! use kapi_apimachinery::options::{ListOptions, PatchOptions};
//! use kapi_client::{Api, Client, Config, Patch, RetryWatcher};
//!
//! # async fn demo() -> Result<(), kapi_client::Error> {
//! let client = Client::new(Config::infer()?)?;
//! let pods: Api<Pod> = Api::default_namespaced(client.clone());
//!
//! // Typed reads; 404 is an error with `is_not_found()`, or `None` through `get_opt`.
//! match pods.get("web-0").await {
//!     Ok(pod) => println!("phase {:?}", pod.status.and_then(|s| s.phase)),
//!     Err(e) if e.is_not_found() => println!("no web-0"),
//!     Err(e) => return Err(e),
//! }
//! // Writes with every option upstream has.
//! let patch = Patch::Merge(serde_json::json!({"metadata": {"labels": {"tier": "web"}}}));
//! pods.patch("web-0", &PatchOptions::default(), &patch).await?;
//!
//! // List, then watch from the list's resourceVersion, surviving disconnects.
//! let list = pods.list(&ListOptions::default()).await?;
//! let rv = list.metadata.resource_version.unwrap_or_default();
//! let mut events = RetryWatcher::new(pods, &rv)?;
//! while let Some(event) = events.try_next().await? {
//!     if let WatchEvent::Modified(pod) = event {
//!         println!("{:?} changed", pod.metadata.name);
//!     }
//! }
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
pub use error::{ApiError, Error, Result, TimeoutKind};
pub use kubeconfig::{Kubeconfig, KubeconfigOptions};
pub use secret::{SecretBytes, SecretString};
pub use tls::{ClientIdentity, PemSource, TlsConfig};
pub use transport::{
    Proxy, ProxyUrl, RateLimit, RateLimitStats, RequestKind, Warning, WarningHandler,
};
