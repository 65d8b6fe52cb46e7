//! The basic work queue: [`Queue`], its [`WorkItem`] guard and [`ShutdownMode`].

mod builder;
mod item;
mod state;

use std::fmt;
use std::hash::Hash;
use std::pin::pin;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, MutexGuard, PoisonError, Weak};
use std::time::Duration;

use tokio::sync::Notify;
use tokio::time::Instant;

use crate::metrics::QueueMetrics;

pub use self::builder::Builder;
pub use self::item::WorkItem;
pub(crate) use self::state::FastMap;
use self::state::{Pop, State};

/// What [`Queue::add`] did with an item.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Added {
    /// The item was not known: it is now at the back of the queue.
    Queued,
    /// The item is being processed: it will be queued again once its [`WorkItem`] is
    /// done (client-go's "dirty" item).
    Deferred,
    /// The item was already queued, or already deferred: nothing changed.
    Duplicate,
    /// The queue is shutting down: the item was dropped.
    ShutDown,
}

/// How [`Queue::shutdown_with`] stops a queue.
///
/// In every mode the queue stops accepting items at once and the delayed items of a
/// [`DelayingQueue`](crate::DelayingQueue) are dropped. The modes differ in what
/// happens to the items already queued and in what the call waits for:
///
/// | mode | queued items | dirty in-flight items | `shutdown_with` returns |
/// |---|---|---|---|
/// | [`Now`](Self::Now) | dropped | dropped | at once |
/// | [`FinishInFlight`](Self::FinishInFlight) | dropped | dropped | when every handed-out item is done |
/// | [`Drain`](Self::Drain) | handed out | re-queued and handed out | when the queue is empty and nothing is in flight |
///
/// [`Queue::shutdown`] (no mode, returns at once) keeps client-go's `ShutDown`
/// semantics: queued items are still handed out, and `get` returns `None` as soon as the
/// queue is empty. client-go's `ShutDownWithDrain` sits between `FinishInFlight` and
/// `Drain`: it keeps handing out queued items but only waits for the in-flight ones, so
/// it can return while items are still queued. See `docs/workqueue.md`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum ShutdownMode {
    /// Stop now: drop everything queued; `get` returns `None` at once. Items already
    /// handed out finish on their own, nobody waits for them.
    Now,
    /// Drop everything queued, then wait until every handed-out item is done.
    FinishInFlight,
    /// Keep handing out everything queued (including items re-queued by `done`), and wait
    /// until the queue is empty and every item is done. Workers must keep calling `get`.
    Drain,
}

/// A deduplicating FIFO work queue, shared by cheap clones.
///
/// - [`add`](Self::add) queues an item unless it is already queued; an item added while
///   it is being processed is queued again once it is done, so one item is never
///   processed by two workers at the same time.
/// - [`get`](Self::get) waits for the next item and returns it in a [`WorkItem`] guard
///   that marks it done when dropped.
/// - [`shutdown`](Self::shutdown) and [`shutdown_with`](Self::shutdown_with) stop it.
///
/// # Example
///
/// ```
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() {
/// use kapi_workqueue::{Added, Queue};
///
/// let queue = Queue::new();
/// assert_eq!(queue.add("a"), Added::Queued);
/// assert_eq!(queue.add("b"), Added::Queued);
/// assert_eq!(queue.add("a"), Added::Duplicate);
///
/// let a = queue.get().await.unwrap();
/// assert_eq!(*a, "a");
/// assert_eq!(queue.add("a"), Added::Deferred); // being processed: comes back when done
/// drop(a); // done
///
/// queue.shutdown();
/// let mut rest = Vec::new();
/// while let Some(item) = queue.get().await {
///     rest.push(*item);
/// }
/// assert_eq!(rest, ["b", "a"]);
/// # }
/// ```
pub struct Queue<T> {
    pub(crate) shared: Arc<Shared<T>>,
}

/// What every handle and every [`WorkItem`] of one queue points to.
pub(crate) struct Shared<T> {
    state: Mutex<State<T>>,
    /// Wakes parked `get` calls.
    ready: Notify,
    /// Wakes `shutdown_with` callers waiting for the queue to become idle.
    idle: Notify,
    /// Tells helper tasks (the delaying queue's timer) that the queue shut down.
    pub(crate) closed: Notify,
    /// Mirrors the state's shutdown flag, for lock-free checks (set under the lock).
    shut_down: AtomicBool,
    metrics: Option<Arc<dyn QueueMetrics>>,
    name: Option<String>,
}

impl<T> Clone for Queue<T> {
    fn clone(&self) -> Self {
        Self {
            shared: Arc::clone(&self.shared),
        }
    }
}

impl<T: Eq + Hash + Clone + Send + 'static> Default for Queue<T> {
    fn default() -> Self {
        Self::new()
    }
}

