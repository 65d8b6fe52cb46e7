//! Rate limiters, on a paused Tokio clock.

use std::sync::Arc;
use std::time::Duration;

use kapi_workqueue::limiter::{
    default_controller, ExponentialBackoff, FastSlow, MaxOf, RateLimiter, TokenBucket, WithMaxWait,
};
use kapi_workqueue::Error;
use tokio::time::advance;

const MS: Duration = Duration::from_millis(1);
const SECOND: Duration = Duration::from_secs(1);

#[test]
fn exponential_is_per_item_and_forgettable() {
    let limiter = ExponentialBackoff::new(MS, SECOND);
    for expected in [1, 2, 4, 8, 16] {
        assert_eq!(limiter.when(&"a"), expected * MS);
    }
    assert_eq!(limiter.when(&"b"), MS);
    assert_eq!(limiter.num_requeues(&"a"), 5);
    assert_eq!(limiter.num_requeues(&"b"), 1);
    limiter.forget(&"a");
    assert_eq!(limiter.num_requeues(&"a"), 0);
    assert_eq!(limiter.when(&"a"), MS);
    assert!(format!("{limiter:?}").contains("tracked_items: 2"));
}

#[test]
fn exponential_survives_thousands_of_failures() {
    let limiter = ExponentialBackoff::new(5 * MS, 1000 * SECOND);
    let delays: Vec<Duration> = (0..5000).map(|_| limiter.when(&1)).collect();
    assert_eq!(delays.last(), Some(&(1000 * SECOND)));
    assert_eq!(limiter.num_requeues(&1), 5000);
    assert_eq!(limiter.delay(u32::MAX), 1000 * SECOND);
}

#[tokio::test(start_paused = true)]
async fn token_bucket_allows_a_burst_then_one_per_interval() {
    let bucket = TokenBucket::new(10.0, 3).unwrap();
    let delays: Vec<Duration> = (0..6).map(|i| bucket.when(&i)).collect();
    assert_eq!(
        delays,
        [0, 0, 0, 100, 200, 300].map(|ms| ms * MS),
        "burst of 3, then reservations 100 ms apart"
    );
    // Per-item methods are no-ops.
    bucket.forget(&1);
    assert_eq!(bucket.num_requeues(&1), 0);

    // After the reserved tokens are paid and the bucket refilled, a burst again.
    advance(SECOND).await;
    assert_eq!(bucket.when(&0), Duration::ZERO);
    assert_eq!(bucket.when(&0), Duration::ZERO);
    assert_eq!(bucket.when(&0), Duration::ZERO);
    assert_eq!(bucket.when(&0), 100 * MS);
}

#[tokio::test(start_paused = true)]
async fn token_bucket_refills_partially() {
    let bucket = TokenBucket::new(10.0, 1).unwrap();
    assert_eq!(bucket.when(&()), Duration::ZERO);
    assert_eq!(bucket.when(&()), 100 * MS);
    advance(150 * MS).await;
    // One token is still owed for 50 ms; the next one comes 100 ms after it.
    assert_eq!(bucket.when(&()), 50 * MS);
}

#[tokio::test(start_paused = true)]
async fn token_bucket_edge_rates() {
    let unlimited = TokenBucket::new(f64::INFINITY, 0).unwrap();
    assert!((0..1000).all(|_| unlimited.when(&()) == Duration::ZERO));

    let frozen = TokenBucket::new(0.0, 2).unwrap();
    assert_eq!(frozen.when(&()), Duration::ZERO);
    assert_eq!(frozen.when(&()), Duration::ZERO);
    assert_eq!(frozen.when(&()), Duration::MAX);
    advance(1000 * SECOND).await;
    assert_eq!(frozen.when(&()), Duration::MAX);

    let no_burst = TokenBucket::new(10.0, 0).unwrap();
    assert_eq!(no_burst.when(&()), Duration::MAX);

    let tiny = TokenBucket::new(1e-300, 1).unwrap();
    assert_eq!(tiny.when(&()), Duration::ZERO);
    assert_eq!(tiny.when(&()), Duration::MAX);

    let huge = TokenBucket::new(1e15, 1).unwrap();
    assert!((0..1000).all(|_| huge.when(&()) < MS));

    assert_eq!(
        TokenBucket::new(-1.0, 1).unwrap_err(),
        Error::InvalidRate { qps: -1.0 }
    );
    assert!(TokenBucket::new(f64::NAN, 1).is_err());
    assert!(format!("{:?}", TokenBucket::default()).contains("qps: 10.0"));
}

