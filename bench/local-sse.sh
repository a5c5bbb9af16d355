#!/usr/bin/env bash
# Local-backend benchmark (not a test): SSE-KMS upload and download of one file against `cp` + `sync` of the same
# file, with peak RSS from /usr/bin/time -v, and the median start-up time of `obsctl --version`.
# Usage: bash bench/local-sse.sh [SIZE_MIB]   (default 1024; BENCH_ROUNDS rounds, default 3, medians reported)
set -euo pipefail
cd "$(dirname "$0")/.."
size_mib="${1:-1024}"
command -v /usr/bin/time >/dev/null 2>&1 || [ -x /usr/bin/time ] ||
  { apt-get update -qq && apt-get install -y -qq time >/dev/null; }
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
"$bin" upload "$work/src" obs://bench/warmup --sse kms >/dev/null   # creates obs/default outside the timed runs
# Not timed: a download and a cp first. On this VM the first process after a pause to take a GiB of fresh page
# cache pays about a second of extra system time (the host hands memory back on first touch), whichever tool it
# is; without this the timed run that happens to come first would carry it.
"$bin" download obs://bench/warmup "$work/warm" >/dev/null; rm -f "$work/warm"
cp "$work/src" "$work/warm"; rm -f "$work/warm"; sync

# ROUNDS rounds of: cp, upload, cp, download. Every run writes a new file (cp a new copy, the upload a new
# object key), and what it wrote is removed after it, outside the timing: an overwrite would add the deletion of
# the old GiB to the upload only.
rounds="${BENCH_ROUNDS:-3}"
: >"$work/runs"
for r in $(seq "$rounds"); do
  echo "cp_up $(measure cp "$work/src" "$work/cp-copy")" >>"$work/runs"; rm -f "$work/cp-copy"; sync
  echo "up $(measure "$bin" upload "$work/src" "obs://bench/object-$r" --sse kms)" >>"$work/runs"
  echo "cp_down $(measure cp "$work/src" "$work/cp-copy")" >>"$work/runs"; rm -f "$work/cp-copy"; sync
  echo "down $(measure "$bin" download "obs://bench/object-$r" "$work/out")" >>"$work/runs"
  cmp "$work/src" "$work/out"; rm -f "$work/out"; "$bin" rm "obs://bench/object-$r" -q; sync
done

# Median of 200 runs of `obsctl --version`.
version_ms=$(python3 - "$bin" <<'PY'
import subprocess, sys, time, statistics
runs = []
for _ in range(200):
    t = time.perf_counter()
    subprocess.run([sys.argv[1], "--version"], stdout=subprocess.DEVNULL, check=True)
    runs.append(time.perf_counter() - t)
print(f"{statistics.median(runs) * 1000:.2f}")
PY
)

python3 - "$size_mib" "$rounds" "$version_ms" "$work/runs" <<'PY'
import statistics, sys
mib, rounds, ver = float(sys.argv[1]), int(sys.argv[2]), float(sys.argv[3])
runs = {}
for line in open(sys.argv[4]):
    name, secs, rss = line.split()
    runs.setdefault(name, []).append((float(secs), float(rss)))
med = {k: statistics.median(s for s, _ in v) for k, v in runs.items()}
rss = {k: max(r for _, r in v) for k, v in runs.items()}
def row(name, key, base):
    secs = med[key]
    each = " ".join(f"{s:.2f}" for s, _ in runs[key])
    print(f"{name:<28} {secs:7.2f} s  {mib / secs:8.1f} MiB/s  ratio vs cp+sync {med[base] / secs:5.2f}  "
          f"peak RSS {rss[key] / 1024:6.1f} MiB  (runs: {each})")
print(f"file: {mib:.0f} MiB, SSE-KMS, local backend; medians of {rounds} rounds")
print(f"{'cp + sync (upload baseline)':<28} {med['cp_up']:7.2f} s  {mib / med['cp_up']:8.1f} MiB/s  "
      f"(runs: {' '.join(f'{s:.2f}' for s, _ in runs['cp_up'])})")
row("obsctl upload --sse kms", "up", "cp_up")
print(f"{'cp + sync (download baseline)':<28} {med['cp_down']:7.2f} s  {mib / med['cp_down']:8.1f} MiB/s  "
      f"(runs: {' '.join(f'{s:.2f}' for s, _ in runs['cp_down'])})")
row("obsctl download", "down", "cp_down")
print(f"obsctl --version median of 200 runs: {ver:.2f} ms")
print("targets: ratio >= 0.90, peak RSS < 64 MiB, --version < 10 ms")
PY
