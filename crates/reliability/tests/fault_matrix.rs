//! The fault matrix: informers and a controller (the copy controller run by a `Manager` on a
//! `SharedInformerFactory`) against the test server under every fault of `apiserver.md` §8,
//! alone and combined, under continuous writes. Each case asserts that every fault fired,
//! that the informer cache, the handler's ordered view and the controller's copies converge
//! to the server's truth, and that the handler saw nothing lost, duplicated or out of order.
//! Each case prints its row of the table in `docs/reliability.md`
//! (`cargo test -p kapi-reliability --test fault_matrix -- --nocapture`).

use std::time::Duration;

use kapi_reliability::matrix::{run, Case};
use kapi_testserver::{Fault, Verb};

const CM: &str = "configmaps";

async fn check(case: Case) {
    run(case).await.check();
}

// ---- each fault alone ----

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn no_fault() {
    check(Case::new("none")).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn drop_watch_after() {
    check(Case::new("drop_watch_after(50)").fault(Fault::drop_watch_after(50).resource(CM))).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn drop_watch_randomly() {
    check(
        Case::new("drop_watch_randomly(2%)")
            .fault(Fault::drop_watch_randomly(0.02, 42).resource(CM)),
    )
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn close_watch_after() {
    check(Case::new("close_watch_after(100)").fault(Fault::close_watch_after(100).resource(CM)))
        .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn expired_watch() {
    // 410 on the first watches (an ERROR event): relist from scratch each time.
    check(
        Case::new("expired (watch ×3)")
            .fault(Fault::expired().resource(CM).verb(Verb::Watch).times(3)),
    )
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn expired_list() {
    check(
        Case::new("expired (list ×2)")
            .fault(Fault::expired().resource(CM).verb(Verb::List).times(2)),
    )
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn status_500() {
    check(
        Case::new("status(500) list+watch+writes")
            .fault(Fault::status(500).resource(CM).verb(Verb::List).times(2))
            .fault(Fault::status(500).resource(CM).verb(Verb::Watch).times(3))
            .fault(Fault::status(500).resource(CM).verb(Verb::Create).times(20))
            .fault(
                Fault::status(500)
                    .resource(CM)
                    .verb(Verb::Update)
                    .verb(Verb::Patch)
                    .times(20),
            ),
    )
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn status_503_retry_after() {
    check(
        Case::new("status(503)+Retry-After list+watch+writes")
            .fault(
                Fault::status(503)
                    .retry_after(1)
                    .resource(CM)
                    .verb(Verb::List)
                    .times(2),
            )
            .fault(
                Fault::status(503)
                    .retry_after(1)
                    .resource(CM)
                    .verb(Verb::Watch)
                    .times(2),
            )
            .fault(
                Fault::status(503)
                    .retry_after(1)
                    .resource(CM)
                    .verb(Verb::Create)
                    .times(3),
            ),
    )
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn status_504_list() {
    check(
        Case::new("status(504) list")
            .fault(Fault::status(504).resource(CM).verb(Verb::List).times(3)),
    )
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn too_many_requests() {
    check(
        Case::new("too_many_requests(1) list+watch+updates")
            .fault(
                Fault::too_many_requests(1)
                    .resource(CM)
                    .verb(Verb::List)
                    .times(3),
            )
            .fault(
                Fault::too_many_requests(1)
                    .resource(CM)
                    .verb(Verb::Watch)
                    .times(3),
            )
            .fault(
                Fault::too_many_requests(1)
                    .resource(CM)
                    .verb(Verb::Update)
                    .verb(Verb::Patch)
                    .times(3),
            ),
    )
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn slow_headers() {
    check(
        Case::new("slow_headers(1.5 s) list+watch")
            .fault(
                Fault::slow_headers(Duration::from_millis(1500))
                    .resource(CM)
                    .verb(Verb::List)
                    .times(2),
            )
            .fault(
                Fault::slow_headers(Duration::from_millis(1500))
                    .resource(CM)
                    .verb(Verb::Watch)
                    .times(3),
            ),
    )
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn slow_body() {
    check(
        Case::new("slow_body(2 ms/chunk) list+watch")
            .fault(
                Fault::slow_body(Duration::from_millis(2))
                    .resource(CM)
                    .verb(Verb::List)
                    .times(2),
            )
            .fault(
                Fault::slow_body(Duration::from_millis(2))
                    .resource(CM)
                    .verb(Verb::Watch)
                    .times(2),
            ),
    )
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn no_initial_events_end() {
    check(
        Case::new("no_initial_events_end (watch-list)")
            .watch_list()
            .fault(Fault::no_initial_events_end().resource(CM)),
    )
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn refuse_connections() {
    check(Case::new("refuse_connections(2 s)").refuse(Duration::from_secs(2))).await;
}

// ---- combinations ----

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn combo_flaky_network() {
    // Random drops, then the reconnects hit 500s and 429s.
    check(
        Case::new("combo: drop_watch_randomly + 500 list + 429 watch")
            .fault(Fault::drop_watch_randomly(0.01, 7).resource(CM))
            .fault(Fault::status(500).resource(CM).verb(Verb::List).times(3))
            .fault(
                Fault::too_many_requests(1)
                    .resource(CM)
                    .verb(Verb::Watch)
                    .times(3),
            ),
    )
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn combo_compaction() {
    // Clean closes whose resumes find their resourceVersion compacted, on a slow server.
    check(
        Case::new("combo: close_watch_after + expired watch + slow_headers list")
            .fault(Fault::close_watch_after(80).resource(CM))
            .fault(Fault::expired().resource(CM).verb(Verb::Watch).times(4))
            .fault(
                Fault::slow_headers(Duration::from_millis(500))
                    .resource(CM)
                    .verb(Verb::List)
                    .times(3),
            ),
    )
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn combo_server_restart() {
    // A restart in the middle of dropped watches while the controller's writes get 503s.
    check(
        Case::new("combo: refuse_connections + drop_watch_after + 503 writes")
            .refuse(Duration::from_secs(2))
            .fault(Fault::drop_watch_after(150).resource(CM))
            .fault(
                Fault::status(503)
                    .retry_after(1)
                    .resource(CM)
                    .verb(Verb::Create)
                    .times(3),
            )
            .fault(
                Fault::status(500)
                    .resource(CM)
                    .verb(Verb::Update)
                    .verb(Verb::Patch)
                    .times(10),
            ),
    )
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn combo_watch_list_hang() {
    // Watch-list hangs, the fallback list expires, and its watches drop.
    check(
        Case::new("combo: no_initial_events_end + expired list + drop_watch_after")
            .watch_list()
            .fault(Fault::no_initial_events_end().resource(CM))
            .fault(Fault::expired().resource(CM).verb(Verb::List).times(1))
            .fault(Fault::drop_watch_after(100).resource(CM)),
    )
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn combo_everything() {
    // Slow events, random drops, compaction, throttling and failing writes at once.
    check(
        Case::new("combo: slow_body + drop_watch_randomly + expired + 429 + 500/504")
            .fault(
                Fault::slow_body(Duration::from_millis(1))
                    .resource(CM)
                    .verb(Verb::Watch)
                    .times(2),
            )
            .fault(Fault::drop_watch_randomly(0.01, 99).resource(CM))
            .fault(Fault::expired().resource(CM).verb(Verb::Watch).times(2))
            .fault(
                Fault::too_many_requests(1)
                    .resource(CM)
                    .verb(Verb::List)
                    .times(2),
            )
            .fault(Fault::status(504).resource(CM).verb(Verb::List).times(2))
            .fault(
                Fault::status(500)
                    .resource(CM)
                    .verb(Verb::Update)
                    .verb(Verb::Patch)
                    .times(10),
            ),
    )
    .await;
}
