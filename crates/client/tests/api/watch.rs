//! Watches (rules 2.7–2.13), the RetryWatcher under injected faults (§8), list_then_watch.

use std::collections::BTreeSet;
use std::time::Duration;

use futures::StreamExt;
use kapi_api::core::v1::ConfigMap;
use kapi_apimachinery::meta::{PartialObjectMetadata, WatchEvent};
use kapi_apimachinery::options::{CreateOptions, DeleteOptions, ListOptions};
use kapi_apimachinery::{Object as _, Resource as _};
use kapi_client::{list_then_watch, Api, Backoff, Error, RetryWatcher, WatchStream};
use kapi_testserver::{Fault, TestServer, Verb};

use crate::support::{config_map, setup, setup_with};

/// The next event, failing the test after 10 s.
async fn next<K>(
    s: &mut (impl futures::Stream<Item = Result<WatchEvent<K>, Error>> + Unpin),
) -> Option<Result<WatchEvent<K>, Error>> {
    tokio::time::timeout(Duration::from_secs(10), s.next())
        .await
        .expect("an event within 10 s")
}

fn fast_backoff() -> Backoff {
    Backoff::new(
        Duration::from_millis(20),
        2.0,
        0.1,
        Duration::from_millis(200),
        None,
    )
}

#[tokio::test]
async fn watch_2_7_events_after_the_list_resource_version() {
    let (_server, client) = setup().await;
    let cms: Api<ConfigMap> = Api::namespaced(client, "default");
    cms.create(&CreateOptions::default(), &config_map("before", "a", "1"))
        .await
        .expect("create");
    let rv = cms
        .list(&ListOptions::default())
        .await
        .expect("list")
        .metadata
        .resource_version
        .expect("rv");
    let mut events: WatchStream<ConfigMap> = cms
        .watch(&ListOptions::default().watch_from(&rv))
        .await
        .expect("watch");
    cms.create(&CreateOptions::default(), &config_map("after", "a", "1"))
        .await
        .expect("create");
    cms.delete("before", &DeleteOptions::default())
        .await
        .expect("delete");
    match next(&mut events).await {
        Some(Ok(WatchEvent::Added(cm))) => assert_eq!(cm.name(), "after"),
        other => panic!("{other:?}"),
    }
    match next(&mut events).await {
        Some(Ok(WatchEvent::Deleted(cm))) => assert_eq!(cm.name(), "before"),
        other => panic!("{other:?}"),
    }
    // Without a resourceVersion: synthetic ADDED for the current state first.
    let mut fresh = cms.watch(&ListOptions::default()).await.expect("watch");
    match next(&mut fresh).await {
        Some(Ok(WatchEvent::Added(cm))) => assert_eq!(cm.name(), "after"),
        other => panic!("{other:?}"),
    }
}

#[tokio::test]
async fn watch_2_11_bookmarks_arrive_when_asked_for() {
    let (_server, client) =
        setup_with(TestServer::builder().bookmark_interval(Duration::from_millis(100))).await;
    let cms: Api<ConfigMap> = Api::namespaced(client, "default");
    let rv = cms
        .list(&ListOptions::default())
        .await
        .expect("list")
        .metadata
        .resource_version
        .expect("rv");
    let mut events = cms
        .watch(&ListOptions::default().watch_from(&rv))
        .await
        .expect("watch");
    match next(&mut events).await {
        Some(Ok(WatchEvent::Bookmark(b))) => {
            assert!(!b.metadata.resource_version.is_empty());
            assert_eq!(b.kind, "ConfigMap");
        }
        other => panic!("{other:?}"),
    }
}

#[tokio::test]
async fn watch_2_9_a_compacted_resource_version_is_an_expired_error_then_the_end() {
    let (server, client) = setup().await;
    let cms: Api<ConfigMap> = Api::namespaced(client, "default");
    let rv = cms
        .list(&ListOptions::default())
        .await
        .expect("list")
        .metadata
        .resource_version
        .expect("rv");
    cms.create(&CreateOptions::default(), &config_map("x", "a", "1"))
        .await
        .expect("create");
    server.compact();
    let mut events = cms
        .watch(&ListOptions::default().watch_from(&rv))
        .await
        .expect("200 first");
    match next(&mut events).await {
        Some(Err(e)) => {
            assert!(e.is_expired(), "{e}");
            assert_eq!(e.api().map(kapi_client::ApiError::code), Some(410));
        }
        other => panic!("{other:?}"),
    }
    assert!(next(&mut events).await.is_none());
    // The RetryWatcher treats it as terminal.
    let mut w = RetryWatcher::new(cms, &rv)
        .expect("watcher")
        .backoff(fast_backoff());
    assert!(matches!(next(&mut w).await, Some(Err(e)) if e.is_expired()));
    assert!(next(&mut w).await.is_none());
}

