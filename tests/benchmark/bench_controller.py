#!/usr/bin/env python
# -*- coding: utf-8 -*-
# Copyright (c) 2026, sitemesh.wireguard maintainers
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""What a run of site.yml costs the controller per site at fleet size (not a pytest test).

Run with the project's venv from the repository root::

    .venv/bin/python tests/benchmark/bench_controller.py [--strict] [SIZES...]     (default: 10 100 1000)

For each size N it writes an inventory of N sites (bench_mesh.build_mesh: a full mesh, half of the sites using
the first one as exit, ``ansible_connection: local``) and a public key store of N keys, then runs
``ansible-playbook`` twice with the repository's ansible.cfg (forks 20, profile_tasks):

- ``tests/benchmark/controller.yml``: site.yml's first play as it is (the role's validate.yml and read_keys.yml:
  the whole mesh validated once, each site's role variables and its part of the mesh), then a task per site that
  reads its model as the roles do and checks it (N-1 peers). No task reaches a host.
- ``tests/benchmark/controller_empty.yml``: the same plays and number of tasks per site, each doing nothing.

The controller CPU seconds are the rusage (user + system) of ansible-playbook and every process it waited for
(its forked workers), from ``os.wait4``. Printed per size: both runs' wall and CPU time, CPU per site, and the
mesh's part per site (the difference), with PASS/MISSED against the target (the mesh under 50 ms of controller
CPU per site at 1,000 sites; every smaller size is held to it too). It exits 0 whatever the figures; with --strict, 1 when the target is missed.
"""

from __future__ import annotations

import json
import os
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.abspath(os.path.join(HERE, '..', '..'))
sys.path.insert(0, HERE)

from bench_mesh import build_mesh  # noqa: E402  (the same synthetic mesh as the filter benchmark)
from rusage import run  # noqa: E402

TARGET = 0.050
TARGET_SIZE = 1000


def write_inventory(size, tmpdir):
    """The inventory file and the public key store of a synthetic mesh of size sites."""
    hostvars, hosts, keys = build_mesh(size)
    store = os.path.join(tmpdir, 'public_keys')
    os.makedirs(store)
    for name in hosts:
        with open(os.path.join(store, name + '.pub'), 'w', encoding='utf-8') as handle:
            handle.write(keys[name] + '\n')
    inventory = {'wireguard': {
        'vars': {'ansible_connection': 'local', 'ansible_python_interpreter': sys.executable,
                 'wireguard_network': '10.64.0.0/16', 'wireguard_public_key_store': store},
        'hosts': {name: {k: v for k, v in hostvars[name].items() if k != 'wireguard_network'} for name in hosts}}}
    path = os.path.join(tmpdir, 'inventory.json')
    with open(path, 'w', encoding='utf-8') as handle:
        json.dump(inventory, handle)
    return path


def run_playbook(playbook, inventory, log):
    """(wall seconds, CPU seconds of ansible-playbook and its children) of one run; raises when it fails."""
    env = dict(os.environ, ANSIBLE_CONFIG=os.path.join(REPO, 'ansible.cfg'), ANSIBLE_NOCOLOR='1')
    argv = [os.path.join(REPO, '.venv', 'bin', 'ansible-playbook'), '-i', inventory, playbook]
    code, wall, cpu = run(argv, log, env=env, cwd=REPO)
    if code != 0:
        with open(log, encoding='utf-8') as handle:
            sys.stderr.write(''.join(handle.readlines()[-30:]))
        raise SystemExit('%s failed (rc=%d), log: %s' % (playbook, code, log))
    return wall, cpu


def main(argv):
    strict = '--strict' in argv
    sizes = [int(arg) for arg in argv if not arg.startswith('--')] or [10, 100, 1000]
    header = '%6s  %10s  %9s  %10s  %9s  %13s  %14s  %s' % (
        'sites', 'run wall s', 'run CPU s', 'empty wall', 'empty CPU', 'CPU/site (ms)', 'mesh/site (ms)', 'result')
    print(header)
    print('-' * len(header))
    failed = False
    for size in sizes:
        with tempfile.TemporaryDirectory(prefix='sitemesh-bench-controller-') as tmpdir:
            inventory = write_inventory(size, tmpdir)
            wall, cpu = run_playbook(os.path.join(HERE, 'controller.yml'), inventory, os.path.join(tmpdir, 'run.log'))
            e_wall, e_cpu = run_playbook(os.path.join(HERE, 'controller_empty.yml'), inventory,
                                         os.path.join(tmpdir, 'empty.log'))
        mesh = (cpu - e_cpu) / size
        # the target is set at 1,000 sites; a smaller mesh costs less per site, so it must meet it too
        verdict = 'PASS' if mesh < TARGET else 'MISSED'
        failed = failed or verdict == 'MISSED'
        print('%6d  %10.1f  %9.1f  %10.1f  %9.1f  %13.1f  %14.1f  %s' % (
            size, wall, cpu, e_wall, e_cpu, cpu / size * 1e3, mesh * 1e3, verdict), flush=True)
    print('controller CPU = rusage of ansible-playbook and its workers; "empty": the same tasks doing nothing; '
          'target: mesh/site < %d ms at %d sites' % (TARGET * 1e3, TARGET_SIZE))
    return 1 if failed and strict else 0


if __name__ == '__main__':
    sys.exit(main(sys.argv[1:]))
