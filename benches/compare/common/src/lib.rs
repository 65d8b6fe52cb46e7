//! What both comparison programs share, so they measure the same way: a counting global
//! allocator with a resettable peak, `/proc/self/status` readings, the bench server's control
//! port, argument parsing and the `RESULT` lines `run.sh` collects.
//!
//! std only: it adds the same second or so to both programs' build times.

use std::alloc::{GlobalAlloc, Layout, System};
use std::io::{BufRead, BufReader, Write};
use std::net::TcpStream;
use std::sync::atomic::{AtomicUsize, Ordering};

static CURRENT: AtomicUsize = AtomicUsize::new(0);
static PEAK: AtomicUsize = AtomicUsize::new(0);

/// The system allocator, counting live heap bytes and their high-water mark.
///
/// Declare it in each program: `#[global_allocator] static A: Counting = Counting;`.
#[derive(Debug)]
pub struct Counting;

fn grew(size: usize) {
    let now = CURRENT.fetch_add(size, Ordering::Relaxed) + size;
    PEAK.fetch_max(now, Ordering::Relaxed);
}

// SAFETY: every call is forwarded to `System` unchanged; only counters are updated.
unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        let p = System.alloc(layout);
        if !p.is_null() {
            grew(layout.size());
        }
        p
    }
    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        let p = System.alloc_zeroed(layout);
        if !p.is_null() {
            grew(layout.size());
        }
        p
    }
    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        System.dealloc(ptr, layout);
        CURRENT.fetch_sub(layout.size(), Ordering::Relaxed);
    }
    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        let p = System.realloc(ptr, layout, new_size);
        if !p.is_null() {
            if new_size >= layout.size() {
                grew(new_size - layout.size());
            } else {
                CURRENT.fetch_sub(layout.size() - new_size, Ordering::Relaxed);
            }
        }
        p
    }
}

/// Live heap bytes.
pub fn heap_now() -> usize {
    CURRENT.load(Ordering::Relaxed)
}

/// Highest live heap bytes since the start or the last [`reset_peak`].
pub fn heap_peak() -> usize {
    PEAK.load(Ordering::Relaxed)
}

/// Starts a new high-water mark at the current heap size; also resets the kernel's peak RSS
/// (`VmHWM`) where `/proc/self/clear_refs` is writable.
pub fn reset_peak() {
    PEAK.store(CURRENT.load(Ordering::Relaxed), Ordering::Relaxed);
    let _ = std::fs::write("/proc/self/clear_refs", "5");
}

/// A `/proc/self/status` field in bytes (`VmRSS`, `VmHWM`), 0 when unavailable.
pub fn proc_status(field: &str) -> usize {
    let text = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    text.lines()
        .find_map(|l| l.strip_prefix(field)?.strip_prefix(':'))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse::<usize>().ok())
        .map_or(0, |kb| kb * 1024)
}

/// CPU time (user + system) this process has used so far, in seconds (10 ms resolution):
/// unlike wall time, it does not grow when other processes share the cores.
pub fn cpu_seconds() -> f64 {
    let stat = std::fs::read_to_string("/proc/self/stat").unwrap_or_default();
    let rest = stat.rsplit_once(')').map_or("", |(_, r)| r);
    let fields: Vec<&str> = rest.split_whitespace().collect();
    // After the command name: state is field 3; utime and stime are fields 14 and 15.
    let ticks = |i: usize| {
        fields
            .get(i)
            .and_then(|v| v.parse::<f64>().ok())
            .unwrap_or(0.0)
    };
    (ticks(11) + ticks(12)) / 100.0
}

/// Prints one result line: `RESULT <scenario> <metric> <value>`. `run.sh` reads these.
pub fn result(scenario: &str, metric: &str, value: f64) {
    println!("RESULT {scenario} {metric} {value:.3}");
}

/// `--key value` / `--key=value` arguments after the scenario name.
#[derive(Debug, Default)]
pub struct Args {
    /// The first positional argument.
    pub scenario: String,
    pairs: Vec<(String, String)>,
}

impl Args {
    /// Parses `std::env::args()`.
    pub fn parse() -> Self {
        let mut out = Self::default();
        let mut it = std::env::args().skip(1).peekable();
        while let Some(a) = it.next() {
            if let Some(flag) = a.strip_prefix("--") {
                let (k, v) = match flag.split_once('=') {
                    Some((k, v)) => (k.to_owned(), v.to_owned()),
                    None => {
                        let v = match it.peek() {
                            Some(n) if !n.starts_with("--") => it.next().unwrap_or_default(),
                            _ => "true".to_owned(),
                        };
                        (flag.to_owned(), v)
                    }
                };
                out.pairs.push((k, v));
            } else if out.scenario.is_empty() {
                out.scenario = a;
            }
        }
        out
    }

    /// A string option.
    pub fn get(&self, key: &str) -> Option<&str> {
        self.pairs
            .iter()
            .rev()
            .find(|(k, _)| k == key)
            .map(|(_, v)| v.as_str())
    }

    /// A numeric option with a default.
    pub fn num(&self, key: &str, default: usize) -> usize {
        self.get(key)
            .and_then(|v| v.parse().ok())
            .unwrap_or(default)
    }

    /// A boolean flag.
    pub fn flag(&self, key: &str) -> bool {
        matches!(self.get(key), Some("true" | "1" | "yes"))
    }

    /// The kubeconfig path (`--kubeconfig`, default `./kubeconfig`).
    pub fn kubeconfig(&self) -> String {
        self.get("kubeconfig").unwrap_or("kubeconfig").to_owned()
    }
}

/// A line-oriented connection to the bench server's control port (`--control host:port`).
#[derive(Debug)]
pub struct Control {
    reader: BufReader<TcpStream>,
    writer: TcpStream,
}

impl Control {
    /// Connects to `addr`.
    pub fn connect(addr: &str) -> std::io::Result<Self> {
        let writer = TcpStream::connect(addr)?;
        writer.set_nodelay(true)?;
        let reader = BufReader::new(writer.try_clone()?);
        Ok(Self { reader, writer })
    }

    /// Sends one command and returns the reply line (without the newline).
    pub fn call(&mut self, command: &str) -> std::io::Result<String> {
        self.writer.write_all(command.as_bytes())?;
        self.writer.write_all(b"\n")?;
        self.writer.flush()?;
        let mut line = String::new();
        self.reader.read_line(&mut line)?;
        if line.starts_with("error") || line.is_empty() {
            return Err(std::io::Error::other(format!(
                "control {command:?}: {}",
                line.trim()
            )));
        }
        Ok(line.trim().to_owned())
    }
}
