#!/usr/bin/env bash
# Smoke test of a published node executable (the output of `dotnet publish -c Release src/SessionNode.Daemon`):
#   NODE_BIN=/opt/sessionnode/sessionnode benchmarks/SessionNode.LoadGen/smoke-published.sh
# 1. `run` on loopback: `client info`, `client store` and a signed `client retrieve` over HTTPS (the published
#    binary's own client), GET /stats on the admin port, and a short `store-100b` LoadGen run without errors;
# 2. `devnet --nodes 3 --swarm-size 3`: a message stored on node 0 is retrieved from node 2 (replication over
#    the peer gRPC channel), and a short `onion-1hop-store` LoadGen run through node 0 has no errors.
# Exit code 0 when every check passes; the logs stay in OUT on failure. Not a timed run: it takes no lock.
# Settings (environment): NODE_BIN (required), BASE_PORT (22101: HTTPS, +1 peer, +2 admin of the `run` node),
# OUT (a new /tmp/smoke-published.* folder), NO_BUILD=1 to skip the Release build of the LoadGen.
set -euo pipefail

REPO=${REPO:-$(cd "$(dirname "$0")/../.." && pwd)}
NODE_BIN=${NODE_BIN:?set NODE_BIN to the published sessionnode executable}
BASE_PORT=${BASE_PORT:-22101}
OUT=${OUT:-$(mktemp -d /tmp/smoke-published.XXXXXX)}
LOADGEN=$REPO/benchmarks/SessionNode.LoadGen/bin/Release/net10.0/sessionnode-loadgen
[ -n "${NO_BUILD:-}" ] || dotnet build -c Release -v q --nologo "$REPO/benchmarks/SessionNode.LoadGen/SessionNode.LoadGen.csproj"
mkdir -p "$OUT"

pids=()
devnet_in=
devnet_pid=
cleanup() {
  # `quit` makes devnet stop its child nodes; a signal would leave them running.
  if [ -n "$devnet_in" ]; then
    echo quit >&4 || true
    for _ in $(seq 100); do kill -0 "$devnet_pid" 2>/dev/null || break; sleep 0.2; done
  fi
  for p in "${pids[@]}"; do kill -TERM "$p" 2>/dev/null || true; done
  for p in "${pids[@]}"; do wait "$p" 2>/dev/null || true; done
}
trap cleanup EXIT

fail() { echo "FAIL: $*" >&2; echo "logs in $OUT" >&2; exit 1; }
pass() { echo "ok: $*" >&2; }

# Polls a command (up to $1 seconds) until it succeeds.
eventually() {
  local limit=$1; shift
  local end=$((SECONDS + limit))
  until "$@"; do
    [ "$SECONDS" -lt "$end" ] || return 1
    sleep 0.2
  done
}
listening() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

# A LoadGen run of workload $2 against $1 (2 s, 8 connections) that must report requests and no failures.
loadgen_clean() {
  local target=$1 workload=$2
  "$LOADGEN" --target "$target" -w "$workload" -c 8 --duration 2s --warmup 0s --json \
    > "$OUT/$workload.json" 2> "$OUT/$workload.log" || fail "$workload: LoadGen failed (see $OUT/$workload.log)"
  python3 - "$OUT/$workload.json" <<'PY' || fail "$workload: failed requests or none at all (see $OUT/$workload.log)"
import json, sys
run = json.load(open(sys.argv[1]))["runs"][0]
ok, failed = run.get("ok", 0), run.get("failed", 1)
sys.exit(0 if ok > 0 and failed == 0 else 1)
PY
  pass "$workload through $target: $(grep -m1 throughput "$OUT/$workload.log" | tr -s ' ')"
}

# --- 1. one node ---
https=$BASE_PORT
admin=$((BASE_PORT + 2))
target="https://127.0.0.1:$https"
"$NODE_BIN" run --data-dir "$OUT/node" --bind-ip 127.0.0.1 --https-port "$https" --peer-port $((BASE_PORT + 1)) \
  --admin-port "$admin" --disable-rate-limit > "$OUT/node.log" 2>&1 &
pids+=($!)
eventually 60 listening "$https" || fail "run: nothing listens on $https (see $OUT/node.log)"

"$NODE_BIN" client --target "$target" info > "$OUT/info.txt" || fail "client info"
grep -q "2\.8\.0" "$OUT/info.txt" || fail "client info: no version in $(cat "$OUT/info.txt")"
pass "client info"

seed=$("$NODE_BIN" client keygen | grep -oE '\b[0-9a-f]{64}\b' | head -1)
[ -n "$seed" ] || fail "client keygen printed no seed"
text="smoke-$RANDOM-$RANDOM"
"$NODE_BIN" client --target "$target" store --seed "$seed" "$text" > "$OUT/store.txt" || fail "client store"
"$NODE_BIN" client --target "$target" retrieve --seed "$seed" > "$OUT/retrieve.txt" || fail "client retrieve"
grep -qF "$text" "$OUT/retrieve.txt" || fail "client retrieve: the stored message is missing"
pass "client store + retrieve"

curl -sf "http://127.0.0.1:$admin/stats" > "$OUT/stats.json" || fail "GET /stats on the admin port"
python3 -c 'import json, sys; json.load(open(sys.argv[1]))' "$OUT/stats.json" || fail "/stats is not JSON"
pass "/stats on the admin port"

loadgen_clean "$target" store-100b

# --- 2. a 3-node devnet (one swarm) ---
mkfifo "$OUT/devnet.in"
exec 4<>"$OUT/devnet.in"
"$NODE_BIN" devnet --nodes 3 --swarm-size 3 --out "$OUT/devnet" < "$OUT/devnet.in" > "$OUT/devnet.txt" 2>&1 &
devnet_pid=$!
devnet_in=1
pids+=($devnet_pid)
urls() { grep -oE 'https://127\.0\.0\.1:[0-9]+' "$OUT/devnet.txt" | awk '!seen[$0]++'; }
three_urls() { [ "$(urls | wc -l)" -ge 3 ]; }
eventually 60 three_urls || fail "devnet printed no node table (see $OUT/devnet.txt)"
mapfile -t nodes < <(urls)
for u in "${nodes[@]:0:3}"; do
  eventually 60 listening "${u##*:}" || fail "devnet: nothing listens on $u"
done

seed=$("$NODE_BIN" client keygen | grep -oE '\b[0-9a-f]{64}\b' | head -1)
text="replicated-$RANDOM-$RANDOM"
"$NODE_BIN" client --target "${nodes[0]}" store --seed "$seed" "$text" > "$OUT/devnet-store.txt" || fail "devnet: client store on node 0"
replicated() {
  "$NODE_BIN" client --target "${nodes[2]}" retrieve --seed "$seed" > "$OUT/devnet-retrieve.txt" 2>&1 \
    && grep -qF "$text" "$OUT/devnet-retrieve.txt"
}
eventually 30 replicated || fail "devnet: the message stored on node 0 never appeared on node 2"
pass "devnet: stored on node 0, retrieved from node 2"

loadgen_clean "${nodes[0]}" onion-1hop-store
echo "all checks passed ($NODE_BIN)" >&2
