#!/usr/bin/env bash
# Sealed podman networks of the test bed, ALL --internal (no route out of them):
#   sitemesh-public    192.168.1.0/24   the guide's public network (giant, moly, raspi)
#   sitemesh-internet  172.31.250.0/24  the exit's second leg + one host standing for the internet
#   sitemesh-spoke     172.31.251.0/24  hub scenario: only the hub and the spoke
#   sitemesh-internet6 172.31.252.0/24 + fd31:252::/64  dualstack scenario: the exit's and giant's IPv6
#                      legs and the internet host (dual stack; no other scenario joins it)
# plus an anchor container that keeps the bridges (and the proxy's gateway addresses) up.
#
#   networks.sh create   remove leftovers by name, create, start the anchor, verify
#   networks.sh remove   remove the anchor, any container left on them, and the networks
#   networks.sh verify   check: no default route (IPv4 or IPv6), off-net destinations "Network is unreachable"
set -euo pipefail
# shellcheck source=lib.sh
. "$(dirname "$0")/lib.sh"

remove() {
  podman rm -f -t 0 "$ANCHOR_NAME" >/dev/null 2>&1 || true
  local name
  for name in $(network_names); do
    if podman network exists "$name"; then
      # -f also removes containers still attached (leftovers of a killed run).
      podman network rm -f "$name" >/dev/null
      log "network $name removed"
    fi
  done
}

start_anchor() {
  local args=() n name subnet gw subnet6 gw6
  for n in "${NETWORKS[@]}"; do
    read -r name subnet gw subnet6 gw6 <<<"$n"
    args+=(--network "$name:ip=${gw%.*}.$ANCHOR_HOST_OCTET${gw6:+,ip6=${gw6%::*}::$ANCHOR_HOST_OCTET}")
  done
  "$TESTBED_DIR/image.sh" bookworm
  podman run -d --name "$ANCHOR_NAME" --entrypoint /bin/sleep "${args[@]}" \
    --label org.sitemesh.testbed=anchor "$IMAGE_REPO:bookworm" infinity >/dev/null
}

create() {
  remove
  local n name subnet gw subnet6 gw6 v6
  for n in "${NETWORKS[@]}"; do
    read -r name subnet gw subnet6 gw6 <<<"$n"
    v6=()
    [ -z "$subnet6" ] || v6=(--ipv6 --subnet "$subnet6" --gateway "$gw6")
    # --disable-dns: no aardvark-dns, which would forward queries out of the machine.
    podman network create --internal --disable-dns --subnet "$subnet" --gateway "$gw" "${v6[@]}" \
      --label org.sitemesh.testbed=network "$name" >/dev/null
    log "network $name $subnet${subnet6:+ $subnet6} (gateway $gw, internal) created"
  done
  start_anchor
  host_gateways
  verify
}

# The host side of each bridge must carry the gateway address: containers reach the apt proxy there.
# netavark puts it on the bridge even for --internal networks; the CNI backend (podman 4.3 without
# netavark, as on a fresh Debian 12 with --no-install-recommends) writes "isGateway": false for them
# and leaves the bridge without an address. Add it then: containers still get no default route.
host_gateways() {
  local n name subnet gw bridge present
  present="$(present_gateways)"
  for n in "${NETWORKS[@]}"; do
    read -r name subnet gw _ <<<"$n"
    if grep -qxF "$gw" <<<"$present"; then continue; fi
    bridge="$(podman network inspect -f '{{.NetworkInterface}}' "$name")"
    if [ -z "$bridge" ] || ! ip link show dev "$bridge" >/dev/null 2>&1; then die "network $name: no bridge on the host"; fi
    ip addr add "$gw/${subnet#*/}" dev "$bridge"
    log "network $name: gateway $gw put on the host side of $bridge (the backend left it without address)"
  done
}

verify() {
  local routes out out6
  routes="$(in_netns "$ANCHOR_NAME" ip -4 route; in_netns "$ANCHOR_NAME" ip -6 route)"
  if grep -q '^default' <<<"$routes"; then
    die "a container on the sitemesh networks has a default route: $routes"
  fi
  # A destination off the networks must die inside the container, never leave it (2001:db8::1:
  # the documentation prefix, on no network here).
  if out="$(in_netns "$ANCHOR_NAME" ping -n -c1 -W1 10.0.2.1 2>&1)"; then
    die "ping 10.0.2.1 from a sealed container succeeded: $out"
  fi
  grep -q 'Network is unreachable' <<<"$out" || die "ping 10.0.2.1 failed, but not with 'Network is unreachable': $out"
  if out6="$(in_netns "$ANCHOR_NAME" ping -6 -n -c1 -W1 2001:db8::1 2>&1)"; then
    die "ping 2001:db8::1 from a sealed container succeeded: $out6"
  fi
  grep -q 'Network is unreachable' <<<"$out6" || die "ping 2001:db8::1 failed, but not with 'Network is unreachable': $out6"
  log "sealed: no default route; ping 10.0.2.1 and 2001:db8::1 -> Network is unreachable"
}

case "${1:-}" in
  create) create ;;
  remove) remove ;;
  verify) verify ;;
  *) echo "usage: $0 create|remove|verify" >&2; exit 2 ;;
esac
