//! Errors: [`Error`] for everything this crate parses, [`ApiError`] for failures the API server
//! reports as a [`Status`].

use std::fmt;
use std::time::Duration;

use crate::meta::{reason, Status};

/// An error the API server returned: the HTTP code and the server's [`Status`], intact.
#[derive(Clone, PartialEq, Eq)]
pub struct ApiError {
    /// The server's Status (synthesized from the HTTP code when the body was not a Status).
    pub status: Box<Status>,
    /// `Retry-After` header value in seconds, if the response had one.
    pub retry_after_header: Option<u64>,
}

impl ApiError {
    /// Wraps a Status.
    pub fn new(status: Status) -> Self {
        Self {
            status: Box::new(status),
            retry_after_header: None,
        }
    }

    /// Builds the error for a response whose body was not a Status (e.g. plain text).
    pub fn from_code(code: u16, body: &str) -> Self {
        let reason = reason_for_code(code);
        let message = if body.trim().is_empty() {
            format!("the server responded with status {code}")
        } else {
            body.trim().chars().take(1024).collect()
        };
        Self::new(Status::failure(code, reason, message))
    }

    /// The HTTP status code.
    pub fn code(&self) -> u16 {
        self.status.http_code()
    }

    /// `Status.reason`, or `""`.
    pub fn reason(&self) -> &str {
        self.status.reason.as_deref().unwrap_or("")
    }

    /// `Status.message`, or `""`.
    pub fn message(&self) -> &str {
        self.status.message.as_deref().unwrap_or("")
    }

    fn is(&self, reason: &str, code: u16) -> bool {
        self.reason() == reason || (self.reason().is_empty() && self.code() == code)
    }

    /// 404 NotFound.
    pub fn is_not_found(&self) -> bool {
        self.is(reason::NOT_FOUND, 404)
    }
    /// 409 AlreadyExists.
    pub fn is_already_exists(&self) -> bool {
        self.reason() == reason::ALREADY_EXISTS
    }
    /// 409 Conflict (stale resourceVersion or failed precondition).
    pub fn is_conflict(&self) -> bool {
        self.reason() == reason::CONFLICT || (self.code() == 409 && !self.is_already_exists())
    }
    /// 410 Expired or Gone: the requested resourceVersion or continue token is too old.
    pub fn is_expired(&self) -> bool {
        matches!(self.reason(), reason::EXPIRED | reason::GONE) || self.code() == 410
    }
    /// Alias of [`ApiError::is_expired`].
    pub fn is_gone(&self) -> bool {
        self.is_expired()
    }
    /// 422 Invalid.
    pub fn is_invalid(&self) -> bool {
        self.is(reason::INVALID, 422)
    }
    /// 400 BadRequest.
    pub fn is_bad_request(&self) -> bool {
        self.is(reason::BAD_REQUEST, 400)
    }
    /// 401 Unauthorized.
    pub fn is_unauthorized(&self) -> bool {
        self.is(reason::UNAUTHORIZED, 401)
    }
    /// 403 Forbidden.
    pub fn is_forbidden(&self) -> bool {
        self.is(reason::FORBIDDEN, 403)
    }
    /// 405 MethodNotAllowed.
    pub fn is_method_not_allowed(&self) -> bool {
        self.is(reason::METHOD_NOT_ALLOWED, 405)
    }
    /// 429 TooManyRequests.
    pub fn is_too_many_requests(&self) -> bool {
        self.is(reason::TOO_MANY_REQUESTS, 429)
    }
    /// 504 Timeout or 500 ServerTimeout.
    pub fn is_timeout(&self) -> bool {
        self.is(reason::TIMEOUT, 504) || self.reason() == reason::SERVER_TIMEOUT
    }
    /// 500 InternalError.
    pub fn is_internal_error(&self) -> bool {
        self.is(reason::INTERNAL_ERROR, 500)
    }
    /// 503 ServiceUnavailable.
    pub fn is_service_unavailable(&self) -> bool {
        self.is(reason::SERVICE_UNAVAILABLE, 503)
    }
    /// 504 with cause `ResourceVersionTooLarge`: the server has not reached the requested RV.
    pub fn is_resource_version_too_large(&self) -> bool {
        self.has_cause(crate::meta::cause::RESOURCE_VERSION_TOO_LARGE)
            || self.message().contains("Too large resource version")
    }

