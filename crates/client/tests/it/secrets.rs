//! Secrets never appear in Debug, Display, error messages or log lines.

use std::io::Write;
use std::sync::{Arc, Mutex};

use base64::Engine as _;
use kapi_client::kubeconfig::{Kubeconfig, KubeconfigOptions};
use kapi_client::{Auth, Client, Config, ProxyUrl};

use crate::support::{config_for, echo, get, Ca, Options, Server};

const SECRETS: &[&str] = &[
    "TOKSECRET",
    "PWSECRET",
    "IDSECRET",
    "ENVSECRET",
    "ARGSECRET",
    "PROXYSECRET",
];

fn assert_clean(what: &str, text: &str, key_body: &str) {
    for s in SECRETS {
        assert!(!text.contains(s), "{what} leaks {s}: {text}");
    }
    assert!(!text.contains(key_body), "{what} leaks key material");
}

#[test]
fn debug_display_and_errors_are_redacted() {
    let ca = Ca::new("ca");
    let client_cert = ca.client("u", None);
    // A distinctive slice of the private key's base64 body.
    let key_body: String = client_cert
        .key
        .lines()
        .nth(1)
        .unwrap_or_default()
        .chars()
        .take(40)
        .collect();
    let b64 = |s: &str| base64::engine::general_purpose::STANDARD.encode(s);
    let yaml = format!(
        r#"
current-context: tok
clusters:
- name: c
  cluster: {{server: "https://c.example", proxy-url: "http://me:PROXYSECRET@proxy:3128"}}
users:
- name: tok
  user: {{token: TOKSECRET, client-certificate-data: {cert}, client-key-data: {key}}}
- name: basic
  user: {{username: admin, password: PWSECRET}}
- name: oidc
  user:
    auth-provider: {{name: oidc, config: {{id-token: IDSECRET}}}}
- name: exec
  user:
    exec:
      apiVersion: client.authentication.k8s.io/v1beta1
      command: /nonexistent/plugin
      args: [--token, ARGSECRET]
      env: [{{name: T, value: ENVSECRET}}]
contexts:
- {{name: tok, context: {{cluster: c, user: tok}}}}
- {{name: basic, context: {{cluster: c, user: basic}}}}
- {{name: oidc, context: {{cluster: c, user: oidc}}}}
- {{name: exec, context: {{cluster: c, user: exec}}}}
"#,
        cert = b64(&client_cert.cert),
        key = b64(&client_cert.key),
    );
    let kc = Kubeconfig::from_yaml(&yaml).expect("kubeconfig");
    assert_clean("Kubeconfig debug", &format!("{kc:?}"), &key_body);
    for ctx in ["tok", "basic", "exec"] {
        let opts = KubeconfigOptions::new().context(ctx);
        let resolved = kc.resolve(&opts).expect("resolve");
        assert_clean("ResolvedContext debug", &format!("{resolved:?}"), &key_body);
        let config = Config::from_custom_kubeconfig(&kc, &opts).expect("config");
        assert_clean("Config debug", &format!("{config:?}"), &key_body);
        let client = Client::new(config).expect("client");
        assert_clean("Client debug", &format!("{client:?}"), &key_body);
    }
    let err = Config::from_custom_kubeconfig(&kc, &KubeconfigOptions::new().context("oidc"))
        .expect_err("oidc");
    assert_clean("auth-provider error", &format!("{err} {err:?}"), &key_body);

    let proxy = ProxyUrl::parse("http://me:PROXYSECRET@proxy:3128").expect("proxy");
    assert_clean("proxy url", &format!("{proxy} {proxy:?}"), &key_body);

    // A token that cannot be a header value: the error names the problem, not the token.
    let mut config = Config::from_url("https://127.0.0.1:1").expect("url");
    config.auth = Auth::bearer("TOKSECRET\nX");
    let client = Client::new(config).expect("client");
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("rt");
    let err = rt
        .block_on(client.request_text(get("/")))
        .expect_err("bad header");
    assert_clean("header error", &format!("{err} {err:?}"), &key_body);

    // An exec plugin that fails: nothing of its config's secrets in the error.
    let config = Config::from_custom_kubeconfig(&kc, &KubeconfigOptions::new().context("exec"))
        .expect("config");
    let err = rt
        .block_on(Client::new(config).expect("client").request_text(get("/")))
        .expect_err("no plugin");
    assert_clean("exec error", &format!("{err} {err:?}"), &key_body);
}

/// Collects everything logged.
#[derive(Clone, Default)]
struct Sink(Arc<Mutex<Vec<u8>>>);

impl Write for Sink {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.lock().expect("lock").extend_from_slice(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

#[test]
fn log_lines_carry_no_credentials() {
    let sink = Sink::default();
    let writer = sink.clone();
    let subscriber = tracing_subscriber::fmt()
        .with_max_level(tracing::Level::TRACE)
        .with_writer(move || writer.clone())
        .with_ansi(false)
        .finish();
    tracing::subscriber::with_default(subscriber, || {
        let rt = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .expect("rt");
        rt.block_on(async {
            let ca = Ca::new("ca");
            let server = Server::start(Options::new(ca.localhost()), echo()).await;
            let mut config = config_for(&server, &ca);
            config.auth = Auth::bearer("TOKSECRET");
            let client = Client::new(config).expect("client");
            client.request_text(get("/")).await.expect("request");
            let mut config = config_for(&server, &ca);
            config.auth = Auth::basic("admin", "PWSECRET");
            Client::new(config)
                .expect("client")
                .request_text(get("/"))
                .await
                .expect("request");
        });
    });
    let logs = String::from_utf8_lossy(&sink.0.lock().expect("lock")).into_owned();
    assert!(logs.contains("kapi.request"), "spans were logged: {logs}");
    assert_clean("logs", &logs, "-----BEGIN");
    // Basic credentials base64-encoded must not leak either.
    assert!(!logs.contains("UFdTRUNSRVQ") && !logs.contains("YWRtaW46UFdTRUNSRVQ"));
}
