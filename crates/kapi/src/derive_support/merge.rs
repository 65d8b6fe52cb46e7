//! Several versions of one custom resource (one `#[derive(CustomResource)]` per version) into
//! one CustomResourceDefinition.

use std::fmt;

use kapi_api::apiextensions::v1::CustomResourceDefinition;

/// Why [`merge_crds`] could not combine the definitions.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum MergeError {
    /// No definition was given.
    Empty,
    /// A definition names a different resource than the first one.
    Mismatch {
        /// What differs: `metadata.name`, `spec.group`, `spec.names` or `spec.scope`.
        field: &'static str,
        /// The CRD (`metadata.name`) that differs.
        crd: String,
    },
    /// Two definitions declare the same version.
    DuplicateVersion(String),
    /// The storage version is not among the versions.
    UnknownStorageVersion(String),
}

impl fmt::Display for MergeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Empty => f.write_str("no CustomResourceDefinition to merge"),
            Self::Mismatch { field, crd } => write!(
                f,
                "cannot merge CustomResourceDefinition {crd:?}: its {field} differs from the first \
                 definition's"
            ),
            Self::DuplicateVersion(v) => write!(f, "version {v:?} is defined twice"),
            Self::UnknownStorageVersion(v) => {
                write!(f, "storage version {v:?} is not one of the merged versions")
            }
        }
    }
}

impl std::error::Error for MergeError {}

/// Merges the CRDs of several versions of one resource (same name, group, names and scope) into
/// one, with every version served and exactly `storage_version` stored. Versions keep the order
/// given.
///
/// ```no_run
/// # fn demo(v1alpha1: kapi::api::apiextensions::v1::CustomResourceDefinition,
/// #         v1: kapi::api::apiextensions::v1::CustomResourceDefinition)
/// #         -> Result<(), kapi::derive_support::MergeError> {
/// // e.g. `v1alpha1::PodSet::crd()` and `v1::PodSet::crd()`
/// let crd = kapi::derive_support::merge_crds([v1alpha1, v1], "v1")?;
/// assert_eq!(crd.spec.versions.len(), 2);
/// # Ok(())
/// # }
/// ```
///
/// # Errors
/// [`MergeError`] when nothing is given, the definitions describe different resources, a
/// version repeats, or `storage_version` is not among them.
pub fn merge_crds(
    crds: impl IntoIterator<Item = CustomResourceDefinition>,
    storage_version: &str,
) -> Result<CustomResourceDefinition, MergeError> {
    let mut crds = crds.into_iter();
    let mut merged = crds.next().ok_or(MergeError::Empty)?;
    for crd in crds {
        let name = crd.metadata.name.clone().unwrap_or_default();
        let mismatch = |field| MergeError::Mismatch {
            field,
            crd: name.clone().into(),
        };
        if crd.metadata.name != merged.metadata.name {
            return Err(mismatch("metadata.name"));
        }
        if crd.spec.group != merged.spec.group {
            return Err(mismatch("spec.group"));
        }
        if crd.spec.names != merged.spec.names {
            return Err(mismatch("spec.names"));
        }
        if crd.spec.scope != merged.spec.scope {
            return Err(mismatch("spec.scope"));
        }
        for version in crd.spec.versions {
            if merged.spec.versions.iter().any(|v| v.name == version.name) {
                return Err(MergeError::DuplicateVersion(version.name.into()));
            }
            merged.spec.versions.push(version);
        }
    }
    if !merged
        .spec
        .versions
        .iter()
        .any(|v| v.name == storage_version)
    {
        return Err(MergeError::UnknownStorageVersion(
            storage_version.to_owned(),
        ));
    }
    for version in &mut merged.spec.versions {
        version.served = true;
        version.storage = version.name == storage_version;
    }
    Ok(merged)
}
