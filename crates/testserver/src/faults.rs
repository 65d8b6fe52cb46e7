//! Fault injection (spec §8): switch failures on and off at run time, scoped by resource and
//! verb, and count how often each one fired.
//!
//! ```no_run
//! use std::time::Duration;
//! use kapi_testserver::{Fault, TestServer, Verb};
//!
//! # async fn demo() -> Result<(), kapi_testserver::Error> {
//! let server = TestServer::start().await?;
//! let faults = server.faults();
//! // The next two lists of configmaps answer 503 with `Retry-After: 1`.
//! let id = faults.inject(Fault::status(503).retry_after(1).resource("configmaps").verb(Verb::List).times(2));
//! // ... run the client ...
//! assert_eq!(faults.fired(id), 2);
//! // Every watch on pods drops its connection after 3 events.
//! faults.inject(Fault::drop_watch_after(3).resource("pods"));
//! // Refuse connections for a second (state is kept, like a server restart).
//! faults.refuse_connections(Duration::from_secs(1));
//! faults.clear();
//! # Ok(()) }
//! ```

use std::collections::BTreeMap;
use std::fmt;
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::{Duration, Instant};

use tokio::sync::watch;

/// An API verb, for scoping faults.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Verb {
    /// GET of one object (also of `/status` and `/scale`).
    Get,
    /// GET of a collection.
    List,
    /// GET with `watch=true` (or the `/watch/` prefix).
    Watch,
    /// POST.
    Create,
    /// PUT.
    Update,
    /// PATCH.
    Patch,
    /// DELETE of one object.
    Delete,
    /// DELETE of a collection.
    DeleteCollection,
}

/// What a fault does.
#[derive(Clone, Debug, PartialEq)]
#[non_exhaustive]
pub enum FaultKind {
    /// Answer with a Status of this code (429, 500, 503, 504, ...), with
    /// `retryAfterSeconds` and a `Retry-After` header when `retry_after` is set.
    Status {
        /// HTTP code.
        code: u16,
        /// Seconds for `Retry-After`.
        retry_after: Option<u32>,
    },
    /// 410 Expired for a list or get; for a watch, an ERROR event with a 410 Status, as if
    /// the requested resourceVersion had been compacted.
    Expired,
    /// Abort a watch's connection (no clean end) after this many events.
    DropWatchAfter(usize),
    /// Abort a watch's connection at random: after each event with this probability, from a
    /// seeded generator (the same seed gives the same drops).
    DropWatchRandomly {
        /// Chance per event, 0.0–1.0.
        probability: f64,
        /// Generator seed.
        seed: u64,
    },
    /// End a watch cleanly (as a timeout would) after this many events.
    CloseWatchAfter(usize),
    /// Wait this long before sending the response headers.
    SlowHeaders(Duration),
    /// Wait this long before each chunk of the response body.
    SlowBody(Duration),
    /// Accept a watch-list (`sendInitialEvents=true`) but never send the
    /// `k8s.io/initial-events-end` bookmark (the known upstream hang).
    NoInitialEventsEnd,
}

/// A fault and its scope; build one with the constructors, then narrow it.
#[derive(Clone, Debug, PartialEq)]
pub struct Fault {
    kind: FaultKind,
    resources: Vec<String>,
    verbs: Vec<Verb>,
    times: Option<u64>,
}

impl Fault {
    /// A fault of any kind, for every resource and verb, until removed.
    pub fn new(kind: FaultKind) -> Self {
        Self {
            kind,
            resources: Vec::new(),
            verbs: Vec::new(),
            times: None,
        }
    }

    /// A Status answer with this HTTP code.
    pub fn status(code: u16) -> Self {
        Self::new(FaultKind::Status {
            code,
            retry_after: None,
        })
    }

    /// 429 TooManyRequests with `Retry-After: seconds`.
    pub fn too_many_requests(seconds: u32) -> Self {
        Self::new(FaultKind::Status {
            code: 429,
            retry_after: Some(seconds),
        })
    }

    /// Forced 410 Expired.
    pub fn expired() -> Self {
        Self::new(FaultKind::Expired)
    }

    /// Abort watches after `n` events.
    pub fn drop_watch_after(n: usize) -> Self {
        Self::new(FaultKind::DropWatchAfter(n)).verb(Verb::Watch)
    }

    /// Abort watches at random.
    pub fn drop_watch_randomly(probability: f64, seed: u64) -> Self {
        Self::new(FaultKind::DropWatchRandomly { probability, seed }).verb(Verb::Watch)
    }

    /// End watches cleanly after `n` events.
    pub fn close_watch_after(n: usize) -> Self {
        Self::new(FaultKind::CloseWatchAfter(n)).verb(Verb::Watch)
    }

    /// Delay the response headers.
    pub fn slow_headers(delay: Duration) -> Self {
        Self::new(FaultKind::SlowHeaders(delay))
    }

    /// Delay every body chunk.
    pub fn slow_body(delay: Duration) -> Self {
        Self::new(FaultKind::SlowBody(delay))
    }

    /// Watch-lists without the end bookmark.
    pub fn no_initial_events_end() -> Self {
        Self::new(FaultKind::NoInitialEventsEnd).verb(Verb::Watch)
    }

