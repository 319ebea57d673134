# Copyright (c) 2026, sitemesh.wireguard contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""scripts/steps.sh, the steps of scripts/test.sh, run for real by bash: a step that hangs is stopped at its
budget with everything it started (its exit trap runs), the run goes on and ends with its counts, and a step
that would start too close to the run's deadline is not started."""

from __future__ import annotations

import os
import subprocess
import time

STEPS = os.path.join(os.path.dirname(__file__), '..', '..', 'scripts', 'steps.sh')


def run(tmp_path, body, deadline=600):
    script = tmp_path / 'run.sh'
    script.write_text('set -uo pipefail\npassed=0; failed=0; failures=()\n. %s\n%s\n'
                      'echo "counts $passed $failed ${failures[*]}"\n' % (os.path.abspath(STEPS), body))
    env = dict(os.environ, SITEMESH_TEST_DEADLINE=str(deadline))
    t0 = time.monotonic()
    out = subprocess.run(['bash', str(script)], cwd=str(tmp_path), env=env, capture_output=True, text=True,
                         timeout=120, check=False)
    return out, time.monotonic() - t0


def alive(pid):
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    with open('/proc/%d/stat' % pid) as stat:  # a zombie is gone too
        return stat.read().split(')')[-1].split()[0] != 'Z'


def test_steps_count_passes_and_failures(tmp_path):
    out, dummy = run(tmp_path, 'step one 10 true || true\nstep "two words" 10 false || true\n'
                               'f() { echo from-f; return 3; }\nstep three 10 f || true')
    assert out.returncode == 0, out.stderr
    assert '=== one: ok' in out.stdout
    assert '=== two words: FAILED' in out.stdout
    assert 'from-f' in out.stdout and '=== three: FAILED' in out.stdout
    assert out.stdout.rstrip().endswith('counts 1 2 two words three'), out.stdout


def test_a_hanging_step_is_stopped_at_its_budget_with_its_processes_and_the_run_goes_on(tmp_path):
    hang = tmp_path / 'hang.sh'
    # Like a benchmark: an exit trap that cleans up, a child that never returns (its pid written down).
    hang.write_text('trap "echo cleaned > %s/trap.txt" EXIT\nsleep 1000 &\necho $! > %s/child.pid\nwait\n'
                    % (tmp_path, tmp_path))
    out, took = run(tmp_path, 'step hangs 2 bash %s || true\nstep after 10 true || true' % hang)
    assert out.returncode == 0, out.stderr
    assert '=== hangs: still running after its budget of 2 s: stopped' in out.stdout, out.stdout
    assert '=== hangs: FAILED' in out.stdout
    assert '=== after: ok' in out.stdout
    assert out.stdout.rstrip().endswith('counts 1 1 hangs'), out.stdout
    assert (tmp_path / 'trap.txt').read_text() == 'cleaned\n'
    child = int((tmp_path / 'child.pid').read_text())
    assert not alive(child), 'the hanging step left its child %d running' % child
    assert took < 30, took


def test_a_step_is_not_started_past_the_deadline_and_a_budget_never_outlasts_it(tmp_path):
    marker = tmp_path / 'started'
    # The deadline is 62 s from the shell's start: the first step starts (a minute is left), its budget cut
    # to what is left; after its 3 s, less than a minute is left: the next step is not started.
    out, dummy = run(tmp_path, 'step first 3600 sleep 3 || true\nstep late 10 touch %s || true' % marker,
                     deadline=62)
    assert '=== first: ok' in out.stdout, out.stdout
    assert '=== late: FAILED (not started: the run is at' in out.stdout, out.stdout
    assert not marker.exists()
    assert out.stdout.rstrip().endswith('counts 1 1 late'), out.stdout
