#!/usr/bin/env bash
# Converge timings of site.yml on real Debian containers (the test bed's image, sealed networks and apt
# proxy), printed as figures; the targets are issue 3's (apt cache warm):
#   first converge of the guide's three sites  < 45 s
#   unchanged re-run                           < 10 s, changed=0, at most 10 tasks per host
#   adding a fourth site                       < 35 s
# Usage: tests/benchmark/bench_converge.sh   (run by scripts/test.sh after the molecule scenarios;
# uses the same addresses as the scenarios and the lab: do not run them at the same time)
set -euo pipefail
# shellcheck source=../testbed/lib.sh
. "$(dirname "$0")/../testbed/lib.sh"

PREFIX="sitemesh-bench-"
WORK="$REPO_ROOT/.tmp/bench"
VENV="$REPO_ROOT/.venv"
# name public-address (all on sitemesh-public); the fourth site joins later
SITES=("giant 192.168.1.161" "moly 192.168.1.162" "raspi 192.168.1.200")
FOURTH="kiwi 192.168.1.170"

names() { local s; for s in "${SITES[@]}" "$FOURTH"; do echo "$PREFIX${s%% *}"; done; }
# shellcheck disable=SC2046
cleanup() { remove_bench $(names); }
trap cleanup EXIT

start_site() { start_bench_site "$PREFIX" bench "$1" "$2"; }

write_inventory() {  # DIR SITE...
  local dir=$1 s; shift
  mkdir -p "$dir/host_vars"
  ln -sfn "$REPO_ROOT/inventories/example/group_vars" "$dir/group_vars"
  cp "$REPO_ROOT"/inventories/example/host_vars/*.yml "$dir/host_vars/"
  cat >"$dir/host_vars/kiwi.yml" <<'EOF'
---
# The benchmark's fourth site.
wireguard_address: 172.16.1.4
wireguard_endpoint: 192.168.1.170
wireguard_client_networks: [10.0.4.0/24]
wireguard_loopback_aliases: [{label: "lo:10", address: 10.0.4.1/24}]
EOF
  {
    echo "wireguard:"
    echo "  vars: {ansible_connection: containers.podman.podman}"
    echo "  hosts:"
    for s in "$@"; do echo "    $s: {ansible_host: $PREFIX$s}"; done
  } >"$dir/hosts.yml"
}

# converge LABEL INVENTORY: runs site.yml, prints "LABEL seconds changed tasks-per-host(max)"
converge() {
  local label=$1 inv=$2 t0 t1 rc=0 log="$WORK/$1.log"
  t0=$(date +%s.%N)
  (cd "$REPO_ROOT" && ANSIBLE_CONFIG="$REPO_ROOT/ansible.cfg" ANSIBLE_NOCOLOR=1 \
    "$VENV/bin/ansible-playbook" -i "$inv" site.yml -e "wireguard_public_key_store=$WORK/public_keys") >"$log" 2>&1 || rc=$?
  t1=$(date +%s.%N)
  if ((rc != 0)); then tail -40 "$log" >&2; log "site.yml failed ($label), rc=$rc"; exit 1; fi
  "$VENV/bin/python" - "$label" "$t0" "$t1" "$log" <<'PY'
import re, sys
label, t0, t1, path = sys.argv[1], float(sys.argv[2]), float(sys.argv[3]), sys.argv[4]
recap = re.findall(r'^(\S+)\s+: ok=(\d+)\s+changed=(\d+)', open(path).read(), re.M)
changed = sum(int(c) for _, _, c in recap)
tasks = max(int(o) for _, o, _ in recap)
print('%-26s %6.1f s   changed=%-3d max tasks per host=%d  (%s)' % (
    label, t1 - t0, changed, tasks, ', '.join('%s %s' % (h, o) for h, o, _ in recap)))
PY
}

main() {
  [ -x "$VENV/bin/ansible-playbook" ] || die "$VENV missing: run scripts/setup.sh first"
  rm -rf "$WORK"; mkdir -p "$WORK"
  "$TESTBED_DIR/proxy.sh" start
  "$TESTBED_DIR/image.sh" bookworm
  "$TESTBED_DIR/networks.sh" create
  "$TESTBED_DIR/proxy.sh" start
  # shellcheck disable=SC2046
  podman rm -f -t 0 --ignore $(names) >/dev/null
  local s name address
  for s in "${SITES[@]}"; do read -r name address <<<"$s"; start_site "$name" "$address"; done
  for s in "${SITES[@]}"; do podman exec "$PREFIX${s%% *}" systemctl is-system-running --wait >/dev/null 2>&1 || true; done
  write_inventory "$WORK/inventory3" giant moly raspi
  write_inventory "$WORK/inventory4" giant moly raspi kiwi
  echo "site.yml on containers (podman connection, no pipelining), apt through the warm proxy cache:"
  converge "first converge (3 sites)" "$WORK/inventory3"
  converge "unchanged re-run" "$WORK/inventory3"
  read -r name address <<<"$FOURTH"; start_site "$name" "$address"
  sleep 1; podman exec "${PREFIX}kiwi" systemctl is-system-running --wait >/dev/null 2>&1 || true
  converge "adding a fourth site" "$WORK/inventory4"
  converge "unchanged re-run (4)" "$WORK/inventory4"
  echo "wg0 peers on giant after the fourth site joined: $(podman exec "${PREFIX}giant" wg show wg0 peers | wc -l)"
}

main "$@"