    /// Sets `retryAfterSeconds` of a [`FaultKind::Status`] fault.
    #[must_use]
    pub fn retry_after(mut self, seconds: u32) -> Self {
        if let FaultKind::Status { retry_after, .. } = &mut self.kind {
            *retry_after = Some(seconds);
        }
        self
    }

    /// Only for this resource: its plural (`pods`) or `plural.group` (`deployments.apps`).
    /// May be called several times.
    #[must_use]
    pub fn resource(mut self, resource: impl Into<String>) -> Self {
        self.resources.push(resource.into());
        self
    }

    /// Only for this verb. May be called several times.
    #[must_use]
    pub fn verb(mut self, verb: Verb) -> Self {
        if !self.verbs.contains(&verb) {
            self.verbs.push(verb);
        }
        self
    }

    /// Only the first `n` matching requests.
    #[must_use]
    pub fn times(mut self, n: u64) -> Self {
        self.times = Some(n);
        self
    }

    /// What the fault does.
    pub fn kind(&self) -> &FaultKind {
        &self.kind
    }

    fn matches(&self, plural: &str, group: &str, verb: Verb) -> bool {
        let res_ok = self.resources.is_empty()
            || self.resources.iter().any(|r| {
                r == plural
                    || r.split_once('.')
                        .is_some_and(|(p, g)| p == plural && g == group)
            });
        res_ok && (self.verbs.is_empty() || self.verbs.contains(&verb))
    }
}

/// Identifies an injected fault.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct FaultId(u64);

#[derive(Debug)]
struct Entry {
    fault: Fault,
    fired: u64,
}

#[derive(Debug, Default)]
struct State {
    next: u64,
    active: BTreeMap<u64, Entry>,
    fired_removed: BTreeMap<u64, u64>,
}

/// The fault-injection handle of a server ([`crate::TestServer::faults`]); cheap to clone.
#[derive(Clone)]
pub struct Faults {
    state: Arc<Mutex<State>>,
    refuse: Arc<watch::Sender<Option<Instant>>>,
}

impl fmt::Debug for Faults {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Faults")
            .field("active", &self.lock().active.len())
            .finish()
    }
}

impl Faults {
    pub(crate) fn new() -> Self {
        let (tx, _) = watch::channel(None);
        Self {
            state: Arc::default(),
            refuse: Arc::new(tx),
        }
    }

    fn lock(&self) -> MutexGuard<'_, State> {
        self.state
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    /// Turns a fault on.
    pub fn inject(&self, fault: Fault) -> FaultId {
        let mut st = self.lock();
        st.next += 1;
        let id = st.next;
        st.active.insert(id, Entry { fault, fired: 0 });
        FaultId(id)
    }

    /// Turns a fault off (its count stays readable).
    pub fn remove(&self, id: FaultId) {
        let mut st = self.lock();
        if let Some(e) = st.active.remove(&id.0) {
            st.fired_removed.insert(id.0, e.fired);
        }
    }

    /// Turns every fault off.
    pub fn clear(&self) {
        let mut st = self.lock();
        let ids: Vec<u64> = st.active.keys().copied().collect();
        for id in ids {
            if let Some(e) = st.active.remove(&id) {
                st.fired_removed.insert(id, e.fired);
            }
        }
    }

    /// How many requests the fault was applied to.
    pub fn fired(&self, id: FaultId) -> u64 {
        let st = self.lock();
        st.active
            .get(&id.0)
            .map(|e| e.fired)
            .or_else(|| st.fired_removed.get(&id.0).copied())
            .unwrap_or(0)
    }

    /// Closes the listening socket and every open connection, refuses new connections for
    /// `period`, then listens again on the same address. Stored state is kept.
    pub fn refuse_connections(&self, period: Duration) {
        self.refuse.send_replace(Some(Instant::now() + period));
    }

    pub(crate) fn refusals(&self) -> watch::Receiver<Option<Instant>> {
        self.refuse.subscribe()
    }

    /// The faults that apply to a request, counted as fired (at most one of each kind).
    pub(crate) fn take(&self, plural: &str, group: &str, verb: Verb) -> Vec<FaultKind> {
        let mut st = self.lock();
        let mut out: Vec<FaultKind> = Vec::new();
        let mut exhausted = Vec::new();
        for (id, e) in &mut st.active {
            if !e.fault.matches(plural, group, verb) {
                continue;
            }
            if std::mem::discriminant(&e.fault.kind) == std::mem::discriminant(&FaultKind::Expired)
                && out.iter().any(|k| matches!(k, FaultKind::Expired))
            {
                continue;
            }
            e.fired += 1;
            out.push(e.fault.kind.clone());
            if e.fault.times.is_some_and(|t| e.fired >= t) {
                exhausted.push(*id);
            }
        }
        for id in exhausted {
            if let Some(e) = st.active.remove(&id) {
                st.fired_removed.insert(id, e.fired);
            }
        }
        out
    }
}

/// A small seeded generator (SplitMix64) for random watch drops.
#[derive(Debug, Clone)]
pub(crate) struct SeededRng(u64);

impl SeededRng {
    pub(crate) fn new(seed: u64) -> Self {
        Self(seed)
    }

    /// A float in `[0, 1)`.
    pub(crate) fn next_f64(&mut self) -> f64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^= z >> 31;
        (z >> 11) as f64 / (1u64 << 53) as f64
    }
}
