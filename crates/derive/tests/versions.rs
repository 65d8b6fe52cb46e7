//! One derive per version, merged into one multi-version CRD with `merge_crds`.

mod checker;
mod common;

use kapi::derive_support::{merge_crds, MergeError};

mod v1alpha1 {
    use kapi::CustomResource;
    use schemars::JsonSchema;
    use serde::{Deserialize, Serialize};

    /// The first draft.
    #[derive(CustomResource, Clone, Debug, Serialize, Deserialize, JsonSchema)]
    #[kapi(
        group = "demo.kapi.dev",
        version = "v1alpha1",
        kind = "Gadget",
        namespaced
    )]
    pub(crate) struct GadgetSpec {
        /// Size, as text.
        pub(crate) size: String,
    }
}

mod v1 {
    use kapi::CustomResource;
    use schemars::JsonSchema;
    use serde::{Deserialize, Serialize};

    /// The stable form.
    #[derive(CustomResource, Clone, Debug, Serialize, Deserialize, JsonSchema)]
    #[kapi(group = "demo.kapi.dev", version = "v1", kind = "Gadget", namespaced)]
    pub(crate) struct GadgetSpec {
        /// Size in millimetres.
        pub(crate) size_mm: u32,
    }
}

#[test]
fn versions_merge_with_one_storage_version() {
    let crd = merge_crds([v1alpha1::Gadget::crd(), v1::Gadget::crd()], "v1").expect("merge");
    let versions: Vec<_> = crd
        .spec
        .versions
        .iter()
        .map(|v| (v.name.as_str(), v.served, v.storage))
        .collect();
    assert_eq!(versions, [("v1alpha1", true, false), ("v1", true, true)]);
    let json = serde_json::to_value(&crd).expect("serialize");
    let violations = checker::crd_violations(&json);
    assert!(violations.is_empty(), "{violations:?}");
}

#[test]
fn merge_errors() {
    assert_eq!(merge_crds([], "v1"), Err(MergeError::Empty));
    let err = merge_crds([v1::Gadget::crd(), common::Policy::crd()], "v1").unwrap_err();
    assert_eq!(
        err.to_string(),
        "cannot merge CustomResourceDefinition \"policies.policy.kapi.dev\": its metadata.name \
         differs from the first definition's"
    );
    let err = merge_crds([v1::Gadget::crd(), v1::Gadget::crd()], "v1").unwrap_err();
    assert_eq!(err, MergeError::DuplicateVersion("v1".into()));
    let err = merge_crds([v1::Gadget::crd()], "v2").unwrap_err();
    assert_eq!(
        err.to_string(),
        "storage version \"v2\" is not one of the merged versions"
    );
}
