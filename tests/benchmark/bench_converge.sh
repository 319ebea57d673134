#!/usr/bin/env bash
# Converge timings of site.yml on real Debian containers (the test bed's image, sealed networks and apt
# proxy), printed as figures, once per connection in the same run (fresh containers for each):
#   podman  the podman connection (how the scenarios reach the containers; no pipelining)
#   ssh     how users reach their sites: OpenSSH with pipelining, as root with a key pair made for this run
#           under .tmp/bench/ssh, to the sites' addresses on the sealed network sitemesh-public
# For each: first converge of the guide's three sites, unchanged re-run (must be changed=0), adding a fourth
# site, unchanged re-run of the four; then the slowest tasks of the unchanged re-run (profile_tasks). In ssh
# mode one more unchanged re-run of the three (-vvv, not timed, before the fourth joins; must be changed=0 too)
# counts the SSH commands per site: the round trips.
# Targets (apt cache warm), printed PASS/MISSED, not asserted: issue 3's (first converge < 45 s, unchanged
# < 10 s, a fourth site < 35 s) and, over SSH, issue 9's (unchanged re-run < 4.5 s, a fourth site < 20 s, apt more
# than half of the first converge: its 'Install WireGuard tools' task against the play's own time, profile_tasks).
# openssh-server is installed in the ssh-mode containers only, through the apt proxy, before any timed run,
# and the apt lists it needed are removed again (the sites start as the image is); the image stays without
# it, so that no scenario pays for an sshd it does not use and no other checkout's image stamp changes.
# Usage: tests/benchmark/bench_converge.sh [podman] [ssh]   (default both; run by scripts/test.sh after the
# molecule scenarios; uses the scenarios' addresses: by hand only under the lock /tmp/sitemesh-podman.lock)
set -euo pipefail
# shellcheck source=../testbed/lib.sh
. "$(dirname "$0")/../testbed/lib.sh"
# shellcheck source=lib.sh
. "$(dirname "$0")/lib.sh"

PREFIX="sitemesh-bench-"
WORK="$REPO_ROOT/.tmp/bench"
VENV="$REPO_ROOT/.venv"
# name public-address (all on sitemesh-public); the fourth site joins later
SITES=("giant 192.168.1.161" "moly 192.168.1.162" "raspi 192.168.1.200")
FOURTH="kiwi 192.168.1.170"
SUMMARY=()

names() { local s; for s in "${SITES[@]}" "$FOURTH"; do echo "$PREFIX${s%% *}"; done; }
ssh_address() { local s; for s in "${SITES[@]}" "$FOURTH"; do [[ ${s%% *} == "$1" ]] && echo "${s##* }"; done; }
# shellcheck disable=SC2046
cleanup() { unfinished_run; remove_bench $(names); }
trap cleanup EXIT

# start_site MODE NAME ADDRESS: a fresh site; in ssh mode with sshd running, our key authorized, its host key known
start_site() {
  start_bench_site "$PREFIX" bench "$2" "$3"
  wait_booted "$PREFIX$2"
  if [[ $1 == ssh ]]; then ssh_site "$PREFIX$2" "$3"; fi
}

write_inventory() {  # DIR MODE SITE...
  local dir=$1 mode=$2; shift 2
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
  write_hosts "$dir/hosts.yml" "$PREFIX" "$mode" "$@"
}

# apt_share LABEL: "apt X s of Y s (Z %, PASS|MISSED > 50 %)" from that run's profile_tasks recap
apt_share() {
  "$VENV/bin/python" - "$WORK/$1.log" <<'PY'
import re, sys
text = open(sys.argv[1]).read()
apt = [float(m) for m in re.findall(r'^\S.* : Install WireGuard tools \(.*?-+ ([0-9.]+)s$', text, re.M)]
total = re.findall(r'^\w+day \d+ \w+ \d+ +[0-9:]+ \S+ \([0-9:.]+\) +(\d+):(\d+):([0-9.]+)', text, re.M)
h, m, sec = total[-1]
play = int(h) * 3600 + int(m) * 60 + float(sec)
share = 100 * sum(apt) / play
print('apt %.1f s of the play\'s %.1f s (%.0f %%, %s > 50 %%)' % (sum(apt), play, share, 'PASS' if share > 50 else 'MISSED'))
PY
}

target() {  # target VALUE LIMIT: PASS or MISSED
  "$VENV/bin/python" -c "import sys; print('PASS' if float(sys.argv[1]) < float(sys.argv[2]) else 'MISSED')" "$1" "$2"
}