#[tokio::test(start_paused = true)]
async fn token_bucket_delays_grow_linearly_without_overflow() {
    let bucket = TokenBucket::new(1000.0, 1).unwrap();
    let delays: Vec<Duration> = (0..100_000).map(|_| bucket.when(&())).collect();
    assert_eq!(delays.last(), Some(&(99_999 * MS)));
}

#[test]
fn fast_slow_switches_after_max_fast_and_resets_on_forget() {
    let limiter = FastSlow::new(MS, SECOND, 3);
    let delays: Vec<Duration> = (0..5).map(|_| limiter.when(&'x')).collect();
    assert_eq!(delays, [MS, MS, MS, SECOND, SECOND]);
    assert_eq!(limiter.num_requeues(&'x'), 5);
    assert_eq!(limiter.when(&'y'), MS);
    limiter.forget(&'x');
    assert_eq!(limiter.num_requeues(&'x'), 0);
    assert_eq!(limiter.when(&'x'), MS);
}

#[test]
fn with_max_wait_caps_the_inner_delay() {
    let limiter = WithMaxWait::new(FastSlow::new(MS, Duration::from_secs(60), 1), SECOND);
    assert_eq!(limiter.when(&1), MS);
    assert_eq!(limiter.when(&1), SECOND);
    assert_eq!(limiter.num_requeues(&1), 2);
    limiter.forget(&1);
    assert_eq!(limiter.inner().num_requeues(&1), 0);
}

#[test]
fn max_of_asks_every_part() {
    let limiter = MaxOf::new()
        .with(FastSlow::new(10 * MS, SECOND, 2))
        .with(ExponentialBackoff::new(MS, 1000 * SECOND));
    assert_eq!(limiter.len(), 2);
    let delays: Vec<Duration> = (0..12).map(|_| limiter.when(&"k")).collect();
    // fast-slow gives 10 ms twice then 1 s; the exponential part overtakes at 2^10 ms.
    assert_eq!(delays[0], 10 * MS);
    assert_eq!(delays[1], 10 * MS);
    assert_eq!(delays[2], SECOND);
    assert_eq!(delays[9], SECOND);
    assert_eq!(delays[10], 1024 * MS);
    assert_eq!(delays[11], 2048 * MS);
    assert_eq!(limiter.num_requeues(&"k"), 12);
    limiter.forget(&"k");
    assert_eq!(limiter.num_requeues(&"k"), 0);
    assert_eq!(limiter.when(&"k"), 10 * MS);

    let empty: MaxOf<u8> = MaxOf::default();
    assert!(empty.is_empty());
    assert_eq!(empty.when(&1), Duration::ZERO);
    assert_eq!(empty.num_requeues(&1), 0);

    let collected: MaxOf<u8> = [Box::new(FastSlow::new(MS, MS, 1)) as Box<dyn RateLimiter<u8>>]
        .into_iter()
        .collect();
    assert_eq!(collected.when(&1), MS);
}

#[tokio::test(start_paused = true)]
async fn default_controller_is_max_of_exponential_and_bucket() {
    let limiter = default_controller::<String>();
    let a = "a".to_string();
    // Per item: 5 ms, 10 ms, 20 ms... while the shared bucket has tokens.
    assert_eq!(limiter.when(&a), 5 * MS);
    assert_eq!(limiter.when(&a), 10 * MS);
    assert_eq!(limiter.when(&a), 20 * MS);
    // 100 different items: the bucket (burst 100) runs dry after 97 more.
    let delays: Vec<Duration> = (0..100).map(|i| limiter.when(&i.to_string())).collect();
    assert!(delays[..97].iter().all(|d| *d == 5 * MS));
    assert_eq!(delays[97], 100 * MS);
    assert_eq!(delays[99], 300 * MS);
    // The per-item cap is 1000 s.
    let item = "b".to_string();
    let delays: Vec<Duration> = (0..40).map(|_| limiter.when(&item)).collect();
    assert_eq!(delays.last(), Some(&(1000 * SECOND)));
}

#[test]
fn shared_and_boxed_limiters_are_limiters() {
    let shared = Arc::new(FastSlow::new(MS, SECOND, 1));
    let boxed: Box<dyn RateLimiter<u8>> = Box::new(Arc::clone(&shared));
    assert_eq!(boxed.when(&1), MS);
    assert_eq!(shared.num_requeues(&1), 1);
    boxed.forget(&1);
    assert_eq!(shared.num_requeues(&1), 0);
}
