//! Running an exec plugin once and checking its `ExecCredential`.

use std::io::IsTerminal as _;
use std::process::Stdio;
use std::sync::Arc;

use serde::Deserialize;
use serde_json::json;
use tokio_rustls::rustls::sign::CertifiedKey;

use super::ExecClusterInfo;
use crate::error::{sanitize, ExecError, Result};
use crate::kubeconfig::{ExecConfig, ExecInteractiveMode};
use crate::secret::SecretString;

/// What a successful run produced.
pub(super) struct Output {
    pub(super) token: Option<SecretString>,
    pub(super) certified_key: Option<Arc<CertifiedKey>>,
    pub(super) expires: Option<jiff::Timestamp>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct ExecCredential {
    #[serde(default)]
    api_version: Option<String>,
    #[serde(default)]
    kind: Option<String>,
    #[serde(default)]
    status: Option<Status>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct Status {
    #[serde(default)]
    expiration_timestamp: Option<String>,
    #[serde(default)]
    token: Option<SecretString>,
    #[serde(default)]
    client_certificate_data: Option<String>,
    #[serde(default)]
    client_key_data: Option<SecretString>,
}

/// Runs the plugin and validates its output.
pub(super) async fn run(
    config: &ExecConfig,
    api_version: &str,
    mode: ExecInteractiveMode,
    cluster: Option<&ExecClusterInfo>,
) -> Result<Output> {
    let command = config.command.clone();
    let interactive = match mode {
        ExecInteractiveMode::Never => false,
        ExecInteractiveMode::IfAvailable => std::io::stdin().is_terminal(),
        ExecInteractiveMode::Always => {
            if !std::io::stdin().is_terminal() {
                return Err(ExecError::InteractiveRequired(command).into());
            }
            true
        }
    };
    let mut spec = json!({ "interactive": interactive });
    if config.provide_cluster_info {
        if let Some(c) = cluster {
            spec["cluster"] = serde_json::to_value(c).unwrap_or_default();
        }
    }
    let info = json!({ "apiVersion": api_version, "kind": "ExecCredential", "spec": spec });

    // No shell: the OS receives the program and its arguments as they are.
    let mut cmd = tokio::process::Command::new(&config.command);
    cmd.args(&config.args)
        .envs(
            config
                .env
                .iter()
                .map(|e| (&e.name, e.value.expose_secret())),
        )
        .env("KUBERNETES_EXEC_INFO", info.to_string())
        .stdin(if interactive {
            Stdio::inherit()
        } else {
            Stdio::null()
        })
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .kill_on_drop(true);
    tracing::debug!(command = %config.command, interactive, "running exec credential plugin");
    let output = cmd.output().await.map_err(|source| {
        if source.kind() == std::io::ErrorKind::NotFound {
            ExecError::NotFound {
                command: command.clone(),
                install_hint: config.install_hint.clone(),
            }
        } else {
            ExecError::Spawn {
                command: command.clone(),
                source,
            }
        }
    })?;
    if !output.status.success() {
        return Err(ExecError::Failed {
            command,
            status: output.status.to_string(),
        }
        .into());
    }
    parse(&output.stdout, api_version, &command)
}

fn invalid(command: &str, reason: impl Into<String>) -> crate::Error {
    ExecError::InvalidOutput {
        command: command.to_owned(),
        reason: reason.into(),
    }
    .into()
}

/// Checks an `ExecCredential` the way client-go does, plus: an already expired credential is
/// an error rather than a loop of plugin runs.
pub(super) fn parse(stdout: &[u8], api_version: &str, command: &str) -> Result<Output> {
    let cred: ExecCredential = serde_json::from_slice(stdout).map_err(|e| {
        invalid(
            command,
            format!(
                "not an ExecCredential JSON object: {}",
                sanitize(&e.to_string())
            ),
        )
    })?;
    let got = cred.api_version.unwrap_or_default();
    if got != api_version {
        return Err(invalid(
            command,
            format!("apiVersion {got:?} does not match the configured {api_version:?}"),
        ));
    }
    if cred.kind.as_deref().is_some_and(|k| k != "ExecCredential") {
        return Err(invalid(command, "kind is not ExecCredential"));
    }
    let status = cred
        .status
        .ok_or_else(|| invalid(command, "no status field"))?;
    let token = status.token.filter(|t| !t.is_empty());
    let cert = status.client_certificate_data.filter(|c| !c.is_empty());
    let key = status.client_key_data.filter(|k| !k.is_empty());
    if cert.is_some() != key.is_some() {
        return Err(invalid(
            command,
            "returned only one of clientCertificateData and clientKeyData",
        ));
    }
    if token.is_none() && cert.is_none() {
        return Err(invalid(
            command,
            "returned neither a token nor a client certificate and key",
        ));
    }
    let expires = match status.expiration_timestamp.filter(|t| !t.is_empty()) {
        None => None,
        Some(t) => {
            let ts: jiff::Timestamp = t
                .parse()
                .map_err(|_| invalid(command, "expirationTimestamp is not an RFC 3339 time"))?;
            if ts <= jiff::Timestamp::now() {
                return Err(ExecError::Expired {
                    command: command.to_owned(),
                    expired_at: t,
                }
                .into());
            }
            Some(ts)
        }
    };
    let certified_key = match (cert, key) {
        (Some(c), Some(k)) => {
            let origin = format!("exec plugin {command:?} output");
            Some(
                crate::tls::certified_key_from_pem(
                    c.as_bytes(),
                    k.expose_secret().as_bytes(),
                    &origin,
                )
                .map_err(|e| invalid(command, e.to_string()))?,
            )
        }
        _ => None,
    };
    Ok(Output {
        token,
        certified_key,
        expires,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    const V1: &str = super::super::EXEC_API_V1;

    fn err(out: &str) -> String {
        match parse(out.as_bytes(), V1, "plug") {
            Ok(_) => panic!("{out} should be rejected"),
            Err(e) => e.to_string(),
        }
    }

    #[test]
    fn accepts_a_token() {
        let out = format!(
            r#"{{"apiVersion":"{V1}","kind":"ExecCredential","status":{{"token":"t0k","expirationTimestamp":"2999-01-01T00:00:00Z"}}}}"#
        );
        let o = parse(out.as_bytes(), V1, "plug").expect("valid");
        assert_eq!(
            o.token.map(|t| t.expose_secret().to_owned()).as_deref(),
            Some("t0k")
        );
        assert!(o.expires.is_some());
    }

    #[test]
    fn rejects_garbage_without_echoing_it() {
        assert!(err("garbage s3cret").contains("not an ExecCredential"));
        assert!(!err(r#"{"apiVersion":1,"status":{"token":"s3cret"}}"#).contains("s3cret"));
        assert!(err(&format!(r#"{{"apiVersion":"{V1}"}}"#)).contains("no status"));
        assert!(err(
            r#"{"apiVersion":"client.authentication.k8s.io/v1beta1","status":{"token":"x"}}"#
        )
        .contains("does not match"));
        assert!(err(&format!(r#"{{"apiVersion":"{V1}","status":{{}}}}"#)).contains("neither"));
        let expired = format!(
            r#"{{"apiVersion":"{V1}","status":{{"token":"s3cret","expirationTimestamp":"2001-01-01T00:00:00Z"}}}}"#
        );
        let e = err(&expired);
        assert!(e.contains("expired") && !e.contains("s3cret"), "{e}");
        assert!(err(&format!(
            r#"{{"apiVersion":"{V1}","status":{{"clientCertificateData":"x"}}}}"#
        ))
        .contains("only one"));
    }
}