#[tokio::test]
async fn watch_2_12_timeout_seconds_ends_the_stream_cleanly() {
    let (_server, client) = setup().await;
    let cms: Api<ConfigMap> = Api::namespaced(client, "default");
    let opts = ListOptions {
        timeout_seconds: Some(1),
        ..ListOptions::default().watch_from("1")
    };
    let started = std::time::Instant::now();
    let events: Vec<_> = cms.watch(&opts).await.expect("watch").collect().await;
    assert!(
        events
            .iter()
            .all(|e| matches!(e, Ok(WatchEvent::Bookmark(_)))),
        "{events:?}"
    );
    let took = started.elapsed();
    assert!(
        took >= Duration::from_millis(900) && took < Duration::from_secs(10),
        "{took:?}"
    );
}

#[tokio::test]
async fn retry_watcher_refuses_rv_empty_and_zero() {
    let (_server, client) = setup().await;
    let cms: Api<ConfigMap> = Api::namespaced(client, "default");
    for rv in ["", "0"] {
        let err = RetryWatcher::new(cms.clone(), rv).expect_err("refused");
        assert!(matches!(err, Error::InvalidRequest(_)), "{err}");
    }
}

/// Creates `n` config maps one by one while `watcher` runs; returns the names it saw.
async fn drive(
    cms: &Api<ConfigMap>,
    watcher: &mut RetryWatcher<ConfigMap>,
    n: usize,
) -> Vec<String> {
    let mut seen = Vec::new();
    for i in 0..n {
        cms.create(
            &CreateOptions::default(),
            &config_map(&format!("cm-{i:03}"), "i", &i.to_string()),
        )
        .await
        .expect("create");
    }
    while seen.len() < n {
        match next(watcher).await {
            Some(Ok(WatchEvent::Added(cm))) => seen.push(cm.name().to_owned()),
            Some(Ok(WatchEvent::Bookmark(_))) => {}
            other => panic!("unexpected {other:?}"),
        }
    }
    seen
}

#[tokio::test]
async fn retry_watcher_resumes_after_dropped_connections_without_loss_or_duplicates() {
    let (server, client) = setup().await;
    let cms: Api<ConfigMap> = Api::namespaced(client, "default");
    let rv = cms
        .list(&ListOptions::default())
        .await
        .expect("list")
        .metadata
        .resource_version
        .expect("rv");
    let id = server
        .faults()
        .inject(Fault::drop_watch_after(7).resource("configmaps"));
    let mut w = RetryWatcher::new(cms.clone(), &rv)
        .expect("watcher")
        .backoff(fast_backoff());
    let seen = drive(&cms, &mut w, 50).await;
    let want: Vec<String> = (0..50).map(|i| format!("cm-{i:03}")).collect();
    assert_eq!(seen, want);
    assert!(
        server.faults().fired(id) >= 7,
        "fired {}",
        server.faults().fired(id)
    );
    assert!(w.restarts() >= 6, "restarts {}", w.restarts());
    // And nothing more is pending.
    server.faults().clear();
    assert!(tokio::time::timeout(Duration::from_millis(300), w.next())
        .await
        .is_err());
}

#[tokio::test]
async fn retry_watcher_resumes_after_clean_closes_and_refused_connections() {
    let (server, client) = setup().await;
    let cms: Api<ConfigMap> = Api::namespaced(client, "default");
    let rv = cms
        .list(&ListOptions::default())
        .await
        .expect("list")
        .metadata
        .resource_version
        .expect("rv");
    server
        .faults()
        .inject(Fault::close_watch_after(3).resource("configmaps"));
    let mut w = RetryWatcher::new(cms.clone(), &rv)
        .expect("watcher")
        .backoff(fast_backoff());
    let seen = drive(&cms, &mut w, 20).await;
    assert_eq!(seen.len(), 20);
    assert_eq!(seen.iter().collect::<BTreeSet<_>>().len(), 20);
    server.faults().clear();
    // A "restart" of the server: connections refused for a moment; writes resume after it.
    server
        .faults()
        .refuse_connections(Duration::from_millis(500));
    tokio::time::sleep(Duration::from_millis(700)).await;
    let more: Vec<String> = {
        let mut names = Vec::new();
        for i in 20..25 {
            cms.create(
                &CreateOptions::default(),
                &config_map(&format!("cm-{i:03}"), "i", "x"),
            )
            .await
            .expect("create after restart");
        }
        while names.len() < 5 {
            match next(&mut w).await {
                Some(Ok(WatchEvent::Added(cm))) => names.push(cm.name().to_owned()),
                Some(Ok(_)) => {}
                other => panic!("{other:?}"),
            }
        }
        names
    };
    assert_eq!(more, ["cm-020", "cm-021", "cm-022", "cm-023", "cm-024"]);
    assert_eq!(w.resource_version(), server.resource_version().to_string());
}

