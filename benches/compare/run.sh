#!/usr/bin/env bash
# kapi vs kube-rs, side by side, in one run, on this machine, against the same server.
#
#   bash benches/compare/run.sh            # everything (about 1 h on the 2-core project machine)
#   RUNS=3 BUILD_RUNS=0 bash benches/compare/run.sh   # quicker: fewer runs, no clean-build timing
#
# Environment knobs (defaults in brackets):
#   RUNS [5]        alternating runs of each scenario per library (list, memory, 10k sync)
#   RUNS_100K [3]   alternating runs of the 100 000-ConfigMap sync
#   EVENTS [50000]  watch events applied after each sync
#   BUILD_RUNS [2]  clean release builds of each program (0 skips the build timing)
#   COMPARE_TARGET_DIR [benches/compare/target]  where the measured programs are built
#   PHASES ["runtime builds"]  which parts to run (the table covers what ran)
#   FREE_TARGET [0] 1: delete COMPARE_TARGET_DIR before the clean builds (short on disk)
#
# Needs python3 (the shared generator and the summary) and cargo. Prints the table and writes
# it, with every raw sample, to benches/compare/results/<time>/.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/../.." && pwd)"
RUNS="${RUNS:-5}"
RUNS_100K="${RUNS_100K:-3}"
EVENTS="${EVENTS:-50000}"
BUILD_RUNS="${BUILD_RUNS:-2}"
PHASES="${PHASES:-runtime builds}"
target="${COMPARE_TARGET_DIR:-$here/target}"
gen="${KAPI_GEN_OBJECTS:-$root/../shared/bench/gen_objects.py}"
[ -f "$gen" ] || gen=/work/shared/bench/gen_objects.py
[ -f "$gen" ] || { echo "run.sh: shared/bench/gen_objects.py not found (set KAPI_GEN_OBJECTS)" >&2; exit 1; }
command -v python3 >/dev/null || { echo "run.sh: python3 is needed" >&2; exit 1; }

out="$here/results/$(date -u +%Y%m%dT%H%M%SZ)"
data="$here/data"
mkdir -p "$out" "$data"
samples="$out/samples.tsv"
: > "$samples"
log() { echo "[$(date -u +%H:%M:%S)] $*" | tee -a "$out/log.txt" >&2; }
load() { log "load: $(cut -d' ' -f1-3 /proc/loadavg) (1/5/15 min) on $(nproc) cores"; echo "load $(cut -d' ' -f1-3 /proc/loadavg)" >> "$out/load.txt"; }

{
  echo "date: $(date -u)"
  echo "cpu: $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs) x $(nproc)"
  echo "memory: $(free -g | awk '/Mem:/ {print $2 " GiB"}')"
  echo "rustc: $(rustc --version)"
  echo "kapi: $(git -C "$root" rev-parse --short HEAD 2>/dev/null || echo unknown)"
} > "$out/machine.txt"
cat "$out/machine.txt" >&2

# --- data (all from the shared generator) -----------------------------------------------
gen_data() { # kind count file [args]
  local kind=$1 n=$2 file=$3; shift 3
  [ -s "$data/$file" ] || { log "generating $file"; python3 "$gen" "$kind" "$n" --items-only "$@" > "$data/$file.tmp" && mv "$data/$file.tmp" "$data/$file"; }
}
gen_data pods 10000 pods-10000.ndjson
gen_data configmaps 10000 configmaps-10000.ndjson
gen_data configmaps 100000 configmaps-100000.ndjson
# The same 10 000 Pods as one PodList document: its size turns list times into MB/s.
[ -s "$data/pods-10000.json" ] || python3 "$gen" pods 10000 > "$data/pods-10000.json"

# --- the programs -------------------------------------------------------------------------
log "building bench-server, kapi-compare, kube-compare (release) into $target"
(cd "$here" && cargo build --release --target-dir "$target" -p bench-server -p kapi-compare -p kube-compare 2>&1 | tail -2) >&2
# Run copies, so that the timed clean builds below cannot touch them.
mkdir -p "$out/bin"
cp "$target/release/bench-server" "$target/release/kapi-compare" "$target/release/kube-compare" "$out/bin/"
bin="$out/bin"
kube_version=$(cd "$here" && cargo tree -p kube-compare --depth 1 -e normal --prefix none 2>/dev/null | grep -E '^(kube|k8s-openapi) ' | tr '\n' ' ')
echo "kube-rs side: $kube_version" >> "$out/machine.txt"