impl<T: Eq + Hash + Clone + Send + 'static> Queue<T> {
    /// Creates an empty queue without metrics.
    pub fn new() -> Self {
        Builder::new().build()
    }

    /// Starts configuring a queue (name, metrics); the same builder also makes delaying
    /// and rate-limiting queues.
    pub fn builder() -> Builder<T> {
        Builder::new()
    }

    pub(crate) fn from_parts(name: Option<String>, metrics: Option<Arc<dyn QueueMetrics>>) -> Self {
        Self {
            shared: Arc::new(Shared {
                state: Mutex::new(State::new()),
                ready: Notify::new(),
                idle: Notify::new(),
                closed: Notify::new(),
                shut_down: AtomicBool::new(false),
                metrics,
                name,
            }),
        }
    }

    /// Adds an item: queued at the back unless it is already queued; deferred until done
    /// if it is being processed; dropped if the queue is shutting down.
    pub fn add(&self, item: T) -> Added {
        self.shared.add(item)
    }

    /// Adds every item of `items` under one lock (faster than one `add` each); returns
    /// how many were newly queued.
    pub fn add_all<I: IntoIterator<Item = T>>(&self, items: I) -> usize {
        let now = self.shared.now();
        let mut queued = 0;
        let waiters = {
            let mut state = self.shared.lock();
            for item in items {
                let added = state.add(item, now);
                self.shared.after_add(&state, added);
                queued += usize::from(added == Added::Queued);
            }
            state.waiters
        };
        for _ in 0..queued.min(waiters) {
            self.shared.ready.notify_one();
        }
        queued
    }

    /// Waits for the next item; `None` once the queue is shut down and has nothing left
    /// to hand out.
    ///
    /// The returned guard marks the item done when it is dropped (or by
    /// [`WorkItem::done`]). Cancel safe: if the future is dropped before it completes, no
    /// item is taken.
    pub async fn get(&self) -> Option<WorkItem<T>> {
        let shared = &self.shared;
        // Fast path: an item is ready (or the queue is closed), no await point.
        match shared.take() {
            Pop::Item(item, _) => return Some(WorkItem::new(Arc::clone(shared), item)),
            Pop::Closed => return None,
            Pop::Empty => {}
        }
        // Registration in `state.waiters`, undone by the guard if this future is dropped.
        let mut parked = Parked {
            shared,
            active: false,
        };
        loop {
            let mut notified = pin!(shared.ready.notified());
            {
                let mut state = shared.lock();
                if parked.active {
                    state.waiters -= 1;
                    parked.active = false;
                }
                match shared.pop(&mut state) {
                    Pop::Item(item, _) => {
                        drop(state);
                        return Some(WorkItem::new(Arc::clone(shared), item));
                    }
                    Pop::Closed => return None,
                    Pop::Empty => {}
                }
                // Register before unlocking, so no add between here and the await is missed.
                notified.as_mut().enable();
                state.waiters += 1;
                parked.active = true;
            }
            notified.await;
        }
    }

    /// Takes the next item if one is ready, without waiting. `None` means the queue is
    /// empty (or shut down and empty).
    pub fn try_get(&self) -> Option<WorkItem<T>> {
        match self.shared.take() {
            Pop::Item(item, _) => Some(WorkItem::new(Arc::clone(&self.shared), item)),
            Pop::Empty | Pop::Closed => None,
        }
    }

    /// Marks an item done; the same as dropping it or calling [`WorkItem::done`]. Kept
    /// for readers used to client-go's `Done`.
    pub fn done(&self, item: WorkItem<T>) {
        item.done();
    }

    /// Number of items ready to be handed out (not counting items being processed or,
    /// for a delaying queue, waiting for their time).
    pub fn len(&self) -> usize {
        self.shared.lock().len()
    }

    /// Whether no item is ready to be handed out.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Number of items handed out by `get` and not yet done.
    pub fn in_flight(&self) -> usize {
        self.shared.lock().in_flight()
    }

    /// Whether `shutdown` or `shutdown_with` was called.
    pub fn is_shutting_down(&self) -> bool {
        self.shared.is_shut_down()
    }

    /// Shuts the queue down the client-go way, without waiting: later adds are dropped,
    /// the items already queued are still handed out, and `get` returns `None` once the
    /// queue is empty.
    pub fn shutdown(&self) {
        self.shared.shutdown(false, false);
    }

    /// Shuts the queue down in the given [`ShutdownMode`] and waits as that mode says.
    ///
    /// Can be called again, for instance with `Now` after a `Drain` that took too long
    /// (wrap the wait in `tokio::time::timeout`): dropping queued items cannot be undone,
    /// so a later, gentler mode only waits for the in-flight items.
    pub async fn shutdown_with(&self, mode: ShutdownMode) {
        let (drain, discard) = match mode {
            ShutdownMode::Now => (false, true),
            ShutdownMode::FinishInFlight => (false, true),
            ShutdownMode::Drain => (true, false),
        };
        self.shared.shutdown(drain, discard);
        if mode == ShutdownMode::Now {
            return;
        }
        loop {
            let mut idle = pin!(self.shared.idle.notified());
            idle.as_mut().enable();
            if self.shared.lock().is_idle() {
                return;
            }
            idle.await;
        }
    }

    /// Reports the in-flight work to the metrics now (see
    /// [`QueueMetrics::unfinished_work`]). A queue built with metrics inside a Tokio
    /// runtime does this periodically by itself.
    pub fn report_unfinished_work(&self) {
        self.shared.report_unfinished_work();
    }
}

