#!/usr/bin/env python3
"""Turns run.sh's raw samples into the comparison table (markdown on stdout).

usage: summarize.py RESULTS_DIR [PODLIST_JSON]
"""
import os, statistics, sys
from collections import defaultdict

out = sys.argv[1]
podlist_bytes = os.path.getsize(sys.argv[2]) if len(sys.argv) > 2 and os.path.exists(sys.argv[2]) else None
samples = defaultdict(list)
with open(os.path.join(out, "samples.tsv")) as f:
    for line in f:
        lib, scenario, metric, value = line.rstrip("\n").split("\t")
        samples[(lib, scenario, metric)].append(float(value))

# (scenario, metric, what, unit, target: (kind, bound) with kind "ratio<=", "ratio>=", "kapi<=")
ROWS = [
    ("list_pods", "ms", "1. list 10 000 Pods (typed, with managedFields)", "ms", ("ratio<=", 0.5)),
    ("list_pods", "cpu_ms", "1. … CPU time of the client process per list", "ms", ("ratio<=", 0.5)),
    ("list_pods", "peak_heap_mb", "1. … peak heap during the list", "MB", None),
    ("sync_10k", "ms", "2. informer sync, 10 000 ConfigMaps", "ms", ("ratio<=", 0.5)),
    ("watch_10k", "events_per_s", "2. … then 50 000 watch events as the server makes them (10k cached)", "events/s", ("ratio>=", 2.0)),
    ("burst_10k", "events_per_s", "2. … 50 000 watch events replayed at once after a reconnect (10k cached)", "events/s", ("ratio>=", 2.0)),
    ("sync_10k", "cpu_ms", "2. … CPU time of the client process during the sync", "ms", None),
    ("watch_10k", "cpu_us_per_event", "2. … client CPU per event, as the server makes them", "µs", ("ratio<=", 0.5)),
    ("burst_10k", "cpu_us_per_event", "2. … client CPU per event, replayed at once", "µs", ("ratio<=", 0.5)),
    ("sync_100k", "ms", "2. informer sync, 100 000 ConfigMaps", "ms", ("ratio<=", 0.5)),
    ("watch_100k", "events_per_s", "2. … then 50 000 watch events as the server makes them (100k cached)", "events/s", ("ratio>=", 2.0)),
    ("burst_100k", "events_per_s", "2. … 50 000 watch events replayed at once (100k cached)", "events/s", ("ratio>=", 2.0)),
    ("sync_100k", "cpu_ms", "2. … CPU time of the client process during the sync (100k)", "ms", None),
    ("burst_100k", "cpu_us_per_event", "2. … client CPU per event, replayed at once (100k cached)", "µs", ("ratio<=", 0.5)),
    ("memory_kept", "bytes_per_object", "3. cache memory per Pod, managedFields kept", "B", ("ratio<=", 0.4)),
    ("memory_stripped", "bytes_per_object", "3. cache memory per Pod, managedFields stripped", "B", ("ratio<=", 0.4)),
    ("memory_kept", "sync_peak_ratio", "4. heap peak during the initial sync / steady cache", "×", None),
    ("memory_kept", "relist_peak_ratio", "4. heap peak during a forced relist (410) / steady cache", "×", ("kapi<=", 1.3)),
    ("memory_stripped", "relist_peak_ratio", "4. … the same, managedFields stripped", "×", ("kapi<=", 1.3)),
    ("memory_kept", "sync_peak_rss_mb", "4. peak RSS (VmHWM) during the initial sync", "MB", None),
    ("memory_kept", "relist_peak_rss_mb", "4. peak RSS (VmHWM) during the relist", "MB", None),
    ("memory_kept", "steady_rss_mb", "4. RSS with the synced cache", "MB", None),
    ("build_full", "seconds", "5. clean release build, the comparison program", "s", None),
    ("build_listpods", "seconds", "5. clean release build, list-pods program (kapi: core only)", "s", ("ratio<=", 0.5)),
]

def fmt(v, unit):
    if v is None:
        return "–"
    if unit in ("×",):
        return f"{v:.2f}"
    if abs(v) >= 1000:
        return f"{v:,.0f}".replace(",", " ")
    if abs(v) >= 100:
        return f"{v:.0f}"
    return f"{v:.1f}" if abs(v) >= 10 else f"{v:.2f}"

def stat(lib, scenario, metric):
    xs = samples.get((lib, scenario, metric))
    if not xs:
        return None, ""
    m = statistics.median(xs)
    spread = (max(xs) - min(xs)) / 2 / m * 100 if m else 0
    return m, f"±{spread:.0f}% (n={len(xs)})"

print("| scenario | unit | kapi median (spread) | kube-rs median (spread) | kapi / kube-rs | target | met |")
print("|---|---|---|---|---|---|---|")
for scenario, metric, what, unit, target in ROWS:
    k, ks = stat("kapi", scenario, metric)
    r, rs = stat("kube", scenario, metric)
    if k is None and r is None:
        continue
    ratio = k / r if k is not None and r else None
    goal, met = "", ""
    if target:
        kind, bound = target
        if kind == "ratio<=":
            goal, ok = f"≤ {bound}", ratio is not None and ratio <= bound
        elif kind == "ratio>=":
            goal, ok = f"≥ {bound}×", ratio is not None and ratio >= bound
        else:
            goal, ok = f"kapi ≤ {bound}", k is not None and k <= bound
        met = "yes" if ok else "**no**"
    print(f"| {what} | {unit} | {fmt(k, unit)} {ks} | {fmt(r, unit)} {rs} | "
          f"{'–' if ratio is None else f'{ratio:.2f}'} | {goal} | {met} |")

if podlist_bytes:
    print()
    for lib, name in (("kapi", "kapi"), ("kube", "kube-rs")):
        m, _ = stat(lib, "list_pods", "ms")
        if m:
            print(f"- list throughput, {name}: {podlist_bytes / 1e6 / (m / 1e3):.0f} MB/s "
                  f"({podlist_bytes / 1e6:.1f} MB PodList)")
for lib, name in (("kapi", "kapi"), ("kube", "kube-rs")):
    m, _ = stat(lib, "memory_kept", "steady_heap_mb")
    if m:
        print(f"- steady Pod cache, {name}: {m:.0f} MB heap (managedFields kept)")
loads = []
if os.path.exists(os.path.join(out, "load.txt")):
    loads = [l.split()[1] for l in open(os.path.join(out, "load.txt")) if l.startswith("load")]
if loads:
    print(f"- 1-minute load average when each phase started: {', '.join(loads)} "
          f"(on {os.cpu_count()} cores)")
