//! Decides what happens to each event: dropped by the spam filter, created, or folded into an
//! existing event's series; similar events past a threshold are combined into one.

use std::collections::HashMap;
use std::time::Duration;

use tokio::time::Instant;

/// Per-object spam filter: `burst` events, then one per `refill` (client-go: 25, 1 per 5 min).
const SPAM_BURST: f64 = 25.0;
const SPAM_REFILL: Duration = Duration::from_secs(300);
/// Similar events (same object, type, reason) within this window …
const AGGREGATE_WINDOW: Duration = Duration::from_secs(600);
/// … beyond this many are combined into one event.
const AGGREGATE_THRESHOLD: usize = 10;
/// Bound on every map kept here.
const MAX_KEYS: usize = 4096;

/// The outcome for one event.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum Decision {
    /// Over the object's spam budget.
    Drop,
    /// A new event; `note` may have been rewritten to the combined form.
    Create { note: String, series_key: String },
    /// A repeat of an event already written: bump its series.
    Repeat { series_key: String, count: i32 },
}

struct Bucket {
    tokens: f64,
    last: Instant,
}

pub(crate) struct Correlator {
    spam: HashMap<String, Bucket>,
    similar: HashMap<String, Vec<Instant>>,
    seen: HashMap<String, (i32, Instant)>,
}

impl Correlator {
    pub(crate) fn new() -> Self {
        Self {
            spam: HashMap::new(),
            similar: HashMap::new(),
            seen: HashMap::new(),
        }
    }

    /// `object` identifies the regarding object, `aggregate` the object + type + reason.
    pub(crate) fn observe(&mut self, object: &str, aggregate: &str, note: &str) -> Decision {
        let now = Instant::now();
        if !self.allow(object, now) {
            return Decision::Drop;
        }
        let times = self.similar.entry(aggregate.to_owned()).or_default();
        times.retain(|t| now.duration_since(*t) < AGGREGATE_WINDOW);
        times.push(now);
        let combined = times.len() >= AGGREGATE_THRESHOLD;
        let note = if combined {
            format!("(combined from similar events): {note}")
        } else {
            note.to_owned()
        };
        let series_key = if combined {
            format!("{aggregate}\u{0}*")
        } else {
            format!("{aggregate}\u{0}{note}")
        };
        bound(&mut self.similar);
        match self.seen.get_mut(&series_key) {
            Some((count, at)) if now.duration_since(*at) < AGGREGATE_WINDOW => {
                *count = count.saturating_add(1);
                *at = now;
                Decision::Repeat {
                    series_key,
                    count: *count,
                }
            }
            _ => {
                self.seen.insert(series_key.clone(), (1, now));
                bound(&mut self.seen);
                Decision::Create { note, series_key }
            }
        }
    }

    fn allow(&mut self, object: &str, now: Instant) -> bool {
        let bucket = self.spam.entry(object.to_owned()).or_insert(Bucket {
            tokens: SPAM_BURST,
            last: now,
        });
        let refill = now.duration_since(bucket.last).as_secs_f64() / SPAM_REFILL.as_secs_f64();
        bucket.tokens = (bucket.tokens + refill).min(SPAM_BURST);
        bucket.last = now;
        let ok = bucket.tokens >= 1.0;
        if ok {
            bucket.tokens -= 1.0;
        }
        bound(&mut self.spam);
        ok
    }
}

/// Keeps a map under [`MAX_KEYS`] by dropping everything when it overflows (events are
/// best-effort; correctness does not depend on this memory).
fn bound<V>(map: &mut HashMap<String, V>) {
    if map.len() > MAX_KEYS {
        map.clear();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test(start_paused = true)]
    async fn repeats_become_series_and_similar_events_combine() {
        let mut c = Correlator::new();
        assert!(matches!(
            c.observe("pod/a", "pod/a|Warning|Failed", "boom"),
            Decision::Create { .. }
        ));
        assert!(matches!(
            c.observe("pod/a", "pod/a|Warning|Failed", "boom"),
            Decision::Repeat { count: 2, .. }
        ));
        for i in 0..7 {
            assert!(matches!(
                c.observe("pod/a", "pod/a|Warning|Failed", &format!("different {i}")),
                Decision::Create { .. }
            ));
        }
        // The 10th similar event within 10 minutes is combined…
        let Decision::Create { note, .. } = c.observe("pod/a", "pod/a|Warning|Failed", "again")
        else {
            panic!()
        };
        assert!(note.starts_with("(combined from similar events): "));
        // … and later similar ones fold into that combined event.
        assert!(matches!(
            c.observe("pod/a", "pod/a|Warning|Failed", "more"),
            Decision::Repeat { count: 2, .. }
        ));
    }

    #[tokio::test(start_paused = true)]
    async fn spam_filter_allows_a_burst_then_one_per_five_minutes() {
        let mut c = Correlator::new();
        let allowed = (0..40)
            .filter(|i| c.observe("pod/a", &format!("pod/a|Normal|R{i}"), "n") != Decision::Drop)
            .count();
        assert_eq!(allowed, 25);
        assert_ne!(
            c.observe("pod/b", "pod/b|Normal|R", "n"),
            Decision::Drop,
            "budgets are per object"
        );
        tokio::time::advance(Duration::from_secs(300)).await;
        assert_ne!(c.observe("pod/a", "pod/a|Normal|X", "n"), Decision::Drop);
        assert_eq!(c.observe("pod/a", "pod/a|Normal|Y", "n"), Decision::Drop);
    }
}
