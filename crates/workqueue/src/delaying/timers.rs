//! The waiting items of a delaying queue: a min-heap of ready times plus a map from item
//! to its current ready time, served by one Tokio task per queue.
//!
//! Moving an item's time earlier pushes a second heap entry and leaves the old one in
//! place; the map says which entry is current, stale ones are skipped when they surface.
//! When stale entries outnumber live ones the heap is rebuilt, so memory stays linear in
//! the number of waiting items.

use std::cmp::Ordering;
use std::collections::hash_map::Entry as MapEntry;
use std::collections::BinaryHeap;
use std::hash::Hash;
use std::pin::pin;
use std::sync::{Arc, Weak};

use tokio::sync::Notify;
use tokio::task::JoinHandle;
use tokio::time::Instant;

use crate::queue::FastMap;
use crate::Queue;

/// One heap entry; ordered so that `BinaryHeap` (a max-heap) pops the earliest first,
/// and items with the same time in the order they were scheduled.
#[derive(Debug)]
struct Waiting<T> {
    at: Instant,
    seq: u64,
    item: T,
}

impl<T> PartialEq for Waiting<T> {
    fn eq(&self, other: &Self) -> bool {
        (self.at, self.seq) == (other.at, other.seq)
    }
}

impl<T> Eq for Waiting<T> {}

impl<T> PartialOrd for Waiting<T> {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl<T> Ord for Waiting<T> {
    fn cmp(&self, other: &Self) -> Ordering {
        (other.at, other.seq).cmp(&(self.at, self.seq))
    }
}

/// What [`Timers::schedule`] did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Scheduled {
    /// New waiting item, or its time moved earlier.
    Yes,
    /// Already waiting with an earlier or equal time.
    AlreadyEarlier,
    /// The timer is closed (queue shut down).
    Closed,
}

#[derive(Debug)]
pub(crate) struct TimerState<T> {
    heap: BinaryHeap<Waiting<T>>,
    /// Current (time, sequence number) of each waiting item.
    waiting: FastMap<T, (Instant, u64)>,
    seq: u64,
    task: Option<JoinHandle<()>>,
    closed: bool,
}

impl<T> TimerState<T> {
    pub(crate) fn len(&self) -> usize {
        self.waiting.len()
    }
}

impl<T: Eq + Hash + Clone> TimerState<T> {
    pub(crate) fn new() -> Self {
        Self {
            heap: BinaryHeap::new(),
            waiting: FastMap::default(),
            seq: 0,
            task: None,
            closed: false,
        }
    }

    /// Records that `item` is ready at `at`, unless it already is at an earlier time.
    /// Returns whether the timer task must be woken (the new time is the earliest).
    pub(crate) fn schedule(&mut self, item: T, at: Instant) -> (Scheduled, bool) {
        if self.closed {
            return (Scheduled::Closed, false);
        }
        let seq = self.seq;
        let item = match self.waiting.entry(item) {
            MapEntry::Occupied(mut slot) => {
                if slot.get().0 <= at {
                    return (Scheduled::AlreadyEarlier, false);
                }
                slot.insert((at, seq));
                slot.key().clone()
            }
            MapEntry::Vacant(slot) => {
                let item = slot.key().clone();
                slot.insert((at, seq));
                item
            }
        };
        self.seq += 1;
        let earliest = self.heap.peek().is_none_or(|first| at < first.at);
        self.heap.push(Waiting { at, seq, item });
        if self.heap.len() > 2 * self.waiting.len() + 64 {
            self.compact();
        }
        (Scheduled::Yes, earliest)
    }

    /// Removes the items whose time has come, in time order; returns them and the next
    /// time to wake up at.
    pub(crate) fn take_ready(&mut self, now: Instant) -> (Vec<T>, Option<Instant>) {
        let mut ready = Vec::new();
        while let Some(first) = self.heap.peek() {
            if first.at > now {
                break;
            }
            let Some(Waiting { at, seq, item }) = self.heap.pop() else {
                break;
            };
            if let MapEntry::Occupied(slot) = self.waiting.entry(item) {
                if *slot.get() == (at, seq) {
                    ready.push(slot.remove_entry().0);
                }
            }
        }
        (ready, self.heap.peek().map(|first| first.at))
    }

    /// Drops stale heap entries.
    fn compact(&mut self) {
        let waiting = &self.waiting;
        self.heap
            .retain(|w| waiting.get(&w.item) == Some(&(w.at, w.seq)));
    }

    /// Drops every waiting item; later schedules are refused.
    pub(crate) fn close(&mut self) {
        self.closed = true;
        self.heap = BinaryHeap::new();
        self.waiting = FastMap::default();
    }

