#!/usr/bin/env bash
# The README's one-command lab: the guide's three sites + a host standing for the internet,
# as real Debian containers on the sealed networks, configured by site.yml.
#
#   tests/testbed/lab.sh up       image, networks, apt proxy, containers, inventory, site.yml, summary
#   tests/testbed/lab.sh status   containers, proxy, and the summary (peers, handshakes, ping matrix)
#   tests/testbed/lab.sh down     remove the containers and networks, stop the proxy
#   tests/testbed/lab.sh tarball [VENV]   as a user of the released collection: `ansible-galaxy collection build`,
#                                 install into a clean dir outside the repo, `ansible-playbook sitemesh.wireguard.site`
#                                 from there (VENV's ansible, default .venv), every ping must pass, a re-run must
#                                 change nothing, sitemesh.wireguard.status must exit 0 with every pair healthy; the
#                                 lab is removed on exit. scripts/test.sh runs it.
#
# The lab inventory (.tmp/lab/inventory) holds only the connection (podman, container names)
# and the groups; the mesh variables are inventories/example's group_vars and host_vars
# (symlinked). It uses the same addresses as the molecule scenarios: do not run both at once.
set -euo pipefail
# shellcheck source=lib.sh
. "$(dirname "$0")/lib.sh"

PREFIX="sitemesh-lab-"
VENV="$REPO_ROOT/.venv"
INV_DIR="$REPO_ROOT/.tmp/lab/inventory"
PING_FAILURES=0
# name group networks(name:ip,...)
LAB_HOSTS=(
  "giant wireguard sitemesh-public:192.168.1.161"
  "moly wireguard sitemesh-public:192.168.1.162,sitemesh-internet:172.31.250.2"
  "raspi wireguard sitemesh-public:192.168.1.200"
  "internet internet sitemesh-internet:172.31.250.100"
)

gateway_of() { local n; for n in "${NETWORKS[@]}"; do [ "${n%% *}" = "$1" ] && echo "${n##* }"; done; }
lab_names() { local h; for h in "${LAB_HOSTS[@]}"; do echo "$PREFIX${h%% *}"; done; }
sites() { local h n g; for h in "${LAB_HOSTS[@]}"; do read -r n g _ <<<"$h"; [ "$g" = wireguard ] && echo "$n"; done; }

