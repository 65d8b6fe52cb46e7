//! Exec credential plugins: a shell script written by each test plays the plugin.

use std::collections::HashSet;
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use kapi_client::kubeconfig::{ExecConfig, ExecEnvVar, ExecInteractiveMode};
use kapi_client::{Auth, Client, Config, Error, ExecAuth, ExecClusterInfo, EXEC_API_V1};
use serde_json::{json, Value};

use crate::support::{config_for, echo, full, get, handler, json, Ca, Options, Server};

/// A plugin that counts its runs, records its input and prints `out-<n>.json` (or `out.json`).
struct Plugin {
    dir: tempfile::TempDir,
}

impl Plugin {
    fn new() -> Plugin {
        let dir = tempfile::tempdir().expect("tempdir");
        let script = dir.path().join("plugin.sh");
        std::fs::write(
            &script,
            r#"#!/bin/sh
dir="$(dirname "$0")"
n=$(cat "$dir/count" 2>/dev/null || echo 0)
n=$((n+1))
echo "$n" > "$dir/count"
printf '%s' "$KUBERNETES_EXEC_INFO" > "$dir/info.json"
printf '%s' "$FOO" > "$dir/env.txt"
printf '%s\n' "$@" > "$dir/args.txt"
if [ -f "$dir/out-$n.json" ]; then cat "$dir/out-$n.json"; else cat "$dir/out.json"; fi
"#,
        )
        .expect("script");
        std::fs::set_permissions(&script, std::fs::Permissions::from_mode(0o755)).expect("chmod");
        Plugin { dir }
    }

    fn path(&self) -> PathBuf {
        self.dir.path().join("plugin.sh")
    }

    fn output(&self, run: Option<usize>, value: &Value) {
        let name = run.map_or_else(|| "out.json".to_owned(), |n| format!("out-{n}.json"));
        std::fs::write(self.dir.path().join(name), value.to_string()).expect("write output");
    }

    fn file(&self, name: &str) -> String {
        std::fs::read_to_string(self.dir.path().join(name)).unwrap_or_default()
    }

    fn config(&self) -> ExecConfig {
        let mut c = ExecConfig {
            command: self.path().to_string_lossy().into_owned(),
            args: vec!["--flag".into(), "$(echo injected)".into()],
            api_version: Some(EXEC_API_V1.into()),
            interactive_mode: Some(ExecInteractiveMode::Never),
            provide_cluster_info: true,
            ..ExecConfig::default()
        };
        c.env = vec![ExecEnvVar {
            name: "FOO".into(),
            value: "bar".into(),
        }];
        c
    }
}

fn token(tok: &str, expires_in: Option<Duration>) -> Value {
    let mut status = json!({ "token": tok });
    if let Some(d) = expires_in {
        let at = jiff::Timestamp::now() + jiff::SignedDuration::try_from(d).expect("duration");
        status["expirationTimestamp"] = json!(at.to_string());
    }
    json!({ "apiVersion": EXEC_API_V1, "kind": "ExecCredential", "status": status })
}

/// A server accepting the bearer tokens in `accepted`.
async fn token_server(ca: &Ca, accepted: Arc<Mutex<HashSet<String>>>) -> Server {
    Server::start(
        Options::new(ca.localhost()),
        handler(move |seen| {
            let tok = seen
                .header("authorization")
                .unwrap_or_default()
                .trim_start_matches("Bearer ")
                .to_owned();
            let ok = accepted.lock().expect("lock").contains(&tok);
            async move {
                Ok(if ok {
                    json(200, &json!({ "token": tok }))
                } else {
                    full(401, "text/plain", "Unauthorized")
                })
            }
        }),
    )
    .await
}

fn exec_config(server: &Server, ca: &Ca, plugin: &Plugin) -> Config {
    let mut config = config_for(server, ca);
    let info = ExecClusterInfo::new(server.url());
    config.auth = Auth::Exec(
        ExecAuth::new(plugin.config())
            .expect("exec")
            .with_cluster_info(info),
    );
    config
}

