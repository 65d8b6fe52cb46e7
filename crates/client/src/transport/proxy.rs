//! Proxies: [`Proxy`] (which one, if any) and [`ProxyUrl`] (a URL whose credentials never print).

use std::fmt;

use http::{HeaderValue, Uri};
use hyper_util::client::proxy::matcher::{Intercept, Matcher};

use crate::error::{Error, Result};
use crate::secret::SecretString;

/// Which proxy to use to reach the API server.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
#[non_exhaustive]
pub enum Proxy {
    /// `HTTPS_PROXY` / `HTTP_PROXY` / `ALL_PROXY` and `NO_PROXY` (upper or lower case), as
    /// client-go does through Go's `ProxyFromEnvironment`.
    #[default]
    FromEnv,
    /// Always this proxy (`proxy-url`); the environment is ignored.
    Url(ProxyUrl),
    /// Connect directly.
    None,
}

/// A proxy URL: `http://` (HTTP CONNECT), `socks5://` (local DNS) or `socks5h://` (proxy DNS),
/// optionally with `user:password@`. `Debug`/`Display` omit the credentials.
#[derive(Clone, PartialEq, Eq)]
pub struct ProxyUrl {
    raw: SecretString,
    display: String,
}

impl ProxyUrl {
    /// Parses and checks a proxy URL.
    pub fn parse(url: &str) -> Result<Self> {
        let uri: Uri = url.parse().map_err(|_| {
            Error::InvalidConfig(format!("proxy-url {:?} is not a URL", redact(url)))
        })?;
        match uri.scheme_str() {
            Some("http" | "socks5" | "socks5h") => {}
            Some(other) => {
                return Err(Error::InvalidConfig(format!(
                    "proxy-url scheme {other:?} is not supported (use http://, socks5:// or socks5h://)"
                )))
            }
            None => return Err(Error::InvalidConfig("proxy-url needs a scheme (http://…)".into())),
        }
        if uri.host().is_none() {
            return Err(Error::InvalidConfig("proxy-url has no host".into()));
        }
        Ok(Self {
            raw: SecretString::new(url),
            display: redact(url),
        })
    }
}

/// The URL with any `user:password@` replaced by `<redacted>@`.
pub(crate) fn redact(url: &str) -> String {
    let Some((scheme, rest)) = url.split_once("://") else {
        return url.to_owned();
    };
    let authority_end = rest.find('/').unwrap_or(rest.len());
    match rest[..authority_end].rfind('@') {
        Some(at) => format!("{scheme}://<redacted>@{}", &rest[at + 1..]),
        None => url.to_owned(),
    }
}

impl fmt::Debug for ProxyUrl {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_tuple("ProxyUrl").field(&self.display).finish()
    }
}

impl fmt::Display for ProxyUrl {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.display)
    }
}

/// How the connector reaches `dst`.
#[derive(Clone)]
pub(crate) enum Route {
    Direct,
    Connect {
        proxy: Uri,
        auth: Option<HeaderValue>,
    },
    Socks {
        proxy: Uri,
        auth: Option<(String, String)>,
        local_dns: bool,
    },
}

impl fmt::Debug for Route {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Route::Direct => f.write_str("Direct"),
            Route::Connect { proxy, .. } => write!(f, "Connect({})", proxy.host().unwrap_or("")),
            Route::Socks { proxy, .. } => write!(f, "Socks({})", proxy.host().unwrap_or("")),
        }
    }
}

impl Proxy {
    /// The route to `dst` under this setting.
    pub(crate) fn route(&self, dst: &Uri) -> Result<Route> {
        let intercept = match self {
            Proxy::None => None,
            Proxy::FromEnv => Matcher::from_env().intercept(dst),
            Proxy::Url(u) => Matcher::builder()
                .all(u.raw.expose_secret().to_owned())
                .build()
                .intercept(dst),
        };
        intercept.map_or(Ok(Route::Direct), |i| route_for(&i))
    }
}

fn route_for(i: &Intercept) -> Result<Route> {
    let uri = i.uri().clone();
    let raw_auth = i.raw_auth().map(|(u, p)| (u.to_owned(), p.to_owned()));
    match uri.scheme_str() {
        Some("http") => Ok(Route::Connect {
            auth: i.basic_auth().cloned(),
            proxy: uri,
        }),
        Some("socks5") => Ok(Route::Socks {
            proxy: uri,
            auth: raw_auth,
            local_dns: true,
        }),
        Some("socks5h") => Ok(Route::Socks {
            proxy: uri,
            auth: raw_auth,
            local_dns: false,
        }),
        other => Err(Error::InvalidConfig(format!(
            "proxy scheme {:?} is not supported (use http://, socks5:// or socks5h://)",
            other.unwrap_or("")
        ))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn credentials_never_print() {
        let p = ProxyUrl::parse("http://alice:s3cret@proxy.local:3128").expect("valid");
        assert!(!format!("{p:?} {p}").contains("s3cret"));
        assert!(ProxyUrl::parse("https://proxy").is_err());
        let route = Proxy::Url(p)
            .route(&"https://10.0.0.1:6443".parse().expect("uri"))
            .expect("route");
        assert!(matches!(route, Route::Connect { auth: Some(_), .. }));
    }
}
