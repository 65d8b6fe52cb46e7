//! Identities: [`GroupVersion`], [`GroupVersionKind`], [`GroupVersionResource`], [`GroupKind`],
//! [`GroupResource`]. The core group is the empty string (`apiVersion: v1`, path `/api/v1`).

use std::fmt;
use std::str::FromStr;

/// Error parsing an identity string.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("invalid {what} {input:?}: {reason}")]
pub struct ParseGvkError {
    what: &'static str,
    input: String,
    reason: &'static str,
}

/// An API group and version, e.g. `apps/v1` or `v1` (core).
#[derive(Clone, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct GroupVersion {
    /// Group name, empty for core.
    pub group: String,
    /// Version, e.g. `v1`.
    pub version: String,
}

impl GroupVersion {
    /// Builds a group/version.
    pub fn new(group: impl Into<String>, version: impl Into<String>) -> Self {
        Self {
            group: group.into(),
            version: version.into(),
        }
    }

    /// Parses an `apiVersion` string: `v1`, `apps/v1`. An empty string is the empty
    /// group/version, as upstream.
    ///
    /// # Errors
    /// More than one `/`, or an empty part around it.
    pub fn parse(s: &str) -> Result<Self, ParseGvkError> {
        if s.is_empty() {
            return Ok(Self::default());
        }
        let err = |reason| ParseGvkError {
            what: "group version",
            input: s.to_owned(),
            reason,
        };
        match s.split_once('/') {
            None => Ok(Self::new("", s)),
            Some((g, v)) if v.contains('/') => {
                let _ = g;
                Err(err("more than one '/'"))
            }
            Some((g, v)) if g.is_empty() || v.is_empty() => Err(err("empty group or version")),
            Some((g, v)) => Ok(Self::new(g, v)),
        }
    }

    /// The `apiVersion` string: `v1` for core, else `group/version`.
    pub fn api_version(&self) -> String {
        self.to_string()
    }

    /// The URL prefix: `/api/v1` for core, `/apis/{group}/{version}` otherwise.
    pub fn url_prefix(&self) -> String {
        if self.group.is_empty() {
            format!("/api/{}", self.version)
        } else {
            format!("/apis/{}/{}", self.group, self.version)
        }
    }

    /// This group/version with a kind.
    pub fn with_kind(&self, kind: impl Into<String>) -> GroupVersionKind {
        GroupVersionKind::new(&self.group, &self.version, kind)
    }

    /// This group/version with a resource.
    pub fn with_resource(&self, resource: impl Into<String>) -> GroupVersionResource {
        GroupVersionResource::new(&self.group, &self.version, resource)
    }
}

impl fmt::Display for GroupVersion {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.group.is_empty() {
            f.write_str(&self.version)
        } else {
            write!(f, "{}/{}", self.group, self.version)
        }
    }
}

impl FromStr for GroupVersion {
    type Err = ParseGvkError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::parse(s)
    }
}

/// A group, version and kind, e.g. `apps/v1, Kind=Deployment`.
#[derive(Clone, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct GroupVersionKind {
    /// Group name, empty for core.
    pub group: String,
    /// Version.
    pub version: String,
    /// Kind, e.g. `Deployment`.
    pub kind: String,
}

impl GroupVersionKind {
    /// Builds a GVK.
    pub fn new(
        group: impl Into<String>,
        version: impl Into<String>,
        kind: impl Into<String>,
    ) -> Self {
        Self {
            group: group.into(),
            version: version.into(),
            kind: kind.into(),
        }
    }

    /// From an `apiVersion` string and a kind.
    ///
    /// # Errors
    /// When `api_version` does not parse.
    pub fn from_api_version(api_version: &str, kind: &str) -> Result<Self, ParseGvkError> {
        Ok(GroupVersion::parse(api_version)?.with_kind(kind))
    }

    /// The group/version part.
    pub fn group_version(&self) -> GroupVersion {
        GroupVersion::new(&self.group, &self.version)
    }

    /// The group/kind part.
    pub fn group_kind(&self) -> GroupKind {
        GroupKind::new(&self.group, &self.kind)
    }

    /// The `apiVersion` string.
    pub fn api_version(&self) -> String {
        self.group_version().to_string()
    }
}

impl fmt::Display for GroupVersionKind {
    /// Upstream's format: `apps/v1, Kind=Deployment` (`/v1, Kind=Pod` for core).
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}/{}, Kind={}", self.group, self.version, self.kind)
    }
}

/// A group, version and resource (plural), e.g. `apps/v1, Resource=deployments`.
#[derive(Clone, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct GroupVersionResource {
    /// Group name, empty for core.
    pub group: String,
    /// Version.
    pub version: String,
    /// Resource (lower-case plural), e.g. `deployments`.
    pub resource: String,
}

