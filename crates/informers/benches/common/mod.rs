//! Benchmark data from `../shared/bench/gen_objects.py`, generated once into the target dir.

use std::path::PathBuf;
use std::process::Command;

/// The generated list as bytes, or `None` (with a loud notice) when python3 or the script is
/// missing.
pub(crate) fn generated(kind: &str, n: usize, extra: &[&str]) -> Option<Vec<u8>> {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../..");
    let script = root.join("../shared/bench/gen_objects.py");
    let out_dir = std::env::var_os("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| root.join("target"));
    let tag = extra.join("").replace('-', "");
    let file = out_dir.join(format!("bench-{kind}-{n}{tag}.json"));
    if !file.exists() {
        let out = Command::new("python3")
            .arg(&script)
            .arg(kind)
            .arg(n.to_string())
            .args(extra)
            .output();
        match out {
            Ok(o) if o.status.success() => std::fs::write(&file, o.stdout).ok()?,
            _ => {
                println!(
                    "!!!! SKIPPED: cannot run {} (python3 and ../shared needed) !!!!",
                    script.display()
                );
                return None;
            }
        }
    }
    std::fs::read(&file).ok()
}