#[tokio::test]
async fn token_is_cached_shared_and_input_is_passed() {
    let ca = Ca::new("ca");
    let accepted = Arc::new(Mutex::new(HashSet::from(["tok-1".to_owned()])));
    let server = token_server(&ca, accepted).await;
    let plugin = Plugin::new();
    plugin.output(None, &token("tok-1", Some(Duration::from_secs(3600))));
    let config = exec_config(&server, &ca, &plugin);
    let a = Client::new(config.clone()).expect("client");
    let b = Client::new(config.clone()).expect("client");
    for client in [&a, &b, &a] {
        let v: Value = client.request_json(get("/")).await.expect("authorized");
        assert_eq!(v["token"], "tok-1");
    }
    let Auth::Exec(exec) = &config.auth else {
        panic!("exec auth")
    };
    assert_eq!(
        exec.runs(),
        1,
        "one run shared by every client of the config"
    );

    let info: Value = serde_json::from_str(&plugin.file("info.json")).expect("exec info");
    assert_eq!(info["apiVersion"], EXEC_API_V1);
    assert_eq!(info["kind"], "ExecCredential");
    assert_eq!(info["spec"]["interactive"], false);
    assert_eq!(info["spec"]["cluster"]["server"], server.url());
    assert_eq!(plugin.file("env.txt"), "bar");
    // Arguments reach the plugin verbatim: no shell ever interprets them.
    assert_eq!(plugin.file("args.txt"), "--flag\n$(echo injected)\n");
}

#[tokio::test]
async fn expired_credentials_are_refreshed() {
    let ca = Ca::new("ca");
    let accepted = Arc::new(Mutex::new(HashSet::from([
        "tok-1".to_owned(),
        "tok-2".to_owned(),
    ])));
    let server = token_server(&ca, accepted).await;
    let plugin = Plugin::new();
    plugin.output(Some(1), &token("tok-1", Some(Duration::from_secs(4))));
    plugin.output(Some(2), &token("tok-2", Some(Duration::from_secs(3600))));
    let config = exec_config(&server, &ca, &plugin);
    let client = Client::new(config.clone()).expect("client");
    let v: Value = client.request_json(get("/")).await.expect("first");
    assert_eq!(v["token"], "tok-1");
    let v: Value = client.request_json(get("/")).await.expect("cached");
    assert_eq!(v["token"], "tok-1");
    // Within two seconds of expiry the credential counts as expired.
    tokio::time::sleep(Duration::from_millis(2500)).await;
    let v: Value = client.request_json(get("/")).await.expect("refreshed");
    assert_eq!(v["token"], "tok-2");
    assert_eq!(plugin.file("count").trim(), "2");
}

#[tokio::test]
async fn a_401_refreshes_and_retries_once() {
    let ca = Ca::new("ca");
    let accepted = Arc::new(Mutex::new(HashSet::from(["tok-1".to_owned()])));
    let server = token_server(&ca, accepted.clone()).await;
    let plugin = Plugin::new();
    plugin.output(Some(1), &token("tok-1", Some(Duration::from_secs(3600))));
    plugin.output(Some(2), &token("tok-2", Some(Duration::from_secs(3600))));
    let client = Client::new(exec_config(&server, &ca, &plugin)).expect("client");
    client.request_text(get("/")).await.expect("first");

    // The server revokes tok-1: the caller never sees the 401.
    *accepted.lock().expect("lock") = HashSet::from(["tok-2".to_owned()]);
    let v: Value = client
        .request_json(get("/"))
        .await
        .expect("retried with the fresh token");
    assert_eq!(v["token"], "tok-2");
    let auths: Vec<_> = server
        .seen()
        .iter()
        .map(|s| s.header("authorization").unwrap_or_default())
        .collect();
    assert_eq!(auths, ["Bearer tok-1", "Bearer tok-1", "Bearer tok-2"]);

    // A plugin that keeps returning a rejected token: the 401 surfaces after one retry.
    plugin.output(None, &token("tok-3", Some(Duration::from_secs(3600))));
    *accepted.lock().expect("lock") = HashSet::new();
    let err = client
        .request_text(get("/"))
        .await
        .expect_err("unauthorized");
    assert!(
        err.as_api()
            .is_some_and(kapi_client::ApiError::is_unauthorized),
        "{err}"
    );
    assert_eq!(server.hits(), 5);
}

