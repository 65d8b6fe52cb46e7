//! The kubeconfig document pointing at a server.

use base64::engine::general_purpose::STANDARD;
use base64::Engine;

/// A kubeconfig for `url`, trusting `ca_pem` (HTTPS only) and sending `token`.
pub(crate) fn render(url: &str, ca_pem: Option<&str>, token: &str) -> String {
    let mut lines = vec![
        "apiVersion: v1".to_owned(),
        "kind: Config".to_owned(),
        "clusters:".to_owned(),
        "- name: kapi-testserver".to_owned(),
        "  cluster:".to_owned(),
        format!("    server: {url}"),
    ];
    if let Some(pem) = ca_pem {
        lines.push(format!(
            "    certificate-authority-data: {}",
            STANDARD.encode(pem)
        ));
    }
    lines.extend(
        [
            "contexts:",
            "- name: kapi-testserver",
            "  context:",
            "    cluster: kapi-testserver",
            "    user: kapi-testserver",
            "    namespace: default",
            "current-context: kapi-testserver",
            "preferences: {}",
            "users:",
            "- name: kapi-testserver",
            "  user:",
        ]
        .map(str::to_owned),
    );
    lines.push(format!("    token: {token}"));
    let mut s = lines.join("\n");
    s.push('\n');
    s
}
