#!/usr/bin/env bash
# Remote benchmark (not a test): upload and download of one file against SeaweedFS on 127.0.0.1 (the test peers of
# .ci/peers/start), with obsctl and with `aws s3 cp` (awscli), in one run. For each client run: wall time, client CPU
# (user + sys, from /usr/bin/time -v, children included) and client peak RSS, then the ratios obsctl / awscli
# against the targets of issue 3: CPU per GiB <= 0.2 x awscli's, peak RSS <= 0.5 x awscli's, wall <= awscli's.
# Usage: bash bench/remote-vs-awscli.sh [SIZE_MIB]   (default 1024)
#   BENCH_DIR         where the work directory goes (default /var/tmp); needs about 5 x SIZE_MIB free (source,
#                     three objects in SeaweedFS, one download)
#   BENCH_OBSCTL_PAR  obsctl rows (default "4 8 4-none"): N runs with --parallel N and the default checksum
#                     (x-amz-checksum-crc32c on every PUT and part); N-none adds --checksum none, the same integrity
#                     work as awscli here (it sends no checksum: flexible checksums are off, see below)
#   BENCH_OBSCTL      an obsctl binary to measure instead of this tree's release build (which is then not built)
# Multipart settings: awscli at its defaults, written out explicitly (8 MiB threshold, 8 MiB parts, 10 requests at
# once; downloads as 8 MiB ranged GETs, 10 at once). obsctl at its defaults (50 MiB threshold, obsutil part-size tier,
# --parallel 4; downloads as 16 MiB ranged GETs, 4 at once) and again with --parallel 8. Progress output is off for both
# (obsctl -q, aws --quiet). Wall time is the command plus a `sync`, because obsctl fsyncs a downloaded file before
# renaming it and awscli does not; the command alone is shown too ("cmd s"). Every run starts after a `sync`.
set -euo pipefail
cd "$(dirname "$0")/.."
. bench/lib.sh
size_mib="${1:-1024}"
obsctl_par="${BENCH_OBSCTL_PAR:-4 8 4-none}"
bench_apt /usr/bin/time:time
bin=${BENCH_OBSCTL:-$(bench_obsctl_release)}
[ -x "$bin" ] || bench_die "no obsctl binary at $bin"

