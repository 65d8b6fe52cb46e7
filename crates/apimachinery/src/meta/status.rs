//! `Status`: the body of every API error and of some successful deletes.

use serde::{Deserialize, Serialize};

use super::ListMeta;
use crate::serde_util::null_default;

/// The result of an operation that does not return an object (`metav1.Status`).
///
/// Every API failure carries one; see [`crate::ApiError`] for the helpers that classify it.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Status {
    /// `kind`, normally `Status`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub kind: Option<String>,
    /// `apiVersion`, normally `v1`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub api_version: Option<String>,
    /// `metadata` (list metadata; holds a fresh `continue` token on 410 of a paged list).
    #[serde(default)]
    pub metadata: ListMeta,
    /// `status`: `Success` or `Failure`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub status: Option<String>,
    /// `message`: human-readable description.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub message: Option<String>,
    /// `reason`: machine-readable reason, e.g. `NotFound` (see [`reason`]).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
    /// `details`: extended data about the reason.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub details: Option<StatusDetails>,
    /// `code`: the HTTP status code.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub code: Option<i32>,
}

/// Extra data about a [`Status`] (`metav1.StatusDetails`).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct StatusDetails {
    /// `name` of the object concerned.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// `group` of the object concerned (omitted for the core group).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub group: Option<String>,
    /// `kind`: the resource (plural) or kind of the object concerned.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub kind: Option<String>,
    /// `uid` of the object concerned.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub uid: Option<String>,
    /// `causes`: one entry per field error.
    #[serde(
        default,
        deserialize_with = "null_default",
        skip_serializing_if = "Vec::is_empty"
    )]
    pub causes: Vec<StatusCause>,
    /// `retryAfterSeconds`: when the client may retry.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub retry_after_seconds: Option<i32>,
}

/// One cause of a failure (`metav1.StatusCause`).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct StatusCause {
    /// `reason`, e.g. `FieldValueInvalid` (see [`cause`]).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
    /// `message`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub message: Option<String>,
    /// `field`: the path of the field at fault, e.g. `spec.replicas`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub field: Option<String>,
}

impl StatusCause {
    /// Builds a cause from its three parts.
    pub fn new(reason: &str, message: impl Into<String>, field: impl Into<String>) -> Self {
        Self {
            reason: Some(reason.to_owned()),
            message: Some(message.into()),
            field: Some(field.into()),
        }
    }
}

/// Well-known `Status.reason` values and their HTTP codes (`apiserver.md` §5.2).
pub mod reason {
    /// 400.
    pub const BAD_REQUEST: &str = "BadRequest";
    /// 401.
    pub const UNAUTHORIZED: &str = "Unauthorized";
    /// 403.
    pub const FORBIDDEN: &str = "Forbidden";
    /// 404.
    pub const NOT_FOUND: &str = "NotFound";
    /// 405.
    pub const METHOD_NOT_ALLOWED: &str = "MethodNotAllowed";
    /// 406.
    pub const NOT_ACCEPTABLE: &str = "NotAcceptable";
    /// 409 on create of an existing name.
    pub const ALREADY_EXISTS: &str = "AlreadyExists";
    /// 409 on a stale resourceVersion or precondition.
    pub const CONFLICT: &str = "Conflict";
    /// 410 (current).
    pub const EXPIRED: &str = "Expired";
    /// 410 (legacy).
    pub const GONE: &str = "Gone";
    /// 413.
    pub const REQUEST_ENTITY_TOO_LARGE: &str = "RequestEntityTooLarge";
    /// 415.
    pub const UNSUPPORTED_MEDIA_TYPE: &str = "UnsupportedMediaType";
    /// 422.
    pub const INVALID: &str = "Invalid";
    /// 429.
    pub const TOO_MANY_REQUESTS: &str = "TooManyRequests";
    /// 500.
    pub const INTERNAL_ERROR: &str = "InternalError";
    /// 500 (a server-side timeout that may be retried).
    pub const SERVER_TIMEOUT: &str = "ServerTimeout";
    /// 503.
    pub const SERVICE_UNAVAILABLE: &str = "ServiceUnavailable";
    /// 504.
    pub const TIMEOUT: &str = "Timeout";
}

