//! The comparison program written with kapi; `kube-compare` does the same with kube-rs.
//!
//! ```text
//! kapi-compare list   --kubeconfig K [--iters 3]                        # list every Pod, typed
//! kapi-compare sync   --kubeconfig K --control ADDR [--events 50000]    # ConfigMap informer: sync, then N updates
//! kapi-compare memory --kubeconfig K --control ADDR [--strip]           # Pod informer: cache size, sync and relist peaks
//! ```
//!
//! Every measurement is one `RESULT scenario metric value` line on stdout.

use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use compare_common::{
    cpu_seconds, heap_now, heap_peak, proc_status, reset_peak, result, Args, Control, Counting,
};
use kapi_api::core::v1::{ConfigMap, Pod};
use kapi_apimachinery::options::ListOptions;
use kapi_apimachinery::Object;
use kapi_client::kubeconfig::{Kubeconfig, KubeconfigOptions};
use kapi_client::{Api, Client, Config, RateLimit};
use kapi_informers::{handler_fn, strip_managed_fields_transform, SharedInformerFactory};

#[global_allocator]
static ALLOC: Counting = Counting;

type Error = Box<dyn std::error::Error + Send + Sync>;

fn client(args: &Args) -> Result<Client, Error> {
    let text = std::fs::read_to_string(args.kubeconfig())?;
    let kc = Kubeconfig::from_yaml(&text)?;
    let mut config = Config::from_custom_kubeconfig(&kc, &KubeconfigOptions::default())?;
    // kube-rs has no client-side rate limit; kapi's default (client-go's 5 QPS, burst 10)
    // would only slow the paged relists down.
    config.rate_limit = RateLimit::disabled();
    Ok(Client::new(config)?)
}

fn rv_of<K: Object>(obj: &K) -> u64 {
    obj.metadata()
        .resource_version
        .as_deref()
        .and_then(|rv| rv.parse().ok())
        .unwrap_or(0)
}

async fn control(args: &Args, command: String) -> Result<String, Error> {
    let addr = args.get("control").ok_or("--control ADDR")?.to_owned();
    let reply =
        tokio::task::spawn_blocking(move || Control::connect(&addr)?.call(&command)).await??;
    Ok(reply)
}

async fn list(args: &Args) -> Result<(), Error> {
    let api: Api<Pod> = Api::all(client(args)?);
    for i in 0..=args.num("iters", 3) {
        reset_peak();
        let base = heap_now();
        let cpu = cpu_seconds();
        let started = Instant::now();
        let list = api.list(&ListOptions::default()).await?;
        let took = started.elapsed();
        let peak = heap_peak() - base;
        let n = list.items.len();
        drop(list);
        if i > 0 {
            result("list_pods", "ms", took.as_secs_f64() * 1e3);
            result("list_pods", "cpu_ms", (cpu_seconds() - cpu) * 1e3);
            result("list_pods", "peak_heap_mb", peak as f64 / 1e6);
            result("list_pods", "objects", n as f64);
        }
    }
    Ok(())
}

