# -*- coding: utf-8 -*-
# Copyright (c) 2026, sitemesh.wireguard maintainers
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Which sites get the re-resolution timer, and for which peers: the role's own variables
(roles/wireguard_peer/vars/main.yml) evaluated by the real ansible-playbook on the controller, for the
example inventory with moly's endpoint a DNS name and extra peers dialled by name, by IPv4 and by nothing.
The hosts are fake (unreachable): nothing is touched. The script itself runs for real in
tests/unit/plugins/modules/test_live_netns.py."""

from __future__ import annotations

import json

import pytest
import yaml


def _playbook(out):
    return [{
        'name': 'The re-resolution decision of each site, on the controller',
        'hosts': 'wireguard',
        'gather_facts': False,
        'tasks': [
            {'name': 'The role defaults, vars and this site\'s part of the mesh', 'ansible.builtin.include_role': {
                'name': 'sitemesh.wireguard.wireguard_peer', 'tasks_from': 'read_keys.yml', 'public': True}},
            {'name': 'Write the decision', 'delegate_to': 'localhost', 'ansible.builtin.copy': {
                'content': '{{ {"wanted": _wireguard_reresolve.wanted | bool, "interval": _wireguard_reresolve.interval,'
                           ' "peers": _wireguard_reresolve_peers | map(attribute="name") | list,'
                           ' "endpoints": _wireguard_reresolve_peers | map(attribute="endpoint") | list,'
                           ' "units": _wireguard_timer_units} | to_json }}\n',
                'dest': '%s/{{ inventory_hostname }}.json' % out, 'mode': '0644'}},
        ],
    }]


EXTRA = [
    {'name': 'phone', 'allowed_ips': ['10.99.0.2/32'], 'endpoint': 'phone.dyn.example:51820'},
    {'name': 'laptop', 'allowed_ips': ['10.99.0.3/32'], 'endpoint': '203.0.113.7:51820'},
    {'name': 'tablet', 'allowed_ips': ['10.99.0.4/32']},
]


@pytest.mark.parametrize('moly, extra, options, expected', [
    # moly by name: giant and raspi re-resolve moly (and the phone); moly only the phone (its peers are addresses)
    ('moly.dyn.example', True, {}, {'giant': ['moly', 'phone'], 'moly': ['phone'], 'raspi': ['moly', 'phone']}),
    ('moly.dyn.example', False, {'wireguard_reresolve_interval': 45},
     {'giant': ['moly'], 'moly': [], 'raspi': ['moly']}),
    # turned off: no site wants the timer, whatever its peers
    ('moly.dyn.example', True, {'wireguard_reresolve': False}, {'giant': [], 'moly': [], 'raspi': []}),
    # the example as it is (addresses only): no timer anywhere
    ('192.168.1.162', False, {}, {'giant': [], 'moly': [], 'raspi': []}),
], ids=['name-and-extra-peers', 'name-interval-45', 'off', 'addresses-only'])
def test_reresolve_timer_only_where_a_peer_is_dialled_by_name(sm, tmp_path, key_store, moly, extra, options, expected):
    inventory = sm.copy_example_inventory(tmp_path / 'inventory')
    for host in sm.example_hosts():
        sm.set_host_var(inventory, host, 'wireguard_public_key', sm.new_public_key())
    sm.set_host_var(inventory, 'moly', 'wireguard_endpoint', moly)
    variables = dict(options)
    if extra:
        variables['wireguard_extra_peers'] = [dict(peer, public_key=sm.new_public_key()) for peer in EXTRA]
    out = tmp_path / 'out'
    out.mkdir()
    playbook = tmp_path / 'decide.yml'
    playbook.write_text(yaml.safe_dump(_playbook(str(out)), sort_keys=False))
    fake = sm.write_fake_connection_inventory(tmp_path / 'fake_connection.yml', sm.example_hosts())
    result = sm.ansible_playbook([playbook, '-i', inventory, '-i', fake, '-e', 'wireguard_public_key_store=%s' % key_store,
                                  '-e', json.dumps(variables)], tmp_path)
    assert result.rc == 0, result.output
    for host in sm.example_hosts():
        decision = json.loads((out / ('%s.json' % host)).read_text())
        assert decision['peers'] == expected[host] or not decision['wanted'], (host, decision)
        assert decision['wanted'] is bool(expected[host]), (host, decision)
        assert 'sitemesh-wireguard-reresolve-wg0.timer' in decision['units']   # read on every site, to remove it
        if 'moly' in decision['peers']:
            assert 'moly.dyn.example:5555' in decision['endpoints']
        assert int(decision['interval']) == options.get('wireguard_reresolve_interval', 30)
        if options.get('wireguard_reresolve', True):
            assert decision['peers'] == expected[host], (host, decision)
