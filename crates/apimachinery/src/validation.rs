//! Name and label validation.
//!
//! Kubernetes restricts the shape of object names, label keys and label values. Each check here
//! returns `Ok(())` or a [`ValidationError`] carrying every problem found (for example both "too
//! long" and "bad characters"), each as a short human-readable message in the style the API
//! server uses in its `422 Invalid` responses.
//!
//! | function | rule | max length |
//! |---|---|---|
//! | [`is_dns1123_label`] | `[a-z0-9]([-a-z0-9]*[a-z0-9])?` | 63 |
//! | [`is_dns1123_subdomain`] | DNS-1123 labels joined by `.` | 253 |
//! | [`is_dns1035_label`] | `[a-z]([-a-z0-9]*[a-z0-9])?` | 63 |
//! | [`is_qualified_name`] | optional `<dns-1123-subdomain>/` prefix + `[A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?` | 253 / 63 |
//! | [`is_valid_label_value`] | empty, or the qualified-name name-part rule | 63 |
//!
//! [`name_is_dns_subdomain`], [`name_is_dns_label`] and [`name_is_dns1035_label`] validate object
//! names; with `prefix: true` they validate a `metadata.generateName` prefix, which may end in
//! `-` because the server appends a random suffix.
//!
//! # Example
//!
//! ```
//! use kapi_apimachinery::validation::{is_dns1123_label, is_qualified_name, name_is_dns_subdomain};
//!
//! assert!(is_dns1123_label("web-1").is_ok());
//! assert!(is_dns1123_label("Web").is_err());
//! assert!(is_qualified_name("example.com/app").is_ok());
//! assert!(name_is_dns_subdomain("web-", true).is_ok()); // a generateName prefix
//! assert!(name_is_dns_subdomain("web-", false).is_err());
//!
//! let err = is_dns1123_label("-bad-").unwrap_err();
//! assert!(err.to_string().contains("RFC 1123 label"));
//! ```

use std::fmt;

/// Maximum length of a DNS-1123 label (and of a DNS-1035 label).
pub const DNS1123_LABEL_MAX_LENGTH: usize = 63;
/// Maximum length of a DNS-1123 subdomain.
pub const DNS1123_SUBDOMAIN_MAX_LENGTH: usize = 253;
/// Maximum length of a DNS-1035 label.
pub const DNS1035_LABEL_MAX_LENGTH: usize = 63;
/// Maximum length of the name part of a qualified name (label key).
pub const QUALIFIED_NAME_MAX_LENGTH: usize = 63;
/// Maximum length of a label value.
pub const LABEL_VALUE_MAX_LENGTH: usize = 63;

const DNS1123_LABEL_MSG: &str = "a lowercase RFC 1123 label may contain only lower case letters, \
     digits and '-', and must begin and end with a letter or digit (e.g. 'my-name' or '123-abc')";
const DNS1123_SUBDOMAIN_MSG: &str = "a lowercase RFC 1123 subdomain may contain only lower case \
     letters, digits, '-' and '.', and each dot-separated part must begin and end with a letter \
     or digit (e.g. 'example.com')";
const DNS1035_LABEL_MSG: &str = "a DNS-1035 label may contain only lower case letters, digits \
     and '-', must begin with a letter and must end with a letter or digit (e.g. 'my-name' or \
     'abc-123')";
const QUALIFIED_NAME_MSG: &str = "may contain only letters, digits, '-', '_' and '.', and must \
     begin and end with a letter or digit (e.g. 'MyName', 'my.name' or '123-abc')";
const LABEL_VALUE_MSG: &str = "a label value must be empty or contain only letters, digits, \
     '-', '_' and '.', and begin and end with a letter or digit (e.g. 'MyValue', 'my_value' or \
     '12345')";

/// One or more reasons why a value is not valid.
///
/// `Display` joins the messages with `"; "`. Use [`ValidationError::messages`] to report them
/// one by one (for example as separate `causes` of an API `Status`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ValidationError {
    messages: Vec<String>,
}

impl ValidationError {
    /// The individual messages, in the order the problems were found. Never empty.
    pub fn messages(&self) -> &[String] {
        &self.messages
    }

    /// Consumes the error, returning its messages.
    pub fn into_messages(self) -> Vec<String> {
        self.messages
    }

    /// Prefixes every message with `prefix` (used for "prefix part ..." / "name part ...").
    fn prefixed(self, prefix: &str) -> Self {
        let messages = self
            .messages
            .into_iter()
            .map(|m| format!("{prefix}{m}"))
            .collect();
        ValidationError { messages }
    }
}

impl fmt::Display for ValidationError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.messages.join("; "))
    }
}

impl std::error::Error for ValidationError {}

/// Collects messages; turns into `Ok(())` when none were pushed.
#[derive(Default)]
struct Collector(Vec<String>);

impl Collector {
    fn push(&mut self, msg: impl Into<String>) {
        self.0.push(msg.into());
    }

