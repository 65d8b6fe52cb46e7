//! Work queues for Kubernetes controllers: what client-go's `util/workqueue` does, for
//! async Rust.
//!
//! A controller turns events into keys, puts the keys in a queue and lets a few workers
//! reconcile them. The queue makes sure a key waiting twice is processed once, a key is
//! never processed by two workers at the same time, and a key that changes while it is
//! being processed is processed again afterwards.
//!
//! # Crate map
//!
//! | piece | what it is |
//! |---|---|
//! | [`Queue`] | deduplicating FIFO queue; `add`, async `get`, `len`, shutdown |
//! | [`WorkItem`] | what `get` returns: the item, marked done when dropped |
//! | [`ShutdownMode`] | stop now, finish in-flight items, or drain everything queued |
//! | [`DelayingQueue`] | a `Queue` plus `add_after(item, delay)`, one timer task per queue |
//! | [`RateLimitingQueue`] | a `DelayingQueue` plus `add_rate_limited`, `forget`, `num_requeues` |
//! | [`limiter`] | the [`RateLimiter`](limiter::RateLimiter) trait; exponential, token bucket, max-of, fast-slow, max-wait; [`limiter::default_controller`] |
//! | [`metrics`] | the [`QueueMetrics`](metrics::QueueMetrics) trait; Prometheus adapter behind the `prometheus` feature |
//! | [`Builder`] | names a queue and attaches metrics |
//! | [`Error`] | the one error type (invalid limiter configuration) |
//!
//! `docs/workqueue.md` in the repository explains the semantics and design decisions,
//! including where this crate deliberately differs from client-go.
//!
//! # Example: a controller loop
//!
//! ```
//! use std::time::Duration;
//! use kapi_workqueue::{RateLimitingQueue, ShutdownMode};
//!
//! # #[tokio::main(flavor = "current_thread", start_paused = true)]
//! # async fn main() {
//! let queue: RateLimitingQueue<String> = RateLimitingQueue::new();
//!
//! // Two workers.
//! let mut workers = Vec::new();
//! for _ in 0..2 {
//!     let queue = queue.clone();
//!     workers.push(tokio::spawn(async move {
//!         let mut reconciled = Vec::new();
//!         while let Some(key) = queue.get().await {
//!             // A real reconcile talks to the API server; this one fails once for "b".
//!             if key.as_str() == "default/b" && queue.num_requeues(&key) == 0 {
//!                 queue.add_rate_limited(key.to_string()); // retry after a backoff
//!                 continue; // `key` is dropped: done
//!             }
//!             queue.forget(&key); // success: reset the backoff
//!             reconciled.push(key.to_string());
//!         }
//!         reconciled
//!     }));
//! }
//!
//! // Event handlers add keys; duplicates collapse.
//! for key in ["default/a", "default/b", "default/a"] {
//!     queue.add(key.to_string());
//! }
//!
//! // Let the retry happen, then drain: every queued key is processed before we return.
//! tokio::time::sleep(Duration::from_secs(1)).await;
//! queue.shutdown_with(ShutdownMode::Drain).await;
//!
//! let mut done = Vec::new();
//! for worker in workers {
//!     done.extend(worker.await.unwrap());
//! }
//! done.sort();
//! assert_eq!(done, ["default/a", "default/b"]);
//! # }
//! ```
//!
//! # Features
//!
//! - `prometheus`: `metrics::PrometheusMetrics`, exporting the client-go metric names
//!   through `prometheus-client`.

mod delaying;
mod error;
pub mod limiter;
pub mod metrics;
mod queue;
mod rate_limiting;

pub use self::delaying::{DelayingQueue, Scheduling, MAX_DELAY};
pub use self::error::Error;
pub use self::queue::{Added, Builder, Queue, ShutdownMode, WorkItem};
pub use self::rate_limiting::RateLimitingQueue;