work=$(mktemp -d -p "${BENCH_DIR:-/var/tmp}")
peers="$work/peers"
bucket="bench-$(head -c 4 /dev/urandom | od -An -tx1 | tr -d ' \n')"
bucket_made=0
cleanup() {
  set +e
  if [ "$bucket_made" = 1 ]; then
    "$aws" --endpoint-url "$OBSCTL_TEST_SEAWEED_ENDPOINT" s3 rb --force "s3://$bucket" >/dev/null 2>&1
  fi
  bench_peers_stop "$peers"
  rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

bench_peers_start "$peers"
endpoint=$OBSCTL_TEST_SEAWEED_ENDPOINT
# awscli as .ci/peers/check runs it, its s3 transfer settings its defaults written out; obsctl with the same key
# pair and a private config directory (bench/lib.sh).
bench_client_env "$work"
aws=$bench_aws

head -c $((size_mib * 1048576)) /dev/urandom >"$work/src"
sync

# measure TOOL OP CMD...: runs CMD under /usr/bin/time -v after a sync, then a sync; appends
# "TOOL OP wall cmd user sys rssKiB load1" to results.
: >"$work/results"
measure() {
  local tool=$1 op=$2 start mid end load
  shift 2
  sync
  load=$(cut -d' ' -f1 /proc/loadavg)
  start=$(date +%s.%N)
  if ! /usr/bin/time -v -o "$work/time.txt" "$@" >/dev/null 2>"$work/stderr.txt"; then
    echo "bench: $tool $op failed:" >&2; cat "$work/stderr.txt" "$work/time.txt" >&2; return 1
  fi
  mid=$(date +%s.%N)
  sync
  end=$(date +%s.%N)
  awk -v t="$tool" -v o="$op" -v s="$start" -v m="$mid" -v e="$end" -v l="$load" -F': ' '
    /User time \(seconds\)/ {u=$2} /System time \(seconds\)/ {y=$2} /Maximum resident set size/ {r=$2}
    END {printf "%s %s %.3f %.3f %s %s %s %s\n", t, o, e - s, m - s, u, y, r, l}' "$work/time.txt" >>"$work/results"
}
# parts KEY: the part count from the multipart ETag suffix ("...-N"), 1 for a single PUT.
parts() {
  "$aws" --endpoint-url "$endpoint" s3api head-object --bucket "$bucket" --key "$1" --query ETag --output text |
    sed -n 's/.*-\([0-9]*\)"*$/\1/p;t;s/.*/1/p'
}

"$bin" bucket create "obs://$bucket" --endpoint "$endpoint" -q >/dev/null
bucket_made=1
echo "load average at start: $(cut -d' ' -f1-3 /proc/loadavg) ($(nproc) CPUs)" >"$work/notes"

# Uploads, then downloads, each tool downloading its own object; every download compared byte for byte.
rows=("awscli|aws-obj")
for p in $obsctl_par; do rows+=("obsctl-p$p|obsctl-p$p-obj"); done
for row in "${rows[@]}"; do
  tool=${row%%|*} key=${row#*|}
  case $tool in
    awscli) measure "$tool" upload "$aws" --endpoint-url "$endpoint" s3 cp --quiet "$work/src" "s3://$bucket/$key" ;;
    obsctl-p*) spec=${tool#obsctl-p} sum=(); [ "${spec#*-}" = none ] && sum=(--checksum none)
               measure "$tool" upload "$bin" upload "$work/src" "obs://$bucket/$key" --endpoint "$endpoint" -q \
                 --parallel "${spec%%-*}" "${sum[@]}" ;;
  esac
  echo "$tool upload: $(parts "$key") parts" >>"$work/notes"
done
for row in "${rows[@]}"; do
  tool=${row%%|*} key=${row#*|}
  case $tool in
    awscli) measure "$tool" download "$aws" --endpoint-url "$endpoint" s3 cp --quiet "s3://$bucket/$key" "$work/out" ;;
    obsctl-p*) spec=${tool#obsctl-p}
               measure "$tool" download "$bin" download "obs://$bucket/$key" "$work/out" --endpoint "$endpoint" -q \
                 --parallel "${spec%%-*}" ;;
  esac
  cmp "$work/src" "$work/out" || { echo "bench: $tool download differs from the source" >&2; exit 1; }
  rm -f "$work/out"
done
echo "load average at end: $(cut -d' ' -f1-3 /proc/loadavg)" >>"$work/notes"

python3 - "$size_mib" "$work/results" "$work/notes" "$("$aws" --version 2>&1)" "$("$bin" --version 2>&1)" <<'PY'
import sys
mib = float(sys.argv[1]); gib = mib / 1024
rows = [l.split() for l in open(sys.argv[2]) if l.strip()]
notes = open(sys.argv[3]).read().splitlines()
r = {}
for tool, op, wall, cmd, user, sys_, rss, load in rows:
    cpu = float(user) + float(sys_)
    r[(tool, op)] = dict(wall=float(wall), cmd=float(cmd), user=float(user), sys=float(sys_), cpu=cpu,
                         cpu_gib=cpu / gib, rss=int(rss) / 1024, load=load)
parts = {l.split()[0]: int(l.split(":")[1].split()[0]) for l in notes if " upload: " in l}
print(f"file: {mib:.0f} MiB of random bytes; SeaweedFS (weed mini) on 127.0.0.1, HTTP, SigV4")
print(f"awscli: {sys.argv[4]}")
print(f"obsctl: {sys.argv[5]}")
print("settings: awscli defaults (threshold 8 MiB, 8 MiB parts, max_concurrent_requests 10; "
      "download = 8 MiB ranged GETs, 10 at once)")
print("          obsctl defaults (threshold 50M, obsutil part-size tier, CRC-32C checksum header; "
      "download = 16 MiB ranged GETs),\n          --parallel N as in the tool column (-none: --checksum none)")
for t, p in parts.items():
    print(f"          {t} upload: {p} parts, mean {mib / p:.1f} MiB per part")
for l in notes:
    if l.startswith("load"): print(l)
print()
print(f"{'tool':<14} {'op':<9} {'wall s':>7} {'cmd s':>7} {'MiB/s':>7} {'user s':>7} {'sys s':>6} {'CPU s':>7} "
      f"{'CPU s/GiB':>9} {'RSS MiB':>8} {'load1':>6}")
for (tool, op), v in sorted(r.items(), key=lambda kv: (kv[0][1] != "upload", kv[0][0] != "awscli", kv[0][0])):
    print(f"{tool:<14} {op:<9} {v['wall']:7.2f} {v['cmd']:7.2f} {mib / v['wall']:7.1f} {v['user']:7.2f} "
          f"{v['sys']:6.2f} {v['cpu']:7.2f} {v['cpu_gib']:9.2f} {v['rss']:8.1f} {v['load']:>6}")
print()
print("ratios obsctl / awscli          CPU/GiB (<= 0.20)     peak RSS (<= 0.50)    wall (<= 1.00)")
met_all = True
for (tool, op), v in sorted(r.items(), key=lambda kv: (kv[0][1] != "upload", kv[0][0])):
    if tool == "awscli": continue
    a = r[("awscli", op)]
    c, m, w = v["cpu_gib"] / a["cpu_gib"], v["rss"] / a["rss"], v["wall"] / a["wall"]
    ok = (c <= 0.20, m <= 0.50, w <= 1.00)
    met_all &= all(ok)
    mark = lambda b: "met" if b else "MISSED"
    print(f"{tool:<14} {op:<9}          {c:6.3f} {mark(ok[0]):<8}       {m:6.3f} {mark(ok[1]):<8}       "
          f"{w:6.3f} {mark(ok[2])}")
print()
print("targets: " + ("all met" if met_all else "not all met")
      + " (single run on a shared machine: wall times are noisy)")
PY
