# Shared helpers of the run-*.sh load scripts (sourced, not run).

# Busy share of all cores over one second, from /proc/stat.
host_busy_pct() {
  local a b
  read -r -a a < /proc/stat
  sleep 1
  read -r -a b < /proc/stat
  local busy=$(( (b[1]+b[2]+b[3]+b[6]+b[7]+b[8]) - (a[1]+a[2]+a[3]+a[6]+a[7]+a[8]) ))
  local total=$(( busy + (b[4]+b[5]) - (a[4]+a[5]) ))
  echo $(( total > 0 ? busy * 100 / total : 0 ))
}

# Waits (up to QUIET_WAIT seconds) until the host is less than QUIET_PCT % busy, then logs the load.
wait_quiet() {
  local waited=0 busy
  while busy=$(host_busy_pct); [ "$busy" -ge "$QUIET_PCT" ] && [ "$waited" -lt "$QUIET_WAIT" ]; do
    echo "host ${busy}% busy; waiting for it to calm down (${waited}s)" >&2
    sleep 4
    waited=$((waited + 5))
  done
  echo "host ${busy}% busy before the run; load average $(cut -d' ' -f1-3 /proc/loadavg)" >&2
}

# Writes a fresh Ed25519 seed to the key file $1 (mode 600) and prints its public key in hex
# (python3 with the `cryptography` package derives it).
new_node_key() {
  python3 - "$1" <<'PY'
import os, sys
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.hazmat.primitives import serialization
seed = os.urandom(32)
fd = os.open(sys.argv[1], os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
os.write(fd, seed); os.close(fd)
pub = Ed25519PrivateKey.from_private_bytes(seed).public_key().public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
print(pub.hex())
PY
}
