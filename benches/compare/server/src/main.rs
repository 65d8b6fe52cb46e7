//! `bench-server`: one kapi test server (plain HTTP, in its own process) that both comparison
//! programs talk to, seeded with `gen_objects.py --items-only` output.
//!
//! ```text
//! bench-server --data pods.ndjson --kubeconfig kubeconfig --control-file control.addr
//! ```
//!
//! The control port (127.0.0.1, address written to `--control-file`) takes one command per line:
//!
//! | command | reply | effect |
//! |---|---|---|
//! | `prepare N` | `ready` | builds N updates of the seeded objects (a changed label each), not sent yet |
//! | `go` | `done RV` | stores the prepared updates (watchers see N MODIFIED events); RV is the last one |
//! | `burst` | `done RV` | closes every connection and refuses new ones for 3 s, stores the prepared updates meanwhile, so that a client's re-watch receives them all at once, replayed from the history |
//! | `relist SEQ` | `ok RV` | the next watch gets a 410 ERROR event and every connection is closed, so the client re-watches, gets the 410 and relists; once that watch was answered, a marker object `zz-relist-marker` with label `seq=SEQ` is stored |
//! | `rv` | `rv RV` | the current resourceVersion |

use std::io::{BufRead, BufReader, Write};
use std::net::{TcpListener, TcpStream};
use std::time::{Duration, Instant};

use kapi_testserver::{Fault, TestServer, Verb};
use serde_json::{json, Value};

struct State {
    server: TestServer,
    seeded: Vec<Value>,
    prepared: Vec<Value>,
    rounds: u64,
}

fn main() {
    if let Err(e) = run() {
        eprintln!("bench-server: {e}");
        std::process::exit(1);
    }
}

fn arg(name: &str) -> Option<String> {
    let mut it = std::env::args().skip(1);
    while let Some(a) = it.next() {
        if a == name {
            return it.next();
        }
        if let Some(v) = a.strip_prefix(name).and_then(|r| r.strip_prefix('=')) {
            return Some(v.to_owned());
        }
    }
    None
}

fn run() -> Result<(), Box<dyn std::error::Error>> {
    let data = arg("--data").ok_or("--data FILE (ndjson from gen_objects.py --items-only)")?;
    let kubeconfig = arg("--kubeconfig").unwrap_or_else(|| "kubeconfig".into());
    let control_file = arg("--control-file").unwrap_or_else(|| "control.addr".into());
    let started = Instant::now();
    let text = std::fs::read_to_string(&data)?;
    let seeded: Vec<Value> = text
        .lines()
        .filter(|l| !l.trim().is_empty())
        .map(serde_json::from_str)
        .collect::<Result<_, _>>()?;
    drop(text);
    let server = TestServer::builder()
        .http()
        .log_requests(false)
        // Enough for every event of a run: no watcher is ever cut off for lagging, no
        // resourceVersion expires unless `relist` asks for it.
        .history_events(400_000)
        .watch_buffer(400_000)
        .start_blocking()?;
    let n = server.insert(seeded.iter().cloned())?;
    server.write_kubeconfig(&kubeconfig)?;
    let listener = TcpListener::bind("127.0.0.1:0")?;
    let addr = listener.local_addr()?;
    let tmp = format!("{control_file}.tmp");
    std::fs::write(&tmp, addr.to_string())?;
    std::fs::rename(&tmp, &control_file)?;
    eprintln!(
        "bench-server: {n} objects from {data} at {} (control {addr}) in {:.1} s",
        server.url(),
        started.elapsed().as_secs_f64()
    );
    let mut state = State {
        server,
        seeded,
        prepared: Vec::new(),
        rounds: 0,
    };
    for conn in listener.incoming() {
        let conn = conn?;
        if let Err(e) = serve(&mut state, conn) {
            eprintln!("bench-server: control connection: {e}");
        }
    }
    Ok(())
}

fn serve(state: &mut State, conn: TcpStream) -> std::io::Result<()> {
    conn.set_nodelay(true)?;
    let mut out = conn.try_clone()?;
    for line in BufReader::new(conn).lines() {
        let line = line?;
        let mut words = line.split_whitespace();
        let reply = match (words.next(), words.next()) {
            (Some("prepare"), Some(n)) => prepare(state, n.parse().unwrap_or(0)),
            (Some("go"), _) => go(state),
            (Some("burst"), _) => {
                state
                    .server
                    .faults()
                    .refuse_connections(Duration::from_secs(3));
                std::thread::sleep(Duration::from_millis(100));
                go(state)
            }
            (Some("relist"), Some(seq)) => relist(state, seq),
            (Some("rv"), _) => Ok(format!("rv {}", state.server.resource_version())),
            _ => Err(format!("unknown command {line:?}")),
        };
        let reply = reply.unwrap_or_else(|e| format!("error {e}"));
        out.write_all(reply.as_bytes())?;
        out.write_all(b"\n")?;
    }
    Ok(())
}

/// N updates cycling over the seeded objects, each with a label no earlier update had.
fn prepare(state: &mut State, n: usize) -> Result<String, String> {
    if state.seeded.is_empty() {
        return Err("no objects".into());
    }
    state.rounds += 1;
    let len = state.seeded.len();
    state.prepared = (0..n)
        .map(|i| {
            let mut o = state.seeded[i % len].clone();
            let round = format!("r{}-{}", state.rounds, i / len);
            if let Some(m) = o.get_mut("metadata").and_then(Value::as_object_mut) {
                m.remove("resourceVersion");
                if let Some(l) = m.get_mut("labels").and_then(Value::as_object_mut) {
                    l.insert("bench-round".into(), Value::String(round));
                }
            }
            o
        })
        .collect();
    Ok("ready".into())
}

fn go(state: &mut State) -> Result<String, String> {
    let objects = std::mem::take(&mut state.prepared);
    let mut it = objects.into_iter().peekable();
    while it.peek().is_some() {
        let batch: Vec<Value> = it.by_ref().take(1000).collect();
        state.server.insert(batch).map_err(|e| e.to_string())?;
    }
    Ok(format!("done {}", state.server.resource_version()))
}

fn relist(state: &mut State, seq: &str) -> Result<String, String> {
    let first = state.seeded.first().ok_or("no objects")?;
    let kind = first["kind"].as_str().unwrap_or("ConfigMap").to_owned();
    let plural = format!("{}s", kind.to_ascii_lowercase());
    let faults = state.server.faults();
    let id = faults.inject(
        Fault::expired()
            .resource(plural.as_str())
            .verb(Verb::Watch)
            .times(1),
    );
    faults.refuse_connections(Duration::from_millis(100));
    let start = Instant::now();
    while faults.fired(id) == 0 {
        if start.elapsed() > Duration::from_secs(60) {
            faults.remove(id);
            return Err("no watch came back within 60 s".into());
        }
        std::thread::sleep(Duration::from_millis(5));
    }
    faults.remove(id);
    let marker = json!({
        "apiVersion": "v1", "kind": kind,
        "metadata": {"name": "zz-relist-marker", "namespace": first["metadata"]["namespace"],
                     "labels": {"seq": seq}},
    });
    state.server.insert([marker]).map_err(|e| e.to_string())?;
    Ok(format!("ok {}", state.server.resource_version()))
}
