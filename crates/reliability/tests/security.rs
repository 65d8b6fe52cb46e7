//! The end-to-end security view, against the test server over real HTTPS: TLS verification
//! is on by default (unknown CA and wrong host name rejected, insecure mode only when
//! configured and then logged as a warning); no credential — token, password, key, exec
//! arguments, environment or output — appears in any `Debug`, `Display`, error message or
//! log line of a full run (config load, requests, errors, an informer); token files and exec
//! plugins are refreshed after expiry or a 401; exec plugins run without a shell; the test
//! server's bearer-token mode answers 401 to missing and wrong tokens.
//!
//! Unit-level counterparts against a mock server live in `crates/client/tests/it/`
//! (`tls.rs`, `secrets.rs`, `auth.rs`, `exec.rs`, `bad_input.rs`).

use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::sync::OnceLock;
use std::time::Duration;

use base64::Engine as _;
use kapi_api::core::v1::ConfigMap;
use kapi_apimachinery::options::{CreateOptions, ListOptions};
use kapi_client::kubeconfig::{Kubeconfig, KubeconfigOptions};
use kapi_client::{Api, Client, Config, Error};
use kapi_informers::SharedInformerFactory;
use kapi_reliability::cluster::source;
use kapi_reliability::logs::LogCapture;
use kapi_testserver::TestServer;

/// Every test's log lines, from the client and from the in-process server alike.
fn logs() -> &'static LogCapture {
    static CAPTURE: OnceLock<LogCapture> = OnceLock::new();
    CAPTURE.get_or_init(|| {
        let capture = LogCapture::default();
        let _ = tracing::subscriber::set_global_default(capture.subscriber());
        capture
    })
}

/// The server's URL and CA data (base64) from its kubeconfig.
fn endpoint(server: &TestServer) -> (String, String) {
    let kc = Kubeconfig::from_yaml(&server.kubeconfig()).expect("kubeconfig");
    let c = &kc.clusters[0].cluster;
    (
        c.server.clone().expect("server"),
        c.certificate_authority_data.clone().expect("CA data"),
    )
}

fn config(yaml: &str, context: &str) -> Result<Config, Error> {
    let kc = Kubeconfig::from_yaml(yaml)?;
    Config::from_custom_kubeconfig(&kc, &KubeconfigOptions::new().context(context))
}

fn cluster_yaml(server: &str, ca: Option<&str>, extra: &str) -> String {
    let ca = ca.map_or_else(String::new, |c| {
        format!(", certificate-authority-data: {c}")
    });
    format!(
        "apiVersion: v1\nkind: Config\ncurrent-context: c\nclusters:\n- name: c\n  cluster: {{server: \"{server}\"{ca}{extra}}}\ncontexts:\n- name: c\n  context: {{cluster: c, namespace: default}}\n"
    )
}

async fn list_namespaces(config: Config) -> Result<(), Error> {
    let client = Client::new(config)?;
    Api::<kapi_api::core::v1::Namespace>::all(client)
        .list(&ListOptions::default())
        .await
        .map(|_| ())
}

