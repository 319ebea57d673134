#!/usr/bin/env python
# -*- coding: utf-8 -*-
# Copyright (c) 2026, sitemesh.wireguard maintainers
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Benchmark of the mesh filters on synthetic full meshes (not a pytest test).

Run with the project's venv from the repository root::

    .venv/bin/python tests/benchmark/bench_mesh.py [--no-ansible] [--strict] [SIZES...]   (default 10 100 1000 5000)

Each mesh: tunnel 10.64.0.0/16, one client /24 per host, every host with an endpoint, the first host is
the exit of every odd host (half the mesh).  Prints, per size: mesh_validate time, mesh_host time for one
client host and for the exit host (median of several runs), the number of peers, and what a run of site.yml
does per site instead: the model of one site from the validation's snapshot (``wg_mesh``: the JSON text
loaded, the key store's keys applied, ``site_model``, its peers made one JSON text), and PASS/MISSED against the targets (mesh_host < 20 ms
per host and mesh_validate < 1 s at 1,000 hosts; at 5,000 hosts mesh_validate < 5 s and the per-site model
< 50 ms).  Times are CPU seconds of this process (``time.process_time``): on a shared machine, wall time
would count the others' work too.  It exits 0 whatever the figures (a benchmark reports, it is not a timed test that a busy machine
turns red); with --strict it exits 1 when a target is missed.

