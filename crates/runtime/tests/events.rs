//! The event recorder: repeats become a series, similar events are combined, the spam filter
//! caps each object, and typed objects produce the right reference.

use std::time::Duration;

use kapi_api::core::v1::Pod;
use kapi_apimachinery::meta::ObjectMeta;
use kapi_runtime::events::{EventRecorder, EventType, MemoryEventSink};

async fn settle() {
    for _ in 0..20 {
        tokio::task::yield_now().await;
    }
    tokio::time::sleep(Duration::from_millis(10)).await;
}

fn pod(name: &str) -> Pod {
    Pod {
        metadata: ObjectMeta {
            name: Some(name.into()),
            namespace: Some("ns".into()),
            uid: Some(format!("uid-{name}").into()),
            ..ObjectMeta::default()
        },
        ..Pod::default()
    }
}

#[tokio::test(start_paused = true)]
async fn repeats_update_one_event_series() {
    let sink = MemoryEventSink::default();
    let rec = EventRecorder::new(sink.clone(), "podset-controller", "instance-1");
    for _ in 0..3 {
        rec.publish_for(
            &pod("web-0"),
            EventType::Normal,
            "Created",
            "Create",
            "created pod web-0",
        );
        settle().await;
    }
    let events = sink.events();
    assert_eq!(events.len(), 1, "{events:?}");
    let e = &events[0];
    assert_eq!(e.series.as_ref().map(|s| s.count), Some(3));
    assert_eq!(e.reason.as_deref(), Some("Created"));
    assert_eq!(e.type_.as_deref(), Some("Normal"));
    assert_eq!(e.reporting_controller.as_deref(), Some("podset-controller"));
    let r = e.regarding.as_ref().unwrap();
    assert_eq!(
        (
            r.kind.as_deref(),
            r.api_version.as_deref(),
            r.name.as_deref()
        ),
        (Some("Pod"), Some("v1"), Some("web-0"))
    );
    assert_eq!(e.metadata.namespace.as_deref(), Some("ns"));
    assert!(e.metadata.name.as_deref().unwrap().starts_with("web-0."));
}

#[tokio::test(start_paused = true)]
async fn similar_events_are_combined_and_spam_is_capped() {
    let sink = MemoryEventSink::default();
    let rec = EventRecorder::new(sink.clone(), "c", "i");
    for i in 0..15 {
        rec.publish_for(
            &pod("a"),
            EventType::Warning,
            "BackOff",
            "Restart",
            &format!("restart {i}"),
        );
        settle().await;
    }
    let events = sink.events();
    assert_eq!(events.len(), 10, "9 distinct, then one combined event");
    let combined = events.last().unwrap();
    assert!(combined
        .note
        .as_deref()
        .unwrap()
        .starts_with("(combined from similar events): "));
    assert_eq!(combined.series.as_ref().map(|s| s.count), Some(6));

    for i in 0..40 {
        rec.publish_for(
            &pod("b"),
            EventType::Normal,
            &format!("Reason{i}"),
            "Act",
            "n",
        );
    }
    settle().await;
    let about_b = sink
        .events()
        .iter()
        .filter(|e| e.regarding.as_ref().and_then(|r| r.name.as_deref()) == Some("b"))
        .count();
    assert!(
        about_b <= 25,
        "spam filter allows a burst of 25 per object, saw {about_b}"
    );
    assert_eq!(rec.dropped(), 0);
}
