//! The resource abstraction shared by generated (static) and dynamic types.
//!
//! * [`Object`] — anything with [`ObjectMeta`] that serializes: typed objects, [`DynamicObject`],
//!   `PartialObjectMetadata`. Stores, listers and watches work over `Object`.
//! * [`ResourceInfo`] — the run-time description of a resource type: group, version, kind,
//!   plural, singular, scope, verbs and subresources. This is what a client needs to build URLs.
//! * [`Resource`] — a Rust type that *is* one resource type, known at compile time. Its
//!   [`Resource::INFO`] is a `const`, and its [`Resource::Scope`] marker lets clients refuse the
//!   wrong scope at compile time.
//!
//! A dynamic client pairs a [`DynamicObject`] with a `ResourceInfo` obtained at run time (from
//! discovery or a [`crate::restmapper::RestMapper`]); a typed client takes `K::INFO`. Both then run the same
//! code.
//!
//! [`DynamicObject`]: crate::DynamicObject

use std::borrow::Cow;
use std::fmt;

use serde::de::DeserializeOwned;
use serde::Serialize;

use crate::gvk::{GroupVersion, GroupVersionKind, GroupVersionResource};
use crate::meta::ObjectMeta;

/// Whether a resource lives in namespaces or at cluster level.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Scope {
    /// `/namespaces/{ns}/{plural}`.
    Namespaced,
    /// `/{plural}`.
    Cluster,
}

impl Scope {
    /// `true` for [`Scope::Namespaced`].
    pub fn is_namespaced(self) -> bool {
        self == Self::Namespaced
    }
}

/// Compile-time scope marker, the type of [`Resource::Scope`].
pub trait ScopeMarker: Send + Sync + 'static {
    /// The scope it stands for.
    const SCOPE: Scope;
}

/// Marker for namespaced resources.
#[derive(Clone, Copy, Debug)]
pub struct NamespaceScope;

/// Marker for cluster-scoped resources.
#[derive(Clone, Copy, Debug)]
pub struct ClusterScope;

impl ScopeMarker for NamespaceScope {
    const SCOPE: Scope = Scope::Namespaced;
}
impl ScopeMarker for ClusterScope {
    const SCOPE: Scope = Scope::Cluster;
}

/// The set of verbs a resource supports, as a bit set.
#[derive(Clone, Copy, Default, PartialEq, Eq, Hash)]
pub struct Verbs(u16);

impl Verbs {
    /// `get`.
    pub const GET: Self = Self(1);
    /// `list`.
    pub const LIST: Self = Self(1 << 1);
    /// `watch`.
    pub const WATCH: Self = Self(1 << 2);
    /// `create`.
    pub const CREATE: Self = Self(1 << 3);
    /// `update`.
    pub const UPDATE: Self = Self(1 << 4);
    /// `patch`.
    pub const PATCH: Self = Self(1 << 5);
    /// `delete`.
    pub const DELETE: Self = Self(1 << 6);
    /// `deletecollection`.
    pub const DELETE_COLLECTION: Self = Self(1 << 7);
    /// All eight standard verbs.
    pub const ALL: Self = Self(0xff);
    /// No verb.
    pub const NONE: Self = Self(0);

    const NAMES: [(Self, &'static str); 8] = [
        (Self::CREATE, "create"),
        (Self::DELETE, "delete"),
        (Self::DELETE_COLLECTION, "deletecollection"),
        (Self::GET, "get"),
        (Self::LIST, "list"),
        (Self::PATCH, "patch"),
        (Self::UPDATE, "update"),
        (Self::WATCH, "watch"),
    ];

    /// The union of two sets (usable in `const`).
    pub const fn union(self, other: Self) -> Self {
        Self(self.0 | other.0)
    }

    /// `true` when every verb of `other` is in `self`.
    pub const fn contains(self, other: Self) -> bool {
        self.0 & other.0 == other.0
    }

    /// Looks a verb up by its API name.
    pub fn from_name(name: &str) -> Option<Self> {
        Self::NAMES
            .iter()
            .find(|(_, n)| *n == name)
            .map(|(v, _)| *v)
    }

    /// The API names of the verbs in the set, sorted alphabetically.
    pub fn names(self) -> impl Iterator<Item = &'static str> {
        Self::NAMES
            .into_iter()
            .filter(move |(v, _)| self.contains(*v))
            .map(|(_, n)| n)
    }
}

impl FromIterator<Verbs> for Verbs {
    fn from_iter<I: IntoIterator<Item = Verbs>>(iter: I) -> Self {
        iter.into_iter().fold(Self::NONE, Self::union)
    }
}

impl fmt::Debug for Verbs {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_set().entries(self.names()).finish()
    }
}

