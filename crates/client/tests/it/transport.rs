//! The transport stack over real HTTPS: rate limiting, retries, connection resets, gzip,
//! warnings, streaming, proxies, timeouts, layers and error mapping.

use std::io::Write as _;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use bytes::Bytes;
use futures::StreamExt;
use http::Request;
use kapi_client::{
    Body, Client, Error, Proxy, ProxyUrl, RateLimit, RequestKind, Warning, WarningHandler,
};
use serde_json::{json, Value};
use tower::util::MapRequestLayer;

use crate::support::proxy::ConnectProxy;
use crate::support::server::{streaming, ResBody};
use crate::support::{config_for, echo, full, get, handler, json, Abort, Ca, Options, Server};

fn with_header(
    mut resp: http::Response<ResBody>,
    name: &'static str,
    value: &str,
) -> http::Response<ResBody> {
    resp.headers_mut()
        .append(name, value.parse().expect("header value"));
    resp
}

/// Answers `status` (with `Retry-After: retry_after` when given) to the first `failures`
/// requests, then 200.
async fn flaky(ca: &Ca, failures: usize, status: u16, retry_after: Option<&'static str>) -> Server {
    Server::start(
        Options::new(ca.localhost()),
        handler(move |seen| async move {
            if seen.n < failures {
                let resp = json(
                    status,
                    &json!({"kind": "Status", "status": "Failure", "code": status}),
                );
                Ok(match retry_after {
                    Some(ra) => with_header(resp, "retry-after", ra),
                    None => resp,
                })
            } else {
                Ok(json(
                    200,
                    &json!({"n": seen.n, "body": String::from_utf8_lossy(&seen.body)}),
                ))
            }
        }),
    )
    .await
}

#[tokio::test]
async fn burst_of_100_is_held_to_the_configured_qps() {
    let ca = Ca::new("ca");
    let server = Server::start(Options::new(ca.localhost()), echo()).await;
    let mut config = config_for(&server, &ca);
    config.rate_limit = RateLimit::new(100.0, 10);
    let client = Client::new(config).expect("client");
    let started = std::time::Instant::now();
    let results = futures::future::join_all((0..100).map(|_| client.request_text(get("/")))).await;
    assert!(results.iter().all(Result::is_ok));
    assert_eq!(server.hits(), 100);
    let stats = client.rate_limit().stats();
    assert_eq!((stats.requests, stats.throttled), (100, 90));
    // The i-th throttled request waits i/100 s: 90 of them wait 40.95 s in total.
    assert!(stats.total_wait >= Duration::from_secs(40), "{stats:?}");
    assert!(started.elapsed() >= Duration::from_millis(850));

    // Watches are exempt.
    let watches =
        futures::future::join_all((0..20).map(|_| client.request_text(get("/?watch=true")))).await;
    assert!(watches.iter().all(Result::is_ok));
    assert_eq!(client.rate_limit().stats().requests, 100);
}

#[tokio::test]
async fn retries_429_and_5xx_with_retry_after() {
    let ca = Ca::new("ca");
    let server = flaky(&ca, 2, 429, Some("0")).await;
    let client = Client::new(config_for(&server, &ca)).expect("client");
    let v: Value = client.request_json(get("/")).await.expect("retried");
    assert_eq!((v["n"].as_u64(), server.hits()), (Some(2), 3));

    let server = flaky(&ca, 1, 503, Some("1")).await;
    let client = Client::new(config_for(&server, &ca)).expect("client");
    let started = std::time::Instant::now();
    client
        .request_text(get("/"))
        .await
        .expect("retried after 1 s");
    assert!(started.elapsed() >= Duration::from_millis(900));
    assert_eq!(server.hits(), 2);

    // A 5xx without Retry-After is not retried.
    let server = flaky(&ca, 1, 503, None).await;
    let client = Client::new(config_for(&server, &ca)).expect("client");
    let err = client.request_text(get("/")).await.expect_err("503");
    assert!(
        err.as_api()
            .is_some_and(kapi_client::ApiError::is_service_unavailable),
        "{err}"
    );
    assert_eq!(server.hits(), 1);
}

