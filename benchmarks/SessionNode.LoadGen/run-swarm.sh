#!/usr/bin/env bash
# Replicated stores against one 3-node swarm on this host: starts 3 Release `sessionnode run` processes in the
# same swarm (static network file, rate limit off, keys written before start), then runs the `replicated-store`
# workload with the connections spread round-robin over the members, once per CONN value. Usage:
#   benchmarks/SessionNode.LoadGen/run-swarm.sh [healthy|kill ...]        (default: healthy kill)
#   healthy  all three members up, the generator sends to all three;
#   kill     the generator sends to members 0 and 1; member 2 is killed with SIGKILL KILL_AT seconds into the
#            measured phase (the swarm is restarted fresh for each run).
# Settings (environment): CONN ("16 64"), DURATION (15s), WARMUP (5s), KILL_AT (3), BASE_PORT (22051: HTTPS
# 22051-22053, peer 22061-22063, admin 22071-22073), OUT (/tmp/loadgen-results), NODE_REPO (the tree whose node is measured), NODE_BIN (the node executable; default NODE_REPO's Release build),
# NO_BUILD=1 to skip the Release builds, QUIET_PCT/QUIET_WAIT as in run-e2e.sh, NICE=-10 (root only) to run the
# nodes and the generator ahead of other work (start the script with `setsid`; see run-e2e.sh). PERF=1 starts the
# nodes with perf maps and records `perf record -g` (999 Hz) of all three for PERF_SECONDS (8) from 2 s into the
# measured phase into OUT/<run>.perf.data (report: perf report -i … --sort dso,sym).
set -euo pipefail

REPO=${REPO:-$(cd "$(dirname "$0")/../.." && pwd)}
NODE_REPO=${NODE_REPO:-$REPO}
CONNS=(${CONN:-16 64})
DURATION=${DURATION:-15s}
WARMUP=${WARMUP:-5s}
KILL_AT=${KILL_AT:-3}
BASE_PORT=${BASE_PORT:-22051}
OUT=${OUT:-/tmp/loadgen-results}
QUIET_PCT=${QUIET_PCT:-15}
QUIET_WAIT=${QUIET_WAIT:-600}
NICE=${NICE:-0}
PERF=${PERF:-}
PERF_SECONDS=${PERF_SECONDS:-8}
MODES=("$@")
[ ${#MODES[@]} -gt 0 ] || MODES=(healthy kill)

# NODE_BIN: the node executable to measure, e.g. a `dotnet publish` output; default the Release build of NODE_REPO.
NODE_BIN=${NODE_BIN:-$NODE_REPO/src/SessionNode.Daemon/bin/Release/net10.0/sessionnode}
LOADGEN=$REPO/benchmarks/SessionNode.LoadGen/bin/Release/net10.0/sessionnode-loadgen
if [ -z "${NO_BUILD:-}" ]; then
  dotnet build -c Release -v q --nologo "$NODE_REPO/src/SessionNode.Daemon/SessionNode.Daemon.csproj"
  dotnet build -c Release -v q --nologo "$REPO/benchmarks/SessionNode.LoadGen/SessionNode.LoadGen.csproj"
fi
mkdir -p "$OUT"

if [ "$NICE" != 0 ]; then
  echo "$NICE" > /proc/self/autogroup 2>/dev/null || echo "could not set the autogroup nice value" >&2
fi

. "$(dirname "$0")/bench-lib.sh"

root=""
pids=()
stop_swarm() {
  for p in "${pids[@]}"; do kill -TERM "$p" 2>/dev/null || true; done
  for p in "${pids[@]}"; do wait "$p" 2>/dev/null || true; done
  pids=()
  [ -z "$root" ] || rm -rf "$root"
  root=""
}
trap stop_swarm EXIT

# A fresh swarm of 3: seeds and public keys (python3 `cryptography`), one network file, three processes.
start_swarm() {
  root=$(mktemp -d /tmp/repl-swarm.XXXXXX)
  local entries=() i pub
  for i in 0 1 2; do
    mkdir -p "$root/node-$i"
    pub=$(new_node_key "$root/node-$i/key_ed25519")
    entries+=("{\"pubkey_ed25519\":\"$pub\",\"ip\":\"127.0.0.1\",\"port_https\":$((BASE_PORT + i)),\"port_peer\":$((BASE_PORT + 10 + i)),\"swarm_id\":0}")
  done
  (IFS=,; echo "{\"hf\":[19,4],\"height\":0,\"nodes\":[${entries[*]}]}") > "$root/network.json"
  for i in 0 1 2; do
    env SESSIONNODE__Network__Mode=static SESSIONNODE__Network__StaticFile="$root/network.json" \
      ${PERF:+DOTNET_PerfMapEnabled=1 DOTNET_EnableWriteXorExecute=0} \
      nice -n "$NICE" "$NODE_BIN" run --data-dir "$root/node-$i" --bind-ip 127.0.0.1 --https-port $((BASE_PORT + i)) \
      --peer-port $((BASE_PORT + 10 + i)) --admin-port $((BASE_PORT + 20 + i)) --disable-rate-limit > "$OUT/swarm-node-$i.log" 2>&1 &
    pids+=($!)
  done
  for i in 0 1 2; do
    for _ in $(seq 150); do
      (exec 3<>"/dev/tcp/127.0.0.1/$((BASE_PORT + i))") 2>/dev/null && break
      sleep 0.2
    done
  done
}

seconds() { local d=$1; case $d in *ms) echo 0;; *s) echo "${d%s}";; *m) echo $(( ${d%m} * 60 ));; *) echo "$d";; esac; }

