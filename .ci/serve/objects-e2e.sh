#!/bin/bash
# End-to-end: awscli against the real `obsctl serve` (S3 dialect), temp store.
set -u
BIN=${1:-.build/debug/obsctl}
HERE=$(cd "$(dirname "$0")" && pwd)
BIN=$(cd "$(dirname "$BIN")" && pwd)/$(basename "$BIN")
T=$(mktemp -d /tmp/obsctl-serve-e2e.XXXX)
export OBSCTL_LOCAL_ROOT=$T/store OBSCTL_LOCAL_ROOT_KEY=$(head -c32 /dev/urandom | base64)
export OBSCTL_SERVE_ACCESS_KEY_ID=AKE2E OBSCTL_SERVE_SECRET_ACCESS_KEY=e2esecret
export AWS_ACCESS_KEY_ID=AKE2E AWS_SECRET_ACCESS_KEY=e2esecret AWS_DEFAULT_REGION=local
mkdir -p $T/store
"$BIN" serve --listen 127.0.0.1:0 --output json > $T/out 2> $T/err &
PID=$!
for i in $(seq 50); do [ -s $T/out ] && break; sleep 0.1; done
E=$(head -1 $T/out | python3 -c 'import json,sys; print(json.load(sys.stdin)["endpoint"])')
A="aws --endpoint-url $E"
fail=0
check() { if "$@"; then echo "ok   $NAME"; else echo "FAIL $NAME"; fail=1; fi; }
cd $T
head -c 20971520 /dev/urandom > f20; head -c 41943040 /dev/urandom > f40; head -c 32 /dev/urandom > ck
NAME="mb"; check $A s3 mb s3://e2ebkt
NAME="put/get 20 MiB"; check bash -c "$A s3api put-object --bucket e2ebkt --key f20 --body f20 >/dev/null && $A s3api get-object --bucket e2ebkt --key f20 g20 >/dev/null && cmp f20 g20"
NAME="multipart cp 40 MiB"; check bash -c "$A s3 cp f40 s3://e2ebkt/dir/f40 && $A s3 cp s3://e2ebkt/dir/f40 g40 && cmp f40 g40"
NAME="ls"; check bash -c "$A s3 ls s3://e2ebkt --recursive | grep -q dir/f40"
NAME="rm"; check bash -c "$A s3 rm s3://e2ebkt/dir/f40 && ! $A s3 ls s3://e2ebkt --recursive | grep -q dir/f40"
NAME="SSE-KMS put/get"; check bash -c "$A s3 cp f20 s3://e2ebkt/kms --sse aws:kms && $A s3api head-object --bucket e2ebkt --key kms | grep -q aws:kms && $A s3 cp s3://e2ebkt/kms gk && cmp f20 gk"
NAME="SSE-C put/get"; check bash -c "$A s3 cp f40 s3://e2ebkt/ssec --sse-c AES256 --sse-c-key fileb://ck && $A s3 cp s3://e2ebkt/ssec gc --sse-c AES256 --sse-c-key fileb://ck && cmp f40 gc"
NAME="SSE-C get without key refused"; check bash -c "! $A s3api get-object --bucket e2ebkt --key ssec x >/dev/null 2>&1"
NAME="ranged get"; check bash -c "$A s3api get-object --bucket e2ebkt --key kms --range bytes=1000-1999 r >/dev/null && cmp r <(tail -c +1001 f20 | head -c 1000)"
NAME="copy"; check bash -c "$A s3 cp s3://e2ebkt/f20 s3://e2ebkt/copied && $A s3 cp s3://e2ebkt/copied gcp && cmp f20 gcp"
NAME="batch delete"; check bash -c "$A s3 rm s3://e2ebkt --recursive && [ -z \"\$($A s3 ls s3://e2ebkt --recursive)\" ]"
MARK="PLAINTEXT-MARKER-$RANDOM$RANDOM"; (for i in $(seq 2000); do echo "$MARK"; done) > marker.txt
NAME="marker put SSE-KMS, nowhere in store"; check bash -c "$A s3 cp marker.txt s3://e2ebkt/marker --sse aws:kms >/dev/null && ! grep -rqa '$MARK' store"
NAME="boto3 crc32c header/trailer, bad crc refused"; check python3 $HERE/objects-e2e-boto.py $E
NAME="server still up"; check kill -0 $PID
kill -TERM $PID; wait $PID; echo "server exit $?"
grep -v '^{' $T/err | head -5
rm -rf $T
exit $fail
