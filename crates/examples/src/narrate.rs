//! [`Narrator`]: the plain lines the demo and the examples print, also kept for tests.

use std::sync::{Arc, Mutex, PoisonError};
use std::time::Instant;

/// Prints one line per step (`→ doing`, `✓ done`, `  ↳ the controller reacted`, `✗ failed`)
/// to standard output and keeps every line, so tests can check what was said. Cloning shares
/// the record.
#[derive(Clone, Debug)]
pub struct Narrator {
    inner: Arc<Inner>,
}

#[derive(Debug)]
struct Inner {
    echo: bool,
    started: Instant,
    lines: Mutex<Vec<String>>,
}

impl Default for Narrator {
    fn default() -> Self {
        Self::new()
    }
}

impl Narrator {
    /// A narrator that prints and records.
    pub fn new() -> Self {
        Self::with_echo(true)
    }

    /// A narrator that only records (nothing is printed).
    pub fn silent() -> Self {
        Self::with_echo(false)
    }

    fn with_echo(echo: bool) -> Self {
        Self {
            inner: Arc::new(Inner {
                echo,
                started: Instant::now(),
                lines: Mutex::new(Vec::new()),
            }),
        }
    }

    fn say(&self, line: String) {
        if self.inner.echo {
            println!("{line}");
        }
        self.inner
            .lines
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .push(line);
    }

    /// A heading (printed as is).
    pub fn title(&self, text: impl AsRef<str>) {
        self.say(text.as_ref().to_owned());
    }

    /// Something we are about to do: `→ text`.
    pub fn step(&self, text: impl AsRef<str>) {
        self.say(format!("→ {}", text.as_ref()));
    }

    /// An expectation that held: `✓ text`.
    pub fn ok(&self, text: impl AsRef<str>) {
        self.say(format!("✓ {}", text.as_ref()));
    }

    /// What someone else (the controller, the server) did in response: `  ↳ text`.
    pub fn reaction(&self, text: impl AsRef<str>) {
        self.say(format!("  ↳ {}", text.as_ref()));
    }

    /// A side remark: `  · text`.
    pub fn note(&self, text: impl AsRef<str>) {
        self.say(format!("  · {}", text.as_ref()));
    }

    /// A failure: `✗ text`.
    pub fn fail(&self, text: impl AsRef<str>) {
        self.say(format!("✗ {}", text.as_ref()));
    }

    /// Every line said so far.
    pub fn lines(&self) -> Vec<String> {
        self.inner
            .lines
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .clone()
    }

    /// `true` when some line contains `needle`.
    pub fn said(&self, needle: &str) -> bool {
        self.lines().iter().any(|l| l.contains(needle))
    }

    /// Time since the narrator was created.
    pub fn elapsed(&self) -> std::time::Duration {
        self.inner.started.elapsed()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lines_are_prefixed_and_recorded() {
        let n = Narrator::silent();
        n.step("create");
        n.ok("created");
        n.reaction("controller did it");
        n.note("fyi");
        n.fail("broke");
        assert_eq!(
            n.lines(),
            [
                "→ create",
                "✓ created",
                "  ↳ controller did it",
                "  · fyi",
                "✗ broke"
            ]
        );
        assert!(n.clone().said("did it"));
    }
}
