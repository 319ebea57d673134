# -*- coding: utf-8 -*-
# Copyright (c) 2026, sitemesh.wireguard maintainers
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The peer role's read asks what the exit role reads, so that the exit role reuses it (no round trip of its own).

Both roles' own expressions (their defaults and vars files), rendered with Jinja for a few interfaces and
overrides: what the peer role asks must cover what the exit role asks, or the exit role reads the site again.
"""

from __future__ import annotations

import os

import jinja2
import pytest
import yaml

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), '..', '..', '..'))


def _load(role, kind):
    with open(os.path.join(ROOT, 'roles', role, kind, 'main.yml'), encoding='utf-8') as handle:
        return yaml.safe_load(handle)


def _render(value, context):
    env = jinja2.Environment(undefined=jinja2.StrictUndefined)
    if isinstance(value, list):
        return [_render(v, context) for v in value]
    if isinstance(value, dict):
        return dict((k, _render(v, context)) for k, v in value.items())
    return env.from_string(value).render(**context) if isinstance(value, str) else value


@pytest.mark.parametrize('interface, inventory', [
    ('wg0', {}),
    ('wg7', {}),
    ('mesh2', {'wireguard_exit_sysctl_file': '/etc/sysctl.d/50-mine.conf',
               'wireguard_exit_nft_file': '/etc/nft/mine.nft'}),
])
def test_the_peer_roles_read_covers_the_exit_roles_read(interface, inventory):
    exit_defaults, exit_vars = _load('wireguard_exit', 'defaults'), _load('wireguard_exit', 'vars')
    context = dict(wireguard_interface=interface, **inventory)
    exit_context = dict(context)
    for name in ('wireguard_exit_sysctl_file', 'wireguard_exit_nft_file'):
        exit_context.setdefault(name, _render(exit_defaults[name], context))
    for name in ('_wireguard_exit_table', '_wireguard_exit_unit'):
        exit_context[name] = _render(exit_vars[name], exit_context)
    exit_context['_wireguard_exit_unit_file'] = _render(exit_vars['_wireguard_exit_unit_file'], exit_context)
    exit_paths = [exit_context['wireguard_exit_sysctl_file'], exit_context['wireguard_exit_nft_file'],
                  exit_context['_wireguard_exit_unit_file']]
    assert exit_vars['_wireguard_exit_paths'].replace(' ', '') == (
        '{{[wireguard_exit_sysctl_file,wireguard_exit_nft_file,_wireguard_exit_unit_file]}}')

    peer = _render(_load('wireguard_peer', 'vars')['_wireguard_exit_read'], context)

    assert peer['paths'] == exit_paths
    assert peer['nft_tables'] == ['inet ' + exit_context['_wireguard_exit_table']]
    assert peer['units'] == [exit_context['_wireguard_exit_unit']]
    # the exit role asks ip_forward, and IPv6 forwarding when it masquerades IPv6 sources: both covered
    assert set(peer['sysctls']) == {'net.ipv4.ip_forward', 'net.ipv6.conf.all.forwarding'}
    assert 'net.ipv4.ip_forward' in exit_vars['_wireguard_exit_sysctls']
    assert 'net.ipv6.conf.all.forwarding' in exit_vars['_wireguard_exit_sysctls']


def test_the_exit_role_reuses_the_read_of_a_play_that_has_the_peer_role(tmp_path):
    """The exit role's own ``reuse`` expression, evaluated by ansible-playbook in a play with both roles (their
    tasks skipped): it hands over the peer role's read. Its regex once escaped wrongly and never matched."""
    import subprocess
    import sys
    with open(os.path.join(ROOT, 'roles', 'wireguard_exit', 'tasks', 'main.yml'), encoding='utf-8') as handle:
        read, = [t for t in yaml.safe_load(handle) if 'reuse' in t.get('sitemesh.wireguard.wg_site_facts', {})]
    expression = read['sitemesh.wireguard.wg_site_facts']['reuse']
    out = tmp_path / 'reuse.txt'
    playbook = tmp_path / 'play.yml'
    playbook.write_text(yaml.safe_dump([{
        'hosts': 'localhost', 'gather_facts': False,
        'pre_tasks': [{'ansible.builtin.set_fact': {'_wireguard_probe': {'asked': ['file:/x']}}},
                      {'ansible.builtin.copy': {'content': '{{ %s | to_json }}' % expression.strip()[3:-3].replace(
                          'else omit', "else 'omitted'").replace('default(omit)', "default('omitted')"),
                          'dest': str(out), 'mode': '0644'}}],
        'roles': [{'role': 'sitemesh.wireguard.wireguard_peer', 'when': False},
                  {'role': 'sitemesh.wireguard.wireguard_exit', 'when': False}]}]))
    env = dict(os.environ, ANSIBLE_CONFIG=os.path.join(ROOT, 'ansible.cfg'))
    proc = subprocess.run([os.path.join(os.path.dirname(sys.executable), 'ansible-playbook'), str(playbook)],
                          cwd=ROOT, env=env, capture_output=True, text=True, check=False)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert out.read_text() == '{"asked": ["file:/x"]}', out.read_text()