#[tokio::test]
async fn client_certificate_from_the_plugin() {
    let ca = Ca::new("ca");
    let cert = ca.client("from-exec", None);
    let mut opts = Options::new(ca.localhost());
    opts.client_ca = Some(ca.pem.cert.clone());
    opts.clients = vec![("from-exec".into(), cert.cert.clone())];
    let server = Server::start(opts, echo()).await;
    let plugin = Plugin::new();
    plugin.output(
        None,
        &json!({
            "apiVersion": EXEC_API_V1,
            "kind": "ExecCredential",
            "status": { "clientCertificateData": cert.cert, "clientKeyData": cert.key },
        }),
    );
    let client = Client::new(exec_config(&server, &ca, &plugin)).expect("client");
    let v: Value = client.request_json(get("/")).await.expect("mTLS via exec");
    assert_eq!(v["client"], "from-exec");
    assert_eq!(v["authorization"], Value::Null);
}

fn exec_error(plugin_out: Option<&Value>, command: Option<&Path>) -> Error {
    let plugin = Plugin::new();
    if let Some(out) = plugin_out {
        plugin.output(None, out);
    }
    let mut cfg = plugin.config();
    if let Some(c) = command {
        cfg.command = c.to_string_lossy().into_owned();
        cfg.install_hint = Some("Install it with: brew install the-plugin".into());
    }
    let exec = ExecAuth::new(cfg).expect("exec");
    let mut config = Config::from_url("https://127.0.0.1:1").expect("url");
    config.auth = Auth::Exec(exec);
    let client = Client::new(config).expect("client");
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("rt");
    rt.block_on(client.request_text(get("/")))
        .expect_err("plugin failure")
}

#[test]
fn plugin_failures_are_typed_and_clear() {
    let err = exec_error(None, Some(Path::new("/nonexistent/kapi-plugin")));
    assert!(
        matches!(
            err,
            Error::Exec(kapi_client::error::ExecError::NotFound { .. })
        ),
        "{err:?}"
    );
    assert!(err.to_string().contains("brew install the-plugin"), "{err}");

    let err = exec_error(Some(&json!("s3cret garbage")), None);
    assert!(
        matches!(
            err,
            Error::Exec(kapi_client::error::ExecError::InvalidOutput { .. })
        ),
        "{err:?}"
    );
    assert!(!err.to_string().contains("s3cret"));

    let expired = json!({"apiVersion": EXEC_API_V1, "status": {"token": "s3cret", "expirationTimestamp": "2001-01-01T00:00:00Z"}});
    let err = exec_error(Some(&expired), None);
    assert!(
        matches!(
            err,
            Error::Exec(kapi_client::error::ExecError::Expired { .. })
        ),
        "{err:?}"
    );
    assert!(!format!("{err} {err:?}").contains("s3cret"));
}

#[test]
fn interactive_always_needs_a_terminal() {
    use std::io::IsTerminal as _;
    if std::io::stdin().is_terminal() {
        return; // run interactively: the plugin would get the terminal
    }
    let plugin = Plugin::new();
    plugin.output(None, &token("t", None));
    let mut cfg = plugin.config();
    cfg.interactive_mode = Some(ExecInteractiveMode::Always);
    let mut config = Config::from_url("https://127.0.0.1:1").expect("url");
    config.auth = Auth::Exec(ExecAuth::new(cfg).expect("exec"));
    let client = Client::new(config).expect("client");
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("rt");
    let err = rt
        .block_on(client.request_text(get("/")))
        .expect_err("no terminal");
    assert!(
        matches!(
            err,
            Error::Exec(kapi_client::error::ExecError::InteractiveRequired(_))
        ),
        "{err:?}"
    );
    assert_eq!(plugin.file("count"), "", "the plugin never ran");
}
