//! `kapi-testserver`: the embedded API server as a standalone process.
//!
//! ```text
//! kapi-testserver [--port 6443] [--kubeconfig ./kubeconfig] [--http] [--token TOKEN]
//!                 [--history-events N] [--quiet]
//! ```
//!
//! Serves until Ctrl-C, writes a kubeconfig any client (kubectl included) can use, and logs
//! every request (method, path, status, duration) to stderr.

use std::path::PathBuf;
use std::process::ExitCode;

use kapi_testserver::TestServer;

const USAGE: &str = "usage: kapi-testserver [--port PORT] [--kubeconfig PATH] [--http] [--token TOKEN] [--history-events N] [--quiet]";

struct Args {
    port: u16,
    kubeconfig: Option<PathBuf>,
    http: bool,
    token: Option<String>,
    history_events: Option<usize>,
    quiet: bool,
}

fn parse_args() -> Result<Args, String> {
    let mut args = Args {
        port: 6443,
        kubeconfig: None,
        http: false,
        token: None,
        history_events: None,
        quiet: false,
    };
    let mut it = std::env::args().skip(1);
    while let Some(a) = it.next() {
        let (flag, inline) = match a.split_once('=') {
            Some((f, v)) if f.starts_with("--") => (f.to_owned(), Some(v.to_owned())),
            _ => (a.clone(), None),
        };
        let mut value = |name: &str| {
            inline
                .clone()
                .or_else(|| it.next())
                .ok_or(format!("{name} needs a value"))
        };
        match flag.as_str() {
            "--port" => {
                args.port = value("--port")?
                    .parse()
                    .map_err(|e| format!("--port: {e}"))?;
            }
            "--kubeconfig" => args.kubeconfig = Some(PathBuf::from(value("--kubeconfig")?)),
            "--http" => args.http = true,
            "--token" => args.token = Some(value("--token")?),
            "--history-events" => {
                args.history_events = Some(
                    value("--history-events")?
                        .parse()
                        .map_err(|e| format!("--history-events: {e}"))?,
                );
            }
            "--quiet" => args.quiet = true,
            "-h" | "--help" => return Err(String::new()),
            other => return Err(format!("unknown argument {other:?}")),
        }
    }
    Ok(args)
}

#[tokio::main(flavor = "current_thread")]
async fn main() -> ExitCode {
    let args = match parse_args() {
        Ok(a) => a,
        Err(msg) => {
            if !msg.is_empty() {
                tracing::error!("{msg}");
            }
            println!("{USAGE}");
            return if msg.is_empty() {
                ExitCode::SUCCESS
            } else {
                ExitCode::from(2)
            };
        }
    };
    let ansi = std::io::IsTerminal::is_terminal(&std::io::stderr());
    tracing_subscriber::fmt()
        .with_writer(std::io::stderr)
        .with_ansi(ansi)
        .with_target(false)
        .init();
    let mut b = TestServer::builder()
        .port(args.port)
        .log_requests(!args.quiet)
        .https(!args.http);
    if let Some(t) = args.token {
        b = b.token(t);
    }
    if let Some(n) = args.history_events {
        b = b.history_events(n);
    }
    let server = match b.start().await {
        Ok(s) => s,
        Err(e) => {
            tracing::error!("{e}");
            return ExitCode::FAILURE;
        }
    };
    tracing::info!("kapi-testserver listening on {}", server.url());
    if let Some(path) = &args.kubeconfig {
        if let Err(e) = server.write_kubeconfig(path) {
            tracing::error!("cannot write {}: {e}", path.display());
            return ExitCode::FAILURE;
        }
        tracing::info!(
            "kubeconfig written to {} (kubectl --kubeconfig {})",
            path.display(),
            path.display()
        );
    }
    if let Err(e) = tokio::signal::ctrl_c().await {
        tracing::error!("cannot wait for Ctrl-C: {e}");
    }
    tracing::info!("stopping");
    server.stop().await;
    ExitCode::SUCCESS
}
