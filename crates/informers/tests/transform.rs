//! The informer's transform on the client path: listed objects are transformed as the list
//! body is decoded (once each), watched ones as they arrive, and nothing untransformed reaches
//! the cache — against the embedded test server over real HTTP.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::Duration;

mod common;
use common::{client_for, create_namespace};

use kapi_api::core::v1::ConfigMap;
use kapi_apimachinery::meta::ObjectMeta;
use kapi_apimachinery::options::CreateOptions;
use kapi_client::Api;
use kapi_informers::{strip_managed_fields, ApiListerWatcher, InformerConfig, SharedIndexInformer};
use kapi_testserver::TestServer;

const NS: &str = "tr";

fn cm(name: &str) -> ConfigMap {
    ConfigMap {
        metadata: ObjectMeta {
            name: Some(name.into()),
            namespace: Some(NS.into()),
            ..ObjectMeta::default()
        },
        data: [("k".into(), "v".into())].into(),
        ..ConfigMap::default()
    }
}

#[tokio::test]
async fn listed_and_watched_objects_are_transformed_once_before_caching() {
    let server = TestServer::builder().http().start().await.expect("server");
    let client = client_for(&server);
    create_namespace(&client, NS).await;
    let api = Api::<ConfigMap>::namespaced(client.clone(), NS);
    for i in 0..20 {
        let created = api
            .create(&CreateOptions::default(), &cm(&format!("cm-{i}")))
            .await
            .expect("create");
        assert!(
            !created.metadata.managed_fields.is_empty(),
            "the server records managedFields (otherwise this test proves nothing)"
        );
    }

    let calls = Arc::new(AtomicUsize::new(0));
    let counted = Arc::clone(&calls);
    let cfg = InformerConfig::<ConfigMap> {
        transform: Some(Arc::new(move |o: &mut ConfigMap| {
            counted.fetch_add(1, Ordering::SeqCst);
            strip_managed_fields(o);
        })),
        ..InformerConfig::default()
    };
    let informer = SharedIndexInformer::new(ApiListerWatcher::new(api.clone()), cfg);
    informer.start();
    tokio::time::timeout(Duration::from_secs(10), informer.wait_for_sync())
        .await
        .expect("synced");
    assert_eq!(calls.load(Ordering::SeqCst), 20, "each listed object once");
    let store = informer.store();
    assert_eq!(store.len(), 20);
    assert!(store
        .list()
        .iter()
        .all(|o| o.metadata.managed_fields.is_empty()));

    api.create(&CreateOptions::default(), &cm("late"))
        .await
        .expect("create");
    for _ in 0..500 {
        if store.get(&format!("{NS}/late")).is_some() {
            break;
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    let late = store
        .get(&format!("{NS}/late"))
        .expect("watched object cached");
    assert!(late.metadata.managed_fields.is_empty());
    assert_eq!(calls.load(Ordering::SeqCst), 21);
    informer.stop();
}
