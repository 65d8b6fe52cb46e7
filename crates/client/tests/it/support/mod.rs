//! Test support: certificates, an HTTPS server, a CONNECT proxy and small helpers.

pub(crate) mod pki;
pub(crate) mod proxy;
pub(crate) mod server;

use bytes::Bytes;
use kapi_client::{Body, Config, PemSource};

pub(crate) use pki::Ca;
pub(crate) use server::{full, handler, json, Abort, Options, Server};

/// A config for `server` trusting `ca`, with no rate limit and no proxy.
pub(crate) fn config_for(server: &Server, ca: &Ca) -> Config {
    let mut config = Config::from_url(&server.url()).expect("url");
    config.tls.root_ca = Some(PemSource::Pem(Bytes::from(ca.pem.cert.clone())));
    config.proxy = kapi_client::Proxy::None;
    config.rate_limit = kapi_client::RateLimit::disabled();
    config
}

/// `GET path`.
pub(crate) fn get(path: &str) -> http::Request<Body> {
    http::Request::get(path)
        .body(Body::empty())
        .expect("request")
}

/// A handler answering `{"ok": true}` and echoing what it saw in headers of the JSON.
pub(crate) fn echo() -> server::Handler {
    handler(|seen| async move {
        let v = serde_json::json!({
            "authorization": seen.header("authorization"),
            "client": seen.client,
            "userAgent": seen.header("user-agent"),
            "acceptEncoding": seen.header("accept-encoding"),
            "impersonateUser": seen.header("impersonate-user"),
            "impersonateGroups": seen.headers.get_all("impersonate-group").iter().filter_map(|v| v.to_str().ok()).collect::<Vec<_>>(),
            "impersonateUid": seen.header("impersonate-uid"),
            "path": seen.uri.path(),
            "version": format!("{:?}", seen.version),
        });
        Ok(json(200, &v))
    })
}
