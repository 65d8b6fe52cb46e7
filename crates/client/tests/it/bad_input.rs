//! Bad input: every case is a typed error with a clear message, never a panic.

use kapi_client::error::{AuthError, KubeconfigErrorKind};
use kapi_client::kubeconfig::{Kubeconfig, KubeconfigOptions};
use kapi_client::{Auth, Client, Config, Error};

fn kind(e: &Error) -> Option<&KubeconfigErrorKind> {
    match e {
        Error::Kubeconfig(k) => Some(&k.kind),
        _ => None,
    }
}

fn resolve(yaml: &str) -> Result<Config, Error> {
    Config::from_custom_kubeconfig(&Kubeconfig::from_yaml(yaml)?, &KubeconfigOptions::new())
}

const HEAD: &str = "current-context: c\ncontexts:\n- name: c\n  context: {cluster: k, user: u}\n";

#[test]
fn kubeconfig_table() {
    let dir = tempfile::tempdir().expect("tempdir");
    let bad_yaml = dir.path().join("bad.yaml");
    std::fs::write(&bad_yaml, "clusters: [\n  - name: x\n").expect("write");

    // (what, result, kind check, words the message must contain)
    type Check = fn(&KubeconfigErrorKind) -> bool;
    type Case = (&'static str, Result<Config, Error>, Check, Vec<String>);
    let cases: Vec<Case> = vec![
        (
            "malformed YAML",
            Kubeconfig::read(&bad_yaml).map(|_| Config::from_url("https://x").expect("url")),
            |k| matches!(k, KubeconfigErrorKind::Parse(_)),
            vec![bad_yaml.display().to_string(), "cannot parse".into()],
        ),
        (
            "missing file",
            Kubeconfig::read(dir.path().join("nope")).map(|_| Config::from_url("https://x").expect("url")),
            |k| matches!(k, KubeconfigErrorKind::Read(_)),
            vec!["nope".into(), "cannot read".into()],
        ),
        (
            "unknown context",
            Config::from_custom_kubeconfig(
                &Kubeconfig::from_yaml(HEAD).expect("yaml"),
                &KubeconfigOptions::new().context("staging"),
            ),
            |k| matches!(k, KubeconfigErrorKind::ContextNotFound(_)),
            vec!["\"staging\" not found".into()],
        ),
        (
            "bad PEM in certificate-authority-data",
            resolve(&format!("{HEAD}clusters:\n- name: k\n  cluster: {{server: 'https://k', certificate-authority-data: bm90IGEgY2VydA==}}\nusers:\n- name: u\n  user: {{}}\n")),
            |k| matches!(k, KubeconfigErrorKind::Invalid(_)),
            vec!["cluster \"k\"".into(), "certificate".into()],
        ),
        (
            "certificate-authority-data not base64",
            resolve(&format!("{HEAD}clusters:\n- name: k\n  cluster: {{server: 'https://k', certificate-authority-data: '%%%'}}\nusers:\n- name: u\n  user: {{}}\n")),
            |k| matches!(k, KubeconfigErrorKind::Invalid(_)),
            vec!["certificate-authority-data".into(), "base64".into()],
        ),
        (
            "bad client key",
            resolve(&format!("{HEAD}clusters:\n- name: k\n  cluster: {{server: 'https://k'}}\nusers:\n- name: u\n  user: {{client-certificate-data: bm90, client-key-data: bm90}}\n")),
            |k| matches!(k, KubeconfigErrorKind::Invalid(_)),
            vec!["user \"u\"".into(), "client".into()],
        ),
        (
            "auth-provider",
            resolve(&format!("{HEAD}clusters:\n- name: k\n  cluster: {{server: 'https://k'}}\nusers:\n- name: u\n  user:\n    auth-provider: {{name: oidc, config: {{id-token: abc}}}}\n")),
            |k| matches!(k, KubeconfigErrorKind::Unsupported(_)),
            vec!["oidc".into(), "exec".into(), "auth-provider".into()],
        ),
        (
            "exec v1 without interactiveMode",
            resolve(&format!("{HEAD}clusters:\n- name: k\n  cluster: {{server: 'https://k'}}\nusers:\n- name: u\n  user:\n    exec: {{apiVersion: client.authentication.k8s.io/v1, command: x}}\n")),
            |k| matches!(k, KubeconfigErrorKind::Invalid(_)),
            vec!["interactiveMode".into()],
        ),
        (
            "exec with an unsupported apiVersion",
            resolve(&format!("{HEAD}clusters:\n- name: k\n  cluster: {{server: 'https://k'}}\nusers:\n- name: u\n  user:\n    exec: {{apiVersion: client.authentication.k8s.io/v1alpha1, command: x}}\n")),
            |k| matches!(k, KubeconfigErrorKind::Invalid(_)),
            vec!["v1alpha1".into()],
        ),
        (
            "token and basic auth together",
            resolve(&format!("{HEAD}clusters:\n- name: k\n  cluster: {{server: 'https://k'}}\nusers:\n- name: u\n  user: {{token: t, username: a, password: b}}\n")),
            |k| matches!(k, KubeconfigErrorKind::Invalid(_)),
            vec!["more than one authentication method".into()],
        ),
        (
            "cluster without server",
            resolve(&format!("{HEAD}clusters:\n- name: k\n  cluster: {{}}\nusers:\n- name: u\n  user: {{}}\n")),
            |k| matches!(k, KubeconfigErrorKind::MissingServer),
            vec!["server".into(), "cluster \"k\"".into()],
        ),
        (
            "https proxy-url",
            resolve(&format!("{HEAD}clusters:\n- name: k\n  cluster: {{server: 'https://k', proxy-url: 'https://p:3128'}}\nusers:\n- name: u\n  user: {{}}\n")),
            |k| matches!(k, KubeconfigErrorKind::Invalid(_)),
            vec!["proxy-url".into()],
        ),
        (
            "missing token file",
            resolve(&format!("{HEAD}clusters:\n- name: k\n  cluster: {{server: 'https://k'}}\nusers:\n- name: u\n  user: {{tokenFile: /nonexistent/token}}\n")),
            |k| matches!(k, KubeconfigErrorKind::Invalid(_)),
            vec!["tokenFile".into(), "/nonexistent/token".into()],
        ),
        (
            "CA and insecure together",
            resolve(&format!("{HEAD}clusters:\n- name: k\n  cluster: {{server: 'https://k', insecure-skip-tls-verify: true, certificate-authority: /etc/hostname}}\nusers:\n- name: u\n  user: {{}}\n")),
            |k| matches!(k, KubeconfigErrorKind::Invalid(_)),
            vec!["insecure-skip-tls-verify".into()],
        ),
    ];
    for (what, result, check, words) in cases {
        let Err(err) = result else {
            panic!("{what}: accepted")
        };
        let k = kind(&err).unwrap_or_else(|| panic!("{what}: not a kubeconfig error: {err:?}"));
        assert!(check(k), "{what}: unexpected kind {k:?}");
        let msg = err.to_string();
        for w in words {
            assert!(msg.contains(&w), "{what}: {msg:?} lacks {w:?}");
        }
    }
}

#[tokio::test]
async fn unreachable_server_is_a_connect_error() {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
    let port = listener.local_addr().expect("addr").port();
    drop(listener);
    let mut config = Config::from_url(&format!("https://127.0.0.1:{port}")).expect("url");
    config.proxy = kapi_client::Proxy::None;
    let err = Client::new(config)
        .expect("client")
        .request_text(crate::support::get("/"))
        .await
        .expect_err("refused");
    assert!(matches!(err, Error::Connect { .. }), "{err:?}");
    let msg = err.to_string();
    assert!(
        msg.contains(&format!("127.0.0.1:{port}")) && msg.to_lowercase().contains("refused"),
        "{msg}"
    );
}

#[test]
fn credentials_over_plain_http_are_refused() {
    let mut config = Config::from_url("http://127.0.0.1:8080").expect("url");
    config.auth = Auth::bearer("t");
    let err = Client::new(config).expect_err("plain http with a token");
    assert!(
        matches!(err, Error::Auth(AuthError::InsecureTransport(_))),
        "{err:?}"
    );

    // From a kubeconfig, like kubectl, credentials are dropped (with a warning) instead.
    let config = resolve(&format!("{HEAD}clusters:\n- name: k\n  cluster: {{server: 'http://k:8080'}}\nusers:\n- name: u\n  user: {{token: t}}\n")).expect("config");
    assert!(config.auth.is_none());
    Client::new(config).expect("client without credentials");
}

#[test]
fn bad_urls_and_requests() {
    assert!(matches!(
        Config::from_url("not a url"),
        Err(Error::InvalidConfig(_))
    ));
    let config = Config::from_url("ftp://x").expect("parses");
    assert!(matches!(Client::new(config), Err(Error::InvalidConfig(_))));
}
