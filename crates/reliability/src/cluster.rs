//! A client for the test server, fast seeding and the server's truth.

use std::collections::BTreeMap;

use kapi_api::core::v1::ConfigMap;
use kapi_apimachinery::meta::ObjectMeta;
use kapi_apimachinery::options::ListOptions;
use kapi_apimachinery::{CompactString, Map, Object};
use kapi_client::kubeconfig::{Kubeconfig, KubeconfigOptions};
use kapi_client::{Api, Client, Config, RateLimit};
use kapi_testserver::TestServer;

/// The namespace every case works in.
pub const NS: &str = "rel";

/// Suffix of the copy controller's objects.
pub const COPY_SUFFIX: &str = "-copy";

/// A client from the server's kubeconfig, without client-side rate limiting.
///
/// # Panics
/// When the server's kubeconfig does not resolve (a bug in the test server).
pub fn client_for(server: &TestServer) -> Client {
    let kc = Kubeconfig::from_yaml(&server.kubeconfig()).expect("kubeconfig");
    let mut config =
        Config::from_custom_kubeconfig(&kc, &KubeconfigOptions::default()).expect("config");
    config.rate_limit = RateLimit::disabled();
    Client::new(config).expect("client")
}

/// The name of source object `i`.
pub fn source_name(i: u64) -> String {
    format!("cm-{i:04}")
}

/// A source ConfigMap with `data = {v: value}`.
pub fn source(name: &str, value: &str) -> ConfigMap {
    ConfigMap {
        metadata: ObjectMeta {
            name: Some(name.into()),
            namespace: Some(NS.into()),
            ..ObjectMeta::default()
        },
        data: [("v".into(), value.into())].into(),
        ..ConfigMap::default()
    }
}

/// Stores `n` source ConfigMaps (and the namespace) directly, without HTTP round trips.
///
/// # Panics
/// When the server refuses the fixtures.
pub fn seed(server: &TestServer, n: u64) {
    let objects = (0..n).map(|i| {
        serde_json::json!({
            "apiVersion": "v1",
            "kind": "ConfigMap",
            "metadata": {"name": source_name(i), "namespace": NS},
            "data": {"v": "0"},
        })
    });
    let stored = server.insert(objects).expect("seed");
    assert_eq!(stored as u64, n);
}

/// What the server holds: `namespace/name` → (resourceVersion, data).
pub type Truth = BTreeMap<String, (String, Map<CompactString, CompactString>)>;

/// Lists every ConfigMap of [`NS`] (retrying while the server is unreachable).
///
/// # Panics
/// When listing keeps failing for 10 s.
pub async fn truth(api: &Api<ConfigMap>) -> Truth {
    let mut attempts = 0;
    loop {
        match api.list(&ListOptions::default()).await {
            Ok(list) => {
                return list
                    .items
                    .into_iter()
                    .map(|o| {
                        let rv = o.resource_version().unwrap_or_default().to_owned();
                        (o.cache_key(), (rv, o.data))
                    })
                    .collect()
            }
            Err(e) => {
                attempts += 1;
                assert!(attempts < 100, "cannot list the truth: {e}");
                tokio::time::sleep(std::time::Duration::from_millis(100)).await;
            }
        }
    }
}

/// How far the copy controller's objects are from the truth: sources whose copy is missing or
/// has other data, plus copies without a source.
pub fn copy_mismatches(truth: &Truth) -> usize {
    let mut bad = 0;
    for (key, (_, data)) in truth {
        if let Some(src) = key.strip_suffix(COPY_SUFFIX) {
            if !truth.contains_key(src) {
                bad += 1; // orphaned copy
            }
        } else {
            let copy = format!("{key}{COPY_SUFFIX}");
            if truth.get(&copy).map(|(_, d)| d) != Some(data) {
                bad += 1; // missing or stale copy
            }
        }
    }
    bad
}
