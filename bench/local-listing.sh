#!/usr/bin/env bash
# Local-backend listing benchmark (not a test): a bucket of N small objects in the embedded store, listed whole
# (`ls -r`, pages of 1,000), under one prefix (`ls -r obs://b/a3/`) and one level at a time (`ls`, delimiter "/"),
# medians of BENCH_ROUNDS runs (default 3). Each obsctl process starts knowing no key, as a user's does.
# Usage: bash bench/local-listing.sh [OBJECTS] [--obsctl PATH] [--baseline PATH]
#   OBJECTS          objects in the bucket (default 30000)
#   --obsctl PATH    the obsctl to measure instead of this tree's release build (which is then not built)
#   --baseline PATH  another obsctl (an older build) measured on the same store; its output must be the same
#   BENCH_DIR        where the work directory goes (default /var/tmp)
# Output: Markdown on stdout.
set -euo pipefail
cd "$(dirname "$0")/.."
. bench/lib.sh

objects=30000 bin="" baseline=""
while [ $# -gt 0 ]; do
  case $1 in
    --obsctl) bin=$2; shift 2 ;;
    --baseline) baseline=$2; shift 2 ;;
    [0-9]*) objects=$1; shift ;;
    *) bench_die "unknown argument $1" ;;
  esac
done
[ -x /usr/bin/time ] || bench_apt time
[ -n "$bin" ] || bin=$(bench_obsctl_release)
rounds="${BENCH_ROUNDS:-3}"

work=$(mktemp -d -p "${BENCH_DIR:-/var/tmp}")
trap 'rm -rf "$work"' EXIT
export OBSCTL_LOCAL_ROOT="$work/root" XDG_CONFIG_HOME="$work/config"
"$bench_py" - "$work/tree" "$objects" <<'PY'
import os, sys
root, n = sys.argv[1], int(sys.argv[2])
for i in range(n):
    d = os.path.join(root, f"a{i % 10}", f"b{i // 10 % 10}")
    os.makedirs(d, exist_ok=True)
    with open(os.path.join(d, f"f{i:06d}"), "wb") as f:
        f.write(b"x" * (i % 100))
PY
"$bin" bucket create obs://listing >/dev/null
bench_say "uploading $objects objects"
"$bin" upload "$work/tree" obs://listing/ --recursive -q
mkdir -p "$work/out"

declare -A median=()
tools=(obsctl)
[ -n "$baseline" ] && tools+=(baseline)
for tool in "${tools[@]}"; do
  b=$bin
  [ "$tool" = baseline ] && b=$baseline
  for op in whole prefix level; do
    case $op in
      whole) args=(ls obs://listing/ --recursive) ;;
      prefix) args=(ls obs://listing/a3/ --recursive) ;;
      level) args=(ls obs://listing/) ;;
    esac
    walls=()
    for _ in $(seq "$rounds"); do
      read -r wall _ _ _ < <(bench_time "$work/out" "$b" "${args[@]}")
      walls+=("$wall")
    done
    cp "$work/out/stdout" "$work/$tool-$op.txt"
    median[$tool/$op]=$(printf '%s\n' "${walls[@]}" | sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}')
  done
done
for op in whole prefix level; do
  lines=$(wc -l <"$work/obsctl-$op.txt")
  [ "$op" = whole ] && [ "$lines" -ne "$objects" ] && bench_die "ls -r listed $lines objects, not $objects"
  if [ -n "$baseline" ]; then
    cmp -s "$work/obsctl-$op.txt" "$work/baseline-$op.txt" || bench_die "$op: the baseline lists something else"
  fi
done

extra_head="" extra_rule=""
[ -n "$baseline" ] && extra_head=" baseline wall (s) |" extra_rule="--:|"
echo "| listing of $objects objects (embedded store) | lines | obsctl wall (s) |$extra_head"
echo "|---|--:|--:|$extra_rule"
for op in whole prefix level; do
  case $op in
    whole) name='`ls -r obs://listing/`' ;;
    prefix) name='`ls -r obs://listing/a3/`' ;;
    level) name='`ls obs://listing/`' ;;
  esac
  row="| $name | $(wc -l <"$work/obsctl-$op.txt") | ${median[obsctl/$op]} |"
  [ -n "$baseline" ] && row+=" ${median[baseline/$op]} |"
  echo "$row"
done
