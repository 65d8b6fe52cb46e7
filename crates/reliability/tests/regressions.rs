//! The fuzzers' invariants as ordinary tests over inputs worth keeping: edge cases written by
//! hand and every input a fuzzer found a crash with (named after the target and the bug).
//! The fuzz targets themselves live in `fuzz/` (see `fuzz/README.md`).

use bytes::Bytes;
use futures::StreamExt;
use kapi_apimachinery::fields::FieldSelector;
use kapi_apimachinery::labels::Selector;
use kapi_apimachinery::{DynamicObject, Quantity};
use kapi_client::kubeconfig::{Kubeconfig, KubeconfigOptions};

/// `label_selector` target: parse → print → parse is the identity and printing is stable.
fn label_round_trip(input: &str) {
    let Ok(sel) = Selector::parse(input) else {
        return;
    };
    let printed = sel.to_string();
    let again = Selector::parse(&printed)
        .unwrap_or_else(|e| panic!("{printed:?} (from {input:?}) does not parse: {e}"));
    assert_eq!(again, sel, "{input:?}");
    assert_eq!(again.to_string(), printed, "{input:?}");
}

/// `field_selector` target: the same for field selectors.
fn field_round_trip(input: &str) {
    let Ok(sel) = FieldSelector::parse(input) else {
        return;
    };
    let printed = sel.to_string();
    let again = FieldSelector::parse(&printed)
        .unwrap_or_else(|e| panic!("{printed:?} (from {input:?}) does not parse: {e}"));
    assert_eq!(again, sel, "{input:?}");
    assert_eq!(again.to_string(), printed, "{input:?}");
}

/// `quantity` target: parse → print → parse keeps the value, and printing reaches a fixed
/// point after at most two trips. Like upstream's, the first print may change the format
/// (found by the fuzzer: `-0Pi` → `0`, `5e+0` → `5`, `562.5Ki` → `576000` → `576k`).
fn quantity_round_trip(input: &str) {
    let Ok(q) = Quantity::parse(input) else {
        return;
    };
    let printed = q.to_string();
    let again = Quantity::parse(&printed)
        .unwrap_or_else(|e| panic!("{printed:?} (from {input:?}) does not parse: {e}"));
    assert_eq!(again, q, "{input:?} → {printed:?}");
    let second = again.to_string();
    let third = Quantity::parse(&second).expect("parses");
    assert_eq!(third, q, "{input:?} → {second:?}");
    assert_eq!(third.to_string(), second, "{input:?}");
    assert_eq!(third.format(), again.format(), "{input:?}");
    let _ = (q.value(), q.milli_value(), q.checked_add(&q));
}

/// `watch_decoder` target: chunking does not change what is decoded.
fn decode(body: &[u8], step: usize, max_line: usize) -> Vec<String> {
    let chunks: Vec<Bytes> = body
        .chunks(step.max(1))
        .map(Bytes::copy_from_slice)
        .collect();
    let stream = futures::stream::iter(chunks.into_iter().map(Ok));
    let events = kapi_client::watch::decode_events::<DynamicObject, _>(stream, max_line);
    futures::executor::block_on(events.collect::<Vec<_>>())
        .into_iter()
        .map(|r| match r {
            Ok(ev) => format!("{ev:?}"),
            Err(e) => format!("error: {e}"),
        })
        .collect()
}

#[test]
fn label_selectors() {
    for input in [
        "",
        "a",
        "!a",
        "a=b",
        "a==b",
        "a!=b",
        "a in (b,c)",
        "a notin (c,b,b)",
        "a in ()",
        "a in (,)",
        "a=,b=",
        "b=1,a=2,a=1",
        "x>1,x<3",
        "example.com/k=v",
        "a.b-c_d/e=f",
        " a = b , c ",
        "a in(b)",
        "a=b,",
        ",a=b",
        "a=(b)",
        "!",
        "a in (b c)",
    ] {
        label_round_trip(input);
    }
}

#[test]
fn field_selectors() {
    for input in [
        "",
        "a=b",
        "a==b",
        "a!=b",
        r"a=b\,c",
        r"a=b\=c",
        r"a=\\",
        "a=b,,c=d",
        "a=b,",
        "a=",
        "=b",
        "a",
        r"\",
        r"a=b\",
        "metadata.name=x,spec.nodeName!=",
        "a==b==c",
        "a!=b=c",
    ] {
        field_round_trip(input);
    }
}

