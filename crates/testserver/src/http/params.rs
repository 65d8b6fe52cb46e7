//! Query parameters: lookup, booleans, and the list/watch options.

use kapi_apimachinery::fields::FieldSelector;
use kapi_apimachinery::labels::Selector;
use kapi_apimachinery::meta::Status;

use super::response::Fail;

/// The decoded query string.
#[derive(Debug, Default, Clone)]
pub(crate) struct Query {
    pairs: Vec<(String, String)>,
}

impl Query {
    /// Parses a query string.
    pub(crate) fn parse(q: Option<&str>) -> Self {
        let pairs = q
            .map(|q| form_urlencoded::parse(q.as_bytes()).into_owned().collect())
            .unwrap_or_default();
        Self { pairs }
    }

    /// The first value of `name`.
    pub(crate) fn get(&self, name: &str) -> Option<&str> {
        self.pairs
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    }

    /// A boolean parameter (`true`/`1`/`false`/`0`; empty is `true`).
    pub(crate) fn flag(&self, name: &str) -> Result<Option<bool>, Fail> {
        match self.get(name) {
            None => Ok(None),
            Some("true" | "1" | "True" | "") => Ok(Some(true)),
            Some("false" | "0" | "False") => Ok(Some(false)),
            Some(other) => Err(Status::bad_request(format!(
                "invalid value for {name}: {other:?}: expected a boolean"
            ))
            .into()),
        }
    }

    /// A non-negative integer parameter.
    pub(crate) fn number(&self, name: &str) -> Result<Option<i64>, Fail> {
        match self.get(name) {
            None | Some("") => Ok(None),
            Some(v) => v.parse::<i64>().map(Some).map_err(|_| {
                Status::bad_request(format!("invalid value for {name}: {v:?}")).into()
            }),
        }
    }

    /// `?pretty=true`.
    pub(crate) fn pretty(&self) -> bool {
        matches!(self.get("pretty"), Some("true" | "1"))
    }
}

/// List and watch options (`metav1.ListOptions`).
#[derive(Debug, Default, Clone)]
pub(crate) struct ListParams {
    /// `labelSelector`.
    pub(crate) labels: Selector,
    /// `fieldSelector`.
    pub(crate) fields: FieldSelector,
    /// `limit` (0 when unset).
    pub(crate) limit: u64,
    /// `continue`.
    pub(crate) continue_: Option<String>,
    /// `resourceVersion`.
    pub(crate) rv: Option<String>,
    /// `resourceVersionMatch`.
    pub(crate) rv_match: Option<String>,
    /// `allowWatchBookmarks`.
    pub(crate) bookmarks: bool,
    /// `sendInitialEvents`.
    pub(crate) send_initial_events: Option<bool>,
    /// `timeoutSeconds`.
    pub(crate) timeout_seconds: Option<u64>,
}

impl ListParams {
    /// Reads the options from the query.
    pub(crate) fn parse(q: &Query) -> Result<Self, Fail> {
        let labels = match q.get("labelSelector") {
            Some(s) => Selector::parse(s).map_err(|e| Status::bad_request(e.to_string()))?,
            None => Selector::everything(),
        };
        let fields = match q.get("fieldSelector") {
            Some(s) => FieldSelector::parse(s).map_err(|e| Status::bad_request(e.to_string()))?,
            None => FieldSelector::everything(),
        };
        let non_empty = |n: &str| q.get(n).filter(|v| !v.is_empty()).map(str::to_owned);
        Ok(Self {
            labels,
            fields,
            limit: q
                .number("limit")?
                .map_or(0, |l| u64::try_from(l).unwrap_or(0)),
            continue_: non_empty("continue"),
            rv: q.get("resourceVersion").map(str::to_owned),
            rv_match: non_empty("resourceVersionMatch"),
            bookmarks: q.flag("allowWatchBookmarks")?.unwrap_or(false),
            send_initial_events: q.flag("sendInitialEvents")?,
            timeout_seconds: q
                .number("timeoutSeconds")?
                .map(|t| u64::try_from(t).unwrap_or(0)),
        })
    }

    /// The resourceVersion as a number (`None` when unset or empty).
    pub(crate) fn rv_number(&self) -> Result<Option<u64>, Fail> {
        parse_rv(self.rv.as_deref())
    }
}

/// Parses a resourceVersion (`None` when unset or empty; 400 when not a number).
pub(crate) fn parse_rv(rv: Option<&str>) -> Result<Option<u64>, Fail> {
    match rv {
        None | Some("") => Ok(None),
        Some(v) => v
            .parse::<u64>()
            .map(Some)
            .map_err(|_| Status::bad_request(format!("invalid resource version: {v:?}")).into()),
    }
}
