#!/usr/bin/env bash
# Local-backend benchmark (not a test): SSE-KMS upload and download of one file against `cp` + `sync` of the same
# file, with peak RSS from /usr/bin/time -v, and the median start-up time of `obsctl --version`.
# Usage: bash bench/local-sse.sh [SIZE_MIB]   (default 1024)
set -euo pipefail
cd "$(dirname "$0")/.."
size_mib="${1:-1024}"
command -v /usr/bin/time >/dev/null 2>&1 || [ -x /usr/bin/time ] || { apt-get update -qq && apt-get install -y -qq time >/dev/null; }
bash .ci/setup release >&2
bin="$(swift build -c release --static-swift-stdlib --show-bin-path)/obsctl"

work=$(mktemp -d -p "${BENCH_DIR:-/var/tmp}")
trap 'rm -rf "$work"' EXIT
export OBSCTL_LOCAL_ROOT="$work/root" XDG_CONFIG_HOME="$work/config"
head -c $((size_mib * 1048576)) /dev/urandom > "$work/src"
sync

# Runs a command, then sync; prints "<wall seconds> <peak RSS KiB>".
measure() {
  local start end
  start=$(date +%s.%N)
  /usr/bin/time -v -o "$work/time.txt" "$@" >/dev/null
  sync
  end=$(date +%s.%N)
  echo "$(python3 -c "print($end - $start)") $(awk -F': ' '/Maximum resident set size/ {print $2}' "$work/time.txt")"
}

"$bin" bucket create obs://bench >/dev/null
"$bin" upload "$work/src" obs://bench/warmup --sse kms >/dev/null   # creates obs/default outside the timed run
read -r cp_up cp_rss < <(measure cp "$work/src" "$work/cp-copy")
rm -f "$work/cp-copy"; sync
read -r up up_rss < <(measure "$bin" upload "$work/src" obs://bench/object --sse kms)
read -r cp_down _ < <(measure cp "$work/src" "$work/cp-copy2")
read -r down down_rss < <(measure "$bin" download obs://bench/object "$work/out")
cmp "$work/src" "$work/out"

# Median of 200 runs of `obsctl --version`.
version_ms=$(python3 - "$bin" <<'PY'
import subprocess, sys, time, statistics
runs = []
for _ in range(200):
    t = time.perf_counter(); subprocess.run([sys.argv[1], "--version"], stdout=subprocess.DEVNULL, check=True); runs.append(time.perf_counter() - t)
print(f"{statistics.median(runs) * 1000:.2f}")
PY
)

python3 - "$size_mib" "$cp_up" "$up" "$up_rss" "$cp_down" "$down" "$down_rss" "$version_ms" <<'PY'
import sys
mib = float(sys.argv[1]); cp_up, up, up_rss, cp_down, down, down_rss, ver = map(float, sys.argv[2:])
def row(name, secs, base, rss):
    print(f"{name:<28} {secs:7.2f} s  {mib / secs:8.1f} MiB/s  ratio vs cp+sync {base / secs:5.2f}  peak RSS {rss / 1024:6.1f} MiB")
print(f"file: {mib:.0f} MiB, SSE-KMS, local backend")
print(f"{'cp + sync (upload baseline)':<28} {cp_up:7.2f} s  {mib / cp_up:8.1f} MiB/s")
row("obsctl upload --sse kms", up, cp_up, up_rss)
print(f"{'cp + sync (download baseline)':<28} {cp_down:7.2f} s  {mib / cp_down:8.1f} MiB/s")
row("obsctl download", down, cp_down, down_rss)
print(f"obsctl --version median of 200 runs: {ver:.2f} ms")
print("targets: ratio >= 0.90, peak RSS < 64 MiB, --version < 10 ms")
PY
