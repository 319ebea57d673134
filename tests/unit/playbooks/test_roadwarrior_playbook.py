# -*- coding: utf-8 -*-
# Copyright (c) 2026, sitemesh.wireguard maintainers
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""wg_roadwarrior run by the real ansible-playbook on the controller (it never contacts the site: the hosts
have the podman connection to containers that do not exist), then the role's own read_keys.yml, whose
wg_mesh gives the site its registered devices as peers (what every site.yml run configures).

Proven: files 0600 in a 0700 directory, the QR code decodes to the config, a second run changes nothing,
a second device gets the next address, the device's private key is in no output and no log, state=absent
removes the files and the registry entry, and the site's peers follow the registry.
"""

from __future__ import annotations

import json
import os
import shutil
import stat
import subprocess

import pytest
import yaml


def _playbook(path, store, rw_dir, peers_out):
    plays = [{
        'name': 'Road warrior on the controller, then the site read as site.yml reads it',
        'hosts': 'moly',
        'gather_facts': False,
        'tasks': [
            {'name': 'The device', 'sitemesh.wireguard.wg_roadwarrior': {
                'device': '{{ device }}', 'state': "{{ state | default('present') }}",
                'public_key_store': str(store), 'directory': str(rw_dir), 'dns': ['10.0.2.1']},
             'register': 'rw'},
            {'name': 'Show the result', 'ansible.builtin.debug': {'var': 'rw'}},
            {'name': 'The site, by the role', 'ansible.builtin.include_role': {
                'name': 'sitemesh.wireguard.wireguard_peer', 'tasks_from': 'read_keys.yml', 'public': True},
             'vars': {'wireguard_public_key_store': str(store), 'wireguard_roadwarrior_dir': str(rw_dir)}},
            {'name': 'Write the devices the site gets', 'ansible.builtin.copy': {
                'content': '{{ wireguard_site.roadwarrior_peers | to_json }}', 'dest': str(peers_out), 'mode': '0644'},
             'delegate_to': 'localhost'},
        ],
    }]
    path.write_text(yaml.safe_dump(plays, sort_keys=False))
    return str(path)


def _mode(path):
    return stat.S_IMODE(os.stat(str(path)).st_mode)


def test_a_device_joins_stays_and_leaves(sm, tmp_path, key_store, fake_connection):
    inventory = sm.copy_example_inventory(tmp_path / 'inventory')
    sm.set_host_var(inventory, 'moly', 'wireguard_roadwarrior_pool', '10.0.9.0/24')
    for host in sm.example_hosts():
        (key_store / (host + '.pub')).write_text(sm.new_public_key() + '\n')
    rw_dir = tmp_path / 'roadwarrior'
    peers_out = tmp_path / 'peers.json'
    playbook = _playbook(tmp_path / 'play.yml', key_store, rw_dir, peers_out)
    log = tmp_path / 'ansible.log'

    def run(*extra):
        result = sm.run([sm.venv_tool('ansible-playbook'), '-i', inventory, '-i', fake_connection, playbook] + list(extra),
                        sm.REPO, sm.clean_env(ANSIBLE_CONFIG=os.path.join(sm.REPO, 'ansible.cfg'), ANSIBLE_LOG_PATH=str(log),
                                              ANSIBLE_LOCAL_TEMP=str(tmp_path / 'tmp')), timeout=120)
        assert result.rc == 0, str(result)
        return result, sm.parse_recap(result.stdout)['moly']

    first, recap = run('-e', 'device=alice-phone')
    assert recap['changed'] == 2  # the device, and the peers file
    conf = rw_dir / 'alice-phone.conf'
    assert _mode(rw_dir) == 0o700
    assert [_mode(rw_dir / f) for f in ('alice-phone.conf', 'alice-phone.png', 'registry.json')] == [0o600] * 3
    registry = json.loads((rw_dir / 'registry.json').read_text())['devices']
    assert registry['alice-phone']['address'] == '10.0.9.1' and registry['alice-phone']['via'] == 'moly'
    text = conf.read_text()
    private = [l.split(' = ', 1)[1] for l in text.splitlines() if l.startswith('PrivateKey = ')][0]
    moly_key = (key_store / 'moly.pub').read_text().strip()
    assert 'PublicKey = %s\n' % moly_key in text and 'Endpoint = 192.168.1.162:5555\n' in text
    assert 'Address = 10.0.9.1/32\nDNS = 10.0.2.1\n' in text
    # the terminal QR code is printed to the screen only (not in the log); the key is in no output and no log
    assert '\u2588' in first.stdout and '\u2588' not in log.read_text()
    assert private not in first.output and private not in log.read_text()
    assert json.loads(peers_out.read_text()) == [
        {'name': 'alice-phone', 'public_key': registry['alice-phone']['public_key'], 'allowed_ips': ['10.0.9.1/32']}]
    zbarimg = shutil.which('zbarimg')
    if zbarimg:
        decoded = subprocess.run([zbarimg, '-q', '--raw', '-Sbinary', str(rw_dir / 'alice-phone.png')],
                                 capture_output=True, check=True, timeout=60).stdout
        assert decoded == conf.read_bytes()

    _again, recap = run('-e', 'device=alice-phone')
    assert recap['changed'] == 0
    assert conf.read_text() == text

    _second, recap = run('-e', 'device=bob-laptop')
    registry = json.loads((rw_dir / 'registry.json').read_text())['devices']
    assert registry['bob-laptop']['address'] == '10.0.9.2'
    assert [p['name'] for p in json.loads(peers_out.read_text())] == ['alice-phone', 'bob-laptop']

    _check, recap = run('-e', 'device=alice-phone', '-e', 'state=absent', '--check')
    assert conf.exists() and 'alice-phone' in json.loads((rw_dir / 'registry.json').read_text())['devices']

    _gone, recap = run('-e', 'device=alice-phone', '-e', 'state=absent')
    assert not conf.exists() and not (rw_dir / 'alice-phone.png').exists()
    assert list(json.loads((rw_dir / 'registry.json').read_text())['devices']) == ['bob-laptop']
    assert [p['name'] for p in json.loads(peers_out.read_text())] == ['bob-laptop']


def test_a_site_without_pool_or_key_is_refused(sm, tmp_path, key_store, fake_connection):
    inventory = sm.copy_example_inventory(tmp_path / 'inventory')
    rw_dir = tmp_path / 'roadwarrior'
    playbook = _playbook(tmp_path / 'play.yml', key_store, rw_dir, tmp_path / 'peers.json')
    argv = [sm.venv_tool('ansible-playbook'), '-i', inventory, '-i', fake_connection, playbook, '-e', 'device=x']
    env = sm.clean_env(ANSIBLE_CONFIG=os.path.join(sm.REPO, 'ansible.cfg'), ANSIBLE_LOCAL_TEMP=str(tmp_path / 'tmp'))
    result = sm.run(argv, sm.REPO, env)
    assert result.rc != 0 and 'no public key of moly' in result.output, str(result)
    for host in sm.example_hosts():
        (key_store / (host + '.pub')).write_text(sm.new_public_key() + '\n')
    result = sm.run(argv, sm.REPO, env)
    assert result.rc != 0 and 'moly has no wireguard_roadwarrior_pool' in result.output, str(result)
    assert not os.path.exists(str(rw_dir / 'x.conf'))


@pytest.mark.parametrize('args, message', [
    ([], 'usage: ansible-playbook roadwarrior.yml -e device=NAME -e via=SITE'),
    (['-e', 'device=a', '-e', 'via=nowhere'], 'SITE one of giant, moly, raspi'),
])
def test_roadwarrior_yml_says_how_to_call_it(sm, tmp_path, fake_connection, args, message):
    result = sm.ansible_playbook(['-i', sm.EXAMPLE_INVENTORY, '-i', fake_connection,
                                  os.path.join(sm.REPO, 'roadwarrior.yml')] + args, tmp_path)
    assert result.rc != 0 and message in result.output, str(result)
    assert 'UNREACHABLE' not in result.output
