#!/usr/bin/env bash
# Starts a 3-node static devnet of Release `sessionnode run` processes on this host (each node in its own swarm,
# rate limit off, one network file) and runs the onion workloads against node 0. Usage:
#   benchmarks/SessionNode.LoadGen/run-onion-devnet.sh [workload ...]   (default: onion-3hop-store)
# Settings (environment): CONN (64), DURATION (15s), WARMUP (2s), BASE_PORT (22031: HTTPS 22031-22033, peer
# 22041-22043), OUT (/tmp/loadgen-results), NO_BUILD=1 to skip the Release builds, LOADGEN_ARGS (extra generator
# options, e.g. `--accounts 150000` pre-built bodies).
# Node keys are written before start (raw 32-byte seeds) so the network file is complete from the first read.
set -euo pipefail

REPO=${REPO:-$(cd "$(dirname "$0")/../.." && pwd)}
. "$(dirname "$0")/bench-lib.sh"
CONN=${CONN:-64}
DURATION=${DURATION:-15s}
WARMUP=${WARMUP:-2s}
BASE_PORT=${BASE_PORT:-22031}
OUT=${OUT:-/tmp/loadgen-results}
WORKLOADS=("$@")
[ ${#WORKLOADS[@]} -gt 0 ] || WORKLOADS=(onion-3hop-store)

NODE_BIN=$REPO/src/SessionNode.Daemon/bin/Release/net10.0/sessionnode
LOADGEN=$REPO/benchmarks/SessionNode.LoadGen/bin/Release/net10.0/sessionnode-loadgen
if [ -z "${NO_BUILD:-}" ]; then
  dotnet build -c Release -v q --nologo "$REPO/src/SessionNode.Daemon/SessionNode.Daemon.csproj"
  dotnet build -c Release -v q --nologo "$REPO/benchmarks/SessionNode.LoadGen/SessionNode.LoadGen.csproj"
fi
mkdir -p "$OUT"

root=$(mktemp -d /tmp/onion-devnet.XXXXXX)
pids=()
cleanup() {
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
  for p in "${pids[@]}"; do wait "$p" 2>/dev/null || true; done
  rm -rf "$root"
}
trap cleanup EXIT

# Seeds and public keys (python3 `cryptography` derives the Ed25519 public key), then the network file.
swarms=(0 6148914691236517205 12297829382473034410)
entries=()
for i in 0 1 2; do
  mkdir -p "$root/node-$i"
  pub=$(new_node_key "$root/node-$i/key_ed25519")
  entries+=("{\"pubkey_ed25519\":\"$pub\",\"ip\":\"127.0.0.1\",\"port_https\":$((BASE_PORT + i)),\"port_peer\":$((BASE_PORT + 10 + i)),\"swarm_id\":${swarms[$i]}}")
done
(IFS=,; echo "{\"hf\":[19,4],\"height\":0,\"nodes\":[${entries[*]}]}") > "$root/network.json"

for i in 0 1 2; do
  SESSIONNODE__Network__Mode=static SESSIONNODE__Network__StaticFile="$root/network.json" \
  SESSIONNODE__Node__PeerPort=$((BASE_PORT + 10 + i)) \
    "$NODE_BIN" run --data-dir "$root/node-$i" --https-port $((BASE_PORT + i)) --admin-port -1 --disable-rate-limit \
    > "$OUT/devnet-node-$i.log" 2>&1 &
  pids+=($!)
done
for i in 0 1 2; do
  for _ in $(seq 100); do
    (exec 3<>"/dev/tcp/127.0.0.1/$((BASE_PORT + i))") 2>/dev/null && break
    sleep 0.2
  done
done

rc=0
for w in "${WORKLOADS[@]}"; do
  "$LOADGEN" --target "https://127.0.0.1:$BASE_PORT" --workload "$w" --connections "$CONN" \
    --duration "$DURATION" --warmup "$WARMUP" --node-pid "${pids[0]}" ${LOADGEN_ARGS:-} --json \
    > "$OUT/$w-devnet.json" 2> "$OUT/$w-devnet.txt" || rc=$?
  cat "$OUT/$w-devnet.txt" >&2
done
exit $rc
