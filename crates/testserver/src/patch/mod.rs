//! PATCH engines over JSON values: RFC 6902 JSON Patch, RFC 7386 JSON Merge Patch, and
//! Kubernetes strategic merge patch driven by the OpenAPI schema's patch strategies.
//!
//! All three work on a `serde_json::Value` in place and leave it untouched on error.

mod schema;
mod strategic;

use serde_json::Value;

pub(crate) use schema::{ListStrategy, Node, Schemas};
pub(crate) use strategic::apply_strategic_merge_patch;

/// Why a patch could not be applied.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub(crate) enum PatchError {
    /// The patch body is not valid JSON (or not the shape its type requires).
    #[error("the body of the request was in an unknown format - accepted media types include: application/json-patch+json, application/merge-patch+json, application/apply-patch+yaml: {0}")]
    Malformed(String),
    /// A JSON Patch operation failed (a 422 upstream).
    #[error("{0}")]
    OperationFailed(String),
    /// A strategic merge patch directive is invalid.
    #[error("{0}")]
    InvalidDirective(String),
}

/// Applies an RFC 6902 JSON Patch (`application/json-patch+json`).
///
/// # Errors
/// [`PatchError::Malformed`] when the body is not a JSON array of operations;
/// [`PatchError::OperationFailed`] when an operation fails (a `test` mismatch, a missing path).
pub(crate) fn apply_json_patch(target: &mut Value, patch: &[u8]) -> Result<(), PatchError> {
    let ops: json_patch::Patch =
        serde_json::from_slice(patch).map_err(|e| PatchError::Malformed(e.to_string()))?;
    let mut work = target.clone();
    json_patch::patch(&mut work, &ops).map_err(|e| PatchError::OperationFailed(e.to_string()))?;
    *target = work;
    Ok(())
}

/// Applies an RFC 7386 JSON Merge Patch (`application/merge-patch+json`): objects merge
/// recursively, `null` deletes, anything else (lists included) replaces.
///
/// # Errors
/// [`PatchError::Malformed`] when the body is not a JSON object.
pub(crate) fn apply_merge_patch(target: &mut Value, patch: &[u8]) -> Result<(), PatchError> {
    let patch: Value =
        serde_json::from_slice(patch).map_err(|e| PatchError::Malformed(e.to_string()))?;
    if !patch.is_object() {
        return Err(PatchError::Malformed(
            "a merge patch must be a JSON object".into(),
        ));
    }
    json_patch::merge(target, &patch);
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn json_patch_ops_and_failures_leave_target_untouched() {
        let mut v = json!({"metadata": {"labels": {"a": "1"}}, "spec": {"list": [1, 2]}});
        apply_json_patch(
            &mut v,
            br#"[{"op":"add","path":"/metadata/labels/b","value":"2"},{"op":"remove","path":"/spec/list/0"},{"op":"test","path":"/spec/list/0","value":2}]"#,
        )
        .unwrap();
        assert_eq!(
            v,
            json!({"metadata": {"labels": {"a": "1", "b": "2"}}, "spec": {"list": [2]}})
        );
        let before = v.clone();
        let err = apply_json_patch(
            &mut v,
            br#"[{"op":"add","path":"/x","value":1},{"op":"test","path":"/spec/list/0","value":9}]"#,
        )
        .unwrap_err();
        assert!(matches!(err, PatchError::OperationFailed(_)), "{err}");
        assert_eq!(v, before);
        assert!(matches!(
            apply_json_patch(&mut v, b"{}"),
            Err(PatchError::Malformed(_))
        ));
        assert!(matches!(
            apply_json_patch(&mut v, b"[{\"op\":\"explode\"}]"),
            Err(PatchError::Malformed(_))
        ));
    }

    #[test]
    fn merge_patch_merges_deletes_and_replaces_lists() {
        let mut v = json!({"a": {"b": 1, "c": 2}, "l": [1, 2, 3]});
        apply_merge_patch(&mut v, br#"{"a": {"b": null, "d": 4}, "l": [9]}"#).unwrap();
        assert_eq!(v, json!({"a": {"c": 2, "d": 4}, "l": [9]}));
        assert!(apply_merge_patch(&mut v, b"[1]").is_err());
        assert!(apply_merge_patch(&mut v, b"{").is_err());
    }
}
