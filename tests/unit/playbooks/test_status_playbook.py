# -*- coding: utf-8 -*-
# Copyright (c) 2026, sitemesh.wireguard maintainers
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""status.yml as a user runs it, when no site can be reached: it does not stop at the first unreachable site,
prints one table naming every site with the peers the inventory gives it, and ends non-zero.

Hosts have the podman connection to a container that does not exist: nothing is sent anywhere.
"""

from __future__ import annotations

import os
import re


def test_status_names_every_unreachable_site_and_its_peers(sm, tmp_path, fake_connection, key_store):
    keys = {}
    for host in sm.example_hosts():
        keys[host] = sm.new_public_key()
        (key_store / ('%s.pub' % host)).write_text(keys[host] + '\n')
    run = sm.ansible_playbook(['-i', sm.EXAMPLE_INVENTORY, '-i', fake_connection,
                               '-e', 'wireguard_public_key_store=%s' % key_store,
                               os.path.join(sm.REPO, 'status.yml')], tmp_path)
    assert run.rc == 2, run
    printed = run.output[:run.output.rfind('PLAY RECAP')]
    table = [line for line in printed.splitlines() if re.match(r'^(site|giant|moly|raspi)\s', line)]
    assert table[0].split()[:3] == ['site', 'peer', 'latest'], run
    rows = [line.split() for line in table[1:]]
    assert rows == [['giant', 'moly', '-', '-', '-', 'site', 'unreachable'],
                    ['giant', 'raspi', '-', '-', '-', 'site', 'unreachable'],
                    ['moly', 'giant', '-', '-', '-', 'site', 'unreachable'],
                    ['moly', 'raspi', '-', '-', '-', 'site', 'unreachable'],
                    ['raspi', 'giant', '-', '-', '-', 'site', 'unreachable'],
                    ['raspi', 'moly', '-', '-', '-', 'site', 'unreachable']], run
    assert '3 problem(s) in the mesh' in run.output, run
    for host in ('giant', 'moly', 'raspi'):
        assert re.search(r'^%s: unreachable \(' % host, run.output, re.M), run
    # the table task ran once, and the read of each site was not fatal to the run
    recap = sm.parse_recap(run.output)
    assert sorted(recap) == ['giant', 'moly', 'raspi'], run
    assert recap['giant']['failed'] == 1 and recap['moly']['failed'] == 0 and recap['raspi']['failed'] == 0, recap


def test_status_wiring_uses_the_role_model_and_names(sm):
    """The playbook judges each site against wireguard_site.mesh (wg_mesh, from the group: never the play) and
    names peers with the role's own map of the key store and the extra peers."""
    import yaml
    with open(os.path.join(sm.REPO, 'playbooks', 'status.yml'), encoding='utf-8') as f:
        play, = yaml.safe_load(f)
    tasks = play['tasks']
    assert tasks[0]['ansible.builtin.include_role']['tasks_from'] == 'validate.yml'   # the mesh parsed once
    assert tasks[1]['sitemesh.wireguard.wg_info']['names'].replace(' ', '') == '{{_wireguard_peer_names}}'
    assert tasks[1]['ignore_unreachable'] is True
    assert tasks[2]['ansible.builtin.set_fact']['_wireguard_status_site']['mesh'].replace(' ', '') == \
        '{{wireguard_site.mesh}}'
    with open(os.path.join(sm.REPO, 'status.yml'), encoding='utf-8') as f:
        root, = yaml.safe_load(f)
    assert root['ansible.builtin.import_playbook'] == 'playbooks/status.yml'