# bench MODE: fresh containers, the four runs, the slowest tasks; a line per run in SUMMARY
bench() {
  local mode=$1 s name address first rerun add rerun4 peers trips="" t0=$SECONDS
  # shellcheck disable=SC2046
  podman rm -f -t 0 --ignore $(names) >/dev/null
  rm -rf "$WORK/public_keys" "$WORK/cp"; mkdir -m 0700 "$WORK/cp"   # no key, no SSH master of the other mode
  for s in "${SITES[@]}"; do read -r name address <<<"$s"; start_site "$mode" "$name" "$address"; done
  write_inventory "$WORK/inventory3-$mode" "$mode" giant moly raspi
  write_inventory "$WORK/inventory4-$mode" "$mode" giant moly raspi kiwi
  echo
  case $mode in
    podman) echo "site.yml on containers, podman connection (no pipelining), apt through the warm proxy cache:" ;;
    ssh) echo "site.yml on containers, SSH (OpenSSH, pipelining, ControlPersist) to their addresses on sitemesh-public:" ;;
  esac
  site_yml "$mode: first converge (3 sites)" "$WORK/inventory3-$mode"; first=$FIG_WALL
  site_yml "$mode: unchanged re-run" "$WORK/inventory3-$mode"; rerun=$FIG_WALL
  ((FIG_CHANGED == 0)) || die "$mode: the unchanged re-run changed $FIG_CHANGED task(s)"
  if [[ $mode == ssh ]]; then
    # Before the fourth site joins: after it, the three-site inventory would take kiwi out again (not unchanged).
    site_yml "ssh: unchanged re-run, -vvv (not timed)" "$WORK/inventory3-$mode" -vvv >/dev/null
    ((FIG_CHANGED == 0)) || die "ssh: the unchanged re-run with -vvv changed $FIG_CHANGED task(s)"
    trips=$(for s in giant moly raspi; do
              printf '%s %s  ' "$s" "$(grep -c "^<$(ssh_address $s)> SSH: EXEC" "$WORK/ssh: unchanged re-run, -vvv (not timed).log")"
            done)
  fi
  read -r name address <<<"$FOURTH"; start_site "$mode" "$name" "$address"
  site_yml "$mode: adding a fourth site" "$WORK/inventory4-$mode"; add=$FIG_WALL
  site_yml "$mode: unchanged re-run (4 sites)" "$WORK/inventory4-$mode"; rerun4=$FIG_WALL
  ((FIG_CHANGED == 0)) || die "$mode: the unchanged re-run of four sites changed $FIG_CHANGED task(s)"
  peers=$(podman exec "${PREFIX}giant" wg show wg0 peers | wc -l)
  ((peers == 3)) || die "$mode: giant has $peers peers after the fourth site joined, not 3"
  echo "  wg0 peers on giant after the fourth site joined: $peers"
  echo "  slowest tasks of the unchanged re-run (3 sites; a task's time is its slowest site's):"
  slowest_tasks "$mode: unchanged re-run"
  [[ $mode != ssh ]] || echo "  SSH commands per site in an unchanged re-run (3 sites; -vvv, 'SSH: EXEC' lines; round trips): $trips"
  local add_limit=35 rerun_limit=10 apt=""
  if [[ $mode == ssh ]]; then add_limit=20; rerun_limit=4.5; apt="  $(apt_share "$mode: first converge (3 sites)")"; fi
  SUMMARY+=("$(printf '%-7s first converge %6.1f s (%s < 45 s)  unchanged %5.1f s (%s < %s s)  add a site %6.1f s (%s < %s s)  unchanged (4) %5.1f s  (mode %d s in all)%s' \
    "$mode" "$first" "$(target "$first" 45)" "$rerun" "$(target "$rerun" "$rerun_limit")" "$rerun_limit" \
    "$add" "$(target "$add" "$add_limit")" "$add_limit" "$rerun4" "$((SECONDS - t0))" "$apt")")
}

main() {
  local modes=("$@") mode
  ((${#modes[@]})) || modes=(podman ssh)
  for mode in "${modes[@]}"; do [[ $mode == podman || $mode == ssh ]] || die "unknown mode $mode (podman|ssh)"; done
  [ -x "$VENV/bin/ansible-playbook" ] || die "$VENV missing: run scripts/setup.sh first"
  rm -rf "$WORK"; mkdir -p "$WORK"
  ssh_key
  "$TESTBED_DIR/image.sh" bookworm
  "$TESTBED_DIR/networks.sh" create
  "$TESTBED_DIR/proxy.sh" start
  for mode in "${modes[@]}"; do bench "$mode"; done
  echo
  echo "summary ($(nproc) cores, load $(cut -d' ' -f1-3 /proc/loadavg)):"
  printf '  %s\n' "${SUMMARY[@]}"
}

main "$@"