impl<T> fmt::Debug for Queue<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.shared.fmt(f)
    }
}

impl<T> fmt::Debug for Shared<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let state = self.lock();
        f.debug_struct("Queue")
            .field("name", &self.name)
            .field("len", &state.len())
            .field("in_flight", &state.in_flight())
            .field("shutting_down", &state.is_shut_down())
            .field("metrics", &self.metrics.is_some())
            .finish()
    }
}

/// Undoes a `get`'s registration as a waiter if the `get` future is dropped while parked.
struct Parked<'a, T> {
    shared: &'a Shared<T>,
    active: bool,
}

impl<T> Drop for Parked<'_, T> {
    fn drop(&mut self) {
        if self.active {
            self.shared.lock().waiters -= 1;
        }
    }
}

impl<T> Shared<T> {
    pub(crate) fn lock(&self) -> MutexGuard<'_, State<T>> {
        // The state is only changed by this crate's short critical sections; a panic in
        // user code (Hash, Eq, Clone, metrics) leaves it usable, so poisoning is ignored.
        self.state.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

impl<T: Eq + Hash + Clone> Shared<T> {
    /// Whether the queue was shut down; without taking the lock.
    pub(crate) fn is_shut_down(&self) -> bool {
        self.shut_down.load(Ordering::Acquire)
    }

    /// The clock, read only when metrics are on.
    fn now(&self) -> Option<Instant> {
        self.metrics.as_ref().map(|_| Instant::now())
    }

    pub(crate) fn metrics(&self) -> Option<&dyn QueueMetrics> {
        self.metrics.as_deref()
    }

    /// Adds an item and wakes a parked getter if it was queued.
    pub(crate) fn add(&self, item: T) -> Added {
        let now = self.now();
        let (added, waiters) = {
            let mut state = self.lock();
            let added = state.add(item, now);
            self.after_add(&state, added);
            (added, state.waiters)
        };
        // Only notify when a getter is parked: the common path skips the atomic notify.
        if added == Added::Queued && waiters > 0 {
            self.ready.notify_one();
        }
        added
    }

    fn after_add(&self, state: &State<T>, added: Added) {
        if let Some(metrics) = &self.metrics {
            match added {
                Added::Queued => {
                    metrics.add();
                    metrics.depth(state.len());
                }
                Added::Deferred => metrics.add(),
                Added::Duplicate | Added::ShutDown => {}
            }
        }
    }

    /// Pops under a short lock.
    fn take(&self) -> Pop<T> {
        let mut state = self.lock();
        self.pop(&mut state)
    }

    fn pop(&self, state: &mut State<T>) -> Pop<T> {
        let popped = state.pop(self.now());
        if let (Some(metrics), Pop::Item(_, latency)) = (&self.metrics, &popped) {
            metrics.depth(state.len());
            if let Some(latency) = latency {
                metrics.queue_latency(*latency);
            }
        }
        popped
    }

    /// Called once per handed-out item, by its [`WorkItem`].
    pub(crate) fn done(&self, item: T) {
        let now = self.now();
        let (outcome, waiters) = {
            let mut state = self.lock();
            let outcome = state.done(item, now);
            if let Some(metrics) = &self.metrics {
                if let Some(work) = outcome.work {
                    metrics.work_duration(work);
                }
                if outcome.requeued {
                    metrics.depth(state.len());
                }
            }
            (outcome, state.waiters)
        };
        if outcome.wake_all_getters {
            self.ready.notify_waiters();
        } else if outcome.requeued && waiters > 0 {
            self.ready.notify_one();
        }
        if outcome.idle {
            self.idle.notify_waiters();
        }
    }

    pub(crate) fn shutdown(&self, drain: bool, discard: bool) {
        {
            let mut state = self.lock();
            state.shutdown(drain, discard);
            self.shut_down.store(true, Ordering::Release);
            if let Some(metrics) = &self.metrics {
                metrics.depth(state.len());
            }
        }
        self.ready.notify_waiters();
        self.closed.notify_waiters();
        self.idle.notify_waiters();
    }

    pub(crate) fn report_unfinished_work(&self) {
        if let Some(metrics) = &self.metrics {
            let (total, longest) = self.lock().unfinished(Instant::now());
            metrics.unfinished_work(total, longest);
        }
    }
}

/// Periodically reports unfinished work until the queue is dropped or shut down and idle.
pub(crate) async fn report_unfinished_work<T: Eq + Hash + Clone>(
    shared: Weak<Shared<T>>,
    period: Duration,
) {
    let mut ticks = tokio::time::interval(period);
    ticks.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        ticks.tick().await;
        let Some(shared) = shared.upgrade() else {
            return;
        };
        shared.report_unfinished_work();
        if shared.lock().is_idle() {
            return;
        }
    }
}
