//! [`WorkItem`]: the guard `get` returns, which marks its item done when dropped.

use std::fmt;
use std::hash::Hash;
use std::ops::Deref;
use std::sync::Arc;

use super::Shared;

/// An item handed out by [`Queue::get`](crate::Queue::get), being processed.
///
/// While it lives, the queue treats the item as in flight: adding the same item again
/// only marks it to be re-queued, so no other worker can get it. Dropping the guard (or
/// calling [`done`](Self::done)) marks the item done; if it was added meanwhile it goes
/// back to the end of the queue. This makes client-go's "every `Get` needs exactly one
/// `Done`" rule impossible to break: the guard is done exactly once, also when the
/// worker returns early with `?` or panics.
///
/// The guard dereferences to the item and owns a handle to its queue, so it can be moved
/// into another task.
///
/// ```
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() {
/// use kapi_workqueue::Queue;
///
/// let queue = Queue::new();
/// queue.add(String::from("default/web"));
/// let item = queue.get().await.unwrap();
/// assert_eq!(item.as_str(), "default/web"); // deref to the item
/// assert_eq!(queue.in_flight(), 1);
/// drop(item);
/// assert_eq!(queue.in_flight(), 0);
/// # }
/// ```
#[must_use = "dropping a WorkItem marks it done at once"]
pub struct WorkItem<T: Eq + Hash + Clone> {
    shared: Arc<Shared<T>>,
    /// Always `Some` until dropped.
    item: Option<T>,
}

impl<T: Eq + Hash + Clone> WorkItem<T> {
    pub(crate) fn new(shared: Arc<Shared<T>>, item: T) -> Self {
        Self {
            shared,
            item: Some(item),
        }
    }

    /// The item.
    pub fn item(&self) -> &T {
        self
    }

    /// Marks the item done now: the same as dropping the guard, spelled out.
    pub fn done(self) {
        drop(self);
    }
}

impl<T: Eq + Hash + Clone> Deref for WorkItem<T> {
    type Target = T;

    fn deref(&self) -> &T {
        match &self.item {
            Some(item) => item,
            // Only `drop` takes the item out.
            None => unreachable!("WorkItem used after drop"),
        }
    }
}

impl<T: Eq + Hash + Clone> AsRef<T> for WorkItem<T> {
    fn as_ref(&self) -> &T {
        self
    }
}

impl<T: Eq + Hash + Clone> Drop for WorkItem<T> {
    fn drop(&mut self) {
        if let Some(item) = self.item.take() {
            self.shared.done(item);
        }
    }
}

impl<T: Eq + Hash + Clone + fmt::Debug> fmt::Debug for WorkItem<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_tuple("WorkItem").field(&self.item).finish()
    }
}
