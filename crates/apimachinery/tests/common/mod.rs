//! Shared helpers for the integration tests.

use std::path::PathBuf;

/// The upstream fixture folder: `$KAPI_FIXTURES`, else `<workspace>/../shared/fixtures/api-v1.36`.
///
/// Returns `None` (after a loud notice) when it is missing outside CI; panics under `CI=true`.
pub(crate) fn fixtures_dir() -> Option<PathBuf> {
    let dir = std::env::var_os("KAPI_FIXTURES")
        .map(PathBuf::from)
        .unwrap_or_else(|| {
            PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../../shared/fixtures/api-v1.36")
        });
    if dir.is_dir() {
        return Some(dir);
    }
    if std::env::var("CI").is_ok_and(|v| v == "true") {
        panic!(
            "fixture folder {} is missing (set KAPI_FIXTURES)",
            dir.display()
        );
    }
    println!(
        "!!!!!!!! SKIPPED: fixture folder {} is missing (set KAPI_FIXTURES) !!!!!!!!",
        dir.display()
    );
    None
}

/// Reads a fixture as JSON, from its `.json` or (converted) `.yaml` file.
pub(crate) fn load(dir: &std::path::Path, file: &str) -> serde_json::Value {
    let text = std::fs::read_to_string(dir.join(file)).unwrap_or_else(|e| panic!("{file}: {e}"));
    if file.ends_with(".yaml") {
        serde_yaml::from_str(&text).unwrap_or_else(|e| panic!("{file}: {e}"))
    } else {
        serde_json::from_str(&text).unwrap_or_else(|e| panic!("{file}: {e}"))
    }
}
