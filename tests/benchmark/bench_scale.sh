#!/usr/bin/env bash
# site.yml on 12 sites of real Debian containers (the test bed's image, sealed networks and apt proxy):
# the guide's three (giant, raspi and moly, the exit of all) plus nine more: six plain sites, one hub
# (hub10) and its two spokes (spoke11, spoke12: no endpoint, they peer with the hub only).
#   1. first converge, then an unchanged re-run: wall time, controller CPU seconds (ansible-playbook and its
#      workers, rusage), changed tasks, tasks per host; target: unchanged re-run < 30 s, changed=0
#   2. a rolling change in batches of two (wireguard_serial=2): a new client network on every site (a second
#      loopback alias), while pings cross the mesh between the old client networks: 0 lost is required
#   3. then every site reaches the new network of the next site (client address to client address)
# Fails (exit 1) when a run fails, the re-run changes anything, a ping is lost or a new network is unreachable;
# the times are figures (printed, not asserted, but the 30 s target is printed PASS/MISSED).
# Connection: podman (default) or ssh (OpenSSH with pipelining to the sites' addresses on sitemesh-public, a key
# pair made for the run; openssh-server installed in the containers through the apt proxy before any timed run).
# Usage: flock /tmp/sitemesh-podman.lock tests/benchmark/bench_scale.sh [podman|ssh]   (run by scripts/test.sh;
# uses the scenarios' addresses and networks: never at the same time as them, hence the lock)
set -euo pipefail
# shellcheck source=../testbed/lib.sh
. "$(dirname "$0")/../testbed/lib.sh"
# shellcheck source=lib.sh
. "$(dirname "$0")/lib.sh"

PREFIX="sitemesh-scale-"
WORK="$REPO_ROOT/.tmp/bench-scale"
VENV="$REPO_ROOT/.venv"
RERUN_TARGET=30
CONNECTION=${1:-podman}
# name, public address, tunnel address, client network /24 (its .1 on lo:10), new one for the rolling change
SITES=(
  "giant 192.168.1.161 172.16.1.1 10.0.1 10.1.1"
  "moly 192.168.1.162 172.16.1.2 10.0.2 10.1.2"
  "raspi 192.168.1.200 172.16.1.3 77.66.55 10.1.3"
)
for i in 4 5 6 7 8 9; do SITES+=("site0$i 192.168.1.17$i 172.16.1.$i 10.0.$i 10.1.$i"); done
SITES+=("hub10 192.168.1.180 172.16.1.10 10.0.10 10.1.10")
SITES+=("spoke11 192.168.1.181 172.16.1.11 10.0.11 10.1.11" "spoke12 192.168.1.182 172.16.1.12 10.0.12 10.1.12")
# pairs pinged during the rolling change: direct peers, through the hub both ways, spoke to spoke
PINGS=("giant raspi" "site04 site09" "spoke11 giant" "raspi spoke12" "spoke11 spoke12" "moly hub10")
PING_PIDS=()

names() { local s; for s in "${SITES[@]}"; do echo "$PREFIX${s%% *}"; done; }
ssh_address() { field "$1" 2; }
field() { local name=$1 n=$2 s; for s in "${SITES[@]}"; do [[ ${s%% *} == "$name" ]] && { cut -d' ' -f"$n" <<<"$s"; return; }; done; }
cleanup() {
  local pid
  unfinished_run
  for pid in "${PING_PIDS[@]}"; do kill "$pid" 2>/dev/null || true; done
  # shellcheck disable=SC2046
  remove_bench $(names)
}
trap cleanup EXIT

start_site() { start_bench_site "$PREFIX" bench-scale "$1" "$2"; }

# write_inventory DIR NEW: the 12 sites; NEW=1 adds the second client network (lo:11) to every site
write_inventory() {
  local dir=$1 new=$2 s name public tunnel net net2
  mkdir -p "$dir/host_vars"
  ln -sfn "$REPO_ROOT/inventories/example/group_vars" "$dir/group_vars"
  # shellcheck disable=SC2046
  write_hosts "$dir/hosts.yml" "$PREFIX" "$CONNECTION" $(for s in "${SITES[@]}"; do echo "${s%% *}"; done)
  for s in "${SITES[@]}"; do
    read -r name public tunnel net net2 <<<"$s"
    {
      echo "---"
      echo "wireguard_address: $tunnel"
      case $name in
        spoke*) echo "wireguard_hub: hub10" ;;  # no endpoint: reached through its hub only
        *) echo "wireguard_endpoint: $public" ;;
      esac
      [[ $name == moly ]] && echo 'wireguard_exit: ""'
      if ((new)); then
        echo "wireguard_client_networks: [$net.0/24, $net2.0/24]"
        echo "wireguard_loopback_aliases: [{label: \"lo:10\", address: $net.1/24}, {label: \"lo:11\", address: $net2.1/24}]"
      else
        echo "wireguard_client_networks: [$net.0/24]"
        echo "wireguard_loopback_aliases: [{label: \"lo:10\", address: $net.1/24}]"
      fi
    } >"$dir/host_vars/$name.yml"
  done
}

# start_pings: one ping every 0.2 s per pair, client address to client address, in the source container's
# network namespace with the host's ping (nsenter execs it: $! is ping itself, stopped by its pid); each reply
# is printed (-D: with its time), so that a lost packet is known by its sequence number
start_pings() {
  local pair from to pid
  for pair in "${PINGS[@]}"; do
    read -r from to <<<"$pair"
    pid="$(podman inspect -f '{{.State.Pid}}' "$PREFIX$from")"
    nsenter -t "$pid" -n -- ping -D -n -i 0.2 -I "$(field "$from" 4).1" "$(field "$to" 4).1" \
      >"$WORK/ping-$from-$to.txt" 2>&1 &
    PING_PIDS+=("$!")
  done
}