A second table (skipped with --no-ansible) measures the same calls made the way a play makes them, for
information: through Ansible's templar with the mesh variables as a plain dict, and with Ansible's real
lazy ``hostvars`` built from an inventory file.  The difference is Ansible's own cost (variable
manager, lazy templating of every value read, checking of the returned structure), not the filter's.
"""

from __future__ import annotations

import base64
import json
import os
import statistics
import sys
import time

REPO = os.path.abspath(os.path.join(os.path.dirname(__file__), '..', '..'))
COLLECTIONS = os.path.join(REPO, '.tmp', 'collections')
LINK = os.path.join(COLLECTIONS, 'ansible_collections', 'sitemesh', 'wireguard')

HOST_TARGET = 0.020
VALIDATE_TARGET = 1.0
# at 5,000 hosts (issue 9): whole-mesh validation, and one site's model as a run computes it
VALIDATE_TARGET_5K = 5.0
SITE_TARGET_5K = 0.050
RUNS = 7
ANSIBLE_MAX = 1000  # the table through Ansible's hostvars stops here (a second per call at 1,000 hosts)


def _ensure_collection_path():
    os.makedirs(os.path.dirname(LINK), exist_ok=True)
    if not os.path.lexists(LINK):
        try:
            os.symlink(REPO, LINK)
        except FileExistsError:
            pass
    if COLLECTIONS not in sys.path:
        sys.path.insert(0, COLLECTIONS)
    # Ansible's collection loader, as in a play (filters are then also found by their FQCN in templates)
    os.environ.setdefault('ANSIBLE_COLLECTIONS_PATH', COLLECTIONS)
    from ansible.plugins.loader import init_plugin_loader
    init_plugin_loader([COLLECTIONS])


def _public_key():
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey
    raw = X25519PrivateKey.generate().public_key().public_bytes(serialization.Encoding.Raw,
                                                                serialization.PublicFormat.Raw)
    return base64.b64encode(raw).decode('ascii')


def build_mesh(size):
    """hostvars, hosts and the public key store of a synthetic full mesh of size hosts."""
    hostvars = {}
    hosts = []
    keys = {}
    for i in range(size):
        name = 'site%04d' % i
        hosts.append(name)
        hv = {
            'wireguard_address': '10.64.%d.%d' % (i // 250, i % 250 + 1),
            'wireguard_network': '10.64.0.0/16',
            'wireguard_endpoint': '198.18.%d.%d' % (i // 250, i % 250 + 1),
            'wireguard_port': 51820,
            'wireguard_client_networks': ['10.%d.%d.0/24' % (100 + i // 256, i % 256)],
        }
        if i % 2 == 1:
            hv['wireguard_exit'] = hosts[0]
        hostvars[name] = hv
        keys[name] = _public_key()
    return hostvars, hosts, keys


def _median(func, runs=RUNS):
    times = []
    result = None
    for _i in range(runs):
        start = time.process_time()
        result = func()
        times.append(time.process_time() - start)
    return statistics.median(times), result


def bench_ansible(sizes, tmpdir):
    """mesh_host / mesh_validate called through Ansible: templar over a plain dict, and real hostvars."""
    from ansible.inventory.manager import InventoryManager
    from ansible.parsing.dataloader import DataLoader
    from ansible.template import Templar, trust_as_template
    from ansible.vars.hostvars import HostVars
    from ansible.vars.manager import VariableManager

    header = '%6s  %22s  %22s  %24s  %24s' % ('hosts', 'templar validate (ms)', 'templar host (ms)',
                                              'hostvars validate (ms)', 'hostvars host (ms)')
    print(header)
    print('-' * len(header))
    for size in sizes:
        hostvars, hosts, keys = build_mesh(size)
        loader = DataLoader()
        templar = Templar(loader=loader, variables={'mesh_vars': hostvars, 'mesh_hosts': hosts, 'keys': keys})
        validate = trust_as_template("{{ mesh_vars | sitemesh.wireguard.mesh_validate(mesh_hosts, keys) }}")
        host = trust_as_template("{{ mesh_vars | sitemesh.wireguard.mesh_host(mesh_hosts[1], mesh_hosts, keys) }}")
        t_tv, _r = _median(lambda: templar.template(validate), runs=3)
        t_th, result = _median(lambda: templar.template(host), runs=5)
        assert len(result['peers']) == size - 1

        inventory = {'wireguard': {'vars': {'wireguard_network': '10.64.0.0/16'},
                                   'hosts': {name: {k: v for k, v in hostvars[name].items() if k != 'wireguard_network'}
                                             for name in hosts}}}
        path = os.path.join(tmpdir, 'inventory_%d.json' % size)
        with open(path, 'w') as handle:
            json.dump(inventory, handle)
        manager = InventoryManager(loader=loader, sources=[path])
        real = HostVars(inventory=manager, variable_manager=VariableManager(loader=loader, inventory=manager),
                        loader=loader)
        from ansible_collections.sitemesh.wireguard.plugins.filter.mesh_host import mesh_host
        from ansible_collections.sitemesh.wireguard.plugins.filter.mesh_validate import mesh_validate
        t_hv, _r = _median(lambda: mesh_validate(real, hosts, keys), runs=3)
        t_hh, result = _median(lambda: mesh_host(real, hosts[1], hosts, keys), runs=3)
        assert len(result['peers']) == size - 1
        print('%6d  %22.1f  %22.1f  %24.1f  %24.1f' % (size, t_tv * 1e3, t_th * 1e3, t_hv * 1e3, t_hh * 1e3))


def _site_from_snapshot(text, key, keys, host):
    """One site's model as wg_mesh scope=site computes and returns it in a run (``site_from``: load, apply the
    keys, model; then ``compact``: its peers as one JSON text)."""
    from ansible_collections.sitemesh.wireguard.plugins.module_utils._mesh_snapshot import compact, site_from
    return compact(site_from(text, key, host, lambda mesh: mesh.keys)[1])


def _verdict(size, t_validate, t_host, t_site):
    if size >= 5000:
        return t_validate < VALIDATE_TARGET_5K and t_site < SITE_TARGET_5K
    if size >= 1000:
        return t_host < HOST_TARGET and t_validate < VALIDATE_TARGET
    return None


def main(argv):
    _ensure_collection_path()
    from ansible_collections.sitemesh.wireguard.plugins.filter.mesh_host import mesh_host
    from ansible_collections.sitemesh.wireguard.plugins.filter.mesh_validate import mesh_validate
    from ansible_collections.sitemesh.wireguard.plugins.module_utils._mesh_rules import validated_mesh
    from ansible_collections.sitemesh.wireguard.plugins.module_utils._mesh_snapshot import dump

    with_ansible = '--no-ansible' not in argv
    strict = '--strict' in argv
    sizes = [int(arg) for arg in argv if not arg.startswith('--')] or [10, 100, 1000, 5000]
    columns = ('hosts', 'validate (ms)', 'host client (ms)', 'host exit (ms)', 'peers', 'snapshot (KB)',
               'site in a run (ms)', 'result')
    header = '%6s  %14s  %16s  %16s  %6s  %13s  %18s  %s' % columns
    print(header)
    print('-' * len(header))
    failed = False
    for size in sizes:
        hostvars, hosts, keys = build_mesh(size)
        t_validate, _ok = _median(lambda: mesh_validate(hostvars, hosts, keys), runs=3)
        client = hosts[1] if size > 1 else hosts[0]
        t_client, answer = _median(lambda: mesh_host(hostvars, client, hosts, keys))
        t_exit, exit_answer = _median(lambda: mesh_host(hostvars, hosts[0], hosts, keys))
        assert len(answer['peers']) == size - 1, 'full mesh expected'
        assert exit_answer['is_exit'] and exit_answer['masquerade_sources']
        key = {'group': 'wireguard', 'prefix': 'wireguard_', 'hosts': hosts}
        text = dump(validated_mesh(hostvars, hosts, keys)[0], key, keys, {'store': None})
        t_site, site = _median(lambda: _site_from_snapshot(text, key, keys, client))
        assert dict(site, peers=json.loads(site['peers'])) == answer, 'the model from the snapshot must be the filter\'s'
        ok = _verdict(size, t_validate, max(t_client, t_exit), t_site)
        failed = failed or ok is False
        print('%6d  %14.1f  %16.2f  %16.2f  %6d  %13d  %18.2f  %s' % (
            size, t_validate * 1e3, t_client * 1e3, t_exit * 1e3, len(answer['peers']), len(text) // 1024,
            t_site * 1e3, '-' if ok is None else 'PASS' if ok else 'MISSED'), flush=True)
    print('targets: at 1,000 hosts mesh_host < %d ms per host, mesh_validate < %d s; at 5,000 hosts mesh_validate '
          '< %d s, a site in a run < %d ms (median of %d runs)'
          % (HOST_TARGET * 1e3, VALIDATE_TARGET, VALIDATE_TARGET_5K, SITE_TARGET_5K * 1e3, RUNS))
    ansible_sizes = [size for size in sizes if size <= ANSIBLE_MAX]
    if with_ansible and ansible_sizes:
        import tempfile
        print()
        print('For information, the same calls made through Ansible (its own overhead included):')
        with tempfile.TemporaryDirectory() as tmpdir:
            bench_ansible(ansible_sizes, tmpdir)
    if failed:
        print('a target was missed (see MISSED above)')
    return 1 if failed and strict else 0


if __name__ == '__main__':
    sys.exit(main(sys.argv[1:]))
