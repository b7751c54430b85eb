#!/bin/bash
# The sidecar's init container (`proxyinit`): sends the pod's TCP traffic through
# Envoy with iptables, the way App Mesh's proxy route manager did, driven by the same
# APPMESH_* variables the sidecar injector sets (src/k8s/inject/sidecar.ts):
#   inbound to APPMESH_APP_PORTS          → Envoy's ingress port (15000)
#   outbound, except Envoy's own (UID 1337), APPMESH_EGRESS_IGNORED_PORTS (and 22)
#   and APPMESH_EGRESS_IGNORED_IP         → Envoy's egress port (15001)
# IPv6 gets the same rules unless APPMESH_ENABLE_IPV6=0. It sets the rules and exits,
# as an init container must. Test: test/e2e/proxy-init.test.ts (in a network namespace).
set -euo pipefail

START="${APPMESH_START_ENABLED:-0}"
IGNORE_UID="${APPMESH_IGNORE_UID:-}"
IGNORE_GID="${APPMESH_IGNORE_GID:-}"
INGRESS_PORT="${APPMESH_ENVOY_INGRESS_PORT:-}"
EGRESS_PORT="${APPMESH_ENVOY_EGRESS_PORT:-}"
APP_PORTS="${APPMESH_APP_PORTS:-}"
IGNORED_IPS="${APPMESH_EGRESS_IGNORED_IP:-}"
IGNORED_PORTS="${APPMESH_EGRESS_IGNORED_PORTS:+${APPMESH_EGRESS_IGNORED_PORTS},}22"
IPV6="${APPMESH_ENABLE_IPV6:-1}"

fail() {
  echo "proxy-init: $*" >&2
  exit 1
}

echo "proxy-init: $(env | grep '^APPMESH_' | sort | tr '\n' ' ')"
if [ "$START" != "1" ]; then
  echo "proxy-init: APPMESH_START_ENABLED is not 1: no rules set"
  exit 0
fi
[ -n "$IGNORE_UID$IGNORE_GID" ] || fail "set APPMESH_IGNORE_UID or APPMESH_IGNORE_GID: Envoy's own traffic must not loop back into it"
[ -n "$INGRESS_PORT" ] && [ -n "$EGRESS_PORT" ] && [ -n "$APP_PORTS" ] ||
  fail "APPMESH_ENVOY_INGRESS_PORT, APPMESH_ENVOY_EGRESS_PORT and APPMESH_APP_PORTS must all be set"

# iptables' multiport takes at most 15 ports: longer lists are cut into several rules.
port_groups() {
  echo "$1" | tr ',' '\n' | grep -v '^$' | paste -sd ',,,,,,,,,,,,,,\n' - 
}

# The addresses of one family from the comma-separated list.
addresses() {
  local family="$1"
  echo "$IGNORED_IPS" | tr ',' '\n' | grep -v '^$' | while read -r ip; do
    case "$ip" in
      *:*) [ "$family" = 6 ] && echo "$ip" ;;
      *) [ "$family" = 4 ] && echo "$ip" ;;
    esac
  done
}

rules() {
  local ipt="$1" family="$2"
  "$ipt" -t nat -N APPMESH_INGRESS
  "$ipt" -t nat -N APPMESH_EGRESS
  [ -n "$IGNORE_UID" ] && "$ipt" -t nat -A APPMESH_EGRESS -m owner --uid-owner "$IGNORE_UID" -j RETURN
  [ -n "$IGNORE_GID" ] && "$ipt" -t nat -A APPMESH_EGRESS -m owner --gid-owner "$IGNORE_GID" -j RETURN
  for ports in $(port_groups "$IGNORED_PORTS"); do
    "$ipt" -t nat -A APPMESH_EGRESS -p tcp -m multiport --dports "$ports" -j RETURN
  done
  for ip in $(addresses "$family"); do
    "$ipt" -t nat -A APPMESH_EGRESS -p tcp -d "$ip" -j RETURN
  done
  "$ipt" -t nat -A APPMESH_EGRESS -p tcp -j REDIRECT --to-ports "$EGRESS_PORT"
  "$ipt" -t nat -A OUTPUT -p tcp -m addrtype ! --dst-type LOCAL -j APPMESH_EGRESS
  for ports in $(port_groups "$APP_PORTS"); do
    "$ipt" -t nat -A APPMESH_INGRESS -p tcp -m multiport --dports "$ports" -j REDIRECT --to-ports "$INGRESS_PORT"
  done
  "$ipt" -t nat -A PREROUTING -p tcp -m addrtype ! --src-type LOCAL -j APPMESH_INGRESS
}

rules iptables 4
if [ "$IPV6" = "1" ]; then
  rules ip6tables 6
fi
echo "proxy-init: rules set"
iptables-save -t nat
if [ "$IPV6" = "1" ]; then ip6tables-save -t nat; fi
