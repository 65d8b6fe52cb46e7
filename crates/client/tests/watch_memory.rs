//! A 100 000-event watch decoded with flat memory: a local HTTP server streams generated
//! events in chunks that cut events in the middle, and a counting allocator shows that the
//! heap does not grow with the length of the stream. (Its own test binary, so no other test
//! allocates meanwhile.)

use std::alloc::System;
use std::convert::Infallible;
use std::time::{Duration, Instant};

use bytes::Bytes;
use cap::Cap;
use futures::StreamExt;
use http_body_util::StreamBody;
use hyper::body::Frame;
use hyper_util::rt::{TokioExecutor, TokioIo};
use kapi_api::core::v1::ConfigMap;
use kapi_apimachinery::meta::WatchEvent;
use kapi_apimachinery::options::ListOptions;
use kapi_client::{Api, Client, Config, RateLimit};

#[global_allocator]
static ALLOC: Cap<System> = Cap::new(System, usize::MAX);

const EVENTS: usize = 100_000;
const CHUNK: usize = 1000;

/// The whole stream, generated chunk by chunk as the client reads.
fn event_chunks() -> impl futures::Stream<Item = Result<Frame<Bytes>, Infallible>> + Send {
    let mut pending: Vec<u8> = Vec::with_capacity(2 * CHUNK);
    let mut next = 0usize;
    futures::stream::poll_fn(move |_| {
        while pending.len() < CHUNK && next < EVENTS {
            let line = format!(
                r#"{{"type":"ADDED","object":{{"apiVersion":"v1","kind":"ConfigMap","metadata":{{"name":"cm-{next}","namespace":"default","resourceVersion":"{rv}"}},"data":{{"index":"{next}","payload":"abcdefghijklmnopqrstuvwxyz0123456789"}}}}}}"#,
                rv = next + 1
            );
            pending.extend_from_slice(line.as_bytes());
            pending.push(b'\n');
            next += 1;
        }
        if pending.is_empty() {
            return std::task::Poll::Ready(None);
        }
        let take = pending.len().min(CHUNK);
        let chunk: Vec<u8> = pending.drain(..take).collect();
        std::task::Poll::Ready(Some(Ok(Frame::data(Bytes::from(chunk)))))
    })
}

async fn serve() -> std::net::SocketAddr {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let addr = listener.local_addr().expect("addr");
    tokio::spawn(async move {
        while let Ok((stream, _)) = listener.accept().await {
            tokio::spawn(async move {
                let svc = hyper::service::service_fn(|_req| async {
                    let body = StreamBody::new(event_chunks());
                    Ok::<_, Infallible>(
                        http::Response::builder()
                            .header("content-type", "application/json")
                            .body(body)
                            .expect("response"),
                    )
                });
                let _ = hyper_util::server::conn::auto::Builder::new(TokioExecutor::new())
                    .serve_connection(TokioIo::new(stream), svc)
                    .await;
            });
        }
    });
    addr
}

#[tokio::test]
async fn a_100k_event_watch_decodes_in_flat_memory() {
    let addr = serve().await;
    let mut config = Config::from_url(&format!("http://{addr}")).expect("config");
    config.rate_limit = RateLimit::disabled();
    config.proxy = kapi_client::Proxy::None;
    let api: Api<ConfigMap> = Api::namespaced(Client::new(config).expect("client"), "default");
    let started = Instant::now();
    let mut events = api.watch(&ListOptions::default()).await.expect("watch");
    let mut count = 0usize;
    let mut baseline = 0usize;
    // Peak heap in the first and in the second half of the stream.
    let mut peaks = [0usize; 2];
    while let Some(ev) = events.next().await {
        match ev.expect("event") {
            WatchEvent::Added(cm) => {
                assert_eq!(
                    cm.data
                        .get("index")
                        .map(kapi_apimachinery::CompactString::as_str),
                    Some(count.to_string().as_str())
                );
            }
            other => panic!("{other:?}"),
        }
        count += 1;
        if count == 1_000 {
            baseline = ALLOC.allocated();
        } else if count > 1_000 && count % 250 == 0 {
            let half = usize::from(count > EVENTS / 2);
            peaks[half] = peaks[half].max(ALLOC.allocated());
        }
    }
    assert_eq!(count, EVENTS);
    let [first, second] = peaks.map(|p| p.saturating_sub(baseline));
    println!("heap above the level after 1 000 events: peak {first} B in the first half, {second} B in the second");
    // Bounded (connection buffers, one chunk, one event) ...
    assert!(first.max(second) < 1 << 20, "{first} / {second} bytes");
    // ... and not growing with the length of the stream.
    assert!(
        second <= first + 64 * 1024,
        "grew from {first} to {second} bytes"
    );
    assert!(
        started.elapsed() < Duration::from_secs(60),
        "{:?}",
        started.elapsed()
    );
}