async fn sync(args: &Args) -> Result<(), Error> {
    let factory = SharedInformerFactory::new(client(args)?);
    let informer = factory.informer::<ConfigMap>();
    let seen = Arc::new(AtomicUsize::new(0));
    let max_rv = Arc::new(AtomicU64::new(0));
    let burst = Arc::new(Burst::default());
    let (s, m, b) = (Arc::clone(&seen), Arc::clone(&max_rv), Arc::clone(&burst));
    informer.add_event_handler(
        handler_fn(move |cm: &ConfigMap| {
            s.fetch_add(1, Ordering::Relaxed);
            let rv = rv_of(cm);
            m.fetch_max(rv, Ordering::Relaxed);
            b.saw(rv);
        }),
        None,
    );
    let cpu = cpu_seconds();
    let started = Instant::now();
    factory.start();
    informer.wait_for_sync().await;
    let took = started.elapsed();
    let n = informer.store().len();
    result("sync", "ms", took.as_secs_f64() * 1e3);
    result("sync", "cpu_ms", (cpu_seconds() - cpu) * 1e3);
    result("sync", "objects", n as f64);
    while seen.load(Ordering::Relaxed) < n {
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    let events = args.num("events", 50_000);
    if events > 0 {
        control(args, format!("prepare {events}")).await?;
        tokio::time::sleep(Duration::from_millis(200)).await;
        let cpu = cpu_seconds();
        let started = Instant::now();
        let reply = control(args, "go".into()).await?;
        let last: u64 = reply.trim_start_matches("done ").parse()?;
        while max_rv.load(Ordering::Relaxed) < last {
            tokio::time::sleep(Duration::from_millis(1)).await;
        }
        let took = started.elapsed();
        result("watch", "events_per_s", events as f64 / took.as_secs_f64());
        result(
            "watch",
            "cpu_us_per_event",
            (cpu_seconds() - cpu) * 1e6 / events as f64,
        );

        // The same number of events replayed at once after a reconnect: the client's own rate.
        control(args, format!("prepare {events}")).await?;
        burst.arm(max_rv.load(Ordering::Relaxed));
        let cpu = cpu_seconds();
        let reply = control(args, "burst".into()).await?;
        let last: u64 = reply.trim_start_matches("done ").parse()?;
        while max_rv.load(Ordering::Relaxed) < last {
            tokio::time::sleep(Duration::from_millis(1)).await;
        }
        result("burst", "events_per_s", burst.rate(events));
        result(
            "burst",
            "cpu_us_per_event",
            (cpu_seconds() - cpu) * 1e6 / events as f64,
        );
    }
    factory.shutdown();
    Ok(())
}

/// Times the events above a resourceVersion: from the first one's arrival to the last one's.
#[derive(Debug)]
struct Burst {
    origin: Instant,
    floor: AtomicU64,
    first_ns: AtomicU64,
    last_ns: AtomicU64,
}

impl Default for Burst {
    fn default() -> Self {
        Self {
            origin: Instant::now(),
            floor: AtomicU64::new(u64::MAX),
            first_ns: AtomicU64::new(0),
            last_ns: AtomicU64::new(0),
        }
    }
}

impl Burst {
    fn arm(&self, floor: u64) {
        self.first_ns.store(0, Ordering::Relaxed);
        self.floor.store(floor, Ordering::Relaxed);
    }
    fn saw(&self, rv: u64) {
        if rv > self.floor.load(Ordering::Relaxed) {
            let now = self.origin.elapsed().as_nanos() as u64;
            let _ = self
                .first_ns
                .compare_exchange(0, now, Ordering::Relaxed, Ordering::Relaxed);
            self.last_ns.fetch_max(now, Ordering::Relaxed);
        }
    }
    fn rate(&self, events: usize) -> f64 {
        let span = self.last_ns.load(Ordering::Relaxed) - self.first_ns.load(Ordering::Relaxed);
        (events.saturating_sub(1)) as f64 / (span as f64 / 1e9)
    }
}

async fn memory(args: &Args) -> Result<(), Error> {
    let strip = args.flag("strip");
    let factory = SharedInformerFactory::new(client(args)?);
    tokio::time::sleep(Duration::from_millis(100)).await;
    let base = heap_now();
    reset_peak();
    let started = Instant::now();
    let informer =
        factory.informer_with_transform::<Pod>(strip.then(strip_managed_fields_transform));
    factory.start();
    informer.wait_for_sync().await;
    let sync_ms = started.elapsed().as_secs_f64() * 1e3;
    let sync_peak = heap_peak() - base;
    let sync_hwm = proc_status("VmHWM");
    tokio::time::sleep(Duration::from_millis(1000)).await;
    let steady = heap_now() - base;
    let n = informer.store().len();
    let scenario = if strip {
        "memory_stripped"
    } else {
        "memory_kept"
    };
    result(scenario, "sync_ms", sync_ms);
    result(scenario, "objects", n as f64);
    result(scenario, "bytes_per_object", steady as f64 / n as f64);
    result(scenario, "steady_heap_mb", steady as f64 / 1e6);
    result(scenario, "steady_rss_mb", proc_status("VmRSS") as f64 / 1e6);
    result(scenario, "sync_peak_heap_mb", sync_peak as f64 / 1e6);
    result(scenario, "sync_peak_rss_mb", sync_hwm as f64 / 1e6);
    result(
        scenario,
        "sync_peak_ratio",
        sync_peak as f64 / steady as f64,
    );

    reset_peak();
    let seq = std::process::id().to_string();
    let marker = format!("{}/zz-relist-marker", "ns-000");
    control(args, format!("relist {seq}")).await?;
    let deadline = Instant::now() + Duration::from_secs(120);
    loop {
        let done = informer
            .store()
            .get(&marker)
            .is_some_and(|p| p.metadata.labels.get("seq").map(|v| v.as_str()) == Some(seq.as_str()));
        if done {
            break;
        }
        if Instant::now() > deadline {
            return Err("the relist did not finish within 120 s".into());
        }
        tokio::time::sleep(Duration::from_millis(2)).await;
    }
    let relist_peak = heap_peak() - base;
    result(scenario, "relist_peak_heap_mb", relist_peak as f64 / 1e6);
    result(
        scenario,
        "relist_peak_rss_mb",
        proc_status("VmHWM") as f64 / 1e6,
    );
    result(
        scenario,
        "relist_peak_ratio",
        relist_peak as f64 / steady as f64,
    );
    factory.shutdown();
    Ok(())
}

#[tokio::main(flavor = "multi_thread", worker_threads = 2)]
async fn main() -> Result<(), Error> {
    let args = Args::parse();
    match args.scenario.as_str() {
        "list" => list(&args).await,
        "sync" => sync(&args).await,
        "memory" => memory(&args).await,
        other => Err(format!("unknown scenario {other:?} (list, sync, memory)").into()),
    }
}
