# shellcheck shell=bash
# shellcheck disable=SC2034  # the variables are used by the scripts that source this file
# Common settings of the sitemesh test bed, sourced by every script in tests/testbed.
# Facts behind these choices: /work/shared/testbed.md (runc, low ulimits, no registry,
# sealed --internal networks, apt only through a caching proxy on the host).

TESTBED_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
REPO_ROOT="$(cd "$TESTBED_DIR/../.." && pwd)"
export TESTBED_DIR REPO_ROOT

# Podman must use runc and low ulimits on this kind of machine.
export CONTAINERS_CONF="$TESTBED_DIR/containers.conf"

# Every Ansible run of the test bed (molecule, the lab, the benchmarks): a task that hangs (a podman exec or an
# apt download that never returns) fails after 10 minutes, naming its host and task, instead of holding the
# whole run until CI's limit. No task of theirs takes a tenth of that.
export ANSIBLE_TASK_TIMEOUT="${ANSIBLE_TASK_TIMEOUT:-600}"

IMAGE_REPO="localhost/sitemesh-debian"

# Sealed networks: name subnet gateway [subnet6 gateway6] (all created with --internal; the IPv6 pair
# makes a dual-stack network, used only by the dualstack scenario: the others never join it).
NETWORKS=(
  "sitemesh-public 192.168.1.0/24 192.168.1.1"
  "sitemesh-internet 172.31.250.0/24 172.31.250.1"
  "sitemesh-spoke 172.31.251.0/24 172.31.251.1"
  "sitemesh-internet6 172.31.252.0/24 172.31.252.1 fd31:252::/64 fd31:252::1"
)

# A container that does nothing but stay attached to every network, so that the
# bridges (and the gateway addresses the apt proxy listens on) exist for as long as
# the test bed is up, even between molecule scenarios when no test host exists.
ANCHOR_NAME="sitemesh-netanchor"
ANCHOR_HOST_OCTET="254"

# apt proxy (tests/testbed/aptproxy.py, started by proxy.sh: no systemd on the host).
PROXY_PORT="3142"
# Containers reach the proxy by this name; each container gets an /etc/hosts entry
# mapping it to the gateway of a network it is on (podman --add-host / etc_hosts).
PROXY_HOSTNAME="sitemesh-apt-proxy"
PROXY_CACHE_DIR="${SITEMESH_PROXY_CACHE_DIR:-/var/cache/sitemesh-apt-proxy}"
PROXY_LOG_DIR="${SITEMESH_PROXY_LOG_DIR:-/var/log/sitemesh-apt-proxy}"
STATE_DIR="${SITEMESH_STATE_DIR:-/run/sitemesh-testbed}"
PROXY_PIDFILE="$STATE_DIR/apt-proxy.pid"
PROXY_BINDFILE="$STATE_DIR/apt-proxy.bind"

DEBIAN_MIRROR="http://deb.debian.org/debian"

log() { printf '[testbed %s] %s\n' "$(date +%H:%M:%S)" "$*" >&2; }
die() { log "ERROR: $*"; exit 1; }

# Every network's name, one a line.
network_names() { local n; for n in "${NETWORKS[@]}"; do echo "${n%% *}"; done; }

# Gateway addresses (host side of the bridges) that exist on the host right now.
present_gateways() {
  local n gw addrs
  # Captured first: `ip ... | grep -q` under pipefail fails at random (SIGPIPE once grep quits).
  addrs="$(ip -4 -o addr show 2>/dev/null || true)"
  for n in "${NETWORKS[@]}"; do
    read -r _ _ gw _ <<<"$n"
    if grep -q " inet ${gw}/" <<<"$addrs"; then echo "$gw"; fi
  done
}

# Run a command inside a container's network namespace with the HOST's binaries
# (ping, tcpdump, ...), so that the images need not carry them.
in_netns() {
  local name="$1" pid; shift
  pid="$(podman inspect -f '{{.State.Pid}}' "$name")"
  if [ -z "$pid" ] || [ "$pid" = 0 ]; then die "container $name is not running"; fi
  nsenter -t "$pid" -n -- "$@"
}

# Elapsed seconds since $1 (from `date +%s`).
since() { echo $(( $(date +%s) - $1 )); }

# wait_booted CONTAINER...: until systemd in each container has finished booting (running or degraded); dies
# after 120 s. `systemctl is-system-running --wait` alone does not wait right after `podman run`: until systemd has
# its bus it fails at once ("Failed to connect to bus", in 2 of 4 fresh containers, 2026-11-27), and what runs next
# races the boot: systemd-tmpfiles-setup empties /tmp (`D /tmp`) under apt-key's feet, and `apt-get update` fails
# with "GPG error: ... Unknown error executing apt-key" (3 of 12 fresh containers).
wait_booted() {
  local c state deadline=$((SECONDS + 120))
  for c in "$@"; do
    until state=$(podman exec "$c" systemctl is-system-running --wait 2>/dev/null); [[ $state == running || $state == degraded ]]; do
      ((SECONDS < deadline)) || die "$c: systemd did not finish booting in 120 s (state: ${state:-no answer})"
      sleep 0.2
    done
  done
}

# Benchmark sites (tests/benchmark/*.sh), under the podman lock:
# start_bench_site PREFIX LABEL NAME ADDRESS: a bookworm site with systemd on sitemesh-public, apt through the proxy
start_bench_site() {
  podman run -d --name "$1$3" --hostname "$3" --privileged --systemd=always \
    --label "org.sitemesh.testbed=$2" --network "sitemesh-public:ip=$4" \
    --add-host "$PROXY_HOSTNAME:192.168.1.1" "$IMAGE_REPO:bookworm" /sbin/init >/dev/null
}

# remove_bench CONTAINER...: the benchmark's own containers, then the networks and the proxy it started
remove_bench() {
  podman rm -f -t 0 --ignore "$@" >/dev/null 2>&1 || true
  "$TESTBED_DIR/networks.sh" remove >/dev/null 2>&1 || true
  "$TESTBED_DIR/proxy.sh" stop >/dev/null 2>&1 || true
}
