//! Request options and their query strings: [`ListOptions`], [`GetOptions`],
//! [`CreateOptions`], [`UpdateOptions`], [`PatchOptions`], [`DeleteOptions`].
//!
//! Each has `to_query()`, producing the percent-encoded query string the API server expects
//! (without the leading `?`; empty when nothing is set). Only fields that are set are written.
//!
//! ```
//! use kapi_apimachinery::options::{ListOptions, ResourceVersionMatch};
//! let opts = ListOptions {
//!     label_selector: Some("app in (web,api)".into()),
//!     limit: Some(500),
//!     ..ListOptions::default()
//! };
//! assert_eq!(opts.to_query(), "labelSelector=app+in+%28web%2Capi%29&limit=500");
//! let watch = ListOptions::default().watch_list("");
//! assert!(watch.to_query().contains("sendInitialEvents=true"));
//! assert_eq!(watch.resource_version_match, Some(ResourceVersionMatch::NotOlderThan));
//! ```

mod delete;
mod list;
mod write;

pub use delete::{DeleteOptions, Preconditions, PropagationPolicy};
pub use list::{GetOptions, ListOptions, ResourceVersionMatch};
pub use write::{CreateOptions, FieldValidation, PatchOptions, UpdateOptions};

/// A query-string builder shared by the option types.
pub(crate) struct Query(form_urlencoded::Serializer<'static, String>);

impl Query {
    pub(crate) fn new() -> Self {
        Self(form_urlencoded::Serializer::new(String::new()))
    }

    pub(crate) fn opt(&mut self, key: &str, value: Option<&str>) -> &mut Self {
        if let Some(v) = value {
            self.0.append_pair(key, v);
        }
        self
    }

    pub(crate) fn num<T: std::fmt::Display>(&mut self, key: &str, value: Option<T>) -> &mut Self {
        if let Some(v) = value {
            self.0.append_pair(key, &v.to_string());
        }
        self
    }

    pub(crate) fn flag(&mut self, key: &str, value: bool) -> &mut Self {
        if value {
            self.0.append_pair(key, "true");
        }
        self
    }

    pub(crate) fn finish(&mut self) -> String {
        self.0.finish()
    }
}

/// Declares a string-backed enum whose unknown values survive a round-trip.
macro_rules! string_enum {
    ($(#[$m:meta])* $name:ident { $($(#[$vm:meta])* $variant:ident => $text:literal),+ $(,)? }) => {
        $(#[$m])*
        #[derive(Clone, Debug, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
        #[serde(from = "String", into = "String")]
        pub enum $name {
            $($(#[$vm])* $variant,)+
            /// A value this version of kapi does not know, kept verbatim.
            Other(String),
        }

        impl $name {
            /// The wire value.
            pub fn as_str(&self) -> &str {
                match self {
                    $(Self::$variant => $text,)+
                    Self::Other(s) => s,
                }
            }
        }

        impl From<String> for $name {
            fn from(s: String) -> Self {
                match s.as_str() {
                    $($text => Self::$variant,)+
                    _ => Self::Other(s),
                }
            }
        }

        impl From<$name> for String {
            fn from(v: $name) -> String {
                match v {
                    $name::Other(s) => s,
                    other => other.as_str().to_owned(),
                }
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(self.as_str())
            }
        }
    };
}
pub(crate) use string_enum;
