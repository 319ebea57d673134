# -*- coding: utf-8 -*-
# Copyright (c) 2026, sitemesh.wireguard maintainers
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The filters through real Ansible: lazy HostVars, templated values, --limit, hosts outside the group."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

REPO = os.path.abspath(os.path.join(os.path.dirname(__file__), '..', '..', '..', '..'))
ANSIBLE_PLAYBOOK = os.path.join(os.path.dirname(sys.executable), 'ansible-playbook')

PLAYBOOK = """
- hosts: wireguard
  gather_facts: false
  tasks:
    - name: Validate
      ansible.builtin.assert:
        that: hostvars | sitemesh.wireguard.mesh_validate(groups['wireguard'])
    - name: Compute
      ansible.builtin.set_fact:
        mesh: "{{ hostvars | sitemesh.wireguard.mesh_host(inventory_hostname, groups['wireguard']) }}"
    - name: Save
      ansible.builtin.copy:
        content: "{{ mesh | to_json }}"
        dest: "{{ out_dir }}/{{ inventory_hostname }}.json"
        mode: "0600"
"""


def _inventory(keys):
    common = {'ansible_connection': 'local', 'ansible_python_interpreter': sys.executable}
    return {
        'all': {
            'hosts': {
                # outside the mesh group, with wireguard_ variables that would fail if they were read
                'web': dict(common, wireguard_address='{{ undefined_variable }}', wireguard_exit='{{ nope }}'),
            },
            'children': {
                'wireguard': {
                    'vars': {'wireguard_network': '172.16.1.0/24', 'wireguard_port': '{{ 5000 + 555 }}',
                             'moly_public_ip': '192.168.1.162'},
                    'hosts': {
                        'giant': dict(common, wireguard_address='172.16.1.1', wireguard_endpoint='192.168.1.161',
                                      wireguard_client_networks=['10.0.1.0/24'], wireguard_exit='moly',
                                      wireguard_public_key=keys['giant']),
                        'moly': dict(common, wireguard_address='172.16.1.2', wireguard_endpoint='{{ moly_public_ip }}',
                                     wireguard_client_networks=['10.0.2.0/24'], wireguard_public_key=keys['moly']),
                        'raspi': dict(common, wireguard_address='172.16.1.3', wireguard_endpoint='192.168.1.200',
                                      wireguard_client_networks=['77.66.55.0/24'], wireguard_exit='moly',
                                      wireguard_public_key=keys['raspi']),
                    },
                },
            },
        },
    }


@pytest.mark.skipif(not os.path.exists(ANSIBLE_PLAYBOOK), reason='ansible-playbook not beside this python')
def test_real_hostvars_under_limit(tmp_path, keys):
    (tmp_path / 'inventory.json').write_text(json.dumps(_inventory(keys)))
    (tmp_path / 'play.yml').write_text(PLAYBOOK)
    (tmp_path / 'ansible.cfg').write_text('[defaults]\n')
    env = dict(os.environ, ANSIBLE_COLLECTIONS_PATH=os.path.join(REPO, '.tmp', 'collections'),
               ANSIBLE_CONFIG=str(tmp_path / 'ansible.cfg'), ANSIBLE_NOCOLOR='1',
               ANSIBLE_LOCAL_TEMP=str(tmp_path / 'tmp'), ANSIBLE_HOME=str(tmp_path / 'home'))
    run = subprocess.run(
        [ANSIBLE_PLAYBOOK, '-i', str(tmp_path / 'inventory.json'), str(tmp_path / 'play.yml'), '--limit', 'giant',
         '-e', 'out_dir=%s' % tmp_path],
        env=env, cwd=str(tmp_path), capture_output=True, text=True, timeout=120, check=False)
    assert run.returncode == 0, run.stdout + run.stderr
    assert not (tmp_path / 'moly.json').exists()  # --limit giant: only giant ran
    giant = json.loads((tmp_path / 'giant.json').read_text())
    assert giant['listen_port'] == 5555
    assert giant['peers'] == [
        {'name': 'moly', 'public_key': keys['moly'], 'endpoint': '192.168.1.162:5555', 'allowed_ips': ['0.0.0.0/0'],
         'persistent_keepalive': None},
        {'name': 'raspi', 'public_key': keys['raspi'], 'endpoint': '192.168.1.200:5555',
         'allowed_ips': ['77.66.55.0/24', '172.16.1.3/32'], 'persistent_keepalive': None},
    ]