/// Well-known `StatusCause.reason` values.
pub mod cause {
    /// A required field is missing.
    pub const FIELD_VALUE_REQUIRED: &str = "FieldValueRequired";
    /// A field has an invalid value.
    pub const FIELD_VALUE_INVALID: &str = "FieldValueInvalid";
    /// A field value is not one of the supported values.
    pub const FIELD_VALUE_NOT_SUPPORTED: &str = "FieldValueNotSupported";
    /// A field value is a duplicate.
    pub const FIELD_VALUE_DUPLICATE: &str = "FieldValueDuplicate";
    /// A field may not be set.
    pub const FIELD_VALUE_FORBIDDEN: &str = "FieldValueForbidden";
    /// A field is too long.
    pub const FIELD_VALUE_TOO_LONG: &str = "FieldValueTooLong";
    /// A field is not known to the schema.
    pub const UNEXPECTED_SERVER_RESPONSE: &str = "UnexpectedServerResponse";
    /// Server-side apply conflict with another field manager.
    pub const FIELD_MANAGER_CONFLICT: &str = "FieldManagerConflict";
    /// The namespace is being deleted.
    pub const NAMESPACE_TERMINATING: &str = "NamespaceTerminating";
    /// A resourceVersion newer than the server has.
    pub const RESOURCE_VERSION_TOO_LARGE: &str = "ResourceVersionTooLarge";
}

impl Status {
    /// A `Success` status, as returned by deletes of custom resources.
    pub fn success() -> Self {
        Self {
            kind: Some("Status".into()),
            api_version: Some("v1".into()),
            status: Some("Success".into()),
            ..Self::default()
        }
    }

    /// A `Failure` status with a code, reason and message.
    pub fn failure(code: u16, reason: &str, message: impl Into<String>) -> Self {
        Self {
            kind: Some("Status".into()),
            api_version: Some("v1".into()),
            status: Some("Failure".into()),
            message: Some(message.into()),
            reason: Some(reason.to_owned()),
            code: Some(i32::from(code)),
            ..Self::default()
        }
    }

    /// Sets `details` (group is dropped when empty, as for the core group).
    #[must_use]
    pub fn with_details(mut self, group: &str, kind: &str, name: &str) -> Self {
        let details = self.details.get_or_insert_with(StatusDetails::default);
        details.group = (!group.is_empty()).then(|| group.to_owned());
        details.kind = (!kind.is_empty()).then(|| kind.to_owned());
        details.name = (!name.is_empty()).then(|| name.to_owned());
        self
    }

    /// Adds a cause to `details.causes`.
    #[must_use]
    pub fn with_cause(mut self, cause: StatusCause) -> Self {
        self.details
            .get_or_insert_with(StatusDetails::default)
            .causes
            .push(cause);
        self
    }

    /// Sets `details.retryAfterSeconds`.
    #[must_use]
    pub fn with_retry_after(mut self, seconds: i32) -> Self {
        self.details
            .get_or_insert_with(StatusDetails::default)
            .retry_after_seconds = Some(seconds);
        self
    }

    /// 404 `<resource> "<name>" not found` (resource is `plural` or `plural.group`).
    pub fn not_found(group: &str, resource: &str, name: &str) -> Self {
        let what = qualified(group, resource);
        Self::failure(
            404,
            reason::NOT_FOUND,
            format!("{what} \"{name}\" not found"),
        )
        .with_details(group, resource, name)
    }

