//! The Prometheus adapter exports client-go's metric names (needs `--features prometheus`).

use std::time::Duration;

use kapi_workqueue::metrics::PrometheusMetrics;
use kapi_workqueue::DelayingQueue;
use prometheus_client::encoding::text::encode;
use prometheus_client::registry::Registry;

#[tokio::test(start_paused = true)]
async fn exports_every_metric_per_queue() {
    let mut registry = Registry::default();
    let metrics = PrometheusMetrics::new(&mut registry);
    let pods: DelayingQueue<u32> = DelayingQueue::builder()
        .metrics(metrics.queue("pods"))
        .build_delaying();
    let nodes: DelayingQueue<u32> = DelayingQueue::builder()
        .metrics(metrics.queue("nodes"))
        .build_delaying();

    pods.add(1);
    pods.add(2);
    nodes.add(1);
    pods.add_after(3, Duration::from_secs(1));
    tokio::time::sleep(Duration::from_millis(250)).await;
    let item = pods.get().await.unwrap();
    // The periodic report (every 500 ms) sees it running for 250 ms.
    tokio::time::sleep(Duration::from_millis(600)).await;
    drop(item);

    let mut text = String::new();
    encode(&mut text, &registry).unwrap();
    for line in [
        r#"workqueue_adds_total{name="pods"} 2"#,
        r#"workqueue_adds_total{name="nodes"} 1"#,
        r#"workqueue_depth{name="pods"} 1"#,
        r#"workqueue_retries_total{name="pods"} 1"#,
        r#"workqueue_queue_duration_seconds_count{name="pods"} 1"#,
        r#"workqueue_queue_duration_seconds_sum{name="pods"} 0.25"#,
        r#"workqueue_work_duration_seconds_sum{name="pods"} 0.6"#,
        r#"workqueue_work_duration_seconds_bucket{le="1.0",name="pods"} 1"#,
        r#"workqueue_unfinished_work_seconds{name="pods"} 0.25"#,
        r#"workqueue_longest_running_processor_seconds{name="pods"} 0.25"#,
    ] {
        assert!(text.contains(line), "missing {line} in\n{text}");
    }
    assert!(format!("{metrics:?}").contains("PrometheusMetrics"));
}
