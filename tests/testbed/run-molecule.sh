#!/usr/bin/env bash
# The molecule part of the test command: real Debian containers on sealed networks.
#
#   tests/testbed/run-molecule.sh [scenario...]      (default: default failsafe hub trixie persistence dualstack)
#
# Installs missing host packages, builds the images, creates the sealed networks, starts the
# apt proxy, removes leftovers by name, runs `molecule test -s <scenario>` for each scenario,
# prints each one's wall time, and on exit (trap) stops the proxy and removes the networks.
# Exits non-zero if any scenario failed.
set -euo pipefail
# shellcheck source=lib.sh
. "$(dirname "$0")/lib.sh"

ALL_SCENARIOS=(default failsafe hub trixie persistence dualstack)
if (($#)); then SCENARIOS=("$@"); else SCENARIOS=("${ALL_SCENARIOS[@]}"); fi
HOST_PACKAGES=(podman runc debootstrap wireguard-tools wireguard-go
               iptables nftables iputils-ping tcpdump zbar-tools)
VENV="$REPO_ROOT/.venv"

ensure_host_packages() {
  local missing=() p
  for p in "${HOST_PACKAGES[@]}"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
  done
  ((${#missing[@]} == 0)) && return 0
  log "installing host packages: ${missing[*]}"
  DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends "${missing[@]}" >/dev/null \
    || { apt-get update -q >/dev/null && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends "${missing[@]}" >/dev/null; }
}

ensure_collection_link() {
  local dir="$REPO_ROOT/.tmp/collections/ansible_collections/sitemesh"
  mkdir -p "$dir"
  [ "$(readlink "$dir/wireguard" 2>/dev/null)" = "$REPO_ROOT" ] || ln -sfn "$REPO_ROOT" "$dir/wireguard"
}

# Container names of the selected scenarios' platforms.
platform_names() {
  local s
  for s in "${SCENARIOS[@]}"; do
    "$VENV/bin/python" - "$REPO_ROOT/molecule/$s/molecule.yml" <<'PY'
import sys, yaml
for p in yaml.safe_load(open(sys.argv[1]))["platforms"]:
    print(p["name"])
PY
  done | sort -u
}

cleanup() {
  local rc=$?
  log "cleanup: test hosts, networks, apt proxy"
  # shellcheck disable=SC2046
  podman rm -f -t 0 --ignore $(platform_names) >/dev/null 2>&1 || true
  "$TESTBED_DIR/networks.sh" remove || true
  "$TESTBED_DIR/proxy.sh" stop || true
  exit "$rc"
}

OUTPUT="$REPO_ROOT/tests/output"

# failure_excerpt SCENARIO: the failed tasks of its log, each with the task header and the lines after it
failure_excerpt() {
  echo "--- molecule -s $1: failed tasks (tests/output/molecule-$1.log)"
  sed 's/\x1b\[[0-9;]*m//g; s/^ *│ \{0,1\}//' "$OUTPUT/molecule-$1.log" \
    | awk '/^TASK \[/ { task = $0 } /^(fatal|failed): / { if (task != last) { print task; last = task }; n = 25 }
           n > 0 { print; n-- }' | head -c 6000
  echo
}

main() {
  local s t0 t_setup rc failed=() results=()
  for s in "${SCENARIOS[@]}"; do
    [ -f "$REPO_ROOT/molecule/$s/molecule.yml" ] || die "no scenario molecule/$s"
  done
  [ -x "$VENV/bin/molecule" ] || die "$VENV/bin/molecule missing: run scripts/setup.sh first"
  export PATH="$VENV/bin:$PATH"
  # The bundled collections (containers.podman, ansible.posix, community.general) of the venv.
  SITEMESH_VENV_COLLECTIONS="$("$VENV/bin/python" -c 'import ansible_collections, os; print(os.path.dirname(list(ansible_collections.__path__)[0]))')"
  export SITEMESH_VENV_COLLECTIONS

  t_setup=$(date +%s)
  ensure_host_packages
  ensure_collection_link
  [ "${SITEMESH_KEEP:-0}" = 1 ] || trap cleanup EXIT
  trap 'exit 130' INT TERM
  "$TESTBED_DIR/proxy.sh" start            # 127.0.0.1 first: debootstrap goes through it
  "$TESTBED_DIR/image.sh" bookworm
  if printf '%s\n' "${SCENARIOS[@]}" | grep -qx trixie; then "$TESTBED_DIR/image.sh" trixie; fi
  # shellcheck disable=SC2046
  podman rm -f -t 0 --ignore $(platform_names) >/dev/null   # leftovers, by name
  "$TESTBED_DIR/networks.sh" create
  "$TESTBED_DIR/proxy.sh" start            # again: now also on the networks' gateways
  log "test bed ready in $(since "$t_setup") s"

  cd "$REPO_ROOT"
  mkdir -p "$OUTPUT"
  rm -f "$OUTPUT/molecule-failures.txt"
  for s in "${SCENARIOS[@]}"; do
    log "=== molecule test -s $s"
    t0=$(date +%s)
    rc=0
    # SITEMESH_MOLECULE_ACTION=converge (with SITEMESH_KEEP=1) keeps the hosts up while developing.
    # Each scenario's output is also kept in tests/output/molecule-<scenario>.log; for a failed one, the failed
    # tasks (with the lines around them, colours removed) go to tests/output/molecule-failures.txt, which
    # scripts/test.sh prints last: a CI log that shows only its end still names what failed.
    molecule "${SITEMESH_MOLECULE_ACTION:-test}" -s "$s" 2>&1 | tee "$OUTPUT/molecule-$s.log" || rc=${PIPESTATUS[0]}
    ((rc == 0)) || failure_excerpt "$s" >>"$OUTPUT/molecule-failures.txt"
    results+=("$(printf '%-12s %-6s %4d s' "$s" "$( ((rc == 0)) && echo ok || echo FAILED)" "$(since "$t0")")")
    ((rc == 0)) || failed+=("$s")
  done

  echo
  echo "molecule scenarios (wall time):"
  printf '  %s\n' "${results[@]}"
  if ((${#failed[@]})); then
    echo "FAILED: ${failed[*]}"
    cat "$OUTPUT/molecule-failures.txt"
    return 1
  fi
}

main
