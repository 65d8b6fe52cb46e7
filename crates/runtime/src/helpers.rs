//! Helpers controllers need everywhere: finalizers, controller references, retry on conflict.

use std::future::Future;
use std::time::Duration;

use kapi_apimachinery::meta::OwnerReference;
use kapi_apimachinery::{ApiError, Object, Resource};

/// `true` when the object carries the finalizer.
pub fn has_finalizer<K: Object>(obj: &K, finalizer: &str) -> bool {
    obj.metadata().finalizers.iter().any(|f| f == finalizer)
}

/// Adds the finalizer; returns `true` when the object changed (write it back then).
pub fn add_finalizer<K: Object>(obj: &mut K, finalizer: &str) -> bool {
    if has_finalizer(obj, finalizer) {
        return false;
    }
    obj.metadata_mut().finalizers.push(finalizer.into());
    true
}

/// Removes the finalizer; returns `true` when the object changed.
pub fn remove_finalizer<K: Object>(obj: &mut K, finalizer: &str) -> bool {
    let before = obj.metadata().finalizers.len();
    obj.metadata_mut().finalizers.retain(|f| f != finalizer);
    obj.metadata().finalizers.len() != before
}

/// `true` once deletion was requested (the object lingers only for its finalizers).
pub fn is_being_deleted<K: Object>(obj: &K) -> bool {
    obj.metadata().deletion_timestamp.is_some()
}

/// Another controller already owns the object.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("object is already controlled by {kind} {name:?}")]
pub struct AlreadyOwned {
    /// Kind of the existing controller.
    pub kind: String,
    /// Name of the existing controller.
    pub name: String,
}

/// The owner reference that makes `owner` the controller of a dependent (`controller: true`,
/// `blockOwnerDeletion: true`).
///
/// # Panics
/// Never; an owner without name or uid yields empty strings (the server will reject it).
pub fn controller_reference<O: Resource>(owner: &O) -> OwnerReference {
    OwnerReference {
        api_version: O::API_VERSION.into(),
        kind: O::INFO.kind.into(),
        name: owner.name().into(),
        uid: owner.uid().unwrap_or_default().into(),
        controller: Some(true),
        block_owner_deletion: Some(true),
    }
}

/// Makes `owner` the controller of `obj` (replacing a previous reference to the same owner).
///
/// # Errors
/// [`AlreadyOwned`] when a different controller owns `obj`.
pub fn set_controller_reference<O: Resource, K: Object>(
    owner: &O,
    obj: &mut K,
) -> Result<(), AlreadyOwned> {
    let reference = controller_reference(owner);
    let refs = &mut obj.metadata_mut().owner_references;
    if let Some(existing) = refs
        .iter()
        .find(|r| r.controller == Some(true) && r.uid != reference.uid)
    {
        return Err(AlreadyOwned {
            kind: existing.kind.clone().into(),
            name: existing.name.clone().into(),
        });
    }
    refs.retain(|r| r.uid != reference.uid);
    refs.push(reference);
    Ok(())
}

/// Errors that can say whether they are a 409 Conflict.
pub trait IsConflict {
    /// `true` for a resourceVersion conflict.
    fn is_conflict(&self) -> bool;
}

impl IsConflict for ApiError {
    fn is_conflict(&self) -> bool {
        ApiError::is_conflict(self)
    }
}

/// Retry schedule of [`retry_on_conflict`].
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct RetryBackoff {
    /// Attempts in total.
    pub steps: u32,
    /// First delay.
    pub duration: Duration,
    /// Multiplier per retry.
    pub factor: f64,
    /// Random extra up to `jitter × delay`.
    pub jitter: f64,
}

impl Default for RetryBackoff {
    /// client-go's `DefaultRetry`: 5 steps, 10 ms, factor 1.0, jitter 0.1.
    fn default() -> Self {
        Self {
            steps: 5,
            duration: Duration::from_millis(10),
            factor: 1.0,
            jitter: 0.1,
        }
    }
}

/// Runs `f` (typically: get, modify, update) and retries it on conflicts, up to
/// `backoff.steps` attempts; other errors return at once.
///
/// # Errors
/// The last error, when every attempt conflicted or another error occurred.
pub async fn retry_on_conflict<T, E, F, Fut>(backoff: RetryBackoff, mut f: F) -> Result<T, E>
where
    E: IsConflict,
    F: FnMut() -> Fut,
    Fut: Future<Output = Result<T, E>>,
{
    let mut delay = backoff.duration;
    let mut attempt = 1;
    loop {
        match f().await {
            Err(e) if e.is_conflict() && attempt < backoff.steps.max(1) => {
                let jitter = delay.mul_f64(backoff.jitter * rand::random::<f64>());
                tokio::time::sleep(delay + jitter).await;
                delay = delay.mul_f64(backoff.factor.max(1.0));
                attempt += 1;
            }
            other => return other,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use kapi_apimachinery::meta::Status;
    use std::sync::atomic::{AtomicU32, Ordering};

    #[tokio::test(start_paused = true)]
    async fn retries_conflicts_only_up_to_the_step_count() {
        let calls = AtomicU32::new(0);
        let r: Result<u32, ApiError> = retry_on_conflict(RetryBackoff::default(), || async {
            let n = calls.fetch_add(1, Ordering::SeqCst) + 1;
            if n < 3 {
                Err(ApiError::new(Status::conflict(
                    "",
                    "configmaps",
                    "x",
                    Status::MODIFIED,
                )))
            } else {
                Ok(n)
            }
        })
        .await;
        assert_eq!(r.unwrap(), 3);
        calls.store(0, Ordering::SeqCst);
        let r: Result<(), ApiError> = retry_on_conflict(RetryBackoff::default(), || async {
            calls.fetch_add(1, Ordering::SeqCst);
            Err(ApiError::new(Status::conflict(
                "",
                "configmaps",
                "x",
                Status::MODIFIED,
            )))
        })
        .await;
        assert!(r.unwrap_err().is_conflict());
        assert_eq!(calls.load(Ordering::SeqCst), 5);
        calls.store(0, Ordering::SeqCst);
        let r: Result<(), ApiError> = retry_on_conflict(RetryBackoff::default(), || async {
            calls.fetch_add(1, Ordering::SeqCst);
            Err(ApiError::new(Status::not_found("", "configmaps", "x")))
        })
        .await;
        assert!(r.unwrap_err().is_not_found());
        assert_eq!(
            calls.load(Ordering::SeqCst),
            1,
            "other errors are not retried"
        );
    }
}
