//! Kubernetes version ordering: `v1` > `v1beta2` > `v1beta1` > `v1alpha1` > non-Kubernetes names.

use std::cmp::Ordering;

/// Parses `v<major>[alpha|beta<minor>]` into (major, stability, minor); stability 2 = GA.
fn parse(v: &str) -> Option<(u64, u8, u64)> {
    let rest = v.strip_prefix('v')?;
    let digits = rest
        .find(|c: char| !c.is_ascii_digit())
        .unwrap_or(rest.len());
    let major: u64 = rest[..digits].parse().ok()?;
    if major == 0 {
        return None;
    }
    let tail = &rest[digits..];
    if tail.is_empty() {
        return Some((major, 2, 0));
    }
    let (stability, num) = if let Some(n) = tail.strip_prefix("beta") {
        (1, n)
    } else if let Some(n) = tail.strip_prefix("alpha") {
        (0, n)
    } else {
        return None;
    };
    if num.is_empty() || !num.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    Some((major, stability, num.parse().ok()?))
}

/// Compares two versions by Kubernetes priority; `Greater` means `a` is preferred.
///
/// GA before beta before alpha; within a level the higher number wins; versions that are not
/// Kubernetes-style sort last, alphabetically.
///
/// ```
/// use std::cmp::Ordering;
/// use kapi_apimachinery::version_priority;
/// assert_eq!(version_priority("v1", "v1beta1"), Ordering::Greater);
/// assert_eq!(version_priority("v2beta1", "v1"), Ordering::Less);
/// assert_eq!(version_priority("v1beta2", "v1beta1"), Ordering::Greater);
/// assert_eq!(version_priority("v1alpha1", "foo"), Ordering::Greater);
/// ```
pub fn version_priority(a: &str, b: &str) -> Ordering {
    match (parse(a), parse(b)) {
        (Some((ma, sa, na)), Some((mb, sb, nb))) => sa.cmp(&sb).then(ma.cmp(&mb)).then(na.cmp(&nb)),
        (Some(_), None) => Ordering::Greater,
        (None, Some(_)) => Ordering::Less,
        (None, None) => b.cmp(a),
    }
}
