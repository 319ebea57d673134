# -*- coding: utf-8 -*-
# Copyright (c) 2026, sitemesh.wireguard maintainers
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""--check on a fresh Debian without python3-apt: apt (which needs python3-apt in check mode) is not run,
what it would install is reported as a change instead.

The hosts are fake (unreachable), so the install tasks cannot run here: the role's own decision variables
(roles/wireguard_peer/vars/main.yml) are evaluated by ansible-playbook on the controller for a site read as
fresh or as equipped, in check mode and not; the tasks are checked to use them (structure only).
"""

from __future__ import annotations

import json
import os

import pytest
import yaml

ALL = ['wireguard-tools', 'wireguard-go', 'ifupdown', 'nftables', 'procps', 'python3-apt']


def _install_tasks(sm):
    tasks = {}
    for name in ('install.yml', 'apt.yml'):
        with open(os.path.join(sm.PEER_ROLE, 'tasks', name), encoding='utf-8') as f:
            tasks.update((t['name'], t) for t in yaml.safe_load(f))
    return tasks


def test_install_tasks_use_the_decision(sm):
    tasks = _install_tasks(sm)
    probe = tasks['Read what this site has, in one round trip (nothing is changed)']
    assert 'python3-apt' in probe['sitemesh.wireguard.wg_site_facts']['packages']
    include = tasks['Apt sources and packages']
    assert include['ansible.builtin.include_tasks'] == 'apt.yml' and include['when'] == '_wireguard_apt_needed | bool'
    apt = tasks['Install WireGuard tools (from the release where it has them)']
    assert apt['when'] == ['_wireguard_apt_wanted | bool', 'not (_wireguard_apt_blind | bool)']
    report = tasks['Report what apt would install (check mode, python3-apt missing)']
    assert report['when'] == ['_wireguard_apt_wanted | bool', '_wireguard_apt_blind | bool']
    assert report['changed_when'] is True and 'ansible.builtin.debug' in report


def _playbook(out):
    return [{
        'name': 'The install decision of each site, on the controller',
        'hosts': 'wireguard',
        'gather_facts': False,
        'tasks': [
            {'name': 'The role defaults, vars and this site\'s part of the mesh', 'ansible.builtin.include_role': {
                'name': 'sitemesh.wireguard.wireguard_peer', 'tasks_from': 'read_keys.yml', 'public': True}},
            {'name': 'What the read of the site saw', 'ansible.builtin.set_fact': {
                '_wireguard_probe': {'kernel_wireguard': False, 'packages_installed': '{{ installed }}',
                                     'apt_files_differ': [], 'apt_stale_paths': []},
                '_wireguard_apt_written': {'changed': False}}},
            {'name': 'Write the decision', 'delegate_to': 'localhost', 'check_mode': False, 'ansible.builtin.copy': {
                'content': '{{ {"wanted": _wireguard_apt_wanted | bool, "blind": _wireguard_apt_blind | bool,'
                           ' "needed": _wireguard_apt_needed | bool,'
                           ' "missing": _wireguard_packages_missing} | to_json }}\n',
                'dest': '%s/{{ inventory_hostname }}.json' % out, 'mode': '0644'}},
        ],
    }]


@pytest.mark.parametrize('installed, check, wanted, blind', [
    ([], True, True, True),                   # fresh Debian, --check: report, do not run apt
    ([], False, True, False),                 # fresh Debian, real run: apt installs
    (ALL, True, False, False),                # equipped site, --check: nothing to do
    (ALL, False, False, False),               # equipped site, real re-run: apt skipped as before
    (ALL[:-1], False, False, False),          # no python3-apt, real re-run: nothing to install, apt skipped
    (['python3-apt'], True, True, False),     # python3-apt there: apt's own check mode predicts
], ids=['fresh-check', 'fresh-run', 'equipped-check', 'equipped-run', 'no-python3-apt-run', 'python3-apt-check'])
def test_apt_decision(sm, tmp_path, fake_connection, key_store, installed, check, wanted, blind):
    out = tmp_path / 'out'
    out.mkdir()
    playbook = tmp_path / 'decide.yml'
    playbook.write_text(yaml.safe_dump(_playbook(str(out)), sort_keys=False))
    result = sm.ansible_playbook([playbook, '-i', sm.EXAMPLE_INVENTORY, '-i', fake_connection,
                                  '-e', 'wireguard_public_key_store=%s' % key_store,
                                  '-e', json.dumps({'installed': installed})] + (['--check'] if check else []),
                                 tmp_path)
    assert result.rc == 0, result.output
    for host in sm.example_hosts():
        decision = json.loads((out / ('%s.json' % host)).read_text())
        assert decision['wanted'] is wanted and decision['blind'] is blind, (host, decision)
        # the apt tasks are included exactly when apt is wanted (the sources being unchanged here)
        assert decision['needed'] is wanted, (host, decision)
        assert ('wireguard-tools' in decision['missing']) is (not installed or installed == ['python3-apt'])