    /// 409 AlreadyExists `<resource> "<name>" already exists`.
    pub fn already_exists(group: &str, resource: &str, name: &str) -> Self {
        let what = qualified(group, resource);
        Self::failure(
            409,
            reason::ALREADY_EXISTS,
            format!("{what} \"{name}\" already exists"),
        )
        .with_details(group, resource, name)
    }

    /// 409 Conflict `Operation cannot be fulfilled on <resource> "<name>": <detail>`.
    pub fn conflict(group: &str, resource: &str, name: &str, detail: &str) -> Self {
        let what = qualified(group, resource);
        let msg = format!("Operation cannot be fulfilled on {what} \"{name}\": {detail}");
        Self::failure(409, reason::CONFLICT, msg).with_details(group, resource, name)
    }

    /// The standard optimistic-concurrency conflict message.
    pub const MODIFIED: &'static str = "the object has been modified; please apply your changes to the latest version and try again";

    /// 422 Invalid `<Kind>.<group> "<name>" is invalid: <causes>`, one cause per field error.
    pub fn invalid(group: &str, kind: &str, name: &str, causes: Vec<StatusCause>) -> Self {
        let what = if group.is_empty() {
            kind.to_owned()
        } else {
            format!("{kind}.{group}")
        };
        let list: Vec<String> = causes
            .iter()
            .map(|c| match (&c.field, &c.message) {
                (Some(f), Some(m)) if !f.is_empty() => format!("{f}: {m}"),
                (_, Some(m)) => m.clone(),
                _ => String::new(),
            })
            .collect();
        let detail = match list.len() {
            0 => String::new(),
            1 => format!(": {}", list[0]),
            _ => format!(": [{}]", list.join(", ")),
        };
        let mut s = Self::failure(
            422,
            reason::INVALID,
            format!("{what} \"{name}\" is invalid{detail}"),
        )
        .with_details(group, kind, name);
        s.details.get_or_insert_with(StatusDetails::default).causes = causes;
        s
    }

    /// 400 BadRequest with a message.
    pub fn bad_request(message: impl Into<String>) -> Self {
        Self::failure(400, reason::BAD_REQUEST, message)
    }

    /// 405 MethodNotAllowed.
    pub fn method_not_allowed(method: &str) -> Self {
        Self::failure(
            405,
            reason::METHOD_NOT_ALLOWED,
            format!("the server does not allow this method on the requested resource ({method})"),
        )
    }

    /// 410 Expired with a message such as `too old resource version: 5 (10)`.
    pub fn expired(message: impl Into<String>) -> Self {
        Self::failure(410, reason::EXPIRED, message)
    }

    /// 429 TooManyRequests with `retryAfterSeconds`.
    pub fn too_many_requests(retry_after_seconds: i32) -> Self {
        Self::failure(
            429,
            reason::TOO_MANY_REQUESTS,
            "Too many requests, please try again later.",
        )
        .with_retry_after(retry_after_seconds)
    }

    /// 500 InternalError.
    pub fn internal(message: impl Into<String>) -> Self {
        Self::failure(500, reason::INTERNAL_ERROR, message)
    }

    /// 503 ServiceUnavailable.
    pub fn service_unavailable(message: impl Into<String>) -> Self {
        Self::failure(503, reason::SERVICE_UNAVAILABLE, message)
    }

    /// 504 Timeout.
    pub fn timeout(message: impl Into<String>) -> Self {
        Self::failure(504, reason::TIMEOUT, message)
    }

    /// `true` when `status` is `Success`.
    pub fn is_success(&self) -> bool {
        self.status.as_deref() == Some("Success")
    }

    /// The code as an unsigned HTTP status code (0 when unset or out of range).
    pub fn http_code(&self) -> u16 {
        self.code.and_then(|c| u16::try_from(c).ok()).unwrap_or(0)
    }
}

fn qualified(group: &str, resource: &str) -> String {
    if group.is_empty() {
        resource.to_owned()
    } else {
        format!("{resource}.{group}")
    }
}
