//! The crate's one error type.

/// Errors returned by this crate.
///
/// Queue operations themselves never fail: an add after shutdown is reported by
/// [`Added::ShutDown`](crate::Added::ShutDown) and a `get` after shutdown returns `None`.
/// Errors only come from invalid configuration.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// A token bucket was given a rate that is negative or not a number.
    #[error("invalid token bucket rate {qps}: must be >= 0 (infinity means unlimited)")]
    InvalidRate {
        /// The rejected rate, in tokens per second.
        qps: f64,
    },
}
