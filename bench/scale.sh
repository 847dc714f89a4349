#!/usr/bin/env bash
# Whole processes at N = 1,000 and 5,000: CPU time (user + sys, steadier than wall time on a shared machine)
# and peak resident memory of synthesis with the checks on (bench/profile.ts), validate, lint, and
# reachability (the table and --summary), against a js-yaml parse of the same file.
#   bench/scale.sh DIR [RUNS]   # DIR holds MESH-N.yaml (npm run bench with BENCH_CLI_KEEP=DIR writes them)
# Prints one line per mesh, N and step: cpu ms (min of RUNS), wall ms (min), peak RSS MB (max).
# BENCH_STEPS=parse,validate,lint selects steps (default: parse,synth,validate,lint,summary; BENCH_TABLE=1 adds the table).
set -u
dir=$1; runs=${2:-1}; root=$(cd "$(dirname "$0")/.." && pwd)
steps=",${BENCH_STEPS:-parse,synth,validate,lint,summary},"
measure() { # label cmd...
  [[ $steps == *",$(echo "$1" | awk '{print $3}' | sed 's/reachability-//'),"* || $1 == *reachability-table* ]] || return 0
  local label=$1; shift; local bc=999999999 bw=999999999 rss=0
  for _ in $(seq "$runs"); do
    local s; s=$(date +%s%N)
    /usr/bin/time -f "%U %S %M" -o "$dir/.time" "$@" >/dev/null 2>&1
    local w=$(( ($(date +%s%N) - s) / 1000000 ))
    read -r u sy m < "$dir/.time"
    local c; c=$(awk -v u="$u" -v s="$sy" 'BEGIN { printf "%d", (u + s) * 1000 }')
    (( c < bc )) && bc=$c; (( w < bw )) && bw=$w; (( m > rss )) && rss=$m
  done
  echo "$label cpu_ms=$bc wall_ms=$bw peak_rss_mb=$(( rss / 1024 ))"
}
for f in "$dir"/*-[0-9]*.yaml; do
  name=$(basename "$f" .yaml); mesh=${name%-*}; n=${name##*-}
  [[ $n -lt 1000 ]] && continue
  measure "$mesh $n parse" node -e "require('$root/node_modules/js-yaml').loadAll(require('fs').readFileSync('$f', 'utf8'))"
  measure "$mesh $n synth" node -r ts-node/register/transpile-only "$root/bench/profile.ts" "$mesh" "$n" on
  measure "$mesh $n validate" node "$root/bin/cdk8s-mesh" validate "$f"
  measure "$mesh $n lint" node "$root/bin/cdk8s-mesh" lint "$f"
  measure "$mesh $n reachability-summary" node "$root/bin/cdk8s-mesh" reachability --summary --namespace shop "$f"
  [[ ${BENCH_TABLE:-} ]] && measure "$mesh $n reachability-table" node "$root/bin/cdk8s-mesh" reachability --namespace shop "$f"
done
