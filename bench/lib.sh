# Shared by the remote benchmarks (bench/remote-vs-awscli.sh, bench/many-files.sh); sourced, never run.
# The caller has `set -euo pipefail` and its working directory at the repository root.

bench_say() { printf 'bench: %s\n' "$*" >&2; }
bench_die() { printf 'bench: error: %s\n' "$*" >&2; exit 1; }

# bench_apt CMD:PACKAGE...: installs the Debian package of each command that is missing (apt-get update first).
bench_apt() {
  local missing=() spec sudo_cmd=""
  for spec in "$@"; do
    command -v "${spec%%:*}" >/dev/null 2>&1 || [ -x "${spec%%:*}" ] || missing+=("${spec#*:}")
  done
  [ ${#missing[@]} -gt 0 ] || return 0
  bench_say "apt-get install ${missing[*]}"
  [ "$(id -u)" -ne 0 ] && sudo_cmd="sudo"
  $sudo_cmd apt-get update -qq >&2
  DEBIAN_FRONTEND=noninteractive $sudo_cmd apt-get install -y -qq "${missing[@]}" >/dev/null
}

# The Python that .ci/peers/start installs into, and its console-script directory (real scripts, not pyenv shims,
# which cost 0.2 s a call).
bench_py=$(python3 -c 'import sys; print(sys.executable)')
bench_scripts=$("$bench_py" -c 'import sysconfig; print(sysconfig.get_path("scripts"))')

# bench_pip PACKAGE: pip install, quietly.
bench_pip() {
  bench_say "pip install $1"
  "$bench_py" -m pip install -q --disable-pip-version-check "$1" >&2
  if command -v pyenv >/dev/null 2>&1; then pyenv rehash || true; fi
}

# bench_obsctl_release: builds the release binary as .ci/setup does (static Swift runtime) and prints its path.
bench_obsctl_release() {
  if ! command -v swift >/dev/null 2>&1 && [ -x /opt/swift/usr/bin/swift ]; then
    export PATH=/opt/swift/usr/bin:$PATH
  fi
  bash .ci/setup release >&2
  echo "$(swift build -c release --static-swift-stdlib --show-bin-path)/obsctl"
}

# bench_peers_start DIR: starts the test peers (.ci/peers/start) in DIR and exports their settings (OBSCTL_TEST_*).
# bench_peers_stop DIR stops them; call it from the caller's EXIT trap.
bench_peers_start() {
  local envfile
  envfile=$(bash .ci/peers/start "$1")
  set -a; . "$envfile"; set +a
}
bench_peers_stop() { [ -f "$1/peers.env" ] && bash .ci/peers/stop "$1" >/dev/null 2>&1; return 0; }

# bench_client_env WORK: awscli (and s5cmd, rclone, boto3) and obsctl get the peers' test key pair and nothing
# from the caller's configuration; awscli's s3 transfer settings are its defaults, written out in WORK/aws-config;
# obsctl gets a private config directory. Sets bench_aws to the real aws script.
bench_client_env() {
  local work=$1
  [ -x "$bench_scripts/aws" ] || command -v aws >/dev/null 2>&1 || bench_pip awscli
  bench_aws=$bench_scripts/aws; [ -x "$bench_aws" ] || bench_aws=$(command -v aws)
  export AWS_ACCESS_KEY_ID=$OBSCTL_TEST_ACCESS_KEY AWS_SECRET_ACCESS_KEY=$OBSCTL_TEST_SECRET_KEY
  export AWS_DEFAULT_REGION=us-east-1 AWS_REGION=us-east-1 AWS_EC2_METADATA_DISABLED=true
  export AWS_CONFIG_FILE=$work/aws-config AWS_SHARED_CREDENTIALS_FILE=$work/aws-credentials
  # SeaweedFS and flexible checksums: as .ci/peers/check runs awscli.
  export AWS_REQUEST_CHECKSUM_CALCULATION=when_required AWS_RESPONSE_CHECKSUM_VALIDATION=when_required
  unset AWS_PROFILE AWS_SESSION_TOKEN AWS_CA_BUNDLE AWS_ENDPOINT_URL AWS_MAX_ATTEMPTS AWS_RETRY_MODE
  printf '%s\n' '[default]' 's3 =' '    multipart_threshold = 8MB' '    multipart_chunksize = 8MB' \
    '    max_concurrent_requests = 10' >"$AWS_CONFIG_FILE"
  : >"$AWS_SHARED_CREDENTIALS_FILE"
  export OBS_ACCESS_KEY_ID=$OBSCTL_TEST_ACCESS_KEY OBS_SECRET_ACCESS_KEY=$OBSCTL_TEST_SECRET_KEY
  export XDG_CONFIG_HOME="$work/config"
  unset OBSCTL_ENDPOINT OBSCTL_REGION OBSCTL_PROFILE OBSCTL_CA_BUNDLE OBS_SECURITY_TOKEN OBS_ENDPOINT
}

# bench_time OUTDIR CMD...: runs CMD with stdout and stderr to OUTDIR/stdout, OUTDIR/stderr, under /usr/bin/time;
# prints "WALL USER SYS MAXRSS_KIB" (wall from the clock around it, CPU of the process and its children).
# On failure, shows what the command said and returns 1.
bench_time() {
  local out=$1 start end
  shift
  start=$(date +%s.%N)
  if ! /usr/bin/time -f '%U %S %M' -o "$out/time" "$@" >"$out/stdout" 2>"$out/stderr"; then
    bench_say "failed: $*"; tail -n 20 "$out/stderr" "$out/stdout" "$out/time" >&2; return 1
  fi
  end=$(date +%s.%N)
  echo "$(awk -v s="$start" -v e="$end" 'BEGIN {printf "%.3f", e - s}') $(tail -n 1 "$out/time")"
}
