# shellcheck shell=bash
# The steps of scripts/test.sh (sourced): `step NAME BUDGET CMD...` runs, times and counts one step.
# Every step has a budget, and the whole run a deadline: a step that hangs (a podman exec or an apt download
# that never returns) is stopped with its processes (TERM, so that their exit traps clean up; KILL after 60 s),
# counted failed, and the run goes on, so that it always ends with its summary and the failures' excerpts well
# inside CI's 90 minutes. A step that would start less than a minute before the deadline is not started
# (counted failed). SITEMESH_TEST_DEADLINE: the run's seconds, from the shell's start (default 4800, 80 min).
# Counts in passed, failed and failures (the failed steps' names), which the caller sets first to 0, 0 and ().
# Tested by tests/unit/test_steps.py.
deadline=${SITEMESH_TEST_DEADLINE:-4800}
grace=${SITEMESH_STEP_GRACE:-60}   # seconds between TERM and KILL
descendants() {  # descendants PID: every process below PID, deepest first
  local child
  for child in $(pgrep -P "$1"); do descendants "$child"; echo "$child"; done
}
stop_tree() {  # stop_tree PID: TERM to PID and everything below it (traps run), KILL what is left after $grace s
  local pids i
  pids="$(descendants "$1") $1"
  # shellcheck disable=SC2086
  kill -TERM $pids 2>/dev/null
  for ((i = 0; i < grace * 5; i++)); do
    # shellcheck disable=SC2086
    kill -0 $pids 2>/dev/null || return 0
    sleep 0.2
  done
  # the first list (orphans of a dead parent are no longer below it) and what is below PID now
  # shellcheck disable=SC2046,SC2086
  kill -KILL $pids $(descendants "$1") 2>/dev/null || true
}
running="" watchdog="" fired=""
stop_running() {  # the trap: the running step and its watchdog
  echo "interrupted: stopping the running step"
  if [[ -n $watchdog && -s $fired ]]; then
    wait "$watchdog" 2>/dev/null   # it fired and is stopping the step: its KILL pass is not cut short
  else
    # shellcheck disable=SC2046
    [[ -n $watchdog ]] && kill "$watchdog" $(descendants "$watchdog") 2>/dev/null
    [[ -n $running ]] && stop_tree "$running"
  fi
  [[ -n $fired ]] && rm -f "$fired"
  exit 130
}
trap stop_running INT TERM
step() {  # step NAME BUDGET CMD...: runs, times and counts one step; stops it after BUDGET seconds
  local name=$1 budget=$2; shift 2
  local t0=$SECONDS rc=0
  echo; echo "=== $name"
  if ((SECONDS + 60 > deadline)); then
    failed=$((failed + 1)); failures+=("$name")
    echo "=== $name: FAILED (not started: the run is at ${SECONDS} s of its ${deadline} s)"
    return 1
  fi
  ((budget > deadline - SECONDS)) && budget=$((deadline - SECONDS))
  if ! fired=$(mktemp); then
    failed=$((failed + 1)); failures+=("$name"); echo "=== $name: FAILED (no temporary file for its watchdog)"
    return 1
  fi
  "$@" &
  running=$!
  # The watchdog writes in the marker that it fired before it stops the step, and is waited for then: its
  # KILL pass is never cut short, and the step counts failed whatever its exit code.
  { sleep "$budget" && { echo fired >"$fired"; echo "=== $name: still running after its budget of $budget s: stopped"
                         stop_tree "$running"; }; } &
  watchdog=$!
  wait "$running" || rc=$?
  running=""
  if [[ -s $fired ]]; then
    wait "$watchdog" 2>/dev/null
  else
    # shellcheck disable=SC2046
    kill $(descendants "$watchdog") "$watchdog" 2>/dev/null
    wait "$watchdog" 2>/dev/null
  fi
  [[ -s $fired ]] && rc=124   # it fired, perhaps as the step ended
  rm -f "$fired"
  fired="" watchdog=""
  if ((rc == 0)); then
    passed=$((passed + 1)); echo "=== $name: ok ($((SECONDS - t0)) s)"
  else
    failed=$((failed + 1)); failures+=("$name"); echo "=== $name: FAILED ($((SECONDS - t0)) s)"
    return 1
  fi
}
