//! The queue's bookkeeping, without any locking or waking: a plain state machine that
//! the [`Queue`](super::Queue) keeps behind one mutex.
//!
//! Invariants (checked by the unit tests and the property test):
//! - every item in `queue` has an entry with status `Queued`, and every `Queued` entry is
//!   in `queue` exactly once;
//! - `in_flight` counts the `Processing` and `Dirty` entries, `dirty_in_flight` the
//!   `Dirty` ones;
//! - once `discard` is set, nothing is `Queued` or `Dirty` any more.

use std::collections::hash_map::Entry as MapEntry;
use std::collections::{HashMap, VecDeque};
use std::hash::Hash;
use std::time::Duration;

use tokio::time::Instant;

use crate::Added;

/// Hash map with the crate's fast hasher.
pub(crate) type FastMap<K, V> = HashMap<K, V, foldhash::fast::RandomState>;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Status {
    /// Waiting in `queue` to be handed out.
    Queued,
    /// Handed out by `get`, not yet done.
    Processing,
    /// Being processed and added again meanwhile: re-queued when done.
    Dirty,
}

#[derive(Debug)]
struct Entry {
    status: Status,
    /// When the item was (first) added; only recorded when metrics are on.
    added: Option<Instant>,
    /// When `get` handed the item out; only recorded when metrics are on.
    started: Option<Instant>,
}

/// What [`State::pop`] found.
#[derive(Debug)]
pub(crate) enum Pop<T> {
    /// An item to hand out, with its queue latency when metrics are on.
    Item(T, Option<Duration>),
    /// Nothing ready yet: wait.
    Empty,
    /// Shut down and nothing left to hand out.
    Closed,
}

/// What [`State::done`] changed, for the caller's wake-ups and metrics.
#[derive(Debug, Default)]
pub(crate) struct DoneOutcome {
    /// The item was dirty and went back into the queue: wake one getter.
    pub(crate) requeued: bool,
    /// The last dirty in-flight item of a draining queue finished: wake every getter.
    pub(crate) wake_all_getters: bool,
    /// Shut down, nothing queued and nothing in flight: wake the shutdown waiters.
    pub(crate) idle: bool,
    /// How long the item was processed, when metrics are on.
    pub(crate) work: Option<Duration>,
}

#[derive(Debug)]
pub(crate) struct State<T> {
    queue: VecDeque<T>,
    items: FastMap<T, Entry>,
    in_flight: usize,
    dirty_in_flight: usize,
    /// Number of `get` calls parked on the notifier.
    pub(crate) waiters: usize,
    shut_down: bool,
    /// Getters wait for dirty in-flight items instead of returning `None` early.
    drain: bool,
    /// Queued items were dropped; dirty ones are no longer re-queued.
    discard: bool,
}

fn since(start: Option<Instant>, now: Option<Instant>) -> Option<Duration> {
    Some(now?.saturating_duration_since(start?))
}

impl<T> State<T> {
    pub(crate) fn len(&self) -> usize {
        self.queue.len()
    }

    pub(crate) fn in_flight(&self) -> usize {
        self.in_flight
    }

    pub(crate) fn is_shut_down(&self) -> bool {
        self.shut_down
    }

    /// Shut down, nothing queued, nothing in flight.
    pub(crate) fn is_idle(&self) -> bool {
        self.shut_down && self.in_flight == 0 && self.queue.is_empty()
    }
}

impl<T: Eq + Hash + Clone> State<T> {
    pub(crate) fn new() -> Self {
        Self {
            queue: VecDeque::new(),
            items: FastMap::default(),
            in_flight: 0,
            dirty_in_flight: 0,
            waiters: 0,
            shut_down: false,
            drain: false,
            discard: false,
        }
    }