#[tokio::test]
async fn retries_stop_at_the_limit_and_never_replay_streams() {
    let ca = Ca::new("ca");
    let server = flaky(&ca, usize::MAX, 429, Some("0")).await;
    let mut config = config_for(&server, &ca);
    config.max_retries = 2;
    let client = Client::new(config).expect("client");
    let err = client.request_text(get("/")).await.expect_err("gives up");
    let api = err.as_api().expect("api error");
    assert!(api.is_too_many_requests());
    assert_eq!(api.retry_after_header, Some(0));
    assert_eq!(server.hits(), 3);

    let server = flaky(&ca, 1, 429, Some("0")).await;
    let client = Client::new(config_for(&server, &ca)).expect("client");
    let chunks = futures::stream::iter(vec![Ok::<_, std::io::Error>(Bytes::from_static(
        b"streamed",
    ))]);
    let req = Request::post("/")
        .body(Body::from_stream(chunks))
        .expect("request");
    let err = client.request_text(req).await.expect_err("not replayable");
    assert!(err
        .as_api()
        .is_some_and(kapi_client::ApiError::is_too_many_requests));
    assert_eq!(server.hits(), 1);

    // A buffered POST body is replayed.
    let req = Request::post("/")
        .body(Body::from("payload"))
        .expect("request");
    let v: Value = client.request_json(req).await.expect("replayed");
    assert_eq!(v["body"], "payload");
}

#[tokio::test]
async fn connection_resets_are_retried_for_gets_only() {
    let ca = Ca::new("ca");
    let mut opts = Options::new(ca.localhost());
    opts.h2 = false;
    let server = Server::start(
        opts,
        handler(|seen| async move {
            if seen.n == 0 || seen.method == http::Method::POST {
                Err(Abort)
            } else {
                Ok(json(200, &json!({})))
            }
        }),
    )
    .await;
    let client = Client::new(config_for(&server, &ca)).expect("client");
    let started = std::time::Instant::now();
    client
        .request_text(get("/"))
        .await
        .expect("GET retried after the reset");
    assert!(
        started.elapsed() >= Duration::from_millis(900),
        "waited the 1 s Retry-After"
    );
    assert_eq!(server.hits(), 2);

    let req = Request::post("/").body(Body::from("x")).expect("request");
    let err = client
        .request_text(req)
        .await
        .expect_err("POST not retried");
    assert!(matches!(err, Error::Http(_)), "{err:?}");
    assert_eq!(server.hits(), 3);
}

#[tokio::test]
async fn gzip_responses_are_decompressed_unless_disabled() {
    let ca = Ca::new("ca");
    let server = Server::start(
        Options::new(ca.localhost()),
        handler(|seen| async move {
            let body =
                json!({"acceptEncoding": seen.header("accept-encoding"), "pad": "x".repeat(4096)})
                    .to_string();
            if seen
                .header("accept-encoding")
                .is_some_and(|a| a.contains("gzip"))
            {
                let mut enc =
                    flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
                enc.write_all(body.as_bytes()).expect("gzip");
                let gz = enc.finish().expect("gzip");
                Ok(with_header(
                    full(200, "application/json", gz),
                    "content-encoding",
                    "gzip",
                ))
            } else {
                Ok(full(200, "application/json", body))
            }
        }),
    )
    .await;
    let v: Value = Client::new(config_for(&server, &ca))
        .expect("client")
        .request_json(get("/"))
        .await
        .expect("gzip");
    assert_eq!(v["acceptEncoding"], "gzip");
    let mut config = config_for(&server, &ca);
    config.disable_compression = true;
    let v: Value = Client::new(config)
        .expect("client")
        .request_json(get("/"))
        .await
        .expect("plain");
    assert_eq!(v["acceptEncoding"], Value::Null);
}