# stop_pings: SIGINT (ping prints its summary), then the replies lost per pair, summed in LOST. A request is
# lost when no reply carries its sequence number. The last request is not counted: SIGINT may come between it
# and its reply (it was sent a second after the change ended, at most 0.2 s before the stop).
stop_pings() {
  local pid pair from to sent counted lost gap
  for pid in "${PING_PIDS[@]}"; do kill -INT "$pid" 2>/dev/null || true; done
  for pid in "${PING_PIDS[@]}"; do wait "$pid" 2>/dev/null || true; done
  PING_PIDS=()
  LOST=0
  for pair in "${PINGS[@]}"; do
    read -r from to <<<"$pair"
    read -r sent counted lost gap < <(awk '
      /bytes from .*icmp_seq=/ { match($0, /icmp_seq=[0-9]+/); seq = substr($0, RSTART + 9, RLENGTH - 9) + 0
        if (!(seq in got)) { got[seq] = 1; t = substr($1, 2, length($1) - 2) + 0; if (n && t - p > g) g = t - p; p = t; n++ } }
      /packets transmitted/ { tx = $1 }
      END { lost = ""; for (i = 1; i < tx; i++) if (!(i in got)) lost = lost (lost == "" ? "" : ",") i
            printf "%d %d %s %.2f\n", tx, (tx > 0 ? tx - 1 : 0), (lost == "" ? "-" : lost), g }' \
      "$WORK/ping-$from-$to.txt") || true
    ((sent > 1)) || die "no ping summary, or not 2 requests sent, from $from to $to: $(cat "$WORK/ping-$from-$to.txt")"
    if [[ $lost == - ]]; then
      echo "  ping $from -> $to (client networks) during the change: $counted counted, 0 lost, longest gap between replies ${gap} s"
    else
      echo "  ping $from -> $to (client networks) during the change: $counted counted, lost icmp_seq $lost, longest gap between replies ${gap} s"
      LOST=$((LOST + $(tr ',' '\n' <<<"$lost" | wc -l)))
    fi
  done
}

main() {
  [ -x "$VENV/bin/ansible-playbook" ] || die "$VENV missing: run scripts/setup.sh first"
  [[ $CONNECTION == podman || $CONNECTION == ssh ]] || die "unknown connection $CONNECTION (podman|ssh)"
  rm -rf "$WORK"; mkdir -p "$WORK"
  ssh_key
  "$TESTBED_DIR/image.sh" bookworm
  "$TESTBED_DIR/networks.sh" create
  "$TESTBED_DIR/proxy.sh" start
  # shellcheck disable=SC2046
  podman rm -f -t 0 --ignore $(names) >/dev/null
  local s name public mem0 mem1
  mem0=$(free -m | awk '/^Mem:/ {print $3}')
  for s in "${SITES[@]}"; do read -r name public _ <<<"$s"; start_site "$name" "$public"; done
  # shellcheck disable=SC2046
  wait_booted $(names)
  mem1=$(free -m | awk '/^Mem:/ {print $3}')
  if [[ $CONNECTION == ssh ]]; then
    local pids=() pid
    for s in "${SITES[@]}"; do read -r name public _ <<<"$s"; ssh_site "$PREFIX$name" "$public" & pids+=("$!"); done
    for pid in "${pids[@]}"; do wait "$pid" || die "a site got no sshd"; done
  fi
  echo "12 containers started: $((mem1 - mem0)) MB more memory in use ($(free -m | awk '/^Mem:/ {print $7}') MB available)"
  write_inventory "$WORK/inventory" 0
  write_inventory "$WORK/inventory-new" 1
  echo "site.yml on 12 sites ($CONNECTION connection, forks 20), apt through the warm proxy cache:"
  site_yml "first converge (12 sites)" "$WORK/inventory"
  site_yml "unchanged re-run (12 sites)" "$WORK/inventory"
  ((FIG_CHANGED == 0)) || die "the unchanged re-run changed $FIG_CHANGED task(s)"
  echo "unchanged re-run target < $RERUN_TARGET s: $("$VENV/bin/python" -c "print('PASS' if $FIG_WALL < $RERUN_TARGET else 'MISSED')")"
  echo "  slowest tasks of the unchanged re-run (a task's time is its slowest site's):"
  slowest_tasks "unchanged re-run (12 sites)"

  start_pings
  sleep 3
  site_yml "rolling change, serial 2" "$WORK/inventory-new" -e wireguard_serial=2
  sleep 1
  stop_pings
  ((FIG_CHANGED > 0)) || die "the rolling change changed nothing"
  ((LOST == 0)) || die "$LOST ping(s) lost during the rolling change"
  echo "rolling change: 0 pings lost"

  # every site reaches the new client network of the next one (spokes through the hub)
  local i from to failed=0 n=${#SITES[@]}
  for ((i = 0; i < n; i++)); do
    from=${SITES[i]%% *}; to=${SITES[(i + 1) % n]%% *}
    if ! in_netns "$PREFIX$from" ping -n -q -c 2 -W 2 -I "$(field "$from" 5).1" "$(field "$to" 5).1" >/dev/null; then
      echo "  $from -> $to: the new network $(field "$to" 5).0/24 is unreachable" >&2; failed=1
    fi
  done
  ((failed == 0)) || die "a new client network is unreachable after the rolling change"
  echo "after the change: each of the 12 sites reaches the next one's new client network (new address to new address)"
  site_yml "unchanged re-run after the change" "$WORK/inventory-new"
  ((FIG_CHANGED == 0)) || die "the re-run after the change changed $FIG_CHANGED task(s)"
}

main "$@"
