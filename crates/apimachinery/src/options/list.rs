//! `ListOptions` and `GetOptions`.

use serde::{Deserialize, Serialize};

use super::{string_enum, Query};

string_enum! {
    /// How `resourceVersion` is interpreted on a list (`resourceVersionMatch`).
    ResourceVersionMatch {
        /// Data at least as new as the given resourceVersion.
        NotOlderThan => "NotOlderThan",
        /// Data at exactly the given resourceVersion.
        Exact => "Exact",
    }
}

/// Options of a list or watch request (`metav1.ListOptions`).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ListOptions {
    /// `kind` when serialized as an object (`ListOptions`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub kind: Option<String>,
    /// `apiVersion` when serialized as an object.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub api_version: Option<String>,
    /// `labelSelector`, e.g. `app=web,tier!=db`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub label_selector: Option<String>,
    /// `fieldSelector`, e.g. `metadata.name=x`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub field_selector: Option<String>,
    /// `watch`: stream changes instead of listing.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub watch: bool,
    /// `allowWatchBookmarks`: ask for BOOKMARK events.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub allow_watch_bookmarks: bool,
    /// `resourceVersion`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub resource_version: Option<String>,
    /// `resourceVersionMatch`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub resource_version_match: Option<ResourceVersionMatch>,
    /// `timeoutSeconds`: server-side timeout of a list or watch.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub timeout_seconds: Option<i64>,
    /// `limit`: page size.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub limit: Option<i64>,
    /// `continue`: token from the previous page.
    #[serde(default, rename = "continue", skip_serializing_if = "Option::is_none")]
    pub continue_token: Option<String>,
    /// `sendInitialEvents`: start a watch with the current state (watch-list).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub send_initial_events: Option<bool>,
    /// `shardSelector` (alpha in v1.36).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub shard_selector: Option<String>,
}

impl ListOptions {
    /// Sets the label selector.
    #[must_use]
    pub fn labels(mut self, selector: &str) -> Self {
        self.label_selector = Some(selector.to_owned());
        self
    }

    /// Sets the field selector.
    #[must_use]
    pub fn fields(mut self, selector: &str) -> Self {
        self.field_selector = Some(selector.to_owned());
        self
    }

    /// Sets the page size.
    #[must_use]
    pub fn limit(mut self, limit: i64) -> Self {
        self.limit = Some(limit);
        self
    }

    /// Turns these options into a watch from `resource_version` with bookmarks.
    #[must_use]
    pub fn watch_from(mut self, resource_version: &str) -> Self {
        self.watch = true;
        self.allow_watch_bookmarks = true;
        self.resource_version = Some(resource_version.to_owned());
        self
    }

    /// Turns these options into a watch-list request: initial state as ADDED events, then the
    /// `k8s.io/initial-events-end` bookmark, then live events. `resource_version` may be `""`
    /// (most recent) or a version to be not older than.
    #[must_use]
    pub fn watch_list(mut self, resource_version: &str) -> Self {
        self.watch = true;
        self.allow_watch_bookmarks = true;
        self.send_initial_events = Some(true);
        self.resource_version_match = Some(ResourceVersionMatch::NotOlderThan);
        self.resource_version = Some(resource_version.to_owned());
        self
    }

    /// The query string, e.g. `labelSelector=app%3Dweb&limit=500`.
    pub fn to_query(&self) -> String {
        Query::new()
            .opt("labelSelector", self.label_selector.as_deref())
            .opt("fieldSelector", self.field_selector.as_deref())
            .flag("watch", self.watch)
            .flag("allowWatchBookmarks", self.allow_watch_bookmarks)
            .opt("resourceVersion", self.resource_version.as_deref())
            .opt(
                "resourceVersionMatch",
                self.resource_version_match
                    .as_ref()
                    .map(ResourceVersionMatch::as_str),
            )
            .num("timeoutSeconds", self.timeout_seconds)
            .num("limit", self.limit)
            .opt("continue", self.continue_token.as_deref())
            .num("sendInitialEvents", self.send_initial_events)
            .opt("shardSelector", self.shard_selector.as_deref())
            .finish()
    }
}

/// Options of a get request (`metav1.GetOptions`).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct GetOptions {
    /// `resourceVersion`: unset → latest, `"0"` → any cached, `X` → not older than X.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub resource_version: Option<String>,
}

impl GetOptions {
    /// The query string.
    pub fn to_query(&self) -> String {
        Query::new()
            .opt("resourceVersion", self.resource_version.as_deref())
            .finish()
    }
}