server_pid=""
start_server() { # data-file name
  stop_server
  rm -f "$out/control-$2"
  "$bin/bench-server" --data "$data/$1" --kubeconfig "$out/kubeconfig-$2" --control-file "$out/control-$2" 2>>"$out/server.log" &
  server_pid=$!
  for _ in $(seq 1 600); do [ -s "$out/control-$2" ] && break; sleep 0.5; done
  [ -s "$out/control-$2" ] || { echo "run.sh: bench-server did not start (see $out/server.log)" >&2; exit 1; }
  control="$(cat "$out/control-$2")"
  kubeconfig="$out/kubeconfig-$2"
}
stop_server() { if [ -n "$server_pid" ]; then kill "$server_pid" 2>/dev/null || true; wait "$server_pid" 2>/dev/null || true; server_pid=""; fi; }
trap stop_server EXIT

run_one() { # lib label args...
  local lib=$1 label=$2; shift 2
  local prog="$bin/$lib-compare"
  "$prog" "$@" --kubeconfig "$kubeconfig" --control "$control" > "$out/last.txt" 2>>"$out/errors.log" || {
    echo "run.sh: $lib $* failed:" >&2; cat "$out/last.txt" >&2; tail -5 "$out/errors.log" >&2; exit 1; }
  grep '^RESULT ' "$out/last.txt" | while read -r _ scenario metric value; do
    printf '%s\t%s\t%s\t%s\n' "$lib" "$scenario$label" "$metric" "$value" >> "$samples"
  done
}
alternate() { # runs label args...: kapi, kube-rs, kube-rs, kapi, ... (who goes first alternates)
  local runs=$1 label=$2; shift 2
  for i in $(seq 1 "$runs"); do
    if [ $((i % 2)) -eq 1 ]; then run_one kapi "$label" "$@"; run_one kube "$label" "$@"
    else run_one kube "$label" "$@"; run_one kapi "$label" "$@"; fi
    log "  $1$label: run $i/$runs done"
  done
}

# --- 1, 3, 4: 10 000 Pods with managedFields ---------------------------------------------------
if [[ " $PHASES " == *" runtime "* ]]; then
start_server pods-10000.ndjson pods
load
log "scenario 1: list 10 000 Pods (each run: one warm-up list, then 3 timed)"
run_one kapi "" list --iters 1 >/dev/null; run_one kube "" list --iters 1 >/dev/null  # warm the server
: > "$samples"
alternate "$RUNS" "" list --iters 3
load
log "scenarios 3+4: Pod cache memory, sync and relist peaks (managedFields kept / stripped)"
alternate "$RUNS" "" memory
alternate "$RUNS" "" memory --strip
stop_server

# --- 2: ConfigMap informers ---------------------------------------------------------------
start_server configmaps-10000.ndjson cm10k
load
log "scenario 2: informer sync over 10 000 ConfigMaps, then $EVENTS watch events"
alternate "$RUNS" "_10k" sync --events "$EVENTS"
stop_server
start_server configmaps-100000.ndjson cm100k
load
log "scenario 2: informer sync over 100 000 ConfigMaps, then $EVENTS watch events"
alternate "$RUNS_100K" "_100k" sync --events "$EVENTS"
stop_server
fi

# --- 5: clean release builds ------------------------------------------------------------------
if [[ " $PHASES " == *" builds "* ]] && [ "$BUILD_RUNS" -gt 0 ]; then
  (cd "$here" && cargo fetch >/dev/null 2>&1 || true)
  if [ "${FREE_TARGET:-0}" = 1 ]; then log "removing $target to make room"; rm -rf "$target"; fi
  build_one() { # package lib scenario
    local dir; dir="$(mktemp -d "${TMPDIR:-/tmp}/kapi-compare-build.XXXXXX")"
    load
    local start end
    start=$(date +%s.%N)
    (cd "$here" && cargo build --release --offline --target-dir "$dir" -p "$1" >/dev/null 2>>"$out/errors.log")
    end=$(date +%s.%N)
    rm -rf "$dir"
    local secs; secs=$(awk "BEGIN { printf \"%.1f\", $end - $start }")
    printf '%s\t%s\t%s\t%s\n' "$2" "$3" seconds "$secs" >> "$samples"
    log "  clean build of $1: $secs s"
  }
  log "scenario 5: clean release builds, $BUILD_RUNS run(s) each, alternating"
  for i in $(seq 1 "$BUILD_RUNS"); do
    build_one kapi-compare kapi build_full
    build_one kube-compare kube build_full
    build_one kube-listpods kube build_listpods
    build_one kapi-listpods kapi build_listpods
  done
fi
load

# --- the table --------------------------------------------------------------------------------
python3 "$here/summarize.py" "$out" "$data/pods-10000.json" | tee "$out/summary.md"
log "raw samples: $samples; summary: $out/summary.md"