#[tokio::test]
async fn warning_headers_reach_the_handler() {
    let ca = Ca::new("ca");
    let server = Server::start(
        Options::new(ca.localhost()),
        handler(|_| async move {
            let resp = with_header(
                json(200, &json!({})),
                "warning",
                r#"299 - "extensions/v1beta1 is deprecated""#,
            );
            Ok(with_header(resp, "warning", r#"299 - "second \"quoted\"""#))
        }),
    )
    .await;
    let got = Arc::new(Mutex::new(Vec::<Warning>::new()));
    let sink = got.clone();
    let mut config = config_for(&server, &ca);
    config.warning_handler = Some(WarningHandler::new(move |w| {
        sink.lock().expect("lock").push(w.clone());
    }));
    Client::new(config)
        .expect("client")
        .request_text(get("/"))
        .await
        .expect("ok");
    let texts: Vec<String> = got
        .lock()
        .expect("lock")
        .iter()
        .map(|w| w.text.clone())
        .collect();
    assert_eq!(
        texts,
        ["extensions/v1beta1 is deprecated", "second \"quoted\""]
    );
}

#[tokio::test]
async fn streams_are_delivered_incrementally() {
    let ca = Ca::new("ca");
    let (tx, rx) = tokio::sync::mpsc::channel::<Bytes>(4);
    let rx = Arc::new(Mutex::new(Some(rx)));
    let server = Server::start(
        Options::new(ca.localhost()),
        handler(move |_| {
            let rx = rx.lock().expect("lock").take();
            async move {
                let rx = rx.ok_or(Abort)?;
                Ok(http::Response::builder()
                    .status(200)
                    .body(streaming(rx))
                    .expect("response"))
            }
        }),
    )
    .await;
    let mut config = config_for(&server, &ca);
    config.timeouts.request = Some(Duration::from_millis(300));
    let client = Client::new(config).expect("client");
    tx.send(Bytes::from_static(b"{\"type\":\"ADDED\"}\n"))
        .await
        .expect("send");
    let mut stream = client
        .request_stream(get("/api/v1/pods?watch=true"))
        .await
        .expect("stream");
    let first = tokio::time::timeout(Duration::from_secs(5), stream.next())
        .await
        .expect("first chunk in time");
    assert_eq!(first.expect("chunk").expect("ok"), "{\"type\":\"ADDED\"}\n");
    // Longer than the request timeout: watches are exempt.
    tokio::time::sleep(Duration::from_millis(500)).await;
    tx.send(Bytes::from_static(b"{\"type\":\"DELETED\"}\n"))
        .await
        .expect("send");
    let second = tokio::time::timeout(Duration::from_secs(5), stream.next())
        .await
        .expect("second chunk");
    assert_eq!(
        second.expect("chunk").expect("ok"),
        "{\"type\":\"DELETED\"}\n"
    );
    drop(tx);
    assert!(tokio::time::timeout(Duration::from_secs(5), stream.next())
        .await
        .expect("end")
        .is_none());
}

#[tokio::test]
async fn request_timeout_covers_headers_and_body() {
    let ca = Ca::new("ca");
    let server = Server::start(
        Options::new(ca.localhost()),
        handler(|seen| async move {
            if seen.uri.path() == "/slow-headers" {
                tokio::time::sleep(Duration::from_secs(3)).await;
                return Ok(json(200, &json!({})));
            }
            let (tx, rx) = tokio::sync::mpsc::channel(1);
            tokio::spawn(async move {
                tokio::time::sleep(Duration::from_secs(3)).await;
                let _ = tx.send(Bytes::from_static(b"{}")).await;
            });
            Ok(http::Response::builder()
                .status(200)
                .body(streaming(rx))
                .expect("response"))
        }),
    )
    .await;
    let mut config = config_for(&server, &ca);
    config.timeouts.request = Some(Duration::from_millis(300));
    let client = Client::new(config).expect("client");
    for path in ["/slow-headers", "/slow-body"] {
        let started = std::time::Instant::now();
        let err = client.request_text(get(path)).await.expect_err("timeout");
        assert!(
            matches!(
                err,
                Error::Timeout(kapi_client::error::TimeoutKind::Request)
            ),
            "{path}: {err:?}"
        );
        assert!(started.elapsed() < Duration::from_secs(2));
    }
}

#[tokio::test]
async fn proxy_url_tunnels_through_connect() {
    let ca = Ca::new("ca");
    let server = Server::start(Options::new(ca.localhost()), echo()).await;
    let proxy = ConnectProxy::start().await;
    let mut config = config_for(&server, &ca);
    config.proxy =
        Proxy::Url(ProxyUrl::parse(&format!("http://user:pw@{}", proxy.addr)).expect("proxy url"));
    let v: Value = Client::new(config)
        .expect("client")
        .request_json(get("/via-proxy"))
        .await
        .expect("tunnelled");
    assert_eq!(v["path"], "/via-proxy");
    let heads = proxy.requests.lock().expect("lock").clone();
    assert_eq!(heads.len(), 1);
    assert!(
        heads[0].starts_with(&format!(
            "CONNECT 127.0.0.1:{} HTTP/1.1",
            server.addr.port()
        )),
        "{heads:?}"
    );
    assert!(
        heads[0]
            .to_lowercase()
            .contains("proxy-authorization: basic dxnlcjpwdw=="),
        "{heads:?}"
    );
}

#[tokio::test]
async fn errors_keep_the_servers_status() {
    let ca = Ca::new("ca");
    let server = Server::start(
        Options::new(ca.localhost()),
        handler(|seen| async move {
            Ok(match seen.uri.path() {
                "/status" => json(
                    404,
                    &json!({"kind": "Status", "apiVersion": "v1", "status": "Failure", "reason": "NotFound",
                            "message": "pods \"x\" not found", "code": 404, "details": {"name": "x", "kind": "pods"}}),
                ),
                "/text" => with_header(full(503, "text/plain", "upstream connect error"), "x-none", "1"),
                _ => full(200, "text/plain", "not json"),
            })
        }),
    )
    .await;
    let client = Client::new(config_for(&server, &ca)).expect("client");
    let err = client
        .request_json::<Value>(get("/status"))
        .await
        .expect_err("404");
    let api = err.as_api().expect("api");
    assert!(api.is_not_found());
    assert_eq!(api.message(), "pods \"x\" not found");

    let err = client
        .request_json::<Value>(get("/text"))
        .await
        .expect_err("503");
    let api = err.as_api().expect("api");
    assert_eq!((api.code(), api.message()), (503, "upstream connect error"));

    let err = client
        .request_json::<Value>(get("/ok"))
        .await
        .expect_err("not JSON");
    assert!(matches!(err, Error::Decode { .. }), "{err:?}");
    assert_eq!(
        client.request_text(get("/ok")).await.expect("text"),
        "not json"
    );
}

#[tokio::test]
async fn layers_user_agent_and_path_prefix() {
    let ca = Ca::new("ca");
    let server = flaky(&ca, 1, 429, Some("0")).await;
    let calls = Arc::new(AtomicUsize::new(0));
    let attempts = Arc::new(AtomicUsize::new(0));
    let (c, a) = (calls.clone(), attempts.clone());
    let client = Client::builder(config_for(&server, &ca))
        .layer(MapRequestLayer::new(move |r: Request<Body>| {
            c.fetch_add(1, Ordering::SeqCst);
            r
        }))
        .attempt_layer(MapRequestLayer::new(move |r: Request<Body>| {
            a.fetch_add(1, Ordering::SeqCst);
            r
        }))
        .build()
        .expect("client");
    client.request_text(get("/")).await.expect("ok");
    assert_eq!(
        (
            calls.load(Ordering::SeqCst),
            attempts.load(Ordering::SeqCst)
        ),
        (1, 2)
    );
    let ua = server.seen()[0].header("user-agent").unwrap_or_default();
    assert!(
        ua.starts_with("kapi/") && ua.contains(std::env::consts::OS),
        "{ua}"
    );

    let server = Server::start(Options::new(ca.localhost()), echo()).await;
    let mut config = config_for(&server, &ca);
    config.cluster_url = format!("{}/prefix/", server.url()).parse().expect("url");
    config.user_agent = "my-operator/1.0".into();
    let v: Value = Client::new(config)
        .expect("client")
        .request_json(get("/api/v1?x=1"))
        .await
        .expect("ok");
    assert_eq!(
        (v["path"].as_str(), v["userAgent"].as_str()),
        (Some("/prefix/api/v1"), Some("my-operator/1.0"))
    );

    // Marking a request a watch by extension works without query detection.
    let mut req = get("/plain");
    req.extensions_mut().insert(RequestKind::Watch);
    assert_eq!(RequestKind::of(&req), RequestKind::Watch);
}

#[tokio::test]
async fn http2_pings_detect_a_half_open_watch() {
    let ca = Ca::new("ca");
    let (tx, rx) = tokio::sync::mpsc::channel::<Bytes>(4);
    let rx = Arc::new(Mutex::new(Some(rx)));
    let server = Server::start(
        Options::new(ca.localhost()),
        handler(move |_| {
            let rx = rx.lock().expect("lock").take();
            async move {
                let rx = rx.ok_or(Abort)?;
                Ok(http::Response::builder()
                    .status(200)
                    .body(streaming(rx))
                    .expect("response"))
            }
        }),
    )
    .await;
    let path = crate::support::proxy::Forwarder::start(server.addr).await;
    let mut config = config_for(&server, &ca);
    config.cluster_url = format!("https://127.0.0.1:{}", path.addr.port())
        .parse()
        .expect("url");
    config.timeouts.http2_read_idle = Duration::from_millis(300);
    config.timeouts.http2_ping_timeout = Duration::from_millis(300);
    let client = Client::new(config).expect("client");
    tx.send(Bytes::from_static(b"first\n")).await.expect("send");
    let mut stream = client
        .request_stream(get("/api/v1/pods?watch=true"))
        .await
        .expect("watch");
    let first = tokio::time::timeout(Duration::from_secs(5), stream.next())
        .await
        .expect("first chunk");
    assert_eq!(first.expect("chunk").expect("ok"), "first\n");

    // The path dies silently; only a ping can tell.
    path.freeze();
    let end = tokio::time::timeout(Duration::from_secs(10), stream.next())
        .await
        .expect("the dead connection is detected, not waited on forever");
    assert!(
        matches!(end, Some(Err(_))),
        "the watch ends with an error: {end:?}"
    );
    drop(tx);
}

#[tokio::test]
async fn proxy_url_through_socks5() {
    let ca = Ca::new("ca");
    let server = Server::start(Options::new(ca.localhost()), echo()).await;
    let socks = crate::support::proxy::Socks5Proxy::start().await;
    for scheme in ["socks5", "socks5h"] {
        let mut config = config_for(&server, &ca);
        let url = format!("{scheme}://u:p@{}", socks.addr);
        config.proxy = Proxy::Url(ProxyUrl::parse(&url).expect("proxy url"));
        let v: Value = Client::new(config)
            .expect("client")
            .request_json(get("/socks"))
            .await
            .expect(scheme);
        assert_eq!(v["path"], "/socks");
    }
    let targets = socks.targets.lock().expect("lock").clone();
    assert_eq!(
        targets,
        vec![format!("127.0.0.1:{}", server.addr.port()); 2]
    );
}
