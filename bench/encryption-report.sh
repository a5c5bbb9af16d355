#!/usr/bin/env bash
# Encryption report/apply benchmark (not a test), for the targets of issue 11, through a TCP proxy adding latency
# in front of SeaweedFS (the test peers of .ci/peers/start):
#   report on N objects: wall at most 0.15x the same command with --jobs 1;
#   apply on N small objects: wall at most 0.5x `aws s3 cp --recursive` in place with --sse to the same bucket.
#
# Usage: bash bench/encryption-report.sh [--objects N] [--latency-ms N] [--obsctl PATH]
#   --objects N     objects of 1 KiB in the bucket (default 2000), uploaded without the proxy
#   --latency-ms N  delay added in each direction (default 10, so 20 ms a round trip)
#   --obsctl PATH   an obsctl binary to measure instead of this tree's release build (which is then not built)
#   OBSCTL_TEST_PEERS_ENV  peers already running (their peers.env): used instead of starting new ones
#   BENCH_DIR       where the work directory goes (default /var/tmp)
# Output: one line per measurement and the ratios against the targets, on stdout.
set -euo pipefail
cd "$(dirname "$0")/.."
. bench/lib.sh

objects=2000 latency=10 bin=""
usage() { sed -n '/^# Usage:/,/^# Output/p' "$0" | sed '$d; s/^# \{0,1\}//' >&2; exit 2; }
while [ $# -gt 0 ]; do
  case $1 in
    --objects|--latency-ms|--obsctl) [ $# -ge 2 ] || usage ;;&
    --objects) objects=$2 ;;
    --latency-ms) latency=$2 ;;
    --obsctl) bin=$2 ;;
    -h|--help) usage ;;
    *) echo "bench: unknown option $1" >&2; usage ;;
  esac
  shift 2
done
for n in "$objects" "$latency"; do [[ $n =~ ^[0-9]+$ ]] || bench_die "not a whole number: $n"; done
bench_apt /usr/bin/time:time
if [ -z "$bin" ]; then bin=$(bench_obsctl_release); fi
[ -x "$bin" ] || bench_die "no obsctl binary at $bin"

work=$(mktemp -d -p "${BENCH_DIR:-/var/tmp}")
peers=$work/peers
proxy_pid="" own_peers=""
cleanup() {
  set +e
  [ -n "$proxy_pid" ] && kill "$proxy_pid" 2>/dev/null
  [ -n "$own_peers" ] && bench_peers_stop "$peers"
  rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

if [ -n "${OBSCTL_TEST_PEERS_ENV:-}" ]; then
  set -a; . "$OBSCTL_TEST_PEERS_ENV"; set +a
else
  own_peers=1
  bench_peers_start "$peers"
fi
bench_client_env "$work"
direct=$OBSCTL_TEST_SEAWEED_ENDPOINT
port=$("$bench_py" -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
setsid "$bench_py" -u .ci/peers/latencyproxy.py --port "$port" --upstream "${direct#http://}" \
  --delay-ms "$latency" >"$work/latencyproxy.log" 2>&1 </dev/null &
proxy_pid=$!
slow=http://127.0.0.1:$port
for _ in $(seq 100); do curl -s -o /dev/null "$slow/" && break; sleep 0.1; done
curl -s -o /dev/null "$slow/" || bench_die "the latency proxy does not answer: $(cat "$work/latencyproxy.log")"

flags=(--signature v4 --addressing path)
bucket=bench-enc-$RANDOM$RANDOM
mkdir -p "$work/tree" "$work/out"
"$bench_py" - "$work/tree" "$objects" <<'PY'
import os, sys
root, n = sys.argv[1], int(sys.argv[2])
for i in range(n):
    with open(os.path.join(root, f"o{i:05d}.bin"), "wb") as f:
        f.write(os.urandom(1024))
PY
"$bin" bucket create "obs://$bucket" --endpoint "$direct" "${flags[@]}" -q
"$bin" upload "$work/tree/" "obs://$bucket/" --recursive --endpoint "$direct" "${flags[@]}" -q --jobs 64

measure() {  # NAME CMD...: prints "NAME wall" and returns the wall in $wall
  local name=$1
  shift
  read -r wall _ < <(bench_time "$work/out" "$@")
  printf '%-40s %8.2f s\n' "$name" "$wall"
}

measure "report --jobs 1 ($objects objects)" \
  "$bin" bucket encryption report "obs://$bucket" --endpoint "$slow" "${flags[@]}" -q --jobs 1
one=$wall
measure "report (default --jobs)" "$bin" bucket encryption report "obs://$bucket" --endpoint "$slow" "${flags[@]}" -q
many=$wall
measure "apply --sse obs (default --jobs)" \
  "$bin" bucket encryption apply "obs://$bucket" --sse obs --endpoint "$slow" "${flags[@]}" -q
apply=$wall
# SeaweedFS refuses an in-place copy under the COPY directive as "changing nothing", whatever the SSE: REPLACE,
# as obsctl sends (awscli then HEADs each object first to carry its properties over, as it does in place anyway).
measure "aws s3 cp --recursive in place --sse" \
  "$bench_aws" s3 cp "s3://$bucket/" "s3://$bucket/" --recursive --sse AES256 --metadata-directive REPLACE \
  --endpoint-url "$slow" --only-show-errors
aws=$wall
awk -v a="$many" -v b="$one" 'BEGIN { printf "report ratio %.3f (target <= 0.15)\n", a / b }'
awk -v a="$apply" -v b="$aws" 'BEGIN { printf "apply ratio %.3f (target <= 0.5)\n", a / b }'