#[test]
fn quantities() {
    for input in [
        "0",
        "-0",
        "+1",
        "1.5",
        "1.5Gi",
        "0.5Gi",
        "1e3",
        "1E3",
        "1e-3",
        "1e+6",
        "100m",
        "0.1m",
        "1n",
        "0.0000000001",
        "1Ei",
        "8Ei",
        "9999999999999999999999999",
        "170141183460469231731.687303715884105727",
        "1e20",
        "1e-20",
        "-1.5Mi",
        "12345.6789k",
        ".5",
        "5.",
        "1e",
        "e3",
        "1Ki1",
        // found by the quantity fuzzer
        "-0Pi",
        "0Ki",
        "0e3",
        "5e+0",
        "0.5Ki",
        "1.5Ki",
        "562.5Ki",
    ] {
        quantity_round_trip(input);
    }
}

#[test]
fn watch_stream_chunking() {
    let body = br#"{"type":"ADDED","object":{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"a","resourceVersion":"1"}}}
{"type":"BOOKMARK","object":{"apiVersion":"v1","kind":"ConfigMap","metadata":{"resourceVersion":"2"}}}
not json
{"type":"ERROR","object":{"kind":"Status","apiVersion":"v1","status":"Failure","code":410,"reason":"Expired"}}
{"type":"MODIFIED","object":{}}
"#;
    let whole = decode(body, body.len(), 1 << 20);
    for step in [1, 2, 3, 7, 64] {
        assert_eq!(decode(body, step, 1 << 20), whole, "step {step}");
        assert_eq!(
            decode(body, step, 64),
            decode(body, body.len(), 64),
            "step {step}"
        );
    }
    for odd in [
        &b"\n\n\n"[..],
        b"\r\n",
        b"{",
        b"{\"type\":",
        b"\xff\xfe\n",
        b"[]\n",
        b"null\n",
    ] {
        let whole = decode(odd, odd.len(), 16);
        assert_eq!(decode(odd, 1, 16), whole);
    }
}

#[test]
fn kubeconfig_odd_inputs() {
    for input in [
        "",
        "~",
        "null",
        "[]",
        "{}",
        "clusters: ~\nusers: ~\ncontexts: ~",
        "current-context: x",
        "current-context: x\ncontexts: [{name: x, context: {cluster: c}}]",
        "current-context: x\ncontexts: [{name: x, context: {cluster: c}}]\nclusters: [{name: c, cluster: {server: ''}}]",
        "current-context: x\ncontexts: [{name: x}]\nclusters: [{name: ''}]",
        "users: [{name: u, user: {exec: {command: ''}}}]",
        "preferences: {colors: true}\nextensions: [{name: e, extension: 1}]",
    ] {
        let Ok(kc) = Kubeconfig::from_yaml(input) else {
            continue;
        };
        let _ = kc.resolve(&KubeconfigOptions::new());
        for ctx in &kc.contexts {
            let _ = kc.resolve(&KubeconfigOptions::new().context(ctx.name.clone()));
        }
        let yaml = serde_yaml::to_string(&kc).expect("serialize");
        assert_eq!(Kubeconfig::from_yaml(&yaml).expect("reads back"), kc, "{input:?}");
    }
}

fn decode_list_body(body: &'static [u8]) -> Result<usize, kapi_client::Error> {
    let body = kapi_client::Body::from(body.to_vec());
    futures::executor::block_on(kapi_client::api::decode_list::<serde_json::Value>(body))
        .map(|l| l.items.len())
}

#[test]
fn list_decoder_agrees_with_serde_json() {
    for ok in [
        &br#"{"kind":"ConfigMapList","metadata":{"resourceVersion":"3"},"items":[{"a":1},{"b":[2]}]}"#[..],
        br#" {"items":null} "#,
        br#"{"items":[]}"#,
        b"{}",
        // Go reads `null` for a struct or string as its zero value (found by the fuzzer).
        b" \t{\"metadata\"\t:null\n}",
        br#"{"kind":null,"apiVersion":null,"items":[]}"#,
        b"\t\r\n{\"items\":[\"]}\"]}\n",
    ] {
        assert!(decode_list_body(ok).is_ok(), "{:?}", String::from_utf8_lossy(ok));
    }
    for bad in [
        &b""[..],
        b"[]",
        b"{",
        br#"{"items":[}"#,
        br#"{"items":[,1]}"#,
        br#"{"items":[1 2]}"#,
        br#"{"items":[1]}x"#,
        br#"{"items":[1]}}"#,
        br#"{,"items":[]}"#,
        br#"{"items":[{"a":1}{"b":2}]}"#,
    ] {
        assert!(
            decode_list_body(bad).is_err(),
            "{:?}",
            String::from_utf8_lossy(bad)
        );
    }
}

