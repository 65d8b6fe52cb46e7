//! Bounded waiting: every wait in the examples gives up after a timeout with a message saying
//! what it waited for and what it saw last.

use std::future::Future;
use std::time::{Duration, Instant};

use crate::error::{Error, Result};

/// How long the demo and the examples wait for any one thing.
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(20);

/// How often a condition is checked.
pub const POLL_INTERVAL: Duration = Duration::from_millis(50);

/// The answer of one check in [`wait_for`].
#[derive(Debug)]
pub enum Check<T> {
    /// The condition holds; the wait returns this value.
    Done(T),
    /// Not yet; the text describes what was seen (used in the timeout error).
    Pending(String),
}

/// Calls `check` every [`POLL_INTERVAL`] until it answers [`Check::Done`], for at most
/// `timeout`.
///
/// # Errors
/// [`Error::Timeout`] naming `what` and the last [`Check::Pending`] state; an error of `check`
/// ends the wait at once.
pub async fn wait_for<T, F, Fut>(what: &str, timeout: Duration, mut check: F) -> Result<T>
where
    F: FnMut() -> Fut,
    Fut: Future<Output = Result<Check<T>>>,
{
    let started = Instant::now();
    loop {
        let state = match check().await? {
            Check::Done(value) => return Ok(value),
            Check::Pending(state) => state,
        };
        if started.elapsed() >= timeout {
            return Err(Error::Timeout {
                what: what.to_owned(),
                after: timeout,
                state,
            });
        }
        tokio::time::sleep(POLL_INTERVAL).await;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test(start_paused = true)]
    async fn returns_the_value_or_times_out_with_the_last_state() {
        let mut n = 0;
        let v = wait_for("three", Duration::from_secs(1), || {
            n += 1;
            let r = if n == 3 {
                Check::Done(n)
            } else {
                Check::Pending(format!("n={n}"))
            };
            async move { Ok(r) }
        })
        .await
        .unwrap();
        assert_eq!(v, 3);
        let err = wait_for::<(), _, _>("never", Duration::from_millis(200), || async {
            Ok(Check::Pending("nothing yet".into()))
        })
        .await
        .unwrap_err();
        assert!(
            err.to_string().contains("waiting for never")
                && err.to_string().contains("nothing yet"),
            "{err}"
        );
    }
}
