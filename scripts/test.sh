#!/usr/bin/env bash
# Every test of the project, from a fresh Debian machine: `scripts/test.sh`
#   setup (apt packages, pinned .venv) -> unit tests -> ansible-test sanity -> ansible-lint
#   -> syntax check -> mesh benchmark (prints figures) -> molecule scenarios on real Debian containers
#   -> converge benchmark (site.yml timings on containers, prints figures).
# Options: --quick (no molecule), --scenario NAME (repeatable; default: all scenarios).
set -uo pipefail
cd "$(dirname "$0")/.." || exit 1
root=$(pwd)

quick=0; scenarios=()
while (($#)); do
  case "$1" in
    --quick) quick=1 ;;
    --scenario) shift; scenarios+=("$1") ;;
    *) echo "usage: $0 [--quick] [--scenario NAME]..." >&2; exit 2 ;;
  esac
  shift
done

passed=0; failed=0; failures=()
step() {  # step NAME CMD...: runs, times and counts one step
  local name=$1; shift
  local t0=$SECONDS
  echo; echo "=== $name"
  if "$@"; then
    passed=$((passed + 1)); echo "=== $name: ok ($((SECONDS - t0)) s)"
  else
    failed=$((failed + 1)); failures+=("$name"); echo "=== $name: FAILED ($((SECONDS - t0)) s)"
  fi
}

pytest_unit() {
  .venv/bin/python -m pytest tests/unit -q -p no:cacheprovider
  local rc=$?
  # pytest exits 5 when it collects nothing: that is a failure here, not a pass.
  [[ $rc -eq 5 ]] && echo "no unit test collected" >&2
  return $rc
}

step setup scripts/setup.sh || true
if [[ ! -x .venv/bin/python ]]; then echo "setup failed, stopping"; echo "summary: 0 passed, 1 failed"; exit 1; fi
export PATH="$root/.venv/bin:$PATH" ANSIBLE_CONFIG="$root/ansible.cfg"

step "unit tests" pytest_unit
step "ansible-test sanity" scripts/sanity.sh
step "ansible-lint" ansible-lint --offline -q
step "syntax check" ansible-playbook site.yml --syntax-check
step "benchmark" .venv/bin/python tests/benchmark/bench_mesh.py
if ((quick == 0)); then
  step "molecule" tests/testbed/run-molecule.sh "${scenarios[@]}"
  # Converge timings of site.yml on containers (first run, unchanged re-run, a fourth site): figures.
  ((${#scenarios[@]} == 0)) && step "converge benchmark" tests/benchmark/bench_converge.sh
fi

echo
((failed)) && printf 'failed steps: %s\n' "${failures[*]}"
echo "summary: $passed passed, $failed failed"
((failed == 0))
