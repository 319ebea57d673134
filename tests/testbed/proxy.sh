#!/usr/bin/env bash
# Start/stop the test bed's apt proxy: Debian's apt-cacher-ng, run by hand (no systemd
# on the host) with its own config dir, a persistent cache outside the repo and a pidfile.
#
#   proxy.sh start    start, or restart when the set of gateway addresses changed
#   proxy.sh stop     stop only the process this script started (pidfile)
#   proxy.sh status
#
# It listens on 127.0.0.1 (debootstrap uses it) and on the gateway address of every
# sitemesh network that exists at that moment (never 0.0.0.0). The bridges exist only
# while a container is attached: networks.sh keeps an anchor container on them, and the
# wrappers call `proxy.sh start` again after `networks.sh create` (it rebinds then).
set -euo pipefail
# shellcheck source=lib.sh
. "$(dirname "$0")/lib.sh"

running_pid() {
  local pid
  [ -f "$PROXY_PIDFILE" ] || return 1
  pid="$(cat "$PROXY_PIDFILE")"
  [ -n "$pid" ] && [ -d "/proc/$pid" ] || return 1
  # Make sure the pid is still our apt-cacher-ng (pids get reused).
  [[ "$(tr '\0' ' ' <"/proc/$pid/cmdline")" == *"apt-cacher-ng -c $PROXY_CONF_DIR "* ]] || return 1
  echo "$pid"
}

wanted_binds() { { echo 127.0.0.1; present_gateways; } | paste -sd' ' -; }

write_conf() {
  rm -rf "$PROXY_CONF_DIR"
  mkdir -p "$PROXY_CONF_DIR" "$PROXY_CACHE_DIR" "$PROXY_LOG_DIR"
  cp -a /etc/apt-cacher-ng/. "$PROXY_CONF_DIR/"
  # Debian's default mirror list sends requests to mirrors that do not resolve here
  # ("503 Host not found"): send every Debian request to deb.debian.org.
  printf '%s/\n' "$DEBIAN_MIRROR" >"$PROXY_CONF_DIR/backends_debian"
  # Our own settings last (later files override earlier ones).
  cat >"$PROXY_CONF_DIR/zzz_sitemesh.conf" <<CONF
CacheDir: $PROXY_CACHE_DIR
LogDir: $PROXY_LOG_DIR
Port: $PROXY_PORT
SocketPath: $STATE_DIR/apt-cacher-ng.socket
PidFile: $PROXY_PIDFILE
# Index files (InRelease, Packages) fetched in the last hour are served from the cache without asking
# the mirror again: several containers refreshing the same index at once made apt-cacher-ng fail to
# swap the file ("Failure to move file ... out of the way") and left one apt-get update hanging.
FreshIndexMaxAge: 3600
CONF
}

stop() {
  local pid
  if pid="$(running_pid)"; then
    kill "$pid"
    for _ in $(seq 50); do [ -d "/proc/$pid" ] || break; sleep 0.1; done
    [ -d "/proc/$pid" ] && kill -9 "$pid"
    log "apt proxy stopped (pid $pid)"
  fi
  rm -f "$PROXY_PIDFILE" "$PROXY_BINDFILE"
}

start() {
  local binds pid
  binds="$(wanted_binds)"
  if pid="$(running_pid)" && [ "$(cat "$PROXY_BINDFILE" 2>/dev/null)" = "$binds" ]; then
    log "apt proxy already running (pid $pid) on $binds"
    return 0
  fi
  stop
  write_conf
  echo "$binds" >"$PROXY_BINDFILE"
  /usr/sbin/apt-cacher-ng -c "$PROXY_CONF_DIR" ForeGround=0 \
    "BindAddress=$binds" "PidFile=$PROXY_PIDFILE"
  for _ in $(seq 50); do
    if pid="$(running_pid)" && bash -c "exec 3<>/dev/tcp/127.0.0.1/$PROXY_PORT" 2>/dev/null; then
      log "apt proxy running (pid $pid) on $binds port $PROXY_PORT, cache $PROXY_CACHE_DIR"
      return 0
    fi
    sleep 0.1
  done
  tail -n 20 "$PROXY_LOG_DIR/apt-cacher.err" >&2 || true
  die "apt-cacher-ng did not start"
}

status() {
  local pid
  if pid="$(running_pid)"; then
    echo "running pid $pid on $(cat "$PROXY_BINDFILE" 2>/dev/null) port $PROXY_PORT"
  else
    echo "stopped"; return 1
  fi
}

case "${1:-}" in
  start) start ;;
  stop) stop ;;
  status) status ;;
  *) echo "usage: $0 start|stop|status" >&2; exit 2 ;;
esac