// ---------------------------------------------------------------- TLS

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn tls_rejects_a_server_without_its_ca() {
    logs();
    let server = TestServer::start().await.expect("server");
    let (url, ca) = endpoint(&server);
    // With the CA: fine. Without it (system roots only): the self-signed server is refused.
    list_namespaces(config(&cluster_yaml(&url, Some(&ca), ""), "c").expect("config"))
        .await
        .expect("trusted with its CA");
    let err = list_namespaces(config(&cluster_yaml(&url, None, ""), "c").expect("config"))
        .await
        .expect_err("unknown CA");
    assert!(err.is_connect(), "{err:?}");
    assert!(
        err.to_string().to_lowercase().contains("certificate"),
        "{err}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn tls_rejects_a_host_name_mismatch() {
    logs();
    let server = TestServer::start().await.expect("server");
    let (url, ca) = endpoint(&server);
    // The certificate names 127.0.0.1, ::1 and localhost; verifying it as another name fails
    // even though the CA is right.
    let yaml = cluster_yaml(&url, Some(&ca), ", tls-server-name: kapi.invalid");
    let err = list_namespaces(config(&yaml, "c").expect("config"))
        .await
        .expect_err("name mismatch");
    assert!(err.is_connect(), "{err:?}");
    // The right name through `localhost` works.
    let local = url.replace("127.0.0.1", "localhost");
    list_namespaces(config(&cluster_yaml(&local, Some(&ca), ""), "c").expect("config"))
        .await
        .expect("localhost is in the certificate");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn tls_insecure_only_when_configured_and_with_a_warning() {
    let logs = logs();
    let server = TestServer::start().await.expect("server");
    let (url, ca) = endpoint(&server);
    let warning = "TLS certificate verification is disabled";
    let before = logs.text().matches(warning).count();
    let yaml = cluster_yaml(&url, None, ", insecure-skip-tls-verify: true");
    list_namespaces(config(&yaml, "c").expect("config"))
        .await
        .expect("insecure accepts the unknown CA");
    assert!(
        logs.text().matches(warning).count() > before,
        "insecure mode logs a warning"
    );
    // A CA and insecure together are a configuration error, not a silent downgrade.
    let yaml = cluster_yaml(&url, Some(&ca), ", insecure-skip-tls-verify: true");
    let err = config(&yaml, "c").expect_err("CA + insecure");
    assert!(err.to_string().contains("insecure"), "{err}");
}

// ---------------------------------------------------------------- the token mode of the server

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn server_token_mode_rejects_missing_and_wrong_tokens() {
    logs();
    let token = "srv-token-9f8e7d6c5b4a";
    let server = TestServer::builder()
        .token(token)
        .start()
        .await
        .expect("server");
    let (url, ca) = endpoint(&server);
    let base = config(&cluster_yaml(&url, Some(&ca), ""), "c").expect("config");

    for auth in [
        kapi_client::Auth::None,
        kapi_client::Auth::bearer("wrong-token-0a1b2c3d"),
        kapi_client::Auth::bearer(format!("{token}x")),
    ] {
        let mut c = base.clone();
        c.auth = auth;
        let err = list_namespaces(c).await.expect_err("rejected");
        let api = err.api().unwrap_or_else(|| panic!("a Status: {err:?}"));
        assert_eq!(api.code(), 401, "{err}");
        assert_eq!(api.status.reason.as_deref(), Some("Unauthorized"));
        assert!(!format!("{err} {err:?}").contains("wrong-token-0a1b2c3d"));
    }
    let mut c = base.clone();
    c.auth = kapi_client::Auth::bearer(token);
    list_namespaces(c).await.expect("right token");

    // Health endpoints stay open without a token.
    let client = Client::new(base).expect("client");
    let text = client
        .request_text(
            http::Request::get("/healthz")
                .body(kapi_client::Body::empty())
                .expect("request"),
        )
        .await
        .expect("healthz");
    assert_eq!(text, "ok");
}

// ---------------------------------------------------------------- exec plugins

/// A plugin script that counts its runs, records its arguments, and prints
/// `out-<run>.json` when present, else `out.json`. It never evaluates its input.
struct Plugin {
    dir: tempfile::TempDir,
}

impl Plugin {
    fn new() -> Self {
        let dir = tempfile::tempdir().expect("tempdir");
        let script = dir.path().join("plugin.sh");
        std::fs::write(
            &script,
            "#!/bin/sh\nd=\"$(dirname \"$0\")\"\nn=$(cat \"$d/count\" 2>/dev/null || echo 0)\nn=$((n+1))\necho \"$n\" > \"$d/count\"\nprintf '%s\\n' \"$@\" > \"$d/args.txt\"\nprintf '%s' \"$PLUGIN_ENV\" > \"$d/env.txt\"\nif [ -f \"$d/out-$n.json\" ]; then cat \"$d/out-$n.json\"; else cat \"$d/out.json\"; fi\n",
        )
        .expect("script");
        std::fs::set_permissions(&script, std::fs::Permissions::from_mode(0o755)).expect("chmod");
        Self { dir }
    }

    fn path(&self) -> PathBuf {
        self.dir.path().join("plugin.sh")
    }

    fn runs(&self) -> u32 {
        std::fs::read_to_string(self.dir.path().join("count"))
            .ok()
            .and_then(|s| s.trim().parse().ok())
            .unwrap_or(0)
    }

    fn file(&self, name: &str) -> String {
        std::fs::read_to_string(self.dir.path().join(name)).unwrap_or_default()
    }

    /// Makes run `run` (or every run without its own file) print `token`, expiring in
    /// `expires_in`.
    fn prints(&self, run: Option<u32>, token: &str, expires_in: Option<Duration>) {
        let mut status = serde_json::json!({ "token": token });
        if let Some(d) = expires_in {
            let at = jiff::Timestamp::now() + jiff::SignedDuration::try_from(d).expect("duration");
            status["expirationTimestamp"] = serde_json::json!(at.to_string());
        }
        let out = serde_json::json!({
            "apiVersion": "client.authentication.k8s.io/v1",
            "kind": "ExecCredential",
            "status": status,
        });
        let name = run.map_or_else(|| "out.json".to_owned(), |n| format!("out-{n}.json"));
        std::fs::write(self.dir.path().join(name), out.to_string()).expect("output");
    }

    fn user_yaml(&self, args: &[&str], env_value: &str) -> String {
        let args = args
            .iter()
            .map(|a| serde_json::to_string(a).expect("json"))
            .collect::<Vec<_>>()
            .join(", ");
        format!(
            "users:\n- name: u\n  user:\n    exec:\n      apiVersion: client.authentication.k8s.io/v1\n      command: {}\n      args: [{args}]\n      env: [{{name: PLUGIN_ENV, value: {}}}]\n      interactiveMode: Never\n",
            self.path().display(),
            serde_json::to_string(env_value).expect("json"),
        )
    }
}

fn with_user(cluster: &str, user: &str) -> String {
    format!(
        "{}{user}",
        cluster.replace("context: {cluster: c,", "context: {cluster: c, user: u,")
    )
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn exec_plugin_runs_without_a_shell() {
    logs();
    let token = "exec-token-1a2b3c4d5e";
    let server = TestServer::builder()
        .token(token)
        .start()
        .await
        .expect("server");
    let (url, ca) = endpoint(&server);
    let marker = tempfile::tempdir().expect("tempdir");
    let pwned = |n: u32| marker.path().join(format!("pwned-{n}"));
    let p = |n: u32| pwned(n).display().to_string();
    let args = [
        format!("; touch {}", p(1)),
        format!("$(touch {})", p(2)),
        format!("`touch {}`", p(3)),
        format!("| touch {}", p(4)),
        format!("&& touch {}", p(5)),
        format!("\ntouch {}", p(6)),
    ];
    let env_value = format!("$(touch {})", p(7));
    let plugin = Plugin::new();
    plugin.prints(None, token, None);
    let arg_refs: Vec<&str> = args.iter().map(String::as_str).collect();
    let yaml = with_user(
        &cluster_yaml(&url, Some(&ca), ""),
        &plugin.user_yaml(&arg_refs, &env_value),
    );
    list_namespaces(config(&yaml, "c").expect("config"))
        .await
        .expect("plugin token accepted");
    assert_eq!(plugin.runs(), 1);
    for n in 1..=7 {
        assert!(!pwned(n).exists(), "injection {n} executed");
    }
    // The plugin got every argument and the environment value verbatim.
    let got = plugin.file("args.txt");
    for a in &args {
        assert!(
            got.contains(a.as_str()),
            "argument {a:?} not passed verbatim: {got:?}"
        );
    }
    assert_eq!(plugin.file("env.txt"), env_value);

    // A command that only a shell would split is looked up as one program name, and fails.
    let yaml = yaml.replace(
        &format!("command: {}", plugin.path().display()),
        &format!("command: \"{} ; touch {}\"", plugin.path().display(), p(8)),
    );
    let err = list_namespaces(config(&yaml, "c").expect("config"))
        .await
        .expect_err("no such program");
    assert!(
        !pwned(8).exists(),
        "command string was run by a shell: {err}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn exec_plugin_is_rerun_after_expiry_and_after_a_401() {
    logs();
    let token = "exec-token-6f7a8b9c0d";
    let server = TestServer::builder()
        .token(token)
        .start()
        .await
        .expect("server");
    let (url, ca) = endpoint(&server);

    // Expiry: the first credential expires in 5 s; it is cached until 2 s before that.
    let plugin = Plugin::new();
    plugin.prints(Some(1), token, Some(Duration::from_secs(5)));
    plugin.prints(None, token, None);
    let yaml = with_user(
        &cluster_yaml(&url, Some(&ca), ""),
        &plugin.user_yaml(&[], "x"),
    );
    let client = Client::new(config(&yaml, "c").expect("config")).expect("client");
    let api = Api::<ConfigMap>::namespaced(client, "default");
    api.list(&ListOptions::default()).await.expect("first");
    api.list(&ListOptions::default()).await.expect("cached");
    assert_eq!(plugin.runs(), 1, "cached until expiry");
    tokio::time::sleep(Duration::from_millis(3500)).await;
    api.list(&ListOptions::default())
        .await
        .expect("after expiry");
    assert_eq!(plugin.runs(), 2, "re-run after expiry");

    // 401: the cached credential is rejected; the plugin runs again and the request is retried.
    let plugin = Plugin::new();
    plugin.prints(Some(1), "revoked-token-1234", None);
    plugin.prints(None, token, None);
    let yaml = with_user(
        &cluster_yaml(&url, Some(&ca), ""),
        &plugin.user_yaml(&[], "x"),
    );
    let client = Client::new(config(&yaml, "c").expect("config")).expect("client");
    Api::<ConfigMap>::namespaced(client, "default")
        .list(&ListOptions::default())
        .await
        .expect("retried once with a fresh credential");
    assert_eq!(plugin.runs(), 2);
}

// ---------------------------------------------------------------- token files

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn token_file_is_reread_after_a_401() {
    logs();
    let token = "file-token-5e4d3c2b1a";
    let server = TestServer::builder()
        .token(token)
        .start()
        .await
        .expect("server");
    let (url, ca) = endpoint(&server);
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("token");
    std::fs::write(&path, "expired-token-0000\n").expect("write");
    let yaml = format!(
        "{}users:\n- name: u\n  user: {{tokenFile: {}}}\n",
        cluster_yaml(&url, Some(&ca), "")
            .replace("context: {cluster: c,", "context: {cluster: c, user: u,"),
        path.display()
    );
    let client = Client::new(config(&yaml, "c").expect("config")).expect("client");
    let api = Api::<ConfigMap>::namespaced(client, "default");
    let err = api
        .list(&ListOptions::default())
        .await
        .expect_err("expired token");
    assert_eq!(err.api().map(kapi_apimachinery::ApiError::code), Some(401));
    // The token is rotated on disk (as the kubelet does for projected tokens): the next 401
    // re-reads the file and the request is retried with the new token.
    std::fs::write(&path, format!("{token}\n")).expect("write");
    api.list(&ListOptions::default())
        .await
        .expect("rotated token picked up");
    // A failing re-read keeps the last good token.
    std::fs::remove_file(&path).expect("remove");
    api.list(&ListOptions::default())
        .await
        .expect("last good token kept");
}

// ---------------------------------------------------------------- no credential anywhere

const TOKEN: &str = "tokSECRET7c41e9b2";
const PASSWORD: &str = "pwSECRET3a8f60d1";
const KEY_MATERIAL: &str = "keySECRETMIIEvQIBADANBgkqhkiG9w0BAQEFAASC";
const EXEC_ARG: &str = "argSECRET52b7c0e3";
const EXEC_ENV: &str = "envSECRET9d1f4a76";
const WRONG: &str = "wrongSECRET0e6b2d58";
const PLUGIN_JUNK: &str = "junkSECRET4c9e7a13";
const URL_PASSWORD: &str = "urlSECRET8b3d5f27";

fn assert_clean(what: &str, text: &str) {
    let b64 = |s: &str| base64::engine::general_purpose::STANDARD.encode(s);
    let basic = b64(&format!("admin:{PASSWORD}"));
    for s in [
        TOKEN,
        PASSWORD,
        KEY_MATERIAL,
        EXEC_ARG,
        EXEC_ENV,
        WRONG,
        PLUGIN_JUNK,
    ] {
        assert!(!text.contains(s), "{what} leaks {s}:\n{text}");
        assert!(!text.contains(&b64(s)), "{what} leaks base64 of {s}");
    }
    assert!(!text.contains(&basic), "{what} leaks basic credentials");
}

/// A kubeconfig on disk with one user per kind of credential, all secret-looking.
fn secret_kubeconfig(dir: &Path, url: &str, ca: &str, plugin: &Plugin, junk: &Plugin) -> PathBuf {
    let b64 = |s: &str| base64::engine::general_purpose::STANDARD.encode(s);
    let key = b64(&format!(
        "-----BEGIN PRIVATE KEY-----\n{KEY_MATERIAL}\n-----END PRIVATE KEY-----\n"
    ));
    std::fs::write(dir.join("token"), TOKEN).expect("token file");
    let yaml = format!(
        r#"apiVersion: v1
kind: Config
current-context: exec
clusters:
- name: c
  cluster: {{server: "{url}", certificate-authority-data: {ca}}}
- name: userinfo
  cluster: {{server: "{userinfo_url}", certificate-authority-data: {ca}}}
users:
- name: token
  user: {{token: {TOKEN}}}
- name: wrong
  user: {{token: {WRONG}}}
- name: file
  user: {{tokenFile: token}}
- name: basic
  user: {{username: admin, password: {PASSWORD}}}
- name: key
  user: {{client-certificate-data: {key}, client-key-data: {key}}}
- name: exec
  user:
    exec:
      apiVersion: client.authentication.k8s.io/v1
      command: {plugin}
      args: [--secret, {EXEC_ARG}]
      env: [{{name: PLUGIN_ENV, value: {EXEC_ENV}}}]
      interactiveMode: Never
- name: junk
  user:
    exec:
      apiVersion: client.authentication.k8s.io/v1
      command: {junk}
      args: [--secret, {EXEC_ARG}]
      interactiveMode: Never
contexts:
- {{name: token, context: {{cluster: c, user: token, namespace: default}}}}
- {{name: wrong, context: {{cluster: c, user: wrong, namespace: default}}}}
- {{name: file, context: {{cluster: c, user: file, namespace: default}}}}
- {{name: basic, context: {{cluster: c, user: basic, namespace: default}}}}
- {{name: key, context: {{cluster: c, user: key, namespace: default}}}}
- {{name: exec, context: {{cluster: c, user: exec, namespace: default}}}}
- {{name: junk, context: {{cluster: c, user: junk, namespace: default}}}}
- {{name: userinfo, context: {{cluster: userinfo, user: token, namespace: default}}}}
"#,
        userinfo_url = url.replace("https://", &format!("https://admin:{URL_PASSWORD}@")),
        plugin = plugin.path().display(),
        junk = junk.path().display(),
    );
    let path = dir.join("kubeconfig");
    std::fs::write(&path, yaml).expect("kubeconfig");
    path
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn no_credential_in_any_output_of_a_full_run() {
    let logs = logs();
    let server = TestServer::builder()
        .token(TOKEN)
        .log_requests(true)
        .start()
        .await
        .expect("server");
    let (url, ca) = endpoint(&server);
    let dir = tempfile::tempdir().expect("tempdir");
    let plugin = Plugin::new();
    plugin.prints(None, TOKEN, None);
    // A plugin whose output is not a credential but carries a secret-looking value.
    let junk = Plugin::new();
    std::fs::write(
        junk.dir.path().join("out.json"),
        format!(
            r#"{{"apiVersion":"v0","kind":"ExecCredential","status":{{"token":"{PLUGIN_JUNK}"}}}}"#
        ),
    )
    .expect("junk output");
    let path = secret_kubeconfig(dir.path(), &url, &ca, &plugin, &junk);
    let mut outputs = Vec::new();

    // Config load.
    let kc = Kubeconfig::read(&path).expect("read");
    outputs.push(("Kubeconfig", format!("{kc:?}")));
    let mut configs = Vec::new();
    for ctx in [
        "token", "wrong", "file", "basic", "key", "exec", "junk", "userinfo",
    ] {
        let opts = KubeconfigOptions::new().context(ctx);
        let resolved = kc.resolve(&opts).expect("resolve");
        outputs.push(("ResolvedContext", format!("{resolved:?}")));
        match Config::from_custom_kubeconfig(&kc, &opts) {
            Ok(c) => {
                outputs.push(("Config", format!("{c:?}")));
                configs.push((ctx, c));
            }
            Err(e) => outputs.push(("config error", format!("{e} {e:?}"))),
        }
    }

    // Requests and errors with every credential.
    for (ctx, c) in configs {
        let client = match Client::new(c) {
            Ok(client) => client,
            Err(e) => {
                outputs.push(("client error", format!("{e} {e:?}")));
                continue;
            }
        };
        outputs.push(("Client", format!("{client:?}")));
        let api = Api::<ConfigMap>::namespaced(client.clone(), "default");
        match api.list(&ListOptions::default()).await {
            Ok(list) => outputs.push(("list", format!("{list:?}"))),
            Err(e) => outputs.push(("list error", format!("{ctx}: {e} {e:?}"))),
        }
        if let Err(e) = api.get("missing").await {
            outputs.push(("get error", format!("{e} {e:?}")));
        }
        if ctx == "exec" {
            // An informer through the exec credential, with writes and a watch.
            let factory = SharedInformerFactory::new(client.clone()).namespace("default");
            let informer = factory.informer::<ConfigMap>();
            factory.start();
            tokio::time::timeout(Duration::from_secs(20), factory.wait_for_cache_sync())
                .await
                .expect("informer synced");
            for i in 0..5 {
                let mut cm = source(&format!("s-{i}"), "v");
                cm.metadata.namespace = Some("default".into());
                api.create(&CreateOptions::default(), &cm)
                    .await
                    .expect("create");
            }
            for _ in 0..100 {
                if informer.store().list().len() >= 5 {
                    break;
                }
                tokio::time::sleep(Duration::from_millis(50)).await;
            }
            assert!(
                informer.store().list().len() >= 5,
                "informer saw the writes"
            );
            outputs.push(("informer", format!("{informer:?} {factory:?}")));
            factory.shutdown();
        }
    }
    server.stop().await;

    let logged = logs.text();
    assert!(logged.contains("kapi.request"), "requests were traced");
    for (what, text) in &outputs {
        assert_clean(what, text);
    }
    assert_clean("logs", &logged);
    assert!(plugin.runs() >= 1 && junk.runs() >= 1);
}