#[tokio::test]
async fn retry_watcher_resumes_from_bookmarks() {
    let (server, client) =
        setup_with(TestServer::builder().bookmark_interval(Duration::from_millis(100))).await;
    let cms: Api<ConfigMap> = Api::namespaced(client.clone(), "default");
    let rv = cms
        .list(&ListOptions::default())
        .await
        .expect("list")
        .metadata
        .resource_version
        .expect("rv");
    let mut w = RetryWatcher::new(cms.clone(), &rv)
        .expect("watcher")
        .backoff(fast_backoff());
    // Changes to another resource move the global resourceVersion; bookmarks carry it.
    let secrets = client.core_v1().secrets("default");
    secrets
        .create(
            &CreateOptions::default(),
            &kapi_api::core::v1::Secret {
                metadata: crate::support::meta("s"),
                ..Default::default()
            },
        )
        .await
        .expect("secret");
    let target = server.resource_version().to_string();
    loop {
        match next(&mut w).await {
            Some(Ok(WatchEvent::Bookmark(b))) if b.metadata.resource_version == target => break,
            Some(Ok(WatchEvent::Bookmark(_))) => {}
            other => panic!("{other:?}"),
        }
    }
    assert_eq!(w.resource_version(), target);
}

#[tokio::test]
async fn list_then_watch_gives_the_state_then_the_changes() {
    let (_server, client) = setup().await;
    let cms: Api<ConfigMap> = Api::namespaced(client, "default");
    for i in 0..5 {
        cms.create(
            &CreateOptions::default(),
            &config_map(&format!("old-{i}"), "k", "v"),
        )
        .await
        .expect("create");
    }
    let mut events = list_then_watch(cms.clone(), ListOptions::default().limit(2));
    let mut initial = Vec::new();
    loop {
        match next(&mut events).await {
            Some(Ok(WatchEvent::Added(cm))) => initial.push(cm.name().to_owned()),
            Some(Ok(WatchEvent::Bookmark(b))) => {
                assert!(b.is_initial_events_end());
                break;
            }
            other => panic!("{other:?}"),
        }
    }
    assert_eq!(initial, ["old-0", "old-1", "old-2", "old-3", "old-4"]);
    cms.create(&CreateOptions::default(), &config_map("new", "k", "v"))
        .await
        .expect("create");
    match next(&mut events).await {
        Some(Ok(WatchEvent::Added(cm))) => assert_eq!(cm.name(), "new"),
        other => panic!("{other:?}"),
    }
}

#[tokio::test]
async fn metadata_only_watch() {
    let (_server, client) = setup().await;
    let meta =
        Api::<PartialObjectMetadata>::metadata(client.clone(), &ConfigMap::INFO, Some("default"));
    let mut events = meta.watch(&ListOptions::default()).await.expect("watch");
    Api::<ConfigMap>::namespaced(client, "default")
        .create(&CreateOptions::default(), &config_map("m", "k", "v"))
        .await
        .expect("create");
    match next(&mut events).await {
        Some(Ok(WatchEvent::Added(m))) => assert_eq!(m.metadata.name.as_deref(), Some("m")),
        other => panic!("{other:?}"),
    }
}

#[tokio::test]
async fn watch_request_failures_are_errors_of_the_call() {
    let (server, client) = setup().await;
    let cms: Api<ConfigMap> = Api::namespaced(client, "default");
    server
        .faults()
        .inject(Fault::status(403).resource("configmaps").times(1));
    let Err(err) = cms.watch(&ListOptions::default()).await else {
        panic!("the watch should have failed")
    };
    // (The test server's injected 403 carries reason InternalError, so check the code.)
    assert_eq!(
        err.api().map(kapi_client::ApiError::code),
        Some(403),
        "{err}"
    );
    // A RetryWatcher gives up on 403 (retrying cannot help) ...
    server
        .faults()
        .inject(Fault::status(403).resource("configmaps").times(1));
    let mut w = RetryWatcher::new(cms.clone(), "1")
        .expect("watcher")
        .backoff(fast_backoff());
    assert!(
        matches!(next(&mut w).await, Some(Err(e)) if e.api().map(kapi_client::ApiError::code) == Some(403))
    );
    assert!(next(&mut w).await.is_none());
    // ... but waits out 503 and 429.
    let unavailable = server.faults().inject(
        Fault::status(503)
            .resource("configmaps")
            .verb(Verb::Watch)
            .times(2),
    );
    let throttled = server.faults().inject(
        Fault::too_many_requests(1)
            .resource("configmaps")
            .verb(Verb::Watch)
            .times(1),
    );
    let rv = server.resource_version().to_string();
    let mut w = RetryWatcher::new(cms.clone(), &rv)
        .expect("watcher")
        .backoff(fast_backoff());
    cms.create(&CreateOptions::default(), &config_map("late", "k", "v"))
        .await
        .expect("create");
    match next(&mut w).await {
        Some(Ok(WatchEvent::Added(cm))) => assert_eq!(cm.name(), "late"),
        other => panic!("{other:?}"),
    }
    assert_eq!(
        server.faults().fired(unavailable) + server.faults().fired(throttled),
        3
    );
}