start_hosts() {
  local h name group nets args net first i
  # shellcheck disable=SC2046
  podman rm -f -t 0 --ignore $(lab_names) >/dev/null
  for h in "${LAB_HOSTS[@]}"; do
    read -r name group nets <<<"$h"
    args=(); first=""; i=0
    # eth0, eth1, ... in the listed order (podman 4.3 does not always keep it by itself)
    for net in ${nets//,/ }; do
      args+=(--network "${net%%:*}:ip=${net#*:},interface_name=eth$((i++))")
      [ -n "$first" ] || first="${net%%:*}"
    done
    podman run -d --name "$PREFIX$name" --hostname "$name" --privileged --systemd=always \
      --label org.sitemesh.testbed=lab "${args[@]}" \
      --add-host "$PROXY_HOSTNAME:$(gateway_of "$first")" \
      "$IMAGE_REPO:bookworm" /sbin/init >/dev/null
    log "started $PREFIX$name ($group) on $nets"
  done
  # shellcheck disable=SC2046
  wait_booted $(lab_names)
}

write_inventory() {  # [copy]: group_vars/host_vars copied, not linked (a user's inventory outside the repo)
  local h name group _n
  mkdir -p "$INV_DIR"
  if [ "${1:-}" = copy ]; then
    cp -r "$REPO_ROOT/inventories/example/group_vars" "$REPO_ROOT/inventories/example/host_vars" "$INV_DIR/"
  else
    ln -sfn "$REPO_ROOT/inventories/example/group_vars" "$INV_DIR/group_vars"
    ln -sfn "$REPO_ROOT/inventories/example/host_vars" "$INV_DIR/host_vars"
  fi
  {
    echo "# Written by tests/testbed/lab.sh: the lab's containers; mesh variables from inventories/example."
    echo "all:"
    echo "  vars:"
    echo "    ansible_connection: containers.podman.podman"
    echo "  children:"
    for group in wireguard internet; do
      echo "    $group:"
      echo "      hosts:"
      for h in "${LAB_HOSTS[@]}"; do
        read -r name _n _ <<<"$h"
        [ "$_n" = "$group" ] && echo "        $name: {ansible_host: $PREFIX$name}"
      done
    done
  } >"$INV_DIR/hosts.yml"
  log "inventory: $INV_DIR (hosts.yml + example group_vars/host_vars)"
}

# "name client_address" for each site, from the example's host_vars (first loopback alias).
client_addresses() {
  local s_list; mapfile -t s_list < <(sites)
  "$VENV/bin/python" - "$REPO_ROOT/inventories/example/host_vars" "${s_list[@]}" <<'PY'
import sys, yaml, os
d = sys.argv[1]
for name in sys.argv[2:]:
    v = yaml.safe_load(open(os.path.join(d, name + ".yml"))) or {}
    al = v.get("wireguard_loopback_aliases") or []
    print(name, al[0]["address"].split("/")[0] if al else "-")
PY
}

summary() {
  local s now keys line key ts peer age a b src dst out
  declare -A name_of
  for s in $(sites); do
    key="$(podman exec "$PREFIX$s" wg show wg0 public-key 2>/dev/null || true)"
    [ -n "$key" ] && name_of[$key]=$s
  done
  echo
  echo "== ping between client networks (ping -c1 -W1 -I <own client address> <peer client address>)"
  mapfile -t lines < <(client_addresses)
  printf '  %-10s' "from\\to"; for line in "${lines[@]}"; do printf '%-16s' "${line%% *}"; done; echo
  for a in "${lines[@]}"; do
    printf '  %-10s' "${a%% *}"; src="${a##* }"
    for b in "${lines[@]}"; do
      dst="${b##* }"
      if [ "$a" = "$b" ] || [ "$src" = - ] || [ "$dst" = - ]; then printf '%-16s' "-"; continue; fi
      # The host's ping, inside the site's network namespace (the image carries no ping).
      if out="$(in_netns "$PREFIX${a%% *}" ping -n -c1 -W1 -I "$src" "$dst" 2>&1)"; then
        printf '%-16s' "ok $(grep -o 'time=[0-9.]*' <<<"$out" | cut -d= -f2)ms"
      else
        printf '%-16s' "FAIL"; PING_FAILURES=$((PING_FAILURES + 1))
      fi
    done
    echo
  done
  echo
  echo "== WireGuard peers (latest handshake age)"
  now=$(date +%s)
  for s in $(sites); do
    if ! keys="$(podman exec "$PREFIX$s" wg show wg0 latest-handshakes 2>/dev/null)"; then
      echo "  $s: no wg0"; continue
    fi
    echo "  $s:"
    while read -r key ts; do
      [ -n "$key" ] || continue
      peer="${name_of[$key]:-${key:0:10}...}"
      if [ "$ts" = 0 ]; then age="never"; else age="$((now - ts)) s ago"; fi
      printf '    %-10s %s\n' "$peer" "$age"
    done <<<"$keys"
  done
  for s in $(sites); do break; done  # the first site
  echo
  echo "== wg show wg0 on $s"
  podman exec "$PREFIX$s" wg show wg0 2>/dev/null | sed 's/^/  /' || echo "  no wg0"
}

testbed_up() {
  "$TESTBED_DIR/proxy.sh" start
  "$TESTBED_DIR/image.sh" bookworm
  "$TESTBED_DIR/networks.sh" create
  "$TESTBED_DIR/proxy.sh" start
  start_hosts
}

up() {
  local t0 rc=0
  t0=$(date +%s)
  testbed_up
  write_inventory
  mkdir -p "$REPO_ROOT/.tmp/collections/ansible_collections/sitemesh"
  ln -sfn "$REPO_ROOT" "$REPO_ROOT/.tmp/collections/ansible_collections/sitemesh/wireguard"
  log "lab containers ready in $(since "$t0") s; running site.yml"
  if [ -f "$REPO_ROOT/site.yml" ]; then
    (cd "$REPO_ROOT" && ANSIBLE_CONFIG="$REPO_ROOT/ansible.cfg" \
      "$VENV/bin/ansible-playbook" -i "$INV_DIR" site.yml) || rc=$?
  else
    log "site.yml does not exist yet"; rc=1
  fi
  summary
  log "lab up in $(since "$t0") s (site.yml rc=$rc)"
  return "$rc"
}

down() {
  # shellcheck disable=SC2046
  podman rm -f -t 0 --ignore $(lab_names) >/dev/null
  "$TESTBED_DIR/networks.sh" remove
  "$TESTBED_DIR/proxy.sh" stop
}

status() {
  podman ps -a --filter label=org.sitemesh.testbed=lab --format '{{.Names}}  {{.Status}}'
  "$TESTBED_DIR/proxy.sh" status || true
  summary
}

# playbook_from_tarball LABEL ARGS...: sitemesh.wireguard.site from the installed tarball ($WORK), run from
# $WORK with only the installed copy and $VENV's bundled collections on the collections path and no ansible.cfg.
# PLAYBOOK=status for sitemesh.wireguard.status (default: site).
playbook_from_tarball() {
  local label=$1 t0 rc=0 playbook="sitemesh.wireguard.${PLAYBOOK:-site}"; shift
  t0=$(date +%s.%N)
  (cd "$WORK" && env -u ANSIBLE_CONFIG ANSIBLE_HOME="$WORK/ansible-home" ANSIBLE_NOCOLOR=1 \
    ANSIBLE_COLLECTIONS_PATH="$WORK/collections:$BUNDLED" ANSIBLE_PIPELINING=true \
    "$VENV/bin/ansible-playbook" -i "$INV_DIR" "$playbook" \
    -e "wireguard_public_key_store=$WORK/public_keys" "$@") >"$WORK/$label.log" 2>&1 || rc=$?
  log "$playbook ($label): rc=$rc in $(python3 -c "import sys; print('%.1f' % (float(sys.argv[2]) - float(sys.argv[1])))" "$t0" "$(date +%s.%N)") s"
  grep -A5 '^PLAY RECAP' "$WORK/$label.log" >&2 || true
  if ((rc != 0)); then tail -40 "$WORK/$label.log" >&2; fi
  return "$rc"
}

# The released collection as a user gets it, on the lab (see the header).
tarball() {
  local t0 version tarball_path changed
  t0=$(date +%s)
  [ -n "${1:-}" ] && VENV="$(cd "$1" && pwd)"
  [ -x "$VENV/bin/ansible-playbook" ] || die "no ansible-playbook in $VENV"
  BUNDLED="$("$VENV/bin/python" -c 'import ansible_collections, os; print(os.path.dirname(list(ansible_collections.__path__)[0]))')"
  WORK="$(mktemp -d /tmp/sitemesh-tarball.XXXXXX)"
  INV_DIR="$WORK/inventory"
  trap 'rc=$?; down >/dev/null 2>&1 || true; rm -rf "$WORK"; exit $rc' EXIT
  log "ansible-core $("$VENV/bin/python" -c 'import ansible.release as r; print(r.__version__)'), $("$VENV/bin/python" --version); work dir $WORK"
  # No ansible.cfg of the repo (scripts/test.sh exports ANSIBLE_CONFIG): its collections path holds the checkout,
  # and ansible-galaxy 2.16 would then call the tarball "already installed" and install nothing.
  (cd "$REPO_ROOT" && env -u ANSIBLE_CONFIG ANSIBLE_HOME="$WORK/ansible-home" "$VENV/bin/ansible-galaxy" collection build \
    --output-path "$WORK/dist" >/dev/null)
  version="$("$VENV/bin/python" -c 'import sys, yaml; print(yaml.safe_load(open(sys.argv[1]))["version"])' "$REPO_ROOT/galaxy.yml")"
  tarball_path="$WORK/dist/sitemesh-wireguard-$version.tar.gz"
  (cd "$WORK" && env -u ANSIBLE_CONFIG ANSIBLE_HOME="$WORK/ansible-home" ANSIBLE_COLLECTIONS_PATH="$WORK/collections" \
    "$VENV/bin/ansible-galaxy" collection install --offline --no-deps -p "$WORK/collections" "$tarball_path" >/dev/null)
  [ -f "$WORK/collections/ansible_collections/sitemesh/wireguard/playbooks/site.yml" ] \
    || die "the installed tarball has no playbooks/site.yml"
  testbed_up
  write_inventory copy
  playbook_from_tarball converge || return 1
  # The first packet of a pair waits for a handshake; on a loaded machine that can take longer than ping's 1 s:
  # up to three rounds of the matrix, the last one must be clean.
  local round
  for round in 1 2 3; do
    PING_FAILURES=0; summary
    ((PING_FAILURES == 0)) && break
    log "ping round $round: $PING_FAILURES failed"
  done
  ((PING_FAILURES == 0)) || die "$PING_FAILURES ping(s) between client networks failed in round 3"
  playbook_from_tarball rerun || return 1
  changed="$(sed -n '/^PLAY RECAP/,$p' "$WORK/rerun.log" | grep -o 'changed=[0-9]*' | awk -F= '{n += $2} END {print n + 0}')"
  [ "$changed" = 0 ] || die "the re-run from the tarball changed $changed task(s)"
  # The status playbook of the installed collection: exit 0 and a row "ok" for each of the six pairs.
  PLAYBOOK=status playbook_from_tarball status || die "sitemesh.wireguard.status failed on a healthy mesh"
  local rows
  rows="$(grep -cE '^ *(giant|moly|raspi) +(giant|moly|raspi) +[0-9]+ s ago .* ok *$' "$WORK/status.log" || true)"
  [ "$rows" = 6 ] || { cat "$WORK/status.log" >&2; die "the status table has $rows healthy rows, not 6"; }
  log "from the tarball: converged, every ping passed, re-run changed=0, status exit 0 with 6 healthy rows ($(since "$t0") s in all)"
}

case "${1:-}" in
  up) up ;;
  tarball) shift; tarball "$@" ;;
  down) down ;;
  status) status ;;
  *) echo "usage: $0 up|down|status|tarball [VENV]" >&2; exit 2 ;;
esac
