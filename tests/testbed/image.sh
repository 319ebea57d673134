#!/usr/bin/env bash
# Build the test hosts' image localhost/sitemesh-debian:<suite> with debootstrap (there is
# no container registry here) and `podman import` it. Reused while an image with the same
# version stamp exists; a change to this script (or lib.sh) changes the stamp and rebuilds.
#
#   image.sh [bookworm|trixie] [--force]
#
# The image holds only the base system, python3 (+ python3-apt, which Ansible's apt module
# needs on the managed host), systemd and two apt settings. Everything the roles manage
# (wireguard-tools, wireguard-go, iptables/nftables, procps, ifupdown, ...) is NOT in it.
set -euo pipefail
# shellcheck source=lib.sh
. "$(dirname "$0")/lib.sh"

SUITE="${1:-bookworm}"
FORCE="${2:-}"
case "$SUITE" in bookworm|trixie) ;; *) die "unknown suite $SUITE (bookworm|trixie)";; esac

IMAGE="$IMAGE_REPO:$SUITE"
INCLUDE="python3,python3-apt,iproute2,systemd,systemd-sysv,dbus"
# Version stamp: this script + the settings of lib.sh that end up in the image.
STAMP="$({ cat "$TESTBED_DIR/image.sh"; echo "$PROXY_HOSTNAME $PROXY_PORT $DEBIAN_MIRROR"; } | sha256sum | cut -c1-16)"
LABEL="org.sitemesh.testbed.stamp"

have="$(podman image inspect -f "{{index .Labels \"$LABEL\"}}" "$IMAGE" 2>/dev/null || true)"
old_id="$(podman image inspect -f '{{.Id}}' "$IMAGE" 2>/dev/null || true)"
if [ "$have" = "$STAMP" ] && [ "$FORCE" != "--force" ]; then
  log "image $IMAGE is up to date (stamp $STAMP)"
  exit 0
fi

t0=$(date +%s)
ROOT="$(mktemp -d /var/tmp/sitemesh-rootfs.XXXXXX)"
trap 'rm -rf "$ROOT"' EXIT

# Go through the apt proxy when it runs (much faster on re-builds, CI included).
proxy_env=()
if bash -c "exec 3<>/dev/tcp/127.0.0.1/$PROXY_PORT" 2>/dev/null; then
  proxy_env=("http_proxy=http://127.0.0.1:$PROXY_PORT")
  log "debootstrap $SUITE through the apt proxy"
else
  log "debootstrap $SUITE straight from $DEBIAN_MIRROR (apt proxy not running)"
fi
env "${proxy_env[@]}" debootstrap --variant=minbase --include="$INCLUDE" \
  "$SUITE" "$ROOT" "$DEBIAN_MIRROR" >"$ROOT.log" 2>&1 \
  || { tail -n 30 "$ROOT.log" >&2; die "debootstrap failed (log: $ROOT.log)"; }
rm -f "$ROOT.log"

# Sources: the suite, its updates and its security updates (all reachable here).
cat >"$ROOT/etc/apt/sources.list" <<SRC
deb $DEBIAN_MIRROR $SUITE main
deb $DEBIAN_MIRROR $SUITE-updates main
deb http://deb.debian.org/debian-security $SUITE-security main
SRC
rm -f "$ROOT/etc/apt/sources.list.d/"*.sources 2>/dev/null || true

# apt goes out only through the host's proxy; the mirror here is a snapshot whose unstable
# Release has expired, hence Check-Valid-Until (a fact of this machine, not a role default).
# A request the proxy leaves unanswered (the mirror behind it stalls) times out after 60 s of silence and is
# asked again, 3 times (apt-cacher-ng, the proxy before aptproxy.py, once left an apt-get hanging for good).
cat >"$ROOT/etc/apt/apt.conf.d/01proxy" <<APT
Acquire::http::Proxy "http://$PROXY_HOSTNAME:$PROXY_PORT";
Acquire::Check-Valid-Until "false";
Acquire::http::Timeout "60";
Acquire::Retries "3";
APT

# Units that cannot work in a container, or wait for hardware that is not there.
for unit in systemd-remount-fs.service getty.target console-getty.service \
            systemd-udevd.service systemd-udev-trigger.service \
            sys-kernel-debug.mount sys-kernel-tracing.mount sys-kernel-config.mount \
            systemd-modules-load.service systemd-firstboot.service \
            apt-daily.timer apt-daily-upgrade.timer; do
  ln -sf /dev/null "$ROOT/etc/systemd/system/$unit"
done
# No machine-id baked into the image: systemd makes one at boot.
: >"$ROOT/etc/machine-id"

# Keep it small.
rm -rf "$ROOT"/var/lib/apt/lists/* "$ROOT"/var/cache/apt/*.bin "$ROOT"/var/cache/apt/archives/*.deb \
       "$ROOT"/var/log/*.log "$ROOT"/usr/share/doc/* "$ROOT"/usr/share/man/* "$ROOT"/usr/share/info/*

t1=$(date +%s)
tar --numeric-owner -C "$ROOT" -c . | podman import --quiet \
  --change "LABEL $LABEL=$STAMP" \
  --change "LABEL org.sitemesh.testbed.suite=$SUITE" \
  --change 'CMD ["/sbin/init"]' \
  --change 'STOPSIGNAL SIGRTMIN+3' \
  --change 'ENV container=podman' \
  - "$IMAGE" >/dev/null
log "image $IMAGE built in $(since "$t0") s (import $(since "$t1") s), stamp $STAMP"
# Drop the previous build of this tag (only that one), unless a container still uses it.
if [ -n "$old_id" ] && [ "$old_id" != "$(podman image inspect -f '{{.Id}}' "$IMAGE")" ]; then
  podman image rm "$old_id" >/dev/null 2>&1 || true
fi
