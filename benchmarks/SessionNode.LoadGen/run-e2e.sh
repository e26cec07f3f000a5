#!/usr/bin/env bash
# Runs each workload against a fresh Release node on this host (new data dir, rate limit off) and keeps
# the generator's JSON (stdout) and text report (stderr) plus the node log. Usage:
#   benchmarks/SessionNode.LoadGen/run-e2e.sh [workload ...]      (default: store-100b store-10kb retrieve-50)
# Settings (environment): CONN (64), DURATION (15s), WARMUP (2s), PORT (22021), OUT (/tmp/loadgen-results),
# NODE_REPO (the tree whose node is measured; default this repo, e.g. a `git archive` of a commit),
# NO_BUILD=1 to skip the Release builds, LOADGEN_ARGS (extra generator options, e.g. `--accounts 450000` so an onion
# run of ~20 k req/s never replays a body), MALLOC_ARENA_MAX (2) and MALLOC_MMAP_THRESHOLD_ (1048576) as in
# the deploy files (empty for glibc's defaults), NODE_BIN (the node executable, e.g. a `dotnet publish`
# output; default NODE_REPO's Release build), NODE_ENV (extra VAR=value settings for the node only, e.g.
# "DOTNET_gcServer=0"). Node and generator share the box with anything else running,
# so before each run it waits up to QUIET_WAIT seconds (600) until the host is under QUIET_PCT % (15) busy;
# NICE=-10 (root only) runs node and generator ahead of other work when the box never gets quiet: it sets
# the nice value of this script's session autogroup (with sched_autogroup_enabled, per-process nice only
# ranks threads within a session) and of both processes. Start the script with `setsid` so that session
# holds only the script, the node and the generator.
set -euo pipefail

REPO=${REPO:-$(cd "$(dirname "$0")/../.." && pwd)}
NODE_REPO=${NODE_REPO:-$REPO}
CONN=${CONN:-64}
DURATION=${DURATION:-15s}
WARMUP=${WARMUP:-2s}
PORT=${PORT:-22021}
OUT=${OUT:-/tmp/loadgen-results}
QUIET_PCT=${QUIET_PCT:-15}
QUIET_WAIT=${QUIET_WAIT:-600}
NICE=${NICE:-0}
MALLOC_ARENA_MAX=${MALLOC_ARENA_MAX-2}
MALLOC_MMAP_THRESHOLD_=${MALLOC_MMAP_THRESHOLD_-1048576}
NODE_ENV=${NODE_ENV:-}
WORKLOADS=("$@")
[ ${#WORKLOADS[@]} -gt 0 ] || WORKLOADS=(store-100b store-10kb retrieve-50)

# NODE_BIN: the node executable to measure, e.g. a `dotnet publish` output; default the Release build of NODE_REPO.
NODE_BIN=${NODE_BIN:-$NODE_REPO/src/SessionNode.Daemon/bin/Release/net10.0/sessionnode}
LOADGEN=$REPO/benchmarks/SessionNode.LoadGen/bin/Release/net10.0/sessionnode-loadgen

if [ -z "${NO_BUILD:-}" ]; then
  dotnet build -c Release -v q --nologo "$NODE_REPO/src/SessionNode.Daemon/SessionNode.Daemon.csproj"
  dotnet build -c Release -v q --nologo "$REPO/benchmarks/SessionNode.LoadGen/SessionNode.LoadGen.csproj"
fi
mkdir -p "$OUT"

. "$(dirname "$0")/bench-lib.sh"

if [ "$NICE" != 0 ]; then
  echo "$NICE" > /proc/self/autogroup 2>/dev/null || echo "could not set the autogroup nice value" >&2
fi

rc=0
for w in "${WORKLOADS[@]}"; do
  data=$(mktemp -d /tmp/lg-node.XXXXXX)
  # The apphost, not `dotnet run`, so $! is the node itself (RSS and CPU are sampled from its pid).
  env ${MALLOC_ARENA_MAX:+MALLOC_ARENA_MAX=$MALLOC_ARENA_MAX} ${MALLOC_MMAP_THRESHOLD_:+MALLOC_MMAP_THRESHOLD_=$MALLOC_MMAP_THRESHOLD_} $NODE_ENV nice -n "$NICE" "$NODE_BIN" run --data-dir "$data" --https-port "$PORT" --disable-rate-limit > "$OUT/node-$w.log" 2>&1 &
  node=$!
  for _ in $(seq 100); do
    (exec 3<>"/dev/tcp/127.0.0.1/$PORT") 2>/dev/null && break
    sleep 0.2
  done
  wait_quiet
  echo "== $w (node pid $node)" >&2
  nice -n "$NICE" "$LOADGEN" --target "https://127.0.0.1:$PORT" -w "$w" -c "$CONN" --duration "$DURATION" --warmup "$WARMUP" \
    --node-pid "$node" ${LOADGEN_ARGS:-} --json > "$OUT/$w.json" 2> "$OUT/$w.log" || rc=$?
  cat "$OUT/$w.log" >&2
  echo "node RSS after the run: $(grep VmRSS /proc/$node/status | tr -s ' ')" >&2
  # SIGTERM: a background job of a non-interactive shell ignores SIGINT.
  kill -TERM "$node"
  wait "$node" || true
  rm -rf "$data"
done
echo "results in $OUT" >&2
exit $rc
