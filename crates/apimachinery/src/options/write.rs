//! `CreateOptions`, `UpdateOptions`, `PatchOptions`.

use super::{string_enum, Query};

string_enum! {
    /// How the server treats unknown or duplicate fields in a write (`fieldValidation`).
    FieldValidation {
        /// Fail the request (400).
        Strict => "Strict",
        /// Succeed with a `Warning` header per field (the server default).
        Warn => "Warn",
        /// Drop unknown fields silently.
        Ignore => "Ignore",
    }
}

/// Options of a create request.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct CreateOptions {
    /// `dryRun=All`: validate without storing.
    pub dry_run: bool,
    /// `fieldManager`: the name recorded in managedFields.
    pub field_manager: Option<String>,
    /// `fieldValidation`.
    pub field_validation: Option<FieldValidation>,
}

impl CreateOptions {
    /// The query string.
    pub fn to_query(&self) -> String {
        write_query(
            self.dry_run,
            self.field_manager.as_deref(),
            self.field_validation.as_ref(),
            None,
        )
    }
}

/// Options of an update (PUT) request.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct UpdateOptions {
    /// `dryRun=All`: validate without storing.
    pub dry_run: bool,
    /// `fieldManager`.
    pub field_manager: Option<String>,
    /// `fieldValidation`.
    pub field_validation: Option<FieldValidation>,
}

impl UpdateOptions {
    /// The query string.
    pub fn to_query(&self) -> String {
        write_query(
            self.dry_run,
            self.field_manager.as_deref(),
            self.field_validation.as_ref(),
            None,
        )
    }
}

/// Options of a patch request.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct PatchOptions {
    /// `dryRun=All`: validate without storing.
    pub dry_run: bool,
    /// `fieldManager` (required for server-side apply).
    pub field_manager: Option<String>,
    /// `fieldValidation`.
    pub field_validation: Option<FieldValidation>,
    /// `force`: take ownership of conflicting fields (server-side apply only).
    pub force: bool,
}

impl PatchOptions {
    /// Options for a server-side apply by `field_manager`.
    pub fn apply(field_manager: &str) -> Self {
        Self {
            field_manager: Some(field_manager.to_owned()),
            ..Self::default()
        }
    }

    /// Sets `force`.
    #[must_use]
    pub fn force(mut self) -> Self {
        self.force = true;
        self
    }

    /// The query string.
    pub fn to_query(&self) -> String {
        write_query(
            self.dry_run,
            self.field_manager.as_deref(),
            self.field_validation.as_ref(),
            Some(self.force),
        )
    }
}

fn write_query(
    dry_run: bool,
    field_manager: Option<&str>,
    validation: Option<&FieldValidation>,
    force: Option<bool>,
) -> String {
    Query::new()
        .opt("dryRun", dry_run.then_some("All"))
        .opt("fieldManager", field_manager)
        .opt("fieldValidation", validation.map(FieldValidation::as_str))
        .flag("force", force.unwrap_or(false))
        .finish()
}