impl GroupVersionResource {
    /// Builds a GVR.
    pub fn new(
        group: impl Into<String>,
        version: impl Into<String>,
        resource: impl Into<String>,
    ) -> Self {
        Self {
            group: group.into(),
            version: version.into(),
            resource: resource.into(),
        }
    }

    /// The group/version part.
    pub fn group_version(&self) -> GroupVersion {
        GroupVersion::new(&self.group, &self.version)
    }

    /// The group/resource part.
    pub fn group_resource(&self) -> GroupResource {
        GroupResource::new(&self.group, &self.resource)
    }

    /// Parses a fully qualified resource argument the way kubectl does: `deployments.v1.apps`
    /// gives `Some(apps/v1 deployments)` when there are at least three dot-separated parts, and
    /// the whole string is always also returned as a [`GroupResource`] (`deployments` in group
    /// `v1.apps`), since the middle part may belong to the group name.
    pub fn parse_resource_arg(arg: &str) -> (Option<Self>, GroupResource) {
        let gr = GroupResource::parse(arg);
        let mut parts = arg.splitn(3, '.');
        let gvr = match (parts.next(), parts.next(), parts.next()) {
            (Some(r), Some(v), Some(g)) if !r.is_empty() && !v.is_empty() && !g.is_empty() => {
                Some(Self::new(g, v, r))
            }
            _ => None,
        };
        (gvr, gr)
    }
}

impl fmt::Display for GroupVersionResource {
    /// Upstream's format: `apps/v1, Resource=deployments`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{}/{}, Resource={}",
            self.group, self.version, self.resource
        )
    }
}

/// A group and kind, e.g. `Deployment.apps`.
#[derive(Clone, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct GroupKind {
    /// Group name, empty for core.
    pub group: String,
    /// Kind.
    pub kind: String,
}

impl GroupKind {
    /// Builds a group/kind.
    pub fn new(group: impl Into<String>, kind: impl Into<String>) -> Self {
        Self {
            group: group.into(),
            kind: kind.into(),
        }
    }

    /// Parses `Kind` or `Kind.group` (the group may contain dots).
    pub fn parse(s: &str) -> Self {
        match s.split_once('.') {
            Some((k, g)) => Self::new(g, k),
            None => Self::new("", s),
        }
    }
}

impl fmt::Display for GroupKind {
    /// `Kind` for core, `Kind.group` otherwise.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.group.is_empty() {
            f.write_str(&self.kind)
        } else {
            write!(f, "{}.{}", self.kind, self.group)
        }
    }
}

/// A group and resource, e.g. `deployments.apps`.
#[derive(Clone, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct GroupResource {
    /// Group name, empty for core.
    pub group: String,
    /// Resource (plural).
    pub resource: String,
}

impl GroupResource {
    /// Builds a group/resource.
    pub fn new(group: impl Into<String>, resource: impl Into<String>) -> Self {
        Self {
            group: group.into(),
            resource: resource.into(),
        }
    }

    /// Parses `resource` or `resource.group` (the group may contain dots).
    pub fn parse(s: &str) -> Self {
        match s.split_once('.') {
            Some((r, g)) => Self::new(g, r),
            None => Self::new("", s),
        }
    }
}

impl fmt::Display for GroupResource {
    /// `resource` for core, `resource.group` otherwise.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.group.is_empty() {
            f.write_str(&self.resource)
        } else {
            write!(f, "{}.{}", self.resource, self.group)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn group_version_parse_and_print() {
        assert_eq!(
            GroupVersion::parse("v1").unwrap(),
            GroupVersion::new("", "v1")
        );
        assert_eq!(
            GroupVersion::parse("apps/v1").unwrap(),
            GroupVersion::new("apps", "v1")
        );
        assert!(GroupVersion::parse("a/b/c").is_err());
        assert!(GroupVersion::parse("/v1").is_err());
        assert_eq!(GroupVersion::new("", "v1").to_string(), "v1");
        assert_eq!(
            GroupVersion::new("apps", "v1").url_prefix(),
            "/apis/apps/v1"
        );
        assert_eq!(GroupVersion::new("", "v1").url_prefix(), "/api/v1");
    }

    #[test]
    fn resource_arg() {
        let (gvr, gr) = GroupVersionResource::parse_resource_arg("deployments.v1.apps");
        assert_eq!(
            gvr,
            Some(GroupVersionResource::new("apps", "v1", "deployments"))
        );
        assert_eq!(gr, GroupResource::new("v1.apps", "deployments"));
        let (gvr, gr) = GroupVersionResource::parse_resource_arg("deployments.apps");
        assert_eq!(gvr, None);
        assert_eq!(gr.to_string(), "deployments.apps");
        assert_eq!(
            GroupKind::parse("Deployment.apps").to_string(),
            "Deployment.apps"
        );
        assert_eq!(
            GroupVersionKind::new("apps", "v1", "Deployment").to_string(),
            "apps/v1, Kind=Deployment"
        );
    }
}
