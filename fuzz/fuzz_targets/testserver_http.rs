//! The test server's request handling: any method, URL, query, content type and body gets an
//! HTTP answer (never a panic, a dropped connection or a 500). One server per fuzz process,
//! replaced every few thousand inputs so that stored objects do not pile up.
#![no_main]

use std::io::{ErrorKind, Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::sync::Mutex;
use std::time::Duration;

use kapi_testserver::TestServer;
use libfuzzer_sys::fuzz_target;

const METHODS: &[&str] = &["GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS"];
const CONTENT_TYPES: &[&str] = &[
    "application/json",
    "application/merge-patch+json",
    "application/json-patch+json",
    "application/strategic-merge-patch+json",
    "application/apply-patch+yaml",
    "application/yaml",
    "application/vnd.kubernetes.protobuf",
    "text/plain",
];
const ACCEPTS: &[&str] = &[
    "application/json",
    "application/json;as=Table;v=v1;g=meta.k8s.io",
    "application/json;as=PartialObjectMetadataList;v=v1;g=meta.k8s.io",
    "application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList",
    "application/vnd.kubernetes.protobuf",
    "*/*",
];

struct Server {
    server: TestServer,
    inputs: u32,
}

static SERVER: Mutex<Option<Server>> = Mutex::new(None);

fn address() -> SocketAddr {
    let mut guard = SERVER
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner);
    if guard.as_ref().is_none_or(|s| s.inputs >= 5000) {
        *guard = None; // stop the old one first
        let server = TestServer::builder()
            .http()
            .resource_version_wait(Duration::from_millis(50))
            .request_timeout(Duration::from_secs(2))
            .bookmark_interval(Duration::from_secs(3600))
            .start_blocking()
            .expect("test server");
        *guard = Some(Server { server, inputs: 0 });
    }
    let s = guard.as_mut().expect("server");
    s.inputs += 1;
    s.server.address()
}

/// Percent-encodes what may not appear raw in a request target, so inputs reach the router
/// rather than stopping in the HTTP parser.
fn target(raw: &[u8]) -> String {
    let mut t = String::from("/");
    for &b in raw.strip_prefix(b"/").unwrap_or(raw) {
        if b.is_ascii_graphic() {
            t.push(char::from(b));
        } else {
            t.push_str(&format!("%{b:02X}"));
        }
    }
    t
}

fuzz_target!(|data: &[u8]| {
    let [m, ct, acc, rest @ ..] = data else {
        return;
    };
    let method = METHODS[usize::from(*m) % METHODS.len()];
    let content_type = CONTENT_TYPES[usize::from(*ct) % CONTENT_TYPES.len()];
    let accept = ACCEPTS[usize::from(*acc) % ACCEPTS.len()];
    let (raw_target, body) = match rest.iter().position(|b| *b == b'\n') {
        Some(i) => (&rest[..i], &rest[i + 1..]),
        None => (rest, &[][..]),
    };
    let target = target(raw_target);
    let addr = address();

    let mut request = format!(
        "{method} {target} HTTP/1.1\r\nHost: fuzz\r\nContent-Type: {content_type}\r\nAccept: {accept}\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
        body.len()
    )
    .into_bytes();
    request.extend_from_slice(body);

    let mut stream = loop {
        match TcpStream::connect(addr) {
            Ok(s) => break s,
            Err(e) if e.kind() == ErrorKind::Interrupted => {}
            Err(e) => panic!("connect: {e}"),
        }
    };
    stream
        .set_read_timeout(Some(Duration::from_millis(500)))
        .expect("timeout");
    stream.write_all(&request).expect("send");
    let mut response = Vec::new();
    let mut buf = [0u8; 8192];
    loop {
        match stream.read(&mut buf) {
            Ok(0) => break,
            Ok(n) => {
                response.extend_from_slice(&buf[..n]);
                if response.len() > 4 << 20 {
                    break; // a large list: the status line is what matters
                }
            }
            // A watch keeps streaming; a slow answer is not a crash.
            Err(e) if matches!(e.kind(), ErrorKind::WouldBlock | ErrorKind::TimedOut) => {
                if response.is_empty() {
                    return;
                }
                break;
            }
            Err(e) if e.kind() == ErrorKind::Interrupted => {}
            Err(e) if e.kind() == ErrorKind::ConnectionReset => break,
            Err(e) => panic!("reading the answer: {e}"),
        }
    }
    let head = String::from_utf8_lossy(&response[..response.len().min(64)]);
    assert!(
        head.starts_with("HTTP/1.1 "),
        "no HTTP answer to {method} {target}: {head:?}"
    );
    let code = head.get(9..12).unwrap_or_default();
    assert_ne!(code, "500", "internal error for {method} {target}");
});
