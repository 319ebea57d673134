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


def _site_playbook(path, out_dir, new_registry=None, validate=True):
    """Each site's wireguard_site as site.yml computes it: after validate.yml (from its snapshot), or from
    read_keys.yml alone (from hostvars); with new_registry, the registry is then replaced (as roadwarrior.yml
    does) and read_keys.yml runs again."""
    def write(name):
        return {'name': 'Write wireguard_site (%s)' % name, 'ansible.builtin.copy': {
            'content': '{{ wireguard_site | to_json }}', 'dest': '%s/%s-{{ inventory_hostname }}.json' % (out_dir, name),
            'mode': '0644'}, 'delegate_to': 'localhost'}
    tasks = [{'name': 'Validate, as site.yml' if validate else 'The site only, from hostvars',
              'ansible.builtin.include_role': {'name': 'sitemesh.wireguard.wireguard_peer', 'public': True,
                                               'tasks_from': 'validate.yml' if validate else 'read_keys.yml'}},
             write('first')]
    if new_registry is not None:
        tasks += [{'name': 'Replace the registry', 'ansible.builtin.copy': {
            'content': new_registry, 'dest': '{{ wireguard_roadwarrior_dir }}/registry.json', 'mode': '0600'},
            'delegate_to': 'localhost', 'run_once': True},
            {'name': 'The site again, as keys.yml', 'ansible.builtin.include_role': {
                'name': 'sitemesh.wireguard.wireguard_peer', 'tasks_from': 'read_keys.yml', 'public': True}},
            write('again')]
    path.write_text(yaml.safe_dump([{'name': 'Models', 'hosts': 'wireguard', 'gather_facts': False, 'tasks': tasks}],
                                   sort_keys=False))
    return str(path)


def test_the_validation_carries_the_registry_to_every_site(sm, tmp_path, key_store, fake_connection):
    """site.yml's path: validate.yml reads the registry once and every site's devices come from its snapshot,
    the same as from hostvars; a registry replaced after the validation is read again; a device outside its
    site's pool fails the validation, before any host is touched."""
    inventory = sm.copy_example_inventory(tmp_path / 'inventory')
    sm.set_host_var(inventory, 'moly', 'wireguard_roadwarrior_pool', '10.0.9.0/24')
    sm.set_host_var(inventory, 'giant', 'wireguard_roadwarrior_pool', '10.0.8.0/28')
    for host in sm.example_hosts():
        (key_store / (host + '.pub')).write_text(sm.new_public_key() + '\n')
    rw_dir = tmp_path / 'roadwarrior'
    rw_dir.mkdir()
    keys = {name: sm.new_public_key() for name in ('alice-phone', 'bob-laptop', 'carol-tablet')}
    first = {'devices': {'alice-phone': {'via': 'moly', 'address': '10.0.9.1', 'public_key': keys['alice-phone']},
                         'bob-laptop': {'via': 'giant', 'address': '10.0.8.1', 'public_key': keys['bob-laptop']}}}
    second = {'devices': dict(first['devices'], **{
        'carol-tablet': {'via': 'moly', 'address': '10.0.9.2', 'public_key': keys['carol-tablet']}})}
    env = sm.clean_env(ANSIBLE_CONFIG=os.path.join(sm.REPO, 'ansible.cfg'), ANSIBLE_LOCAL_TEMP=str(tmp_path / 'tmp'))

    def run(name, registry, **kwargs):
        (rw_dir / 'registry.json').write_text(json.dumps(registry))
        out = tmp_path / name
        out.mkdir()
        result = sm.run([sm.venv_tool('ansible-playbook'), '-i', inventory, '-i', fake_connection,
                         _site_playbook(tmp_path / (name + '.yml'), out, **kwargs),
                         '-e', 'wireguard_public_key_store=%s' % key_store, '-e', 'wireguard_roadwarrior_dir=%s' % rw_dir],
                        sm.REPO, env)
        return result, {p[:-len('.json')]: json.loads((out / p).read_text()) for p in os.listdir(str(out))}

    result, from_hostvars = run('hostvars', first, validate=False)
    assert result.rc == 0, str(result)
    result, from_snapshot = run('snapshot', first, new_registry=json.dumps(second))
    assert result.rc == 0, str(result)
    for host in sm.example_hosts():
        plain, validated, again = (d['%s-%s' % (w, host)] for d, w in ((from_hostvars, 'first'),
                                                                       (from_snapshot, 'first'), (from_snapshot, 'again')))
        assert (plain['from_snapshot'], validated['from_snapshot'], again['from_snapshot']) == (False, True, True)
        assert validated['mesh'] == plain['mesh'] == again['mesh'], host
        assert validated['roadwarrior_peers'] == plain['roadwarrior_peers'], host
    peers = {host: [p['name'] for p in from_snapshot['first-' + host]['roadwarrior_peers']] for host in sm.example_hosts()}
    assert peers == {'giant': ['bob-laptop'], 'moly': ['alice-phone'], 'raspi': []}
    assert from_snapshot['first-moly']['roadwarrior_peers'] == [
        {'name': 'alice-phone', 'public_key': keys['alice-phone'], 'allowed_ips': ['10.0.9.1/32']}]
    assert [p['name'] for p in from_snapshot['again-moly']['roadwarrior_peers']] == ['alice-phone', 'carol-tablet']
    assert from_snapshot['again-giant']['roadwarrior_peers'] == from_snapshot['first-giant']['roadwarrior_peers']
    # the pools are in the models: announced toward their sites, masqueraded by the exit moly
    assert '10.0.8.0/28' in from_snapshot['first-moly']['mesh']['masquerade_sources']
    toward_giant = [p for p in json.loads(from_snapshot['first-raspi']['mesh']['peers']) if p['name'] == 'giant'][0]
    assert '10.0.8.0/28' in toward_giant['allowed_ips']

    outside = {'devices': dict(first['devices'], dave={'via': 'giant', 'address': '10.0.9.3',
                                                       'public_key': keys['carol-tablet']})}
    result, written = run('outside', outside)
    assert result.rc != 0 and written == {}, str(result)
    validation = result.stdout.index('TASK [sitemesh.wireguard.wireguard_peer : Validate the whole mesh from the inventory]')
    assert result.output.count("roadwarrior: device dave holds 10.0.9.3, outside giant's wireguard_roadwarrior_pool "
                               "10.0.8.0/28") >= 1, str(result)
    # the validation failed, and no task ran after it
    assert 'fatal: [' in result.stdout[validation:] and 'TASK [' not in result.stdout[validation + 1:], str(result)
