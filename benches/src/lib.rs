//! Shared helpers of kapi's benchmark suite (the benches live in `benches/benches/*.rs`).
//!
//! Run everything with `cargo bench -p kapi-benches`; results, commands and the side-by-side
//! comparison with kube-rs (`benches/compare/`) are in `docs/benchmarks.md`.
//!
//! All data comes from the shared generator `shared/bench/gen_objects.py` (realistic Pods
//! and ConfigMaps), generated once per data set into `$CARGO_TARGET_DIR/bench-data/`. When
//! python3 or the script is missing, [`generated`] prints a loud `SKIPPED` line and the bench
//! that asked skips its cases.

use std::path::PathBuf;
use std::process::Command;

/// Where the shared generator is: `$KAPI_GEN_OBJECTS`, else `shared/bench/gen_objects.py`
/// beside the repository.
pub fn generator() -> Option<PathBuf> {
    if let Some(p) = std::env::var_os("KAPI_GEN_OBJECTS") {
        return Some(PathBuf::from(p));
    }
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("..");
    [
        root.join("../shared/bench/gen_objects.py"),
        PathBuf::from("/work/shared/bench/gen_objects.py"),
    ]
    .into_iter()
    .find(|p| p.exists())
}

fn cache_dir() -> PathBuf {
    std::env::var_os("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../target"))
        .join("bench-data")
}

/// The output of `gen_objects.py KIND N ARGS…` (`kind` is `pods` or `configmaps`): a list
/// document, or one object per line with `--items-only`. `None` (after a loud notice) when
/// the generator cannot run.
pub fn generated(kind: &str, n: usize, args: &[&str]) -> Option<Vec<u8>> {
    let tag: String = args
        .iter()
        .map(|a| a.trim_start_matches('-').replace('-', ""))
        .collect::<Vec<_>>()
        .join("-");
    let file = cache_dir().join(format!(
        "{kind}-{n}{}{tag}.json",
        if tag.is_empty() { "" } else { "-" }
    ));
    if let Ok(bytes) = std::fs::read(&file) {
        return Some(bytes);
    }
    let Some(script) = generator() else {
        println!("!!!! SKIPPED: shared/bench/gen_objects.py not found (set KAPI_GEN_OBJECTS) !!!!");
        return None;
    };
    let out = Command::new("python3")
        .arg(&script)
        .args([kind, &n.to_string()])
        .args(args)
        .output();
    match out {
        Ok(o) if o.status.success() => {
            std::fs::create_dir_all(cache_dir()).ok()?;
            std::fs::write(&file, &o.stdout).ok()?;
            Some(o.stdout)
        }
        other => {
            println!(
                "!!!! SKIPPED: cannot run python3 {} ({other:?}) !!!!",
                script.display()
            );
            None
        }
    }
}

/// The generated objects as JSON values (for seeding a test server).
pub fn items(kind: &str, n: usize, args: &[&str]) -> Option<Vec<serde_json::Value>> {
    let mut all = vec!["--items-only"];
    all.extend_from_slice(args);
    let bytes = generated(kind, n, &all)?;
    bytes
        .split(|b| *b == b'\n')
        .filter(|l| !l.is_empty())
        .map(serde_json::from_slice)
        .collect::<Result<_, _>>()
        .ok()
}

/// The generated objects as watch event lines (`{"type":"MODIFIED","object":…}\n`), as a
/// server streams them.
pub fn watch_lines(items: &[serde_json::Value], event_type: &str) -> Vec<u8> {
    let mut out = Vec::new();
    for o in items {
        out.extend_from_slice(br#"{"type":""#);
        out.extend_from_slice(event_type.as_bytes());
        out.extend_from_slice(br#"","object":"#);
        // Values from the generator always serialize.
        serde_json::to_writer(&mut out, o).unwrap_or_default();
        out.extend_from_slice(b"}\n");
    }
    out
}
