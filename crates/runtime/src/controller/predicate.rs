//! Predicates: filters that decide which events reach the queue.

use std::sync::Arc;

use kapi_apimachinery::Object;

/// Decides whether an event enqueues a request. Every method defaults to `true`.
pub trait Predicate<K>: Send + Sync + 'static {
    /// An object appeared.
    fn create(&self, _obj: &K) -> bool {
        true
    }
    /// An object changed (also called on resync, with `old` and `new` the same).
    fn update(&self, _old: &K, _new: &K) -> bool {
        true
    }
    /// An object was deleted.
    fn delete(&self, _obj: &K) -> bool {
        true
    }
}

/// Passes updates that change `metadata.generation` (spec changes, for types that track it).
#[derive(Clone, Copy, Debug, Default)]
pub struct GenerationChanged;

impl<K: Object> Predicate<K> for GenerationChanged {
    fn update(&self, old: &K, new: &K) -> bool {
        old.metadata().generation != new.metadata().generation
    }
}

/// Passes updates that change labels.
#[derive(Clone, Copy, Debug, Default)]
pub struct LabelsChanged;

impl<K: Object> Predicate<K> for LabelsChanged {
    fn update(&self, old: &K, new: &K) -> bool {
        old.metadata().labels != new.metadata().labels
    }
}

/// Passes updates that change annotations.
#[derive(Clone, Copy, Debug, Default)]
pub struct AnnotationsChanged;

impl<K: Object> Predicate<K> for AnnotationsChanged {
    fn update(&self, old: &K, new: &K) -> bool {
        old.metadata().annotations != new.metadata().annotations
    }
}

/// Passes updates that change `metadata.resourceVersion` (i.e. filters out resyncs).
#[derive(Clone, Copy, Debug, Default)]
pub struct ResourceVersionChanged;

impl<K: Object> Predicate<K> for ResourceVersionChanged {
    fn update(&self, old: &K, new: &K) -> bool {
        old.resource_version() != new.resource_version()
    }
}

/// A predicate from a closure over updates (creates and deletes pass).
pub fn on_update<K, F>(f: F) -> UpdateFn<F>
where
    F: Fn(&K, &K) -> bool + Send + Sync + 'static,
{
    UpdateFn(f)
}

/// See [`on_update`].
#[derive(Clone, Copy)]
pub struct UpdateFn<F>(F);

impl<F> std::fmt::Debug for UpdateFn<F> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("UpdateFn")
    }
}

impl<K: 'static, F: Fn(&K, &K) -> bool + Send + Sync + 'static> Predicate<K> for UpdateFn<F> {
    fn update(&self, old: &K, new: &K) -> bool {
        (self.0)(old, new)
    }
}

/// A predicate from a closure applied to every event's (new) object.
pub fn on_object<K, F>(f: F) -> ObjectFn<F>
where
    F: Fn(&K) -> bool + Send + Sync + 'static,
{
    ObjectFn(f)
}

/// See [`on_object`].
#[derive(Clone, Copy)]
pub struct ObjectFn<F>(F);

impl<F> std::fmt::Debug for ObjectFn<F> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("ObjectFn")
    }
}

impl<K: 'static, F: Fn(&K) -> bool + Send + Sync + 'static> Predicate<K> for ObjectFn<F> {
    fn create(&self, obj: &K) -> bool {
        (self.0)(obj)
    }
    fn update(&self, _old: &K, new: &K) -> bool {
        (self.0)(new)
    }
    fn delete(&self, obj: &K) -> bool {
        (self.0)(obj)
    }
}

/// A shared, type-erased predicate.
pub type BoxPredicate<K> = Arc<dyn Predicate<K>>;

/// Passes when every inner predicate passes.
pub struct And<K>(pub Vec<BoxPredicate<K>>);
/// Passes when any inner predicate passes.
pub struct Or<K>(pub Vec<BoxPredicate<K>>);
/// Passes when the inner predicate does not.
pub struct Not<K>(pub BoxPredicate<K>);

macro_rules! debug_named {
    ($($t:ident),*) => {$(
        impl<K> std::fmt::Debug for $t<K> {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(stringify!($t))
            }
        }
    )*};
}
debug_named!(And, Or, Not);

impl<K: 'static> Predicate<K> for And<K> {
    fn create(&self, o: &K) -> bool {
        self.0.iter().all(|p| p.create(o))
    }
    fn update(&self, a: &K, b: &K) -> bool {
        self.0.iter().all(|p| p.update(a, b))
    }
    fn delete(&self, o: &K) -> bool {
        self.0.iter().all(|p| p.delete(o))
    }
}

impl<K: 'static> Predicate<K> for Or<K> {
    fn create(&self, o: &K) -> bool {
        self.0.iter().any(|p| p.create(o))
    }
    fn update(&self, a: &K, b: &K) -> bool {
        self.0.iter().any(|p| p.update(a, b))
    }
    fn delete(&self, o: &K) -> bool {
        self.0.iter().any(|p| p.delete(o))
    }
}

impl<K: 'static> Predicate<K> for Not<K> {
    fn create(&self, o: &K) -> bool {
        !self.0.create(o)
    }
    fn update(&self, a: &K, b: &K) -> bool {
        !self.0.update(a, b)
    }
    fn delete(&self, o: &K) -> bool {
        !self.0.delete(o)
    }
}

/// `a AND b`.
pub fn and<K: 'static>(a: impl Predicate<K>, b: impl Predicate<K>) -> And<K> {
    And(vec![Arc::new(a), Arc::new(b)])
}

/// `a OR b`.
pub fn or<K: 'static>(a: impl Predicate<K>, b: impl Predicate<K>) -> Or<K> {
    Or(vec![Arc::new(a), Arc::new(b)])
}

/// `NOT p`.
pub fn not<K: 'static>(p: impl Predicate<K>) -> Not<K> {
    Not(Arc::new(p))
}
