#!/usr/bin/env bash
# Benchmark (not a test) of `obsctl serve`'s CPU per small GET: COUNT GETs (default 2000) of 4 KiB SSE-KMS objects
# by boto3 on one connection, and the server's CPU for them (utime + stime of its process from /proc, before and
# after). One client and small objects, so the number is the server's fixed cost per request: opening the object
# (meta.json, the data key's unwrap and its audit record), signature checks, HTTP. Run it for two builds in
# alternation to compare them: `BENCH_OBSCTL=A bash bench/serve-small-gets.sh; BENCH_OBSCTL=B bash ...`.
# Usage: bash bench/serve-small-gets.sh [COUNT]
#   BENCH_DIR     where the store goes (default /var/tmp)
#   BENCH_OBSCTL  an obsctl binary (obsctl-serve beside it) instead of this tree's release build (not then built)
set -euo pipefail
cd "$(dirname "$0")/.."
. bench/lib.sh
count="${1:-2000}"
[[ $count =~ ^[0-9]+$ ]] && [ "$count" -gt 0 ] || bench_die "COUNT must be a whole number above 0, not $count"
bin=${BENCH_OBSCTL:-$(bench_obsctl_release)}
[ -x "$bin" ] && [ -x "$(dirname "$bin")/obsctl-serve" ] || bench_die "no obsctl with obsctl-serve beside it: $bin"
"$bench_py" -c 'import boto3' 2>/dev/null || bench_pip boto3

work=$(mktemp -d -p "${BENCH_DIR:-/var/tmp}")
serve_pid=""
cleanup() {
  set +e
  [ -n "$serve_pid" ] && kill "$serve_pid" 2>/dev/null && wait "$serve_pid" 2>/dev/null
  rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

export OBSCTL_LOCAL_ROOT="$work/root"
OBSCTL_LOCAL_ROOT_KEY=$(head -c 32 /dev/urandom | base64)
export OBSCTL_LOCAL_ROOT_KEY
export OBSCTL_SERVE_ACCESS_KEY_ID=BENCHSMALLGETS
OBSCTL_SERVE_SECRET_ACCESS_KEY=$(head -c 24 /dev/urandom | base64 | tr -d '/+=')
export OBSCTL_SERVE_SECRET_ACCESS_KEY
"$bin" serve --listen 127.0.0.1:0 --output json --access-log /dev/null > "$work/ready.json" 2> "$work/serve.err" &
serve_pid=$!
for _ in $(seq 600); do grep -q '}' "$work/ready.json" 2>/dev/null && break; sleep 0.1; done
grep -q '}' "$work/ready.json" || bench_die "serve did not start: $(tail -3 "$work/serve.err")"
endpoint=$("$bench_py" -c 'import json, sys; print(json.load(open(sys.argv[1]))["endpoint"])' "$work/ready.json")

# The serving process: obsctl execs obsctl-serve, so the pid is the server's own.
"$bench_py" - "$endpoint" "$serve_pid" "$count" <<'PY'
import os, sys
import boto3
from botocore.config import Config

endpoint, pid, count = sys.argv[1], sys.argv[2], int(sys.argv[3])
s3 = boto3.client(
    "s3", endpoint_url=endpoint, region_name="us-east-1",
    aws_access_key_id=os.environ["OBSCTL_SERVE_ACCESS_KEY_ID"],
    aws_secret_access_key=os.environ["OBSCTL_SERVE_SECRET_ACCESS_KEY"],
    config=Config(s3={"addressing_style": "path"}, signature_version="s3v4"))
s3.create_bucket(Bucket="small-gets")
keys = [f"k{i}" for i in range(20)]
for k in keys:
    s3.put_object(Bucket="small-gets", Key=k, Body=os.urandom(4096), ServerSideEncryption="aws:kms")


def cpu():
    fields = open(f"/proc/{pid}/stat").read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


before = cpu()
for i in range(count):
    s3.get_object(Bucket="small-gets", Key=keys[i % len(keys)])["Body"].read()
spent = cpu() - before
print(f"{count} GETs of 4 KiB SSE-KMS objects: server CPU {spent:.2f} s, {1000 * spent / count:.2f} ms a GET")
PY
