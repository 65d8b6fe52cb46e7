//! `#[derive(CustomResource)]`: a Kubernetes custom resource type from a spec struct.
//!
//! Use it through the facade, `kapi::CustomResource` (feature `derive`); the generated code
//! names `::kapi` (override with `crate = "..."`). The full guide, with every attribute and the
//! schema rules, is `docs/derive.md`.
//!
//! # Map
//!
//! | module | what it does |
//! |---|---|
//! | `attrs` | parses and checks `#[kapi(...)]`; every mistake is a spanned compile error |
//! | `names` | the API server's name rules (group, version, kind, plural, …) and the plural guess |
//! | `expand` | writes the resource struct, its serde impls, `Object`, `Resource`, `new`, `crd` |
//!
//! At run time `crd()` calls `kapi::derive_support`, which asks `schemars` for the schemas of
//! the spec and status types and rewrites them into a *structural* OpenAPI v3 schema (no
//! `$ref`, `nullable` instead of `null` types, string enums, Kubernetes formats and
//! extensions).
//!
//! # Example
//!
//! ```no_run
//! use kapi::CustomResource;
//! use kapi::apimachinery::Resource;
//! use schemars::JsonSchema;
//! use serde::{Deserialize, Serialize};
//!
//! /// Runs `replicas` copies of a pod.
//! #[derive(CustomResource, Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
//! #[kapi(group = "demo.kapi.dev", version = "v1", kind = "PodSet", namespaced,
//!        status = "PodSetStatus", shortname = "ps",
//!        scale(spec_replicas_path = ".spec.replicas", status_replicas_path = ".status.replicas"),
//!        printcolumn(name = "Replicas", type = "integer", json_path = ".spec.replicas"))]
//! pub struct PodSetSpec {
//!     /// How many pods to run.
//!     pub replicas: i32,
//! }
//!
//! /// What the controller saw.
//! #[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
//! pub struct PodSetStatus {
//!     /// Pods running now.
//!     pub replicas: i32,
//! }
//!
//! let set = PodSet::new("web", PodSetSpec { replicas: 3 });
//! assert_eq!(PodSet::INFO.plural, "podsets");
//! let json = serde_json::to_value(&set)?;
//! assert_eq!(json["apiVersion"], "demo.kapi.dev/v1");
//!
//! let crd = PodSet::crd();
//! assert_eq!(crd.metadata.name.as_deref(), Some("podsets.demo.kapi.dev"));
//! # Ok::<(), serde_json::Error>(())
//! ```

mod attrs;
mod expand;
mod names;

/// The guide's examples run as doctests.
#[cfg(doctest)]
#[doc = include_str!("../../../docs/derive.md")]
struct Guide;

use proc_macro::TokenStream;

/// Generates a custom resource type named after `kind` from the spec struct it is put on.
///
/// ```text
/// #[kapi(group = "...", version = "...", kind = "...",      required
///        namespaced | cluster,                             scope (default: cluster)
///        plural = "...", singular = "...",                  default: guessed / lower-case kind
///        shortname = "...", category = "...",              repeatable
///        status = "StatusType",                             adds `status` + the subresource
///        scale(spec_replicas_path = ".spec.x", status_replicas_path = ".status.x",
///              label_selector_path = ".status.y"),          the /scale subresource
///        printcolumn(name = "...", type = "...", json_path = ".spec.x",
///                    description = "...", format = "...", priority = 0),  repeatable
///        selectable_field = ".spec.x",                      repeatable
///        description = "...",                               top-level schema description
///        crate = "::kapi")]                                 path of the facade crate
/// ```
///
/// For `kind = "PodSet"` it generates `struct PodSet { metadata, spec, status }` with
/// `Clone`, `Debug`, `PartialEq` and `Default` (the last two when the spec has them),
/// `Serialize` (writing `apiVersion` and `kind` first), `Deserialize`, `kapi::apimachinery::
/// Object` and `Resource`, `PodSet::new(name, spec)`, `PodSet::CRD_NAME` and `PodSet::crd()`.
/// See the crate docs and `docs/derive.md`.
#[proc_macro_derive(CustomResource, attributes(kapi))]
pub fn derive_custom_resource(input: TokenStream) -> TokenStream {
    let input = syn::parse_macro_input!(input as syn::DeriveInput);
    expand::expand(&input)
        .unwrap_or_else(syn::Error::into_compile_error)
        .into()
}