    pub(crate) fn add(&mut self, item: T, now: Option<Instant>) -> Added {
        if self.shut_down {
            return Added::ShutDown;
        }
        match self.items.entry(item) {
            MapEntry::Vacant(slot) => {
                self.queue.push_back(slot.key().clone());
                slot.insert(Entry {
                    status: Status::Queued,
                    added: now,
                    started: None,
                });
                Added::Queued
            }
            MapEntry::Occupied(mut slot) => {
                let entry = slot.get_mut();
                match entry.status {
                    Status::Queued | Status::Dirty => Added::Duplicate,
                    Status::Processing => {
                        entry.status = Status::Dirty;
                        entry.added = now;
                        self.dirty_in_flight += 1;
                        Added::Deferred
                    }
                }
            }
        }
    }

    pub(crate) fn pop(&mut self, now: Option<Instant>) -> Pop<T> {
        let Some(item) = self.queue.pop_front() else {
            let more_coming = self.drain && self.dirty_in_flight > 0;
            return if self.shut_down && !more_coming {
                Pop::Closed
            } else {
                Pop::Empty
            };
        };
        let mut latency = None;
        if let Some(entry) = self.items.get_mut(&item) {
            entry.status = Status::Processing;
            latency = since(entry.added.take(), now);
            entry.started = now;
        }
        self.in_flight += 1;
        Pop::Item(item, latency)
    }

    pub(crate) fn done(&mut self, item: T, now: Option<Instant>) -> DoneOutcome {
        let mut out = DoneOutcome::default();
        let MapEntry::Occupied(mut slot) = self.items.entry(item) else {
            // Unreachable through the public API: only a `WorkItem` calls `done`, once.
            debug_assert!(false, "done() for an item that is not being processed");
            return out;
        };
        let status = slot.get().status;
        out.work = since(slot.get().started, now);
        match status {
            Status::Processing => {
                slot.remove();
            }
            Status::Dirty => {
                self.dirty_in_flight -= 1;
                if self.discard {
                    slot.remove();
                } else {
                    let entry = slot.get_mut();
                    entry.status = Status::Queued;
                    entry.started = None;
                    self.queue.push_back(slot.key().clone());
                    out.requeued = true;
                }
                out.wake_all_getters = self.shut_down && self.dirty_in_flight == 0;
            }
            Status::Queued => {
                debug_assert!(false, "done() for a queued item");
                return out;
            }
        }
        self.in_flight -= 1;
        out.idle = self.is_idle();
        out
    }

    /// Stops accepting items. With `drain`, getters wait for dirty in-flight items to come
    /// back; with `discard`, queued items are dropped and returns how many.
    pub(crate) fn shutdown(&mut self, drain: bool, discard: bool) -> usize {
        self.shut_down = true;
        self.drain |= drain;
        if !discard || self.discard {
            return 0;
        }
        self.discard = true;
        let dropped = self.queue.len();
        self.queue.clear();
        self.items.retain(|_, entry| match entry.status {
            Status::Queued => false,
            Status::Dirty => {
                entry.status = Status::Processing;
                true
            }
            Status::Processing => true,
        });
        self.dirty_in_flight = 0;
        dropped
    }

    /// Sum and maximum of how long the in-flight items have been running.
    pub(crate) fn unfinished(&self, now: Instant) -> (Duration, Duration) {
        let mut total = Duration::ZERO;
        let mut longest = Duration::ZERO;
        for entry in self.items.values() {
            if let Some(started) = entry.started {
                let running = now.saturating_duration_since(started);
                total = total.saturating_add(running);
                longest = longest.max(running);
            }
        }
        (total, longest)
    }

    #[cfg(test)]
    pub(crate) fn check_invariants(&self) {
        let queued = self.items.values().filter(|e| e.status == Status::Queued);
        assert_eq!(queued.count(), self.queue.len());
        for item in &self.queue {
            assert_eq!(self.items[item].status, Status::Queued);
        }
        let busy = self.items.values().filter(|e| e.status != Status::Queued);
        assert_eq!(busy.count(), self.in_flight);
        let dirty = self.items.values().filter(|e| e.status == Status::Dirty);
        assert_eq!(dirty.count(), self.dirty_in_flight);
    }
}

#[cfg(test)]
mod tests;
