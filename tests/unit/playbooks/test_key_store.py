# -*- coding: utf-8 -*-
# Copyright (c) 2026, sitemesh.wireguard maintainers
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""wg_key_store run by the real ansible-playbook: it writes <store>/<host>.pub on the controller without reaching
any host (every host's connection points at a container that does not exist), predicts in --check --diff, changes
nothing the second time, and refuses a value that is not a key before writing."""

from __future__ import annotations

import os
import stat

import yaml


def _play(tmp_path, store, key_of):
    path = tmp_path / 'key_store.yml'
    path.write_text(yaml.safe_dump([{
        'name': 'Keep each site\'s public key', 'hosts': 'wireguard', 'gather_facts': False,
        'tasks': [{'name': 'Keep the key', 'sitemesh.wireguard.wg_key_store': {
            'store': str(store), 'public_key': '{{ %r[inventory_hostname] }}' % key_of}}]}]))
    return str(path)


def _run(sm, tmp_path, fake_connection, store, key_of, *extra):
    return sm.ansible_playbook([_play(tmp_path, store, key_of), '-i', sm.EXAMPLE_INVENTORY, '-i', fake_connection]
                               + list(extra), tmp_path)


def test_keys_are_kept_on_the_controller_without_reaching_a_host(sm, tmp_path, fake_connection):
    hosts = sm.example_hosts()
    keys = dict((host, sm.new_public_key()) for host in hosts)
    store = tmp_path / 'public_keys' / 'wireguard'

    check = _run(sm, tmp_path, fake_connection, store, keys, '--check', '--diff')
    assert check.rc == 0, check
    assert all(r['changed'] == 1 and r['unreachable'] == 0 for r in sm.parse_recap(check.output).values()), check
    assert '+%s' % keys['giant'] in check.output and not store.exists(), check

    run = _run(sm, tmp_path, fake_connection, store, keys)
    assert run.rc == 0, run
    assert all(r['changed'] == 1 and r['unreachable'] == 0 for r in sm.parse_recap(run.output).values()), run
    assert sorted(os.listdir(str(store))) == ['%s.pub' % h for h in hosts]   # no temporary file left
    for host in hosts:
        assert (store / ('%s.pub' % host)).read_text() == keys[host] + '\n'
        assert stat.S_IMODE(os.stat(str(store / ('%s.pub' % host))).st_mode) == 0o644
    assert stat.S_IMODE(os.stat(str(store)).st_mode) == 0o755

    again = _run(sm, tmp_path, fake_connection, store, keys)
    assert all(r['changed'] == 0 for r in sm.parse_recap(again.output).values()), again

    # a new key for one site: only its file changes
    keys2 = dict(keys, moly=sm.new_public_key())
    (store / 'raspi.pub').chmod(0o600)       # and a mode that drifted
    moved = _run(sm, tmp_path, fake_connection, store, keys2)
    recap = sm.parse_recap(moved.output)
    assert (recap['giant']['changed'], recap['moly']['changed'], recap['raspi']['changed']) == (0, 1, 1), moved
    assert (store / 'moly.pub').read_text() == keys2['moly'] + '\n'
    assert stat.S_IMODE(os.stat(str(store / 'raspi.pub')).st_mode) == 0o644


def test_a_value_that_is_not_a_key_is_refused_and_nothing_is_written(sm, tmp_path, fake_connection):
    hosts = sm.example_hosts()
    keys = dict((host, sm.new_public_key()) for host in hosts)
    keys['moly'] = keys['moly'][:-2] + '=='
    store = tmp_path / 'store'
    run = _run(sm, tmp_path, fake_connection, store, keys, '--limit', 'moly')
    assert run.rc != 0 and sm.parse_recap(run.output)['moly']['failed'] == 1, run
    assert 'wg_key_store: the public key of moly is not' in run.output, run
    lines = [line for line in run.output.splitlines() if 'wg_key_store: the public key of moly' in line]
    assert lines and not [line for line in lines if keys['moly'] in line], lines   # never repeats the value
    assert not store.exists()


def test_many_sites_at_once_make_the_store_once(sm, tmp_path):
    """A first run: every site's task finds no store, in parallel workers (forks); each makes it when missing, and
    none may fail because another made it in between. The window is narrow: this run did not hit it in 3 tries
    with the code that had the race (makedirs without exist_ok, found by review), so it guards, it does not prove."""
    hosts = ['site%02d' % i for i in range(40)]
    keys = dict((host, sm.new_public_key()) for host in hosts)
    inventory = tmp_path / 'inventory.yml'
    inventory.write_text(yaml.safe_dump({'wireguard': {'hosts': dict((h, {
        'ansible_connection': 'containers.podman.podman', 'ansible_host': sm.FAKE_HOST_PREFIX + h}) for h in hosts)}}))
    store = tmp_path / 'public_keys' / 'wireguard'
    run = sm.ansible_playbook([_play(tmp_path, store, keys), '-i', str(inventory), '--forks', '40'], tmp_path)
    assert run.rc == 0, run
    assert all(r['changed'] == 1 and r['failed'] == 0 for r in sm.parse_recap(run.output).values()), run
    assert sorted(os.listdir(str(store))) == ['%s.pub' % h for h in hosts]