#[test]
fn list_decoder_rejects_a_form_feed() {
    assert!(decode_list_body(b"\x0c{\"items\":[]}").is_err());
    assert!(decode_list_body(b"{\"items\":\x0c[]}").is_err());
}

#[test]
fn list_decoder_rejects_invalid_json_in_unknown_members() {
    assert!(decode_list_body(b"{\"items\":[],\"x\":\"\xff\"}").is_err());
    assert!(decode_list_body(b"{\"items\":[],\"x\":{\"k\":1e999}}").is_err());
}

#[test]
fn list_decoder_rejects_trailing_commas() {
    assert!(decode_list_body(br#"{"items":[1,]}"#).is_err());
    assert!(decode_list_body(br#"{"items":[1],}"#).is_err());
}

#[test]
fn list_decoder_rejects_duplicate_items() {
    assert!(decode_list_body(br#"{"items":[1],"items":[2]}"#).is_err());
}

#[test]
fn list_decoder_rejects_items_that_are_not_an_array() {
    for body in [
        &br#"{"items":55}"#[..],
        br#"{"items":"x"}"#,
        br#"{"items":{"a":1}}"#,
        br#"{"items":true}"#,
    ] {
        assert!(
            decode_list_body(body).is_err(),
            "{} decodes as an empty list",
            String::from_utf8_lossy(body)
        );
    }
}

/// A minimal HTTP/1.1 server: the first list answers two ConfigMaps, every later list
/// `later_list`, and every watch a 410 ERROR event (so the informer relists at once).
async fn list_server(later_list: &'static str) -> std::net::SocketAddr {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let addr = listener.local_addr().expect("addr");
    let lists = std::sync::Arc::new(std::sync::atomic::AtomicUsize::new(0));
    tokio::spawn(async move {
        while let Ok((mut socket, _)) = listener.accept().await {
            let lists = std::sync::Arc::clone(&lists);
            tokio::spawn(async move {
                let mut head = Vec::new();
                let mut buf = [0u8; 4096];
                while !head.windows(4).any(|w| w == b"\r\n\r\n") {
                    match socket.read(&mut buf).await {
                        Ok(0) | Err(_) => return,
                        Ok(n) => head.extend_from_slice(&buf[..n]),
                    }
                }
                let head = String::from_utf8_lossy(&head).into_owned();
                let body = if head.contains("watch=true") || head.contains("watch=1") {
                    "{\"type\":\"ERROR\",\"object\":{\"kind\":\"Status\",\"apiVersion\":\"v1\",\"status\":\"Failure\",\"reason\":\"Expired\",\"code\":410}}\n".to_owned()
                } else if lists.fetch_add(1, std::sync::atomic::Ordering::SeqCst) == 0 {
                    r#"{"kind":"ConfigMapList","apiVersion":"v1","metadata":{"resourceVersion":"5"},"items":[{"metadata":{"name":"a","namespace":"ns","uid":"u1","resourceVersion":"3"}},{"metadata":{"name":"b","namespace":"ns","uid":"u2","resourceVersion":"4"}}]}"#.to_owned()
                } else {
                    later_list.to_owned()
                };
                let response = format!(
                    "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
                    body.len()
                );
                let _ = socket.write_all(response.as_bytes()).await;
                let _ = socket.shutdown().await;
            });
        }
    });
    addr
}

/// Counts deletes.
#[derive(Clone, Default)]
struct Deletes(std::sync::Arc<std::sync::atomic::AtomicUsize>);

impl kapi_informers::ResourceEventHandler<kapi_api::core::v1::ConfigMap> for Deletes {
    fn on_add(&self, _: &std::sync::Arc<kapi_api::core::v1::ConfigMap>, _: bool) {}
    fn on_update(
        &self,
        _: &std::sync::Arc<kapi_api::core::v1::ConfigMap>,
        _: &std::sync::Arc<kapi_api::core::v1::ConfigMap>,
    ) {
    }
    fn on_delete(
        &self,
        _: &std::sync::Arc<kapi_api::core::v1::ConfigMap>,
        _: kapi_informers::DeleteKind,
    ) {
        self.0.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
    }
}

/// Syncs an informer from [`list_server`], lets it relist for a while, and returns how many
/// objects its cache holds and how many deletes its handler got.
async fn informer_after_relists(later_list: &'static str) -> (usize, usize) {
    let addr = list_server(later_list).await;
    let mut config = kapi_client::Config::from_url(&format!("http://{addr}")).expect("config");
    config.rate_limit = kapi_client::RateLimit::disabled();
    config.proxy = kapi_client::Proxy::None;
    let client = kapi_client::Client::new(config).expect("client");
    let factory = kapi_informers::SharedInformerFactory::new(client)
        .namespace("ns")
        .reflector(kapi_reliability::matrix::fast_reflector(
            kapi_informers::SyncMode::ListWatch,
        ));
    let informer = factory.informer::<kapi_api::core::v1::ConfigMap>();
    let deletes = Deletes::default();
    informer.add_event_handler(deletes.clone(), None);
    factory.start();
    tokio::time::timeout(
        std::time::Duration::from_secs(10),
        factory.wait_for_cache_sync(),
    )
    .await
    .expect("synced");
    tokio::time::sleep(std::time::Duration::from_secs(2)).await;
    let held = informer.store().list().len();
    factory.shutdown();
    (held, deletes.0.load(std::sync::atomic::Ordering::SeqCst))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn informer_keeps_its_cache_when_a_relist_is_malformed_json() {
    // The control: a relist that is not JSON fails, and the cache keeps its objects.
    let (held, deletes) = informer_after_relists(r#"{"items":[oops"#).await;
    assert_eq!((held, deletes), (2, 0));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn informer_keeps_its_cache_when_a_relist_has_non_array_items() {
    let (held, deletes) = informer_after_relists(
        r#"{"kind":"ConfigMapList","apiVersion":"v1","metadata":{"resourceVersion":"6"},"items":{}}"#,
    )
    .await;
    assert_eq!((held, deletes), (2, 0), "objects held, deletes reported");
}

/// `typed_pod` target: what decodes as a `Pod` re-encodes to a document that decodes to an
/// equal `Pod` (but for fractions of a second), and the encoding is a fixed point from the
/// second trip on.
fn typed_pod_round_trip(input: &str) {
    use kapi_api::core::v1::Pod;
    let Ok(pod) = serde_json::from_str::<Pod>(input) else {
        return;
    };
    let once = serde_json::to_vec(&pod).expect("encodes");
    let again: Pod = serde_json::from_slice(&once).expect("re-encoded Pod decodes");
    // `Time` keeps a fraction of a second in memory but prints whole seconds, as upstream's.
    if !has_fractional_seconds(input.as_bytes()) {
        assert_eq!(again, pod, "round trip changed {input}");
    }
    let twice = serde_json::to_vec(&again).expect("encodes");
    let third: Pod = serde_json::from_slice(&twice).expect("decodes");
    assert_eq!(third, again, "second round trip changed {input}");
    assert_eq!(serde_json::to_vec(&third).expect("encodes"), twice);
}

/// Whether the input holds `hh:mm:ss.` somewhere (a time with a fraction of a second).
fn has_fractional_seconds(data: &[u8]) -> bool {
    data.windows(9).any(|w| {
        w[2] == b':'
            && w[5] == b':'
            && w[8] == b'.'
            && [0, 1, 3, 4, 6, 7].iter().all(|&i| w[i].is_ascii_digit())
    })
}

#[test]
fn typed_pods() {
    for input in [
        // typed_pod: a pretty-printed managedFields set was kept verbatim, and its compact
        // re-encoding then compared unequal (now stored compact, in member order).
        "{\"metadata\": {\"managedFields\": [{\"manager\": \"m\", \"fieldsV1\": {\"f:spec\": {\".\": {}, \"k:{\\\"name\\\":\\\"a b\\\"}\": {}}}}]}}",
        // Repeated keys: the last wins, in maps and in structs.
        r#"{"metadata":{"labels":{"b":"1","a":"2","b":"3"},"name":"x","name":"y"}}"#,
        // null everywhere Go reads a zero value.
        r#"{"metadata":{"labels":null,"annotations":null,"finalizers":null},"spec":{"containers":null,"nodeSelector":null},"status":null}"#,
        // Quantities whose format settles only after a second print, and int-or-string ports.
        r#"{"spec":{"containers":[{"name":"c","resources":{"limits":{"cpu":"562.5Ki","memory":"5e0"},"requests":{"cpu":"0.1"}},"ports":[{"containerPort":80}],"livenessProbe":{"httpGet":{"port":"http"}},"readinessProbe":{"tcpSocket":{"port":8080}}}]}}"#,
        // Strings at the inline limit and past it, and escapes.
        r#"{"metadata":{"name":"abcdefghijklmnopqrstuvwx","namespace":"abcdefghijklmnopqrstuvwxy","uid":"\u00e9\ud83d\ude00\n"}}"#,
        // Times with offsets and fractions read back as the same instant.
        r#"{"metadata":{"creationTimestamp":"2026-01-10T03:42:31+01:00"},"status":{"startTime":"2026-01-10T02:42:31.5Z"}}"#,
    ] {
        typed_pod_round_trip(input);
    }
}