    fn max_len(&mut self, value: &str, max: usize) {
        if value.len() > max {
            self.push(format!(
                "must be no more than {max} characters (is {})",
                value.len()
            ));
        }
    }

    fn extend(&mut self, res: Result<(), ValidationError>) {
        if let Err(e) = res {
            self.0.extend(e.messages);
        }
    }

    fn finish(self) -> Result<(), ValidationError> {
        if self.0.is_empty() {
            Ok(())
        } else {
            Err(ValidationError { messages: self.0 })
        }
    }
}

fn is_lower_alnum(b: u8) -> bool {
    b.is_ascii_lowercase() || b.is_ascii_digit()
}

/// `[a-z0-9]([-a-z0-9]*[a-z0-9])?`, any length ≥ 1.
fn matches_dns1123_label(s: &str) -> bool {
    let b = s.as_bytes();
    match (b.first(), b.last()) {
        (Some(&first), Some(&last)) => {
            is_lower_alnum(first)
                && is_lower_alnum(last)
                && b.iter().all(|&c| is_lower_alnum(c) || c == b'-')
        }
        _ => false,
    }
}

/// `[A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?`, any length ≥ 1.
fn matches_qualified_name_part(s: &str) -> bool {
    let b = s.as_bytes();
    match (b.first(), b.last()) {
        (Some(&first), Some(&last)) => {
            first.is_ascii_alphanumeric()
                && last.is_ascii_alphanumeric()
                && b.iter()
                    .all(|&c| c.is_ascii_alphanumeric() || matches!(c, b'-' | b'_' | b'.'))
        }
        _ => false,
    }
}

/// Checks that `value` is a DNS-1123 label: at most 63 lower case letters, digits and `-`,
/// beginning and ending with a letter or digit. Most resource names (namespaces, services) use
/// this rule.
pub fn is_dns1123_label(value: &str) -> Result<(), ValidationError> {
    let mut c = Collector::default();
    c.max_len(value, DNS1123_LABEL_MAX_LENGTH);
    if !matches_dns1123_label(value) {
        c.push(DNS1123_LABEL_MSG);
    }
    c.finish()
}

/// Checks that `value` is a DNS-1123 subdomain: one or more DNS-1123 labels joined by `.`, at
/// most 253 characters in total. Most object names (pods, config maps) use this rule.
pub fn is_dns1123_subdomain(value: &str) -> Result<(), ValidationError> {
    let mut c = Collector::default();
    c.max_len(value, DNS1123_SUBDOMAIN_MAX_LENGTH);
    if !value.split('.').all(matches_dns1123_label) {
        c.push(DNS1123_SUBDOMAIN_MSG);
    }
    c.finish()
}

/// Checks that `value` is a DNS-1035 label: like a DNS-1123 label but it must begin with a
/// letter. Service names historically use this rule.
pub fn is_dns1035_label(value: &str) -> Result<(), ValidationError> {
    let mut c = Collector::default();
    c.max_len(value, DNS1035_LABEL_MAX_LENGTH);
    let starts_with_letter = value.as_bytes().first().is_some_and(u8::is_ascii_lowercase);
    if !starts_with_letter || !matches_dns1123_label(value) {
        c.push(DNS1035_LABEL_MSG);
    }
    c.finish()
}

/// Checks that `value` is a qualified name, the rule for label and annotation keys: an optional
/// DNS-1123 subdomain prefix (≤ 253) and `/`, then a name (≤ 63) of letters, digits, `-`, `_`
/// and `.` that begins and ends with a letter or digit.
///
/// ```
/// use kapi_apimachinery::validation::is_qualified_name;
/// assert!(is_qualified_name("app.kubernetes.io/name").is_ok());
/// assert!(is_qualified_name("MyKey_1").is_ok());
/// assert!(is_qualified_name("Example.com/app").is_err()); // prefix must be lower case
/// assert!(is_qualified_name("a/b/c").is_err());
/// ```
pub fn is_qualified_name(value: &str) -> Result<(), ValidationError> {
    let mut c = Collector::default();
    let (prefix, name) = match value.split_once('/') {
        None => (None, value),
        Some((_, rest)) if rest.contains('/') => {
            c.push(
                "a qualified name is an optional DNS subdomain prefix and '/' followed by a \
                 name (e.g. 'example.com/MyName'), but it contains more than one '/'",
            );
            return c.finish();
        }
        Some((prefix, name)) => (Some(prefix), name),
    };
    if let Some(prefix) = prefix {
        if prefix.is_empty() {
            c.push("prefix part must not be empty");
        } else {
            c.extend(is_dns1123_subdomain(prefix).map_err(|e| e.prefixed("prefix part: ")));
        }
    }
    if name.is_empty() {
        c.push("name part must not be empty");
    } else {
        if name.len() > QUALIFIED_NAME_MAX_LENGTH {
            c.push(format!(
                "name part must be no more than {QUALIFIED_NAME_MAX_LENGTH} characters (is {})",
                name.len()
            ));
        }
        if !matches_qualified_name_part(name) {
            c.push(format!("name part {QUALIFIED_NAME_MSG}"));
        }
    }
    c.finish()
}

