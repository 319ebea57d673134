#!/usr/bin/env bash
# Start/stop the test bed's apt proxy: aptproxy.py (beside this script; why not apt-cacher-ng: its docstring),
# run in the background with a pidfile, a persistent cache outside the repo and a log.
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
  # Make sure the pid is still our proxy (pids get reused).
  [[ "$(tr '\0' ' ' <"/proc/$pid/cmdline")" == *"aptproxy.py "*"--cache $PROXY_CACHE_DIR "* ]] || return 1
  echo "$pid"
}

wanted_binds() { { echo 127.0.0.1; present_gateways; } | paste -sd' ' -; }

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
  local binds pid address args=()
  binds="$(wanted_binds)"
  if pid="$(running_pid)" && [ "$(cat "$PROXY_BINDFILE" 2>/dev/null)" = "$binds" ]; then
    log "apt proxy already running (pid $pid) on $binds"
    return 0
  fi
  stop
  mkdir -p "$STATE_DIR" "$PROXY_CACHE_DIR" "$PROXY_LOG_DIR"
  for address in $binds; do args+=(--bind "$address"); done
  echo "$binds" >"$PROXY_BINDFILE"
  # setsid: out of the caller's process group; 3>&- : not the caller's lock (flock /tmp/sitemesh-podman.lock
  # passes it as fd 3), which the proxy would hold after the caller is gone
  setsid python3 "$TESTBED_DIR/aptproxy.py" "${args[@]}" --port "$PROXY_PORT" --cache "$PROXY_CACHE_DIR" \
    --log "$PROXY_LOG_DIR/apt-proxy.log" --pidfile "$PROXY_PIDFILE" \
    </dev/null >>"$PROXY_LOG_DIR/apt-proxy.err" 2>&1 3>&- &
  for _ in $(seq 50); do
    if pid="$(running_pid)" && bash -c "exec 3<>/dev/tcp/127.0.0.1/$PROXY_PORT" 2>/dev/null; then
      log "apt proxy running (pid $pid) on $binds port $PROXY_PORT, cache $PROXY_CACHE_DIR"
      return 0
    fi
    sleep 0.1
  done
  tail -n 20 "$PROXY_LOG_DIR/apt-proxy.err" >&2 || true
  die "the apt proxy did not start"
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
