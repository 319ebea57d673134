# -*- coding: utf-8 -*-
# Copyright (c) 2026, sitemesh.wireguard maintainers
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""wg_site_facts for real: the action plugin through a local connection (check mode), and the module run directly.

Both only read: a file in tmp_path, the packages, lo's addresses.
"""

from __future__ import annotations

import hashlib
import json
import os
import subprocess
import sys

import yaml


def _request(tmp_path):
    present = tmp_path / "odd 'name'"
    present.write_text('hello\n')
    os.chmod(str(present), 0o644)
    return str(present), {
        'files': [{'dest': str(present), 'content': 'hello\n', 'mode': '0644', 'validate': 'true %s'},
                  {'dest': str(tmp_path / 'missing'), 'content': 'x\n'}],
        'owner': os.popen('id -un').read().strip(), 'group': os.popen('id -gn').read().strip(),
        'packages': ['dpkg'],
        'loopback': {'interface': 'sitemeshtest0', 'aliases': []},
    }


def _check(result, present, tmp_path):
    assert result['changed'] is False
    assert result['files_present'] == [present]
    assert result['files'][present]['sha1'] == hashlib.sha1(b'hello\n').hexdigest()
    assert result['files_differ'] == [{'dest': str(tmp_path / 'missing'), 'content': 'x\n'}]
    assert result['packages_installed'] == ['dpkg']
    assert result['loopback_differs'] is False
    assert '127.0.0.1/8' in result['loopback_addresses']


def test_action_plugin_on_localhost_in_check_mode(sm, tmp_path):
    present, request = _request(tmp_path)
    out = tmp_path / 'result.json'
    playbook = tmp_path / 'facts.yml'
    playbook.write_text(yaml.safe_dump([{
        'name': 'Read localhost', 'hosts': 'localhost', 'connection': 'local', 'gather_facts': False, 'tasks': [
            {'name': 'Read', 'sitemesh.wireguard.wg_site_facts': request, 'register': 'site'},
            {'name': 'Keep', 'ansible.builtin.copy': {'content': '{{ site | to_json }}', 'dest': str(out),
                                                      'mode': '0644'}, 'check_mode': False}]}]))

    result = sm.ansible_playbook([str(playbook), '--check'], tmp_path)

    assert result.rc == 0, str(result)
    _check(json.loads(out.read_text()), present, tmp_path)


def test_module_run_directly_reads_the_same(sm, tmp_path):
    present, request = _request(tmp_path)
    args = tmp_path / 'args.json'
    args.write_text(json.dumps({'ANSIBLE_MODULE_ARGS': request}))
    env = dict(os.environ, PYTHONPATH=os.path.join(sm.REPO, '.tmp', 'collections'))
    proc = subprocess.run([sys.executable, os.path.join(sm.REPO, 'plugins', 'modules', 'wg_site_facts.py'), str(args)],
                          capture_output=True, text=True, env=env, check=False)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    _check(json.loads(proc.stdout), present, tmp_path)


def _discovery_play(tmp_path, read_first, host_vars=''):
    """A host through a local connection, without ansible_python_interpreter (as an inventory site is), the
    repo's interpreter_python auto_silent; wg_site_facts (or not), then a Python module; -vvv shows discovery."""
    inventory = tmp_path / 'hosts.ini'
    # the fallback list of this host: Ansible's own would find this machine's pyenv shims first (broken for
    # versions pyenv has not installed); the read must honour the host's list, as the discovery does
    inventory.write_text('site ansible_connection=local %s '
                         'ansible_interpreter_python_fallback="[\'sitemesh-no-such-python\', \'/usr/bin/python3\']"\n'
                         % host_vars)
    out = tmp_path / 'fact.json'
    tasks = [{'name': 'Read', 'sitemesh.wireguard.wg_site_facts': {'packages': ['dpkg']}, 'register': 'site'}] \
        if read_first else []
    tasks += [
        {'name': 'A Python module', 'ansible.builtin.ping': {}},
        {'name': 'Keep the fact', 'delegate_to': 'localhost', 'ansible.builtin.copy': {
            'content': "{{ {'fact': ansible_facts.discovered_interpreter_python | default(none),"
                       " 'returned': (site | default({})).ansible_facts | default(none)} | to_json }}",
            'dest': str(out), 'mode': '0644'}}]
    playbook = tmp_path / 'discovery.yml'
    playbook.write_text(yaml.safe_dump([{'name': 'Discovery', 'hosts': 'site', 'gather_facts': False,
                                         'tasks': tasks}]))
    return [str(playbook), '-i', str(inventory), '-vvv'], out


def _core_chooses_first_found():
    from ansible.release import __version__
    return tuple(int(part) for part in __version__.split('.')[:2]) >= (2, 17)


