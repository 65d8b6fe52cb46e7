//! Formatting with rustfmt and writing the output tree (only what changed; stale generated files
//! are removed).

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::process::Command;

use crate::HEADER;

/// Formats Rust sources with `rustfmt` (through a scratch directory, in one invocation).
pub(crate) fn format_rust(
    files: Vec<(String, String)>,
    config: &Path,
) -> Result<Vec<(String, String)>, String> {
    let scratch = std::env::temp_dir().join(format!("kapi-codegen-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&scratch);
    let result = format_in(&scratch, files, config);
    let _ = std::fs::remove_dir_all(&scratch);
    result
}

fn format_in(
    scratch: &Path,
    files: Vec<(String, String)>,
    config: &Path,
) -> Result<Vec<(String, String)>, String> {
    let io = |p: &Path, e: std::io::Error| format!("{}: {e}", p.display());
    for (rel, text) in &files {
        let p = scratch.join(rel);
        if let Some(dir) = p.parent() {
            std::fs::create_dir_all(dir).map_err(|e| io(dir, e))?;
        }
        std::fs::write(&p, text).map_err(|e| io(&p, e))?;
    }
    // Hand-written modules that generated files declare: empty stand-ins so rustfmt can follow
    // the `mod` items.
    for stub in ["src/support.rs", "src/catalog/mod.rs"] {
        let p = scratch.join(stub);
        if !p.exists() {
            if let Some(dir) = p.parent() {
                std::fs::create_dir_all(dir).map_err(|e| io(dir, e))?;
            }
            std::fs::write(&p, "").map_err(|e| io(&p, e))?;
        }
    }
    let paths: Vec<PathBuf> = files.iter().map(|(rel, _)| scratch.join(rel)).collect();
    for chunk in paths.chunks(200) {
        let status = Command::new(std::env::var_os("RUSTFMT").unwrap_or_else(|| "rustfmt".into()))
            .arg("--edition")
            .arg("2021")
            .arg("--config-path")
            .arg(config)
            .args(chunk)
            .status()
            .map_err(|e| format!("cannot run rustfmt: {e}"))?;
        if !status.success() {
            return Err(format!(
                "rustfmt failed ({status}); the generated code does not parse"
            ));
        }
    }
    files
        .into_iter()
        .map(|(rel, _)| {
            let p = scratch.join(&rel);
            std::fs::read_to_string(&p)
                .map(|t| (rel, t))
                .map_err(|e| io(&p, e))
        })
        .collect()
}

fn is_generated(path: &Path) -> bool {
    match path.extension().and_then(|e| e.to_str()) {
        Some("rs") => std::fs::read_to_string(path).is_ok_and(|t| t.starts_with(HEADER)),
        _ => false,
    }
}

fn walk(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(rd) = std::fs::read_dir(dir) else {
        return;
    };
    let mut entries: Vec<PathBuf> = rd.filter_map(|e| e.ok().map(|e| e.path())).collect();
    entries.sort();
    for p in entries {
        if p.is_dir() {
            walk(&p, out);
        } else {
            out.push(p);
        }
    }
}

/// Writes `files` under `root` (or only compares when `check`). Returns the relative paths that
/// differ (written, or that would be): changed, new, and stale generated files (removed).
pub(crate) fn sync(
    root: &Path,
    files: &[(String, String)],
    check: bool,
) -> Result<Vec<String>, String> {
    let io = |p: &Path, e: std::io::Error| format!("{}: {e}", p.display());
    let mut changed = Vec::new();
    let wanted: BTreeSet<PathBuf> = files.iter().map(|(rel, _)| root.join(rel)).collect();
    for (rel, text) in files {
        let p = root.join(rel);
        if std::fs::read_to_string(&p).ok().as_deref() == Some(text.as_str()) {
            continue;
        }
        changed.push(rel.clone());
        if !check {
            if let Some(dir) = p.parent() {
                std::fs::create_dir_all(dir).map_err(|e| io(dir, e))?;
            }
            std::fs::write(&p, text).map_err(|e| io(&p, e))?;
        }
    }
    let mut existing = Vec::new();
    for sub in ["src", "tests/generated"] {
        walk(&root.join(sub), &mut existing);
    }
    for p in existing {
        if !wanted.contains(&p) && is_generated(&p) {
            changed.push(p.strip_prefix(root).unwrap_or(&p).display().to_string());
            if !check {
                std::fs::remove_file(&p).map_err(|e| io(&p, e))?;
                if let Some(dir) = p.parent() {
                    // Removes the directory only when it became empty.
                    let _ = std::fs::remove_dir(dir);
                }
            }
        }
    }
    changed.sort();
    Ok(changed)
}
