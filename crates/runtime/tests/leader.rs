//! Leader election with three candidates on one lease (paused time): validation, exactly one
//! leader at any moment, failover after the leader stops renewing, hand-over on release.

use std::sync::Arc;
use std::time::Duration;

use kapi_runtime::leader::{ElectionOutcome, LeaderElectionConfig, LeaderElector, MemoryLeaseLock};
use tokio::sync::watch;
use tokio::task::JoinHandle;

#[test]
fn timing_rules_are_validated() {
    let ok = LeaderElectionConfig::new("me");
    assert!(ok.validate().is_ok());
    let mut bad = ok.clone();
    bad.renew_deadline = Duration::from_secs(15);
    assert!(bad
        .validate()
        .unwrap_err()
        .to_string()
        .contains("lease_duration"));
    let mut bad = ok.clone();
    bad.retry_period = Duration::from_secs(9);
    assert!(bad
        .validate()
        .unwrap_err()
        .to_string()
        .contains("1.2 × retry_period"));
    let mut bad = ok.clone();
    bad.identity = " ".into();
    assert!(bad.validate().is_err());
    let mut bad = ok;
    bad.retry_period = Duration::ZERO;
    assert!(bad.validate().is_err());
}

struct Candidate {
    elector: Arc<LeaderElector<MemoryLeaseLock>>,
    lock: MemoryLeaseLock,
    stop: watch::Sender<bool>,
    task: JoinHandle<ElectionOutcome>,
}

fn candidates(n: usize, release_on_cancel: bool) -> (MemoryLeaseLock, Vec<Candidate>) {
    let shared = MemoryLeaseLock::new();
    let out = (0..n)
        .map(|i| {
            let lock = shared.handle();
            let mut cfg = LeaderElectionConfig::new(&format!("candidate-{i}"));
            cfg.release_on_cancel = release_on_cancel;
            let elector = LeaderElector::new(cfg, lock.clone()).unwrap();
            let (stop, rx) = watch::channel(false);
            let e = Arc::clone(&elector);
            let task = tokio::spawn(async move { e.run(rx).await });
            Candidate {
                elector,
                lock,
                stop,
                task,
            }
        })
        .collect();
    (shared, out)
}

fn leaders(cs: &[Candidate]) -> Vec<usize> {
    cs.iter()
        .enumerate()
        .filter(|(_, c)| c.elector.is_leader())
        .map(|(i, _)| i)
        .collect()
}

/// Advances time in 100 ms steps, checking there is never more than one leader; returns when
/// `done` holds (or panics after `limit`).
async fn step_until(
    cs: &[Candidate],
    limit: Duration,
    mut done: impl FnMut(&[Candidate]) -> bool,
) -> Duration {
    let mut waited = Duration::ZERO;
    while waited < limit {
        let l = leaders(cs);
        assert!(l.len() <= 1, "two leaders at once: {l:?} after {waited:?}");
        if done(cs) {
            return waited;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
        waited += Duration::from_millis(100);
    }
    panic!("condition not reached within {limit:?}");
}

#[tokio::test(start_paused = true)]
async fn exactly_one_leader_and_it_stays_stable() {
    let (shared, cs) = candidates(3, true);
    step_until(&cs, Duration::from_secs(10), |cs| leaders(cs).len() == 1).await;
    let first = leaders(&cs)[0];
    // For a minute of renewals, leadership never moves and never doubles.
    let mut checks = 0;
    step_until(&cs, Duration::from_secs(61), |cs| {
        assert_eq!(leaders(cs), [first]);
        checks += 1;
        checks > 600
    })
    .await;
    let rec = shared.record().unwrap();
    assert_eq!(rec.holder_identity, format!("candidate-{first}"));
    assert_eq!(rec.leader_transitions, 0);
    assert_eq!(
        *cs[(first + 1) % 3].elector.leader().borrow(),
        Some(format!("candidate-{first}"))
    );
    for c in cs {
        c.stop.send_replace(true);
        let _ = c.task.await;
    }
}

#[tokio::test(start_paused = true)]
async fn partitioned_leader_steps_down_and_another_takes_over_within_bounds() {
    let (shared, cs) = candidates(3, true);
    step_until(&cs, Duration::from_secs(10), |cs| leaders(cs).len() == 1).await;
    tokio::time::sleep(Duration::from_secs(20)).await;
    let first = leaders(&cs)[0];
    assert_eq!(
        shared.record().unwrap().holder_identity,
        format!("candidate-{first}")
    );
    cs[first].lock.set_unreachable(true);
    let waited = step_until(&cs, Duration::from_secs(40), |cs| {
        let l = leaders(cs);
        l.len() == 1 && l[0] != first
    })
    .await;
    // Others may take over lease_duration after they last saw a renewal, plus a retry period
    // with jitter: 15 s + 2 s × 2.2.
    assert!(
        waited <= Duration::from_millis(15_000 + 4_400 + 200),
        "failover took {waited:?}"
    );
    let rec = shared.record().unwrap();
    assert_ne!(rec.holder_identity, format!("candidate-{first}"));
    assert_eq!(rec.leader_transitions, 1);
    let outcome = tokio::time::timeout(Duration::from_secs(1), async {
        // The partitioned leader's run ended with LostLeadership.
        loop {
            if cs[first].task.is_finished() {
                break;
            }
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
    })
    .await;
    assert!(outcome.is_ok());
    for c in cs {
        c.stop.send_replace(true);
        let r = c.task.await.unwrap();
        let _ = r;
    }
}

#[tokio::test(start_paused = true)]
async fn release_on_cancel_hands_over_at_once() {
    let (shared, mut cs) = candidates(3, true);
    step_until(&cs, Duration::from_secs(10), |cs| leaders(cs).len() == 1).await;
    let first = leaders(&cs)[0];
    let leaving = cs.remove(first);
    leaving.stop.send_replace(true);
    assert_eq!(leaving.task.await.unwrap(), ElectionOutcome::Stopped);
    let rec = shared.record().unwrap();
    assert_eq!(rec.holder_identity, "", "released");
    assert_eq!(rec.lease_duration_seconds, 1);
    let waited = step_until(&cs, Duration::from_secs(10), |cs| leaders(cs).len() == 1).await;
    assert!(
        waited <= Duration::from_millis(2_000 + 2_400 + 1_000 + 200),
        "hand-over took {waited:?}"
    );
    for c in cs {
        c.stop.send_replace(true);
        assert_eq!(c.task.await.unwrap(), ElectionOutcome::Stopped);
    }
}

#[tokio::test(start_paused = true)]
async fn without_release_others_wait_for_expiry() {
    let (_shared, mut cs) = candidates(2, false);
    step_until(&cs, Duration::from_secs(10), |cs| leaders(cs).len() == 1).await;
    let first = leaders(&cs)[0];
    let leaving = cs.remove(first);
    leaving.stop.send_replace(true);
    let _ = leaving.task.await;
    let waited = step_until(&cs, Duration::from_secs(30), |cs| leaders(cs).len() == 1).await;
    assert!(
        waited >= Duration::from_secs(12),
        "took over before the lease expired: {waited:?}"
    );
    for c in cs {
        c.stop.send_replace(true);
        let _ = c.task.await;
    }
}