/// Run-time description of a resource type. `const`-constructible, so generated types expose
/// theirs as [`Resource::INFO`].
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct ResourceInfo {
    /// Group, empty for core.
    pub group: Cow<'static, str>,
    /// Version.
    pub version: Cow<'static, str>,
    /// Kind.
    pub kind: Cow<'static, str>,
    /// Resource name (lower-case plural) used in URLs.
    pub plural: Cow<'static, str>,
    /// Lower-case singular name.
    pub singular: Cow<'static, str>,
    /// Scope.
    pub scope: Scope,
    /// Verbs the main resource supports.
    pub verbs: Verbs,
    /// Subresource names, e.g. `status`, `scale`, `log`.
    pub subresources: Cow<'static, [Cow<'static, str>]>,
}

impl ResourceInfo {
    /// Describes a resource with all standard verbs and no subresources; adjust the public
    /// fields for anything else.
    pub fn new(gvk: &GroupVersionKind, plural: impl Into<String>, scope: Scope) -> Self {
        Self {
            group: Cow::Owned(gvk.group.clone()),
            version: Cow::Owned(gvk.version.clone()),
            kind: Cow::Owned(gvk.kind.clone()),
            plural: Cow::Owned(plural.into()),
            singular: Cow::Owned(gvk.kind.to_ascii_lowercase()),
            scope,
            verbs: Verbs::ALL,
            subresources: Cow::Borrowed(&[]),
        }
    }

    /// The `apiVersion` string (`v1`, `apps/v1`).
    pub fn api_version(&self) -> String {
        self.group_version().to_string()
    }

    /// Group and version.
    pub fn group_version(&self) -> GroupVersion {
        GroupVersion::new(self.group.as_ref(), self.version.as_ref())
    }

    /// Group, version and kind.
    pub fn gvk(&self) -> GroupVersionKind {
        GroupVersionKind::new(
            self.group.as_ref(),
            self.version.as_ref(),
            self.kind.as_ref(),
        )
    }

    /// Group, version and resource.
    pub fn gvr(&self) -> GroupVersionResource {
        GroupVersionResource::new(
            self.group.as_ref(),
            self.version.as_ref(),
            self.plural.as_ref(),
        )
    }

    /// `true` when the resource has the named subresource.
    pub fn has_subresource(&self, name: &str) -> bool {
        self.subresources.iter().any(|s| s == name)
    }

    /// The URL path of the collection: `/api/v1/namespaces/ns/pods`, `/apis/apps/v1/deployments`
    /// (all namespaces when `namespace` is `None`).
    pub fn collection_path(&self, namespace: Option<&str>) -> String {
        let mut path = self.group_version().url_prefix();
        if let (Scope::Namespaced, Some(ns)) = (self.scope, namespace) {
            path.push_str("/namespaces/");
            path.push_str(ns);
        }
        path.push('/');
        path.push_str(&self.plural);
        path
    }

    /// The URL path of one object, optionally of one of its subresources.
    pub fn object_path(
        &self,
        namespace: Option<&str>,
        name: &str,
        subresource: Option<&str>,
    ) -> String {
        let mut path = self.collection_path(namespace);
        path.push('/');
        path.push_str(name);
        if let Some(sub) = subresource {
            path.push('/');
            path.push_str(sub);
        }
        path
    }
}

/// A Kubernetes object: it has [`ObjectMeta`] and (de)serializes as JSON.
///
/// Implemented by every generated type, [`crate::DynamicObject`] and
/// [`crate::meta::PartialObjectMetadata`].
pub trait Object:
    Serialize + DeserializeOwned + Clone + fmt::Debug + Send + Sync + 'static
{
    /// The object's metadata.
    fn metadata(&self) -> &ObjectMeta;
    /// The object's metadata, mutably.
    fn metadata_mut(&mut self) -> &mut ObjectMeta;

    /// `metadata.name`, or `""`.
    fn name(&self) -> &str {
        self.metadata().name.as_deref().unwrap_or("")
    }

    /// `metadata.namespace`, if set.
    fn namespace(&self) -> Option<&str> {
        self.metadata().namespace.as_deref()
    }

    /// `metadata.resourceVersion`, if set.
    fn resource_version(&self) -> Option<&str> {
        self.metadata().resource_version.as_deref()
    }

    /// `metadata.uid`, if set.
    fn uid(&self) -> Option<&str> {
        self.metadata().uid.as_deref()
    }

    /// The cache key: `namespace/name`, or `name` without a namespace.
    fn cache_key(&self) -> String {
        match self.namespace() {
            Some(ns) if !ns.is_empty() => format!("{ns}/{}", self.name()),
            _ => self.name().to_owned(),
        }
    }
}

/// A Rust type that is exactly one resource type, known at compile time.
pub trait Resource: Object {
    /// [`NamespaceScope`] or [`ClusterScope`].
    type Scope: ScopeMarker;
    /// The `apiVersion` string, e.g. `apps/v1`.
    const API_VERSION: &'static str;
    /// Group, version, kind, plural, scope, verbs and subresources.
    const INFO: ResourceInfo;
}
