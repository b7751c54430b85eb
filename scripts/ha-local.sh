#!/usr/bin/env bash
# A highly available Amime on this machine: a 3-member etcd cluster and N `amime serve
# --store etcd` replicas (default 3), all on loopback, in the foreground; Ctrl-C stops
# everything it started. The same commands, with real hosts, run Amime highly available
# for real (README, "Run highly available").
#
#   scripts/ha-local.sh [REPLICAS]
#
# etcd members: client ports 2379, 22379, 32379 (peers 2380, 22380, 32380), data in
# $AMIME_HA_DIR (default: a new temporary folder, removed at the end). Replica i serves
# the REST API on 127.0.0.1:$((9080+i)) and xDS on 127.0.0.1:$((15010+i)).
# ETCD_BIN names the etcd binary (default: etcd on PATH; Debian: apt-get install etcd-server).
set -euo pipefail
cd "$(dirname "$0")/.."
REPLICAS="${1:-3}"
ETCD="${ETCD_BIN:-etcd}"
command -v "$ETCD" >/dev/null || { echo "etcd not found: install it (Debian: apt-get install etcd-server) or set ETCD_BIN" >&2; exit 1; }
if [ -n "${AMIME_HA_DIR:-}" ]; then DIR="$AMIME_HA_DIR"; mkdir -p "$DIR"; OWN_DIR=0; else DIR="$(mktemp -d)"; OWN_DIR=1; fi
node scripts/build-if-changed.mjs

pids=()
stop() {
  trap - EXIT INT TERM
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  wait 2>/dev/null || true
  if [ "$OWN_DIR" = 1 ]; then rm -rf "$DIR"; fi
}
trap stop EXIT INT TERM

CLIENT_PORTS=(2379 22379 32379)
PEER_PORTS=(2380 22380 32380)
CLUSTER=""
for i in 0 1 2; do CLUSTER="${CLUSTER:+$CLUSTER,}m$i=http://127.0.0.1:${PEER_PORTS[$i]}"; done
ENDPOINTS=""
for i in 0 1 2; do
  client="http://127.0.0.1:${CLIENT_PORTS[$i]}"
  ENDPOINTS="${ENDPOINTS:+$ENDPOINTS,}$client"
  "$ETCD" --name "m$i" --data-dir "$DIR/m$i" \
    --listen-client-urls "$client" --advertise-client-urls "$client" \
    --listen-peer-urls "http://127.0.0.1:${PEER_PORTS[$i]}" \
    --initial-advertise-peer-urls "http://127.0.0.1:${PEER_PORTS[$i]}" \
    --initial-cluster "$CLUSTER" --initial-cluster-state new --initial-cluster-token amime-local \
    --auto-compaction-mode periodic --auto-compaction-retention 5m \
    --log-level warn >"$DIR/m$i.log" 2>&1 &
  pids+=($!)
done
for i in 0 1 2; do
  for _ in $(seq 1 100); do
    node -e "fetch('http://127.0.0.1:${CLIENT_PORTS[$i]}/health').then(r=>r.json()).then(b=>process.exit(b.health==='true'?0:1),()=>process.exit(1))" && break
    sleep 0.2
  done
done
echo "etcd: $ENDPOINTS (logs in $DIR)"

for i in $(seq 0 $((REPLICAS - 1))); do
  node dist/cli/main.js serve --store etcd --etcd-endpoints "$ENDPOINTS" --replica-name "replica-$i" \
    --api-listen "127.0.0.1:$((9080 + i))" --xds-listen "127.0.0.1:$((15010 + i))" >"$DIR/amime-$i.log" 2>&1 &
  pids+=($!)
  echo "replica $i: REST API http://127.0.0.1:$((9080 + i))/v20190125 · xDS 127.0.0.1:$((15010 + i)) · log $DIR/amime-$i.log"
done
echo "Ctrl-C stops everything."
wait