rc=0
for mode in "${MODES[@]}"; do
  for conn in "${CONNS[@]}"; do
    start_swarm
    targets=(--target "https://127.0.0.1:$BASE_PORT" --target "https://127.0.0.1:$((BASE_PORT + 1))")
    [ "$mode" = kill ] || targets+=(--target "https://127.0.0.1:$((BASE_PORT + 2))")
    wait_quiet
    name="replicated-store-$mode-c$conn"
    echo "== $name (node pids ${pids[*]})" >&2
    killer=""
    if [ "$mode" = kill ]; then
      # Setup and verification take a few seconds before the warm-up starts; the generator's log says when the
      # measured phase begins, so the kill is timed from that line.
      ( victim=${pids[2]}
        for _ in $(seq 600); do grep -q "connections: warm-up" "$OUT/$name.log" 2>/dev/null && break; sleep 0.1; done
        sleep $(( $(seconds "$WARMUP") + KILL_AT ))
        kill -KILL "$victim" && echo "killed member 2 (pid $victim) ${KILL_AT}s into the measured phase" >&2 ) &
      killer=$!
    fi
    profiler=""
    if [ -n "$PERF" ]; then
      ( for _ in $(seq 600); do grep -q "connections: warm-up" "$OUT/$name.log" 2>/dev/null && break; sleep 0.1; done
        sleep $(( $(seconds "$WARMUP") + 2 ))
        perf record -F 999 -g -o "$OUT/$name.perf.data" -p "$(IFS=,; echo "${pids[*]}")" -- sleep "$PERF_SECONDS" > /dev/null 2>&1 ) &
      profiler=$!
    fi
    nice -n "$NICE" "$LOADGEN" "${targets[@]}" -w replicated-store -c "$conn" --duration "$DURATION" --warmup "$WARMUP" \
      --node-pid "${pids[0]}" --node-pid "${pids[1]}" --node-pid "${pids[2]}" --json > "$OUT/$name.json" 2> "$OUT/$name.log" || rc=$?
    [ -z "$killer" ] || wait "$killer" || true
    [ -z "$profiler" ] || wait "$profiler" || true
    cat "$OUT/$name.log" >&2
    # Each surviving node's admin stats (its `replication` section: peer calls, requests, mean batch size).
    for i in 0 1 2; do
      curl -s --max-time 5 "http://127.0.0.1:$((BASE_PORT + 20 + i))/stats" > "$OUT/$name-stats-$i.json" 2>/dev/null || true
      python3 -c 'import json,sys; r=json.load(open(sys.argv[1])).get("replication",{}); print("  node", sys.argv[2], "replication", r)' \
        "$OUT/$name-stats-$i.json" "$i" >&2 2>/dev/null || true
    done
    for i in 0 1 2; do cp "$OUT/swarm-node-$i.log" "$OUT/$name-node-$i.log"; done
    stop_swarm
  done
done
echo "results in $OUT" >&2
exit $rc
