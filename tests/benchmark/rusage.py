#!/usr/bin/env python
# -*- coding: utf-8 -*-
# Copyright (c) 2026, sitemesh.wireguard maintainers
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Run a command and measure it: wall seconds and the CPU seconds (user + system) of the command and of every
process it waited for (ansible-playbook's forked workers), from ``os.wait4``.

    rusage.py OUT LOG COMMAND...     runs COMMAND (output to LOG), writes "WALL CPU" to OUT, exits with its rc
"""

from __future__ import annotations

import os
import subprocess
import sys
import time


def run(argv, log, env=None, cwd=None):
    """(return code, wall seconds, CPU seconds of argv and its waited-for children), output to the file log."""
    with open(log, 'w', encoding='utf-8') as out:
        start = time.perf_counter()
        proc = subprocess.Popen(argv, cwd=cwd, env=env, stdout=out, stderr=subprocess.STDOUT)
        _pid, status, usage = os.wait4(proc.pid, 0)
        wall = time.perf_counter() - start
    proc.returncode = os.waitstatus_to_exitcode(status)
    return proc.returncode, wall, usage.ru_utime + usage.ru_stime


if __name__ == '__main__':
    code, seconds, cpu = run(sys.argv[3:], sys.argv[2])
    with open(sys.argv[1], 'w', encoding='utf-8') as handle:
        handle.write('%.2f %.2f\n' % (seconds, cpu))
    sys.exit(code)