def test_the_read_does_the_interpreter_discovery_of_the_next_module(sm, tmp_path):
    """ansible-core 2.17+: the read returns what the discovery would, and ping does not discover. 2.16 chose
    from a distribution table first: there the read leaves the discovery to Ansible."""
    args, out = _discovery_play(tmp_path, read_first=True)
    result = sm.ansible_playbook(args, tmp_path)
    assert result.rc == 0, str(result)
    seen = json.loads(out.read_text())
    if _core_chooses_first_found():
        assert seen == {'fact': '/usr/bin/python3', 'returned': {'discovered_interpreter_python': '/usr/bin/python3'}}
        assert 'Attempting python interpreter discovery' not in result.output, result.output   # ping did not discover
    else:
        assert seen['returned'] is None and seen['fact'], seen
        assert 'Attempting python interpreter discovery' in result.output, result.output


def test_with_become_the_read_leaves_the_discovery_to_ansible(sm, tmp_path):
    """Ansible's discovery runs without become (the login user's PATH): a read under become does not stand in."""
    args, out = _discovery_play(tmp_path, read_first=True, host_vars='ansible_become=true ansible_become_method=su')
    result = sm.ansible_playbook(args, tmp_path)
    assert result.rc == 0, str(result)
    assert json.loads(out.read_text())['returned'] is None, out.read_text()
    assert 'Attempting python interpreter discovery' in result.output, result.output


def test_without_the_read_the_module_discovers_itself(sm, tmp_path):
    """The control: the same play without wg_site_facts pays the discovery (the check above can fail)."""
    args, out = _discovery_play(tmp_path, read_first=False)
    result = sm.ansible_playbook(args, tmp_path)
    assert result.rc == 0, str(result)
    assert 'Attempting python interpreter discovery' in result.output, result.output
    assert json.loads(out.read_text()) == {'fact': '/usr/bin/python3', 'returned': None}, out.read_text()


def test_an_interpreter_set_by_the_inventory_is_left_alone(sm, tmp_path):
    args, out = _discovery_play(tmp_path, read_first=True, host_vars='ansible_python_interpreter=%s' % sys.executable)
    result = sm.ansible_playbook(args, tmp_path)
    assert result.rc == 0, str(result)
    assert json.loads(out.read_text()) == {'fact': None, 'returned': None}, out.read_text()


def test_reuse_answers_from_the_earlier_read_only_when_it_asked_everything(sm, tmp_path):
    """The file changes after the first read: a covered reuse still shows the first read (the host was not read
    again), a reuse that did not ask everything reads the host (the new content)."""
    seen, other = tmp_path / 'seen', tmp_path / 'other'
    seen.write_text('before\n')
    other.write_text('x\n')
    out = tmp_path / 'results.json'
    read = {'paths': [str(seen), str(other)], 'sysctls': ['net.ipv4.ip_forward', 'net.ipv4.conf.all.forwarding']}
    playbook = tmp_path / 'reuse.yml'
    playbook.write_text(yaml.safe_dump([{
        'name': 'Reuse', 'hosts': 'localhost', 'connection': 'local', 'gather_facts': False, 'tasks': [
            {'name': 'Read wide', 'sitemesh.wireguard.wg_site_facts': read, 'register': 'wide'},
            {'name': 'Change the file', 'ansible.builtin.copy': {'content': 'after\n', 'dest': str(seen),
                                                                 'mode': '0644'}},
            {'name': 'Narrow, covered', 'register': 'covered', 'sitemesh.wireguard.wg_site_facts': {
                'paths': [str(seen)], 'sysctls': ['net.ipv4.ip_forward'], 'reuse': '{{ wide }}'}},
            {'name': 'Not covered', 'register': 'uncovered', 'sitemesh.wireguard.wg_site_facts': {
                'paths': [str(seen)], 'units': ['sitemesh-no-such.service'], 'reuse': '{{ wide }}'}},
            {'name': 'Keep', 'ansible.builtin.copy': {
                'content': '{{ {"wide": wide, "covered": covered, "uncovered": uncovered} | to_json }}',
                'dest': str(out), 'mode': '0644'}}]}]))

    result = sm.ansible_playbook([str(playbook)], tmp_path)

    assert result.rc == 0, str(result)
    got = json.loads(out.read_text())
    before, after = hashlib.sha1(b'before\n').hexdigest(), hashlib.sha1(b'after\n').hexdigest()
    assert got['wide']['reused'] is False and got['wide']['files'][str(seen)]['sha1'] == before
    assert got['covered']['reused'] is True
    assert got['covered']['files'] == {str(seen): got['wide']['files'][str(seen)]}   # cut down, the first read's
    assert list(got['covered']['sysctls']) == ['net.ipv4.ip_forward']
    assert got['covered']['asked'] == ['file:%s' % seen, 'sysctl:net.ipv4.ip_forward']
    assert got['uncovered']['reused'] is False and got['uncovered']['files'][str(seen)]['sha1'] == after
