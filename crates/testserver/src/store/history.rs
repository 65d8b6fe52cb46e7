//! The event history: the window of recent changes that watches replay from and exact reads
//! rebuild old revisions from. Bounded in events and, optionally, in age.

use std::collections::VecDeque;
use std::sync::Arc;
use std::time::{Duration, Instant};

use super::StoredObject;

/// How much history to keep.
#[derive(Debug, Clone, Copy)]
pub(crate) struct HistoryLimits {
    /// At most this many events.
    pub(crate) events: usize,
    /// Events older than this are dropped.
    pub(crate) age: Option<Duration>,
}

/// What happened to an object.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum EventKind {
    /// Created.
    Added,
    /// Updated.
    Modified,
    /// Removed.
    Deleted,
}

impl EventKind {
    /// The watch event `type`.
    pub(crate) fn as_str(self) -> &'static str {
        match self {
            Self::Added => "ADDED",
            Self::Modified => "MODIFIED",
            Self::Deleted => "DELETED",
        }
    }
}

/// One change.
#[derive(Debug)]
pub(crate) struct Event {
    /// Its revision.
    pub(crate) rv: u64,
    /// The store key of its resource.
    pub(crate) resource: Arc<str>,
    /// What happened.
    pub(crate) kind: EventKind,
    /// The state before (none for ADDED).
    pub(crate) old: Option<Arc<StoredObject>>,
    /// The state after (for DELETED: the last state stamped with the deletion's revision).
    pub(crate) new: Arc<StoredObject>,
    at: Instant,
}

impl Event {
    /// A change happening now.
    pub(crate) fn new(
        resource: Arc<str>,
        kind: EventKind,
        old: Option<Arc<StoredObject>>,
        new: Arc<StoredObject>,
    ) -> Self {
        Self {
            rv: new.rv,
            resource,
            kind,
            old,
            new,
            at: Instant::now(),
        }
    }
}

#[derive(Debug)]
pub(super) struct History {
    events: VecDeque<Arc<Event>>,
    limits: HistoryLimits,
    /// Highest revision no longer covered: reads and watches need `rv >= compacted`.
    compacted: u64,
}

impl History {
    pub(super) fn new(limits: HistoryLimits) -> Self {
        Self {
            events: VecDeque::new(),
            limits,
            compacted: 0,
        }
    }

    pub(super) fn push(&mut self, ev: Arc<Event>) {
        self.events.push_back(ev);
        while self.events.len() > self.limits.events {
            self.pop();
        }
        self.trim_by_age();
    }

    fn pop(&mut self) {
        if let Some(e) = self.events.pop_front() {
            self.compacted = e.rv;
        }
    }

    /// Drops events older than the age limit.
    pub(super) fn trim_by_age(&mut self) {
        let Some(age) = self.limits.age else { return };
        let now = Instant::now();
        while self
            .events
            .front()
            .is_some_and(|e| now.duration_since(e.at) > age)
        {
            self.pop();
        }
    }

    /// The highest revision whose event is gone (0 when nothing was dropped).
    pub(super) fn compacted(&self) -> u64 {
        self.compacted
    }

    /// Forgets everything up to `rv` (forced compaction).
    pub(super) fn compact_to(&mut self, rv: u64) {
        while self.events.front().is_some_and(|e| e.rv <= rv) {
            self.pop();
        }
        self.compacted = self.compacted.max(rv);
    }

    /// Events with a revision above `rv`, oldest first.
    pub(super) fn since(&self, rv: u64) -> impl Iterator<Item = &Arc<Event>> {
        let start = self.events.partition_point(|e| e.rv <= rv);
        self.events.range(start..)
    }
}