    /// `true` when `details.causes` has a cause with this reason.
    pub fn has_cause(&self, cause_reason: &str) -> bool {
        self.status.details.as_ref().is_some_and(|d| {
            d.causes
                .iter()
                .any(|c| c.reason.as_deref() == Some(cause_reason))
        })
    }

    /// How long the server asked us to wait: `details.retryAfterSeconds`, else the `Retry-After`
    /// header.
    pub fn retry_after(&self) -> Option<Duration> {
        let from_details = self
            .status
            .details
            .as_ref()
            .and_then(|d| d.retry_after_seconds)
            .and_then(|s| u64::try_from(s).ok())
            .filter(|s| *s > 0);
        from_details
            .or(self.retry_after_header)
            .map(Duration::from_secs)
    }
}

/// The reason upstream associates with an HTTP code (`apiserver.md` §5.2).
pub fn reason_for_code(code: u16) -> &'static str {
    match code {
        400 => reason::BAD_REQUEST,
        401 => reason::UNAUTHORIZED,
        403 => reason::FORBIDDEN,
        404 => reason::NOT_FOUND,
        405 => reason::METHOD_NOT_ALLOWED,
        406 => reason::NOT_ACCEPTABLE,
        409 => reason::CONFLICT,
        410 => reason::EXPIRED,
        413 => reason::REQUEST_ENTITY_TOO_LARGE,
        415 => reason::UNSUPPORTED_MEDIA_TYPE,
        422 => reason::INVALID,
        429 => reason::TOO_MANY_REQUESTS,
        503 => reason::SERVICE_UNAVAILABLE,
        504 => reason::TIMEOUT,
        _ => reason::INTERNAL_ERROR,
    }
}

impl fmt::Debug for ApiError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ApiError")
            .field("code", &self.code())
            .field("reason", &self.reason())
            .field("message", &self.message())
            .finish()
    }
}

impl fmt::Display for ApiError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} ({}): {}", self.code(), self.reason(), self.message())
    }
}

impl std::error::Error for ApiError {}

impl From<Status> for ApiError {
    fn from(s: Status) -> Self {
        Self::new(s)
    }
}

/// Everything that can go wrong in this crate.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// The API server reported a failure.
    #[error("API error: {0}")]
    Api(#[from] ApiError),
    /// A label selector string did not parse.
    #[error(transparent)]
    LabelSelector(#[from] crate::labels::SelectorParseError),
    /// A label requirement is invalid (key, value, operator or value count).
    #[error(transparent)]
    LabelRequirement(#[from] crate::labels::RequirementError),
    /// A field selector string did not parse.
    #[error(transparent)]
    FieldSelector(#[from] crate::fields::FieldSelectorError),
    /// A quantity did not parse or overflowed.
    #[error(transparent)]
    Quantity(#[from] crate::quantity::QuantityError),
    /// An int-or-string value is not what was needed.
    #[error(transparent)]
    IntOrString(#[from] crate::intstr::IntOrStringError),
    /// A timestamp did not parse.
    #[error(transparent)]
    Time(#[from] crate::time::TimeError),
    /// A duration string did not parse.
    #[error(transparent)]
    Duration(#[from] crate::duration::DurationError),
    /// A group/version/kind string did not parse.
    #[error(transparent)]
    Gvk(#[from] crate::gvk::ParseGvkError),
    /// JSON that does not fit the expected type.
    #[error("invalid JSON: {0}")]
    Json(#[from] serde_json::Error),
    /// YAML that does not fit the expected type.
    #[error("invalid YAML: {0}")]
    Yaml(#[from] serde_yaml::Error),
    /// A manifest document without `apiVersion` or `kind`.
    #[error("document {index} has no {field}")]
    MissingTypeMeta {
        /// Zero-based index of the document in the manifest.
        index: usize,
        /// `apiVersion` or `kind`.
        field: &'static str,
    },
    /// The REST mapper does not know a kind or resource.
    #[error("no mapping for {0}")]
    NoMapping(String),
    /// A mapping request matched more than one resource.
    #[error("{what} is ambiguous: {candidates}")]
    Ambiguous {
        /// What was looked up.
        what: String,
        /// The matches, comma-separated.
        candidates: String,
    },
}

/// `Result` with this crate's [`Error`].
pub type Result<T, E = Error> = std::result::Result<T, E>;
