//! The `main` of every binary: connect (a reachable cluster, else the embedded server), run,
//! report, exit non-zero on failure.

use std::process::ExitCode;

use crate::cluster::Cluster;
use crate::error::Result;
use crate::narrate::Narrator;

/// Environment variable naming a `tracing` level for kapi's own logs (`warn` by default; e.g.
/// `KAPI_LOG=debug`).
pub const LOG_ENV: &str = "KAPI_LOG";

/// Installs a `tracing` subscriber at the level of [`LOG_ENV`] (default `warn`), writing to
/// standard error so it never mixes with the narration.
pub fn init_logging() {
    let level = std::env::var(LOG_ENV)
        .ok()
        .and_then(|v| v.parse::<tracing::Level>().ok())
        .unwrap_or(tracing::Level::WARN);
    let _ = tracing_subscriber::fmt()
        .with_max_level(level)
        .with_writer(std::io::stderr)
        .try_init();
}

/// Connects with [`Cluster::connect`], runs `example`, stops the embedded server, and maps the
/// outcome to an exit code (a failure is narrated with `✗`).
pub async fn run_main<F>(example: F) -> ExitCode
where
    F: AsyncFnOnce(&Cluster, &Narrator) -> Result<()>,
{
    init_logging();
    let out = Narrator::new();
    let cluster = match Cluster::connect().await {
        Ok(c) => c,
        Err(e) => {
            out.fail(format!(
                "cannot connect to a cluster or start the embedded one: {e}"
            ));
            return ExitCode::FAILURE;
        }
    };
    let result = example(&cluster, &out).await;
    cluster.stop().await;
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            if !out.lines().last().is_some_and(|l| l.starts_with('✗')) {
                out.fail(e.to_string());
            }
            ExitCode::FAILURE
        }
    }
}
