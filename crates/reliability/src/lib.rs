//! Shared pieces of kapi's reliability and security suite. The tests live in `tests/`:
//!
//! | file | what it proves |
//! |---|---|
//! | `tests/fault_matrix.rs` | informers and a controller converge to the server's truth under every fault of `apiserver.md` §8, alone and combined, under continuous writes, with no event lost, duplicated or out of order at the handler |
//! | `tests/security.rs` | TLS verification by default, no credential in any output, credential refresh, exec plugins without a shell, the test server's bearer-token mode |
//! | `tests/soak.rs` | (`#[ignore]`) 100 writes/s for `KAPI_SOAK_SECS` (default 600): memory flat, handler lag bounded, no task leak |
//! | `tests/regressions.rs` | inputs the fuzzers found, kept as tests |
//!
//! The helpers here:
//!
//! | module | piece |
//! |---|---|
//! | [`cluster`] | a client for a [`TestServer`](kapi_testserver::TestServer), fast seeding, the server's truth |
//! | [`view`] | [`HandlerView`](view::HandlerView): a handler that applies its events in order and counts anything lost, duplicated or out of order |
//! | [`copier`] | the copy controller: one `<name>-copy` ConfigMap per source, with the source's data |
//! | [`writer`] | continuous random writes, optionally paced |
//! | [`matrix`] | one fault case end to end, and its report row |
//! | [`logs`] | captures every `tracing` line of a test at TRACE level |
//! | [`process`] | resident memory and task counts for the soak test |

pub mod cluster;
pub mod copier;
pub mod logs;
pub mod matrix;
pub mod process;
pub mod view;
pub mod writer;