/// Checks that `value` is a valid label value: empty, or at most 63 letters, digits, `-`, `_`
/// and `.` that begins and ends with a letter or digit.
pub fn is_valid_label_value(value: &str) -> Result<(), ValidationError> {
    let mut c = Collector::default();
    c.max_len(value, LABEL_VALUE_MAX_LENGTH);
    if !value.is_empty() && !matches_qualified_name_part(value) {
        c.push(LABEL_VALUE_MSG);
    }
    c.finish()
}

/// When validating a `generateName` prefix, a trailing `-` is fine (a random suffix follows):
/// replace it with a letter so the ordinary rule can judge the rest.
fn mask_trailing_dash(name: &str, prefix: bool) -> std::borrow::Cow<'_, str> {
    match name.strip_suffix('-') {
        Some(head) if prefix && !head.is_empty() => format!("{head}a").into(),
        _ => name.into(),
    }
}

/// Validates an object name that must be a DNS-1123 subdomain (most kinds). With
/// `prefix: true`, validates a `generateName` prefix instead: a trailing `-` is allowed.
pub fn name_is_dns_subdomain(name: &str, prefix: bool) -> Result<(), ValidationError> {
    is_dns1123_subdomain(&mask_trailing_dash(name, prefix))
}

/// Validates an object name that must be a DNS-1123 label (for example namespaces). With
/// `prefix: true`, validates a `generateName` prefix instead: a trailing `-` is allowed.
pub fn name_is_dns_label(name: &str, prefix: bool) -> Result<(), ValidationError> {
    is_dns1123_label(&mask_trailing_dash(name, prefix))
}

/// Validates an object name that must be a DNS-1035 label (for example services). With
/// `prefix: true`, validates a `generateName` prefix instead: a trailing `-` is allowed.
pub fn name_is_dns1035_label(name: &str, prefix: bool) -> Result<(), ValidationError> {
    is_dns1035_label(&mask_trailing_dash(name, prefix))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dns1123_label() {
        for ok in ["a", "0", "a-b", "abc-123", &"a".repeat(63)] {
            assert!(is_dns1123_label(ok).is_ok(), "{ok}");
        }
        for bad in ["", "-a", "a-", "A", "a_b", "a.b", "ä", &"a".repeat(64)] {
            assert!(is_dns1123_label(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn too_long_and_bad_reports_both() {
        let long_bad = format!("-{}", "a".repeat(70));
        let err = is_dns1123_label(&long_bad).unwrap_err();
        assert_eq!(err.messages().len(), 2);
        assert!(err.messages()[0].contains("no more than 63"));
    }

    #[test]
    fn subdomain() {
        for ok in ["a", "a.b", "example.com", "a-1.b-2", &"a".repeat(253)] {
            assert!(is_dns1123_subdomain(ok).is_ok(), "{ok}");
        }
        for bad in ["", ".a", "a.", "a..b", "a.-b", "A.b", &"a".repeat(254)] {
            assert!(is_dns1123_subdomain(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn dns1035() {
        assert!(is_dns1035_label("abc-1").is_ok());
        assert!(is_dns1035_label("1abc").is_err());
        assert!(is_dns1035_label("").is_err());
    }

    #[test]
    fn qualified_names() {
        for ok in [
            "a",
            "A_b.c-D",
            "example.com/app",
            "k8s.io/My_Name",
            &"a".repeat(63),
        ] {
            assert!(is_qualified_name(ok).is_ok(), "{ok}");
        }
        for bad in [
            "",
            "/a",
            "a/",
            "a/b/c",
            "_a",
            "a_",
            "Example.com/a",
            "a b",
            &"a".repeat(64),
            &format!("{}/a", "a".repeat(254)),
        ] {
            assert!(is_qualified_name(bad).is_err(), "{bad}");
        }
        let err = is_qualified_name("x_/a").unwrap_err();
        assert!(err.messages()[0].starts_with("prefix part: "), "{err}");
    }

    #[test]
    fn label_values() {
        for ok in ["", "a", "My_Value.1", &"a".repeat(63)] {
            assert!(is_valid_label_value(ok).is_ok(), "{ok}");
        }
        for bad in ["-a", "a-", "a/b", "a b", &"a".repeat(64)] {
            assert!(is_valid_label_value(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn generate_name_prefixes() {
        assert!(name_is_dns_subdomain("web-", true).is_ok());
        assert!(name_is_dns_subdomain("web-", false).is_err());
        assert!(name_is_dns_subdomain("-", true).is_err());
        assert!(name_is_dns_label("ns-", true).is_ok());
        assert!(name_is_dns_label("Ns-", true).is_err());
        assert!(name_is_dns1035_label("svc-", true).is_ok());
        assert!(name_is_dns1035_label("1svc-", true).is_err());
    }
}
