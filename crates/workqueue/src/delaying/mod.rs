//! [`DelayingQueue`]: a [`Queue`] that can also add items after a delay.

mod timers;

use std::fmt;
use std::hash::Hash;
use std::ops::Deref;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use tokio::sync::Notify;
use tokio::time::Instant;

use self::timers::{Scheduled, TimerState, Timers};
use crate::queue::Builder;
use crate::{Added, Queue};

/// Longest delay honoured; longer ones (up to `Duration::MAX`, which limiters use for
/// "never") are cut to this, about 30 years.
pub const MAX_DELAY: Duration = Duration::from_secs(30 * 365 * 24 * 60 * 60);

/// What [`DelayingQueue::add_after`] did with an item.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Scheduling {
    /// The delay was zero: the item was added at once, with this outcome.
    Added(Added),
    /// The item now waits for its time (new, or its time moved earlier).
    Waiting,
    /// The item was already waiting with an earlier or equal time: nothing changed.
    AlreadyEarlier,
    /// The queue is shutting down: the item was dropped.
    ShutDown,
}

/// A [`Queue`] plus [`add_after`](Self::add_after): items that become ready after a
/// delay. It dereferences to its [`Queue`], so `add`, `get`, `len`, `shutdown`... work
/// the same.
///
/// One Tokio task per queue (started by the first `add_after`) keeps the waiting items
/// in a min-heap and moves them into the queue when their time comes, so a hundred
/// thousand waiting items cost one task and linear memory. Waiting items are dropped
/// when the queue shuts down, whatever the [`ShutdownMode`](crate::ShutdownMode).
///
/// Delays are measured with Tokio's clock, so tests can use `tokio::time::pause`.
///
/// # Example
///
/// ```
/// # #[tokio::main(flavor = "current_thread", start_paused = true)]
/// # async fn main() {
/// use std::time::Duration;
/// use kapi_workqueue::DelayingQueue;
///
/// let queue = DelayingQueue::new();
/// queue.add_after("later", Duration::from_secs(10));
/// queue.add_after("sooner", Duration::from_secs(1));
/// assert_eq!(queue.waiting(), 2);
/// assert_eq!(*queue.get().await.unwrap(), "sooner"); // (paused clock: returns at once)
/// assert_eq!(*queue.get().await.unwrap(), "later");
/// # }
/// ```
pub struct DelayingQueue<T> {
    queue: Queue<T>,
    timers: Arc<Timers<T>>,
}

impl<T> Clone for DelayingQueue<T> {
    fn clone(&self) -> Self {
        Self {
            queue: self.queue.clone(),
            timers: Arc::clone(&self.timers),
        }
    }
}

impl<T: Eq + Hash + Clone + Send + 'static> Default for DelayingQueue<T> {
    fn default() -> Self {
        Self::new()
    }
}

impl<T: Eq + Hash + Clone + Send + 'static> DelayingQueue<T> {
    /// Creates an empty delaying queue without metrics.
    pub fn new() -> Self {
        Builder::new().build_delaying()
    }

    /// Starts configuring a queue; finish with [`Builder::build_delaying`].
    pub fn builder() -> Builder<T> {
        Builder::new()
    }

    pub(crate) fn from_queue(queue: Queue<T>) -> Self {
        Self {
            queue,
            timers: Arc::new(Timers {
                state: Mutex::new(TimerState::new()),
                wake: Arc::new(Notify::new()),
            }),
        }
    }

    /// The underlying queue (also reachable through `Deref`).
    pub fn queue(&self) -> &Queue<T> {
        &self.queue
    }

    /// Adds `item` once `delay` has passed; a zero delay adds it at once.
    ///
    /// If the item is already waiting, its ready time only ever moves earlier: a later
    /// time is ignored. An item that is queued or being processed is not affected until
    /// its time comes; then it is added like with [`Queue::add`] (so it may be processed
    /// again, as in client-go).
    ///
    /// # Panics
    ///
    /// The first call with a non-zero delay starts the timer task and panics outside a
    /// Tokio runtime, like `tokio::spawn`.
    pub fn add_after(&self, item: T, delay: Duration) -> Scheduling {
        let shared = &self.queue.shared;
        if shared.is_shut_down() {
            return Scheduling::ShutDown;
        }
        if let Some(metrics) = shared.metrics() {
            metrics.retry();
        }
        if delay.is_zero() {
            return Scheduling::Added(self.queue.add(item));
        }
        let now = Instant::now();
        let at = now
            .checked_add(delay.min(MAX_DELAY))
            .unwrap_or(now + MAX_DELAY);
        let (scheduled, wake) = {
            let mut state = self.timers.lock();
            let result = state.schedule(item, at);
            if result.0 == Scheduled::Yes {
                Timers::ensure_task(&self.timers, &mut state, &self.queue);
            }
            result
        };
        if wake {
            self.timers.wake.notify_one();
        }
        match scheduled {
            Scheduled::Yes => Scheduling::Waiting,
            Scheduled::AlreadyEarlier => Scheduling::AlreadyEarlier,
            Scheduled::Closed => Scheduling::ShutDown,
        }
    }

    /// Number of items waiting for their time (not yet in the queue).
    pub fn waiting(&self) -> usize {
        self.timers.lock().len()
    }
}

impl<T> Deref for DelayingQueue<T> {
    type Target = Queue<T>;

    fn deref(&self) -> &Queue<T> {
        &self.queue
    }
}

impl<T> fmt::Debug for DelayingQueue<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("DelayingQueue")
            .field("queue", &self.queue)
            .field("waiting", &self.timers.lock().len())
            .finish()
    }
}
