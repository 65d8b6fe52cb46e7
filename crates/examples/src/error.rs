//! The one error type of the examples.

use std::time::Duration;

/// Why a demo or an example failed.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// A request to the API server failed.
    #[error(transparent)]
    Client(#[from] kapi_client::Error),
    /// The embedded test server did not start.
    #[error("embedded test server: {0}")]
    TestServer(#[from] kapi_testserver::Error),
    /// Something the example waits for did not happen in time; `state` is what was last seen.
    #[error("timed out after {after:?} waiting for {what} (last seen: {state})")]
    Timeout {
        /// What was awaited.
        what: String,
        /// How long we waited.
        after: Duration,
        /// The last observed state.
        state: String,
    },
    /// An expectation about the cluster's state did not hold.
    #[error("expectation failed: {0}")]
    Expectation(String),
    /// The controller manager stopped with an error.
    #[error(transparent)]
    Manager(#[from] kapi_runtime::ManagerError),
    /// A value did not convert to or from JSON.
    #[error("JSON: {0}")]
    Json(#[from] serde_json::Error),
    /// Leader election settings were rejected.
    #[error(transparent)]
    LeaderElection(#[from] kapi_runtime::leader::ConfigError),
}

impl Error {
    /// An [`Error::Expectation`] from anything printable.
    pub fn expectation(message: impl Into<String>) -> Self {
        Self::Expectation(message.into())
    }
}

/// `Ok` when `condition` holds, else an [`Error::Expectation`] saying what should have held.
///
/// # Errors
/// When `condition` is false.
pub fn ensure(condition: bool, what: &str) -> Result<()> {
    if condition {
        Ok(())
    } else {
        Err(Error::expectation(what))
    }
}

/// `Result` with [`Error`].
pub type Result<T, E = Error> = std::result::Result<T, E>;