    #[cfg(test)]
    pub(crate) fn heap_len(&self) -> usize {
        self.heap.len()
    }
}

/// The timer of one delaying queue, shared by its handles.
#[derive(Debug)]
pub(crate) struct Timers<T> {
    pub(crate) state: std::sync::Mutex<TimerState<T>>,
    /// Wakes the task when a new earliest time was scheduled.
    pub(crate) wake: Arc<Notify>,
}

impl<T> Timers<T> {
    pub(crate) fn lock(&self) -> std::sync::MutexGuard<'_, TimerState<T>> {
        self.state
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }
}

impl<T: Eq + Hash + Clone + Send + 'static> Timers<T> {
    /// Starts the timer task if it is not running yet; called with the state locked.
    ///
    /// # Panics
    ///
    /// Outside a Tokio runtime, like `tokio::spawn`.
    pub(crate) fn ensure_task(this: &Arc<Self>, state: &mut TimerState<T>, queue: &Queue<T>) {
        if state.task.is_none() && !state.closed {
            let task = run(Arc::downgrade(this), Arc::clone(&this.wake), queue.clone());
            state.task = Some(tokio::spawn(task));
        }
    }
}

impl<T> Drop for Timers<T> {
    fn drop(&mut self) {
        let state = self
            .state
            .get_mut()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        if let Some(task) = state.task.take() {
            task.abort();
        }
    }
}

/// The timer task: moves items whose time has come into the queue, sleeps until the next
/// one, and stops when the queue shuts down or the last handle is dropped.
async fn run<T: Eq + Hash + Clone + Send + 'static>(
    timers: Weak<Timers<T>>,
    wake: Arc<Notify>,
    queue: Queue<T>,
) {
    loop {
        let mut closed = pin!(queue.shared.closed.notified());
        closed.as_mut().enable();
        let next = {
            // Hold the timers only while working, never across the sleep, so dropping
            // the last handle drops them (and aborts this task).
            let Some(timers) = timers.upgrade() else {
                return;
            };
            if queue.is_shutting_down() {
                timers.lock().close();
                return;
            }
            let (ready, next) = timers.lock().take_ready(Instant::now());
            if !ready.is_empty() {
                queue.add_all(ready);
            }
            next
        };
        let woken = wake.notified();
        match next {
            Some(at) => {
                tokio::select! {
                    () = tokio::time::sleep_until(at) => {}
                    () = woken => {}
                    () = &mut closed => {}
                }
            }
            None => {
                tokio::select! {
                    () = woken => {}
                    () = &mut closed => {}
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use super::*;

    #[test]
    fn earlier_time_wins_and_stale_entries_are_skipped() {
        let start = Instant::now();
        let mut timers = TimerState::new();
        let at = |ms| start + Duration::from_millis(ms);
        assert_eq!(timers.schedule("a", at(100)), (Scheduled::Yes, true));
        assert_eq!(timers.schedule("b", at(50)), (Scheduled::Yes, true));
        assert_eq!(
            timers.schedule("a", at(200)),
            (Scheduled::AlreadyEarlier, false)
        );
        assert_eq!(timers.schedule("a", at(10)), (Scheduled::Yes, true));
        assert_eq!(timers.len(), 2);
        assert_eq!(timers.heap_len(), 3);
        assert_eq!(timers.take_ready(at(10)), (vec!["a"], Some(at(50))));
        assert_eq!(timers.take_ready(at(99)), (vec!["b"], Some(at(100))));
        // The stale entry of "a" at 100 ms surfaces and is skipped.
        assert_eq!(timers.take_ready(at(1000)), (vec![], None));
        assert_eq!(timers.len(), 0);
    }

    #[test]
    fn same_time_keeps_schedule_order() {
        let at = Instant::now();
        let mut timers = TimerState::new();
        for item in [3, 1, 2] {
            timers.schedule(item, at);
        }
        assert_eq!(timers.take_ready(at).0, vec![3, 1, 2]);
    }

    #[test]
    fn heap_stays_linear_when_times_keep_moving_earlier() {
        let start = Instant::now() + Duration::from_secs(1_000_000);
        let mut timers = TimerState::new();
        for step in 0..10_000u64 {
            timers.schedule(step % 10, start - Duration::from_millis(step));
        }
        assert_eq!(timers.len(), 10);
        assert!(timers.heap_len() <= 2 * 10 + 65, "{}", timers.heap_len());
    }

    #[test]
    fn closed_refuses_schedules() {
        let mut timers = TimerState::new();
        timers.schedule(1, Instant::now());
        timers.close();
        assert_eq!(timers.len(), 0);
        assert_eq!(timers.schedule(2, Instant::now()).0, Scheduled::Closed);
    }
}
