# -*- coding: utf-8 -*-
# Copyright (c) 2026, sitemesh.wireguard maintainers
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""wireguard_rekey: which sites get a new key (the role's own expression, evaluated by ansible-playbook on
the controller), and the refusal of a rekey run that leaves sites out (--limit) or names unknown sites,
before any host is touched. Hosts have a connection to a container that does not exist."""

from __future__ import annotations

import os

import pytest
import yaml


def _keypair_task(sm):
    with open(os.path.join(sm.PEER_ROLE, 'tasks', 'keys.yml'), encoding='utf-8') as f:
        tasks = yaml.safe_load(f)
    task, = [t for t in tasks if 'sitemesh.wireguard.wg_keypair' in t]
    return task['sitemesh.wireguard.wg_keypair']


def _regenerate_playbook(sm, out):
    return [{
        'name': 'What wg_keypair would be asked on each site',
        'hosts': 'wireguard',
        'gather_facts': False,
        'tasks': [
            {'name': 'The role defaults and vars', 'ansible.builtin.include_role': {
                'name': 'sitemesh.wireguard.wireguard_peer', 'tasks_from': 'validate.yml', 'public': True}},
            {'name': 'Write the regenerate choice', 'delegate_to': 'localhost', 'ansible.builtin.copy': {
                'content': '%s\n' % _keypair_task(sm)['regenerate'],
                'dest': '%s/{{ inventory_hostname }}' % out, 'mode': '0644'}},
        ],
    }]


@pytest.mark.parametrize('rekey, expected', [
    (None, []),
    ('wireguard_rekey=giant', ['giant']),
    ('wireguard_rekey=giant,raspi', ['giant', 'raspi']),
    ('{"wireguard_rekey": ["moly"]}', ['moly']),
], ids=['none', 'one', 'comma', 'list'])
def test_rekey_regenerates_only_the_named_sites(sm, tmp_path, fake_connection, key_store, rekey, expected):
    out = tmp_path / 'out'
    out.mkdir()
    playbook = tmp_path / 'regenerate.yml'
    playbook.write_text(yaml.safe_dump(_regenerate_playbook(sm, out), sort_keys=False))
    extra = ['-e', rekey] if rekey else []
    result = sm.ansible_playbook([playbook, '-i', sm.EXAMPLE_INVENTORY, '-i', fake_connection,
                                  '-e', 'wireguard_public_key_store=%s' % key_store] + extra, tmp_path)
    assert result.rc == 0, result
    choice = dict((host, (out / host).read_text().strip()) for host in sm.example_hosts())
    assert sorted(h for h, c in choice.items() if c == 'always') == expected, choice
    assert set(choice.values()) <= {'always', 'never'}, choice


def _untouched_and_failed(sm, result, hosts):
    assert result.rc != 0, result
    recap = sm.parse_recap(result.output)
    assert recap and set(recap) <= set(hosts), result  # the refusal is run_once: the first host may be alone
    assert all(r['unreachable'] == 0 for r in recap.values()), 'a host was contacted\n%s' % result
    assert 'Install WireGuard' not in ''.join(sm.task_headers(result.output)), result


def test_rekey_with_limit_is_refused_before_any_host_is_touched(sm, tmp_path, fake_connection, key_store):
    result = sm.site_yml(tmp_path, fake_connection, key_store, '-e', 'wireguard_rekey=giant', '--limit', 'giant')
    _untouched_and_failed(sm, result, ['giant'])
    assert 'a rekey run must include every site of wireguard (no --limit)' in result.output, result
    assert 'left out: moly, raspi' in result.output, result.output


def test_rekey_of_an_unknown_site_is_refused(sm, tmp_path, fake_connection, key_store):
    result = sm.site_yml(tmp_path, fake_connection, key_store, '-e', 'wireguard_rekey=gaint')
    _untouched_and_failed(sm, result, sm.example_hosts())
    assert 'not in the group wireguard: gaint' in result.output, result


def test_rekey_of_the_whole_mesh_passes_validation(sm, tmp_path, fake_connection, key_store):
    """Control: without --limit the rekey run goes on to the hosts (whose read fails here: no container)."""
    result = sm.site_yml(tmp_path, fake_connection, key_store, '-e', 'wireguard_rekey=giant')
    assert set(sm.parse_recap(result.output)) == set(sm.example_hosts()), result.output
    assert 'Read what this site has, in one round trip (nothing is changed)' in sm.task_headers(result.output)
    assert 'rekey run must include' not in result.output and 'not in the group' not in result.output, result.output


def test_rekey_in_batches_is_refused(sm, tmp_path, fake_connection, key_store):
    """With wireguard_serial, a batch before the rekeyed site would apply its old key: refused up front."""
    result = sm.site_yml(tmp_path, fake_connection, key_store, '-e', 'wireguard_rekey=raspi', '-e', 'wireguard_serial=1')
    _untouched_and_failed(sm, result, sm.example_hosts())
    assert 'a rekey run must take every site in one batch: unset wireguard_serial (it is 1)' in result.output, result
