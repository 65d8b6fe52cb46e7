//! Small serde helpers shared by hand-written and generated types.
//!
//! Kubernetes marks most collections `omitempty`: they are left out when empty, and a JSON `null`
//! means the same as "not set". Fields typed as plain `Vec`/`BTreeMap` use
//! `#[serde(default, deserialize_with = "null_default", skip_serializing_if = "…::is_empty")]`
//! to get exactly that behaviour without an extra `Option` layer.

use serde::{Deserialize, Deserializer};

/// Deserializes `null` (or a missing value, with `#[serde(default)]`) as `T::default()`.
///
/// # Errors
/// Whatever the inner deserializer reports for a value that is neither `null` nor a `T`.
pub fn null_default<'de, D, T>(deserializer: D) -> Result<T, D::Error>
where
    D: Deserializer<'de>,
    T: Default + Deserialize<'de>,
{
    Ok(Option::<T>::deserialize(deserializer)?.unwrap_or_default())
}

/// [`null_default`] for arrays, without the spare capacity decoding leaves (a `Vec` grown by
/// doubling holds room for up to twice its items): objects kept in caches stay exact.
///
/// # Errors
/// As [`null_default`].
pub fn null_default_vec<'de, D, T>(deserializer: D) -> Result<Vec<T>, D::Error>
where
    D: Deserializer<'de>,
    T: Deserialize<'de>,
{
    let mut v: Vec<T> = null_default(deserializer)?;
    v.shrink_to_fit();
    Ok(v)
}

/// [`null_default_vec`] for [`ThinVec`](thin_vec::ThinVec), the array type of object fields.
///
/// # Errors
/// As [`null_default`].
pub fn null_default_thin<'de, D, T>(deserializer: D) -> Result<thin_vec::ThinVec<T>, D::Error>
where
    D: Deserializer<'de>,
    T: Deserialize<'de>,
{
    let mut v: thin_vec::ThinVec<T> = null_default(deserializer)?;
    v.shrink_to_fit();
    Ok(v)
}

/// `skip_serializing_if` helper for `bool` fields that Kubernetes omits when false.
#[allow(clippy::trivially_copy_pass_by_ref)]
pub fn is_false(b: &bool) -> bool {
    !*b
}

/// `skip_serializing_if` helper for integers that Kubernetes omits when zero.
pub fn is_zero<T: Default + PartialEq>(v: &T) -> bool {
    *v == T::default()
}
