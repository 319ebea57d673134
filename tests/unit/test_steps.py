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


def run(tmp_path, body, deadline=600, grace=60):
    script = tmp_path / 'run.sh'
    script.write_text('set -uo pipefail\npassed=0; failed=0; failures=()\n. %s\n%s\n'
                      'echo "counts $passed $failed ${failures[*]}"\n' % (os.path.abspath(STEPS), body))
    env = dict(os.environ, SITEMESH_TEST_DEADLINE=str(deadline), SITEMESH_STEP_GRACE=str(grace))
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


def test_a_step_is_not_started_past_the_deadline(tmp_path):
    marker = tmp_path / 'started'
    # The deadline is 62 s from the shell's start: the first step starts (a minute is left), its budget cut
    # to what is left; after its 3 s, less than a minute is left: the next step is not started.
    out, dummy = run(tmp_path, 'step first 3600 sleep 3 || true\nstep late 10 touch %s || true' % marker,
                     deadline=62)
    assert '=== first: ok' in out.stdout, out.stdout
    assert '=== late: FAILED (not started: the run is at' in out.stdout, out.stdout
    assert not marker.exists()
    assert out.stdout.rstrip().endswith('counts 1 1 late'), out.stdout


def test_a_stopped_step_counts_failed_even_when_it_exits_0_on_term(tmp_path):
    quits = tmp_path / 'quits.sh'
    quits.write_text('trap "exit 0" TERM\nsleep 1000 &\nwait\n')
    out, dummy = run(tmp_path, 'step quits 2 bash %s || true' % quits)
    assert '=== quits: still running after its budget of 2 s: stopped' in out.stdout, out.stdout
    assert '=== quits: FAILED' in out.stdout and 'quits: ok' not in out.stdout
    assert out.stdout.rstrip().endswith('counts 0 1 quits'), out.stdout


def test_what_ignores_term_is_killed_after_the_grace_orphans_included(tmp_path):
    # The step's own process dies on TERM; its grandchild ignores TERM (and is an orphan once its parent is
    # gone): KILL reaches it after the grace, before the next step starts.
    stubborn = tmp_path / 'stubborn.sh'
    stubborn.write_text('(trap "" TERM; echo $BASHPID > %s/grandchild.pid; exec sleep 1000) &\nwait\n' % tmp_path)
    out, took = run(tmp_path, 'step stubborn 2 bash %s || true\n'
                              'p=$(cat %s/grandchild.pid)\n'
                              # gone, or a zombie (this machine's init may be slow to reap it)
                              'step next 10 bash -c "[ ! -e /proc/$p ] || awk \'{ exit \\$3 != \\"Z\\" }\' /proc/$p/stat"'
                              ' || true' % (stubborn, tmp_path), grace=2)
    grandchild = int((tmp_path / 'grandchild.pid').read_text())
    assert not alive(grandchild), 'the grandchild %d that ignores TERM is still running' % grandchild
    assert '=== next: ok' in out.stdout, out.stdout     # it was gone before the next step began
    assert out.stdout.rstrip().endswith('counts 1 1 stubborn'), out.stdout
    assert took < 30, took


def test_an_interrupted_run_stops_the_step_and_its_watchdog(tmp_path):
    hang = tmp_path / 'hang.sh'
    hang.write_text('sleep 1000 &\necho $! > %s/child.pid\nwait\n' % tmp_path)
    budget = 3000 + os.getpid() % 997   # its watchdog sleeps that long: found below by it, not another run's
    script = tmp_path / 'run.sh'
    script.write_text('set -uo pipefail\npassed=0; failed=0; failures=()\n. %s\n'
                      'echo $$ > %s/run.pid\nstep hangs %d bash %s\n' % (os.path.abspath(STEPS), tmp_path, budget, hang))
    process = subprocess.Popen(['bash', str(script)], cwd=str(tmp_path), stdout=subprocess.PIPE, text=True,
                               env=dict(os.environ, SITEMESH_STEP_GRACE='5'))
    for dummy in range(100):
        if (tmp_path / 'child.pid').exists():
            break
        time.sleep(0.1)
    process.terminate()
    out = process.communicate(timeout=60)[0]
    assert process.returncode == 130, out
    assert 'interrupted: stopping the running step' in out
    assert not alive(int((tmp_path / 'child.pid').read_text()))
    # the watchdog's sleep is gone too
    for dummy in range(30):
        left = subprocess.run(['pgrep', '-f', '^sleep %d$' % budget], capture_output=True, text=True,
                              check=False).stdout.split()
        if not [pid for pid in left if alive(int(pid))]:
            break
        time.sleep(0.1)
    assert [pid for pid in left if alive(int(pid))] == [], left


def test_an_interrupt_during_the_grace_still_kills_what_ignores_term(tmp_path):
    # The step's process dies on TERM at its budget (1 s); its grandchild ignores TERM; the run is interrupted
    # while the watchdog waits out the grace (3 s): the KILL pass still comes, before the run exits.
    stubborn = tmp_path / 'stubborn.sh'
    stubborn.write_text('(trap "" TERM; echo $BASHPID > %s/grandchild.pid; exec sleep 1000) &\nwait\n' % tmp_path)
    script = tmp_path / 'run.sh'
    script.write_text('set -uo pipefail\npassed=0; failed=0; failures=()\n. %s\nstep stubborn 1 bash %s\n'
                      % (os.path.abspath(STEPS), stubborn))
    process = subprocess.Popen(['bash', str(script)], cwd=str(tmp_path), stdout=subprocess.PIPE, text=True,
                               env=dict(os.environ, SITEMESH_STEP_GRACE='3'))
    time.sleep(2.2)   # budget 1 s, then inside the grace
    process.terminate()
    out = process.communicate(timeout=60)[0]
    assert process.returncode == 130, out
    assert 'still running after its budget of 1 s: stopped' in out, out
    grandchild = int((tmp_path / 'grandchild.pid').read_text())
    assert not alive(grandchild), 'the grandchild %d that ignores TERM outlived the run' % grandchild


def test_without_a_temporary_file_the_step_fails_and_is_not_run(tmp_path):
    marker = tmp_path / 'ran'
    script = tmp_path / 'run.sh'
    script.write_text('set -uo pipefail\npassed=0; failed=0; failures=()\n. %s\nstep first 10 touch %s || true\n'
                      'echo "counts $passed $failed ${failures[*]}"\n' % (os.path.abspath(STEPS), marker))
    out = subprocess.run(['bash', str(script)], cwd=str(tmp_path), capture_output=True, text=True, timeout=60,
                         env=dict(os.environ, TMPDIR=str(tmp_path / 'missing')), check=False)
    assert '=== first: FAILED (no temporary file for its watchdog)' in out.stdout, out
    assert not marker.exists() and out.stdout.rstrip().endswith('counts 0 1 first'), out.stdout
