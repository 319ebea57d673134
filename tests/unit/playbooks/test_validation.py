# -*- coding: utf-8 -*-
# Copyright (c) 2026, sitemesh.wireguard maintainers
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Promise: "Bad inventory fails before any host is touched, with a message naming the host and the variable".

``ansible-playbook site.yml`` runs for real against a copy of inventories/example with one variable broken.
Every host has the podman connection to a container that does not exist: touching any host would show as
UNREACHABLE in the PLAY RECAP (``test_detector_sees_a_touched_host`` proves it does), without any packet sent.
"""

from __future__ import annotations

import os
import re
import shutil

import pytest
import yaml

VALIDATION_PLAY = 'Validate the WireGuard mesh (controller only)'

# (id, host, variable, value, what the output must show: a regex searched line by line)
BREAKAGES = [
    ('address-with-bad-prefix', 'raspi', 'wireguard_address', '172.16.1.3/33',
     r"^raspi: wireguard_address '172\.16\.1\.3/33' is not a valid IPv4 address"),
    ('address-not-an-ip', 'raspi', 'wireguard_address', '172.16.1.300',
     r"^raspi: wireguard_address '172\.16\.1\.300' is not a valid IPv4 address"),
    ('duplicate-tunnel-address', 'moly', 'wireguard_address', '172.16.1.1',
     r"^moly: wireguard_address '172\.16\.1\.1' is already used by giant"),
    ('exit-unknown-host', 'giant', 'wireguard_exit', 'nosuchsite',
     r"^giant: wireguard_exit 'nosuchsite' is not a host of the mesh group"),
    ('client-network-overlaps-tunnel', 'raspi', 'wireguard_client_networks', ['77.66.55.0/24', '172.16.1.128/25'],
     r'^raspi: wireguard_client_networks entry 172\.16\.1\.128/25 overlaps the tunnel network wireguard_network'),
    ('port-out-of-range', 'moly', 'wireguard_port', 70000,
     r'^moly: wireguard_port 70000 is not a port number'),
    ('port-not-a-number', 'giant', 'wireguard_port', 'fivefivefivefive',
     r"^giant: wireguard_port 'fivefivefivefive' is not a port number"),
    ('endpoint-with-port', 'giant', 'wireguard_endpoint', '192.168.1.161:5555',
     r"^giant: wireguard_endpoint '192\.168\.1\.161:5555' is neither an IP address nor a DNS name"),
    ('address-outside-network', 'moly', 'wireguard_address', '172.16.2.2',
     r"^moly: wireguard_address '172\.16\.2\.2' is outside wireguard_network 172\.16\.1\.0/24"),
    # A typo in a variable reference: the value cannot be templated. read() in module_utils/_mesh_schema.py
    # turns this into "<host>: <variable> cannot be evaluated: ..." (see its docstring).
    ('undefined-variable-in-value', 'moly', 'wireguard_endpoint', '{{ moly_public_adress }}',
     r'^moly: wireguard_endpoint\b'),
    ('undefined-variable-in-list-item', 'raspi', 'wireguard_client_networks', ['77.66.55.0/24', '{{ raspi_lan }}'],
     r'^raspi: wireguard_client_networks\b'),
    # Role variables of one site that the role's argument spec refuses (the README lists them with the
    # inventory variables). They are inventory too: the run must stop before any host is touched.
    ('role-variable-bad-choice', 'raspi', 'wireguard_apt_source', 'bogus',
     r'\braspi\b.*\bwireguard_apt_source\b'),
    ('role-variable-bad-type', 'raspi', 'wireguard_mtu', 'big',
     r'\braspi\b.*\bwireguard_mtu\b'),
    # Role variables outside the mesh model (issue 7): checked before any host, one line each.
    ('extra-peer-without-public-key', 'raspi', 'wireguard_extra_peers',
     [{'name': 'laptop', 'allowed_ips': ['172.16.1.10/32']}],
     r'^raspi: wireguard_extra_peers\[0\] \(laptop\) has no public_key$'),
    ('loopback-alias-outside-client-networks', 'raspi', 'wireguard_loopback_aliases',
     [{'label': 'lo:10', 'address': '10.9.0.1/24'}],
     r'^raspi: wireguard_loopback_aliases\[0\] \(lo:10\) address 10\.9\.0\.1/24 is in none of the '
     r'wireguard_client_networks of raspi'),
    ('dns-not-an-ip', 'giant', 'wireguard_dns', ['9.9.9.300'],
     r"^giant: wireguard_dns\[0\] '9\.9\.9\.300' is neither an IP address nor a search domain"),
    ('exit-extra-source-not-a-cidr', 'moly', 'wireguard_exit_extra_sources', ['lan'],
     r"^moly: wireguard_exit_extra_sources\[0\] 'lan' is not a valid CIDR network"),
    ('netmask-instead-of-prefix-length', 'giant', 'wireguard_client_networks', ['10.0.1.0/255.255.255.0'],
     r"^giant: wireguard_client_networks entry '10\.0\.1\.0/255\.255\.255\.0' is not a valid CIDR network "
     r"\(write the prefix length: 10\.0\.1\.0/24\)"),
    ('exit-naming-itself', 'moly', 'wireguard_exit', 'moly',
     r"^moly: wireguard_exit 'moly' names the site itself"),
]


def _allowed_headers(sm):
    """TASK headers a validation-only run may print: play 1 of site.yml, validate.yml, read_keys.yml."""
    allowed = set(sm.role_task_names(sm.PEER_ROLE, files=['validate.yml', 'read_keys.yml']))
    with open(sm.SITE_YML, encoding='utf-8') as f:
        plays = yaml.safe_load(f)
    for play in plays:
        if play.get('name') == VALIDATION_PLAY:
            allowed.update(t['name'] for t in play.get('tasks', []) if t.get('name'))
    return allowed


def assert_stopped_in_validation(sm, result, hosts, play=VALIDATION_PLAY):
    """Non-zero exit, only hosts of the play in the recap and none unreachable, no task but validation ran.

    The validation is imported (site.yml): a failure of its first, run_once task stops the play before the other
    hosts have any result, so the recap may list the first host only.
    """
    assert result.rc != 0, result
    recap = sm.parse_recap(result.output)
    assert recap and set(recap) <= set(hosts), 'PLAY RECAP hosts %s, expected among %s\n%s' % (
        sorted(recap), sorted(hosts), result)
    touched = {h: r['unreachable'] for h, r in recap.items() if r['unreachable']}
    assert not touched, 'hosts were contacted (unreachable != 0): %s\n%s' % (touched, result)
    assert sum(r['failed'] for r in recap.values()) >= 1, result
    assert play in sm.play_headers(result.output), result
    allowed = _allowed_headers(sm)
    others = [h for h in sm.task_headers(result.output)
              if h not in allowed and not h.startswith('Validating arguments against arg spec')]
    assert not others, 'tasks other than the validation ran: %s\n%s' % (others, result)
    host_tasks = sm.role_task_names(sm.PEER_ROLE, exclude=('validate.yml', 'read_keys.yml', 'main.yml')) \
        | sm.role_task_names(sm.EXIT_ROLE)
    assert 'Install WireGuard tools (from the release where it has them)' in host_tasks  # the names are read
    assert not host_tasks & set(sm.task_headers(result.output)), result


def _names_host_and_variable(output, pattern):
    return [line for line in output.splitlines() if re.search(pattern, line)]


@pytest.fixture
def broken_inventory(tmp_path, sm):
    """A copy of inventories/example plus the fake connection, for one test to break."""
    inventory = sm.copy_example_inventory(tmp_path / 'inventory')
    sm.write_fake_connection_inventory(os.path.join(inventory, 'fake_connection.yml'), sm.example_hosts())
    return inventory


@pytest.mark.parametrize('host, variable, value, expected', [b[1:] for b in BREAKAGES], ids=[b[0] for b in BREAKAGES])
def test_bad_inventory_fails_before_any_host_is_touched(sm, tmp_path, key_store, broken_inventory,
                                                        host, variable, value, expected):
    sm.set_host_var(broken_inventory, host, variable, value)
    # the checkout's default stores: playbooks/ (playbook_dir of the imported collection playbook), and the
    # root one of before
    stores_in_checkout = [os.path.join(sm.REPO, 'playbooks', 'public_keys'), os.path.join(sm.REPO, 'public_keys')]
    existed = [os.path.exists(store) for store in stores_in_checkout]

    result = sm.ansible_playbook(['site.yml', '-i', broken_inventory, '-e', 'wireguard_public_key_store=%s' % key_store],
                                 tmp_path)

    assert_stopped_in_validation(sm, result, sm.example_hosts())
    assert _names_host_and_variable(result.output, expected), \
        'no line names %s and %s (%r)\n%s' % (host, variable, expected, result)
    assert os.listdir(str(key_store)) == []
    assert [os.path.exists(store) for store in stores_in_checkout] == existed


def test_every_error_is_reported_one_line_each(sm, tmp_path, key_store, broken_inventory):
    sm.set_host_var(broken_inventory, 'raspi', 'wireguard_address', '172.16.1.300')
    sm.set_host_var(broken_inventory, 'moly', 'wireguard_port', 70000)
    sm.set_host_var(broken_inventory, 'giant', 'wireguard_exit', 'nosuchsite')

    result = sm.ansible_playbook(['site.yml', '-i', broken_inventory, '-e', 'wireguard_public_key_store=%s' % key_store],
                                 tmp_path)

    assert_stopped_in_validation(sm, result, sm.example_hosts())
    assert '3 error(s)' in result.output, result
    for pattern in (r"^raspi: wireguard_address '172\.16\.1\.300'", r'^moly: wireguard_port 70000',
                    r"^giant: wireguard_exit 'nosuchsite'"):
        assert _names_host_and_variable(result.output, pattern), '%r missing\n%s' % (pattern, result)


def test_limit_still_validates_the_whole_inventory(sm, tmp_path, key_store, broken_inventory):
    """raspi is broken; a run on giant alone must still stop in validation (the mesh is one)."""
    sm.set_host_var(broken_inventory, 'raspi', 'wireguard_address', '172.16.1.300')

    result = sm.ansible_playbook(['site.yml', '-i', broken_inventory, '--limit', 'giant',
                                  '-e', 'wireguard_public_key_store=%s' % key_store], tmp_path)

    assert_stopped_in_validation(sm, result, ['giant'])
    assert _names_host_and_variable(result.output, r"^raspi: wireguard_address '172\.16\.1\.300'"), result


@pytest.mark.skipif(shutil.which('podman') is None, reason='podman (the fake connection) is not installed')
def test_detector_sees_a_touched_host(sm, tmp_path, key_store, broken_inventory):
    """Control: with nothing broken, site.yml passes validation and the first host task is UNREACHABLE.

    This is what the tests above would see if validation let a run through: podman fails to find the
    container sitemesh-no-such-container-<host> (no container is started, no packet is sent).
    """
    result = sm.ansible_playbook(['site.yml', '-i', broken_inventory, '-e', 'wireguard_public_key_store=%s' % key_store],
                                 tmp_path)

    # The first host task is the role's one-round-trip probe (ansible.builtin.raw): podman's error
    # comes back as that task's failure (rc 2) where a Python module would be UNREACHABLE (rc 4).
    assert result.rc in (2, 4), result
    recap = sm.parse_recap(result.output)
    assert {h: r['unreachable'] + r['failed'] for h, r in recap.items()} == {h: 1 for h in sm.example_hosts()}, result
    assert 'mesh_validate' not in result.output, result
    install = sm.role_task_names(sm.PEER_ROLE, files=['install.yml'])
    assert install & set(sm.task_headers(result.output)), result
    for host in sm.example_hosts():
        assert 'no container with name or ID "%s%s"' % (sm.FAKE_HOST_PREFIX, host) in result.output.replace('\\"', '"'), result
    assert os.listdir(str(key_store)) == []


VALIDATE_ONLY = """\
---
- name: Validate only, with the role's own validation tasks
  hosts: wireguard
  gather_facts: false
  tasks:
    - name: Validate the mesh from the inventory
      ansible.builtin.include_role:
        name: sitemesh.wireguard.wireguard_peer
        tasks_from: validate.yml
"""


def test_good_inventory_passes_validation_on_the_controller(sm, tmp_path, key_store, fake_connection):
    playbook = tmp_path / 'validate_only.yml'
    playbook.write_text(VALIDATE_ONLY)

    result = sm.ansible_playbook([playbook, '-i', sm.EXAMPLE_INVENTORY, '-i', fake_connection,
                                  '-e', 'wireguard_public_key_store=%s' % key_store], tmp_path)

    assert result.rc == 0, result
    recap = sm.parse_recap(result.output)
    assert set(recap) == set(sm.example_hosts()), result
    for host, counts in recap.items():
        assert counts['unreachable'] == 0 and counts['failed'] == 0, (host, result)
    headers = sm.task_headers(result.output)
    assert 'Validate the whole mesh from the inventory' in headers, result
    assert set(headers) <= _allowed_headers(sm), result


def test_validate_only_playbook_refuses_a_broken_copy(sm, tmp_path, key_store, broken_inventory):
    """Control for the test above: the same playbook fails when one variable is broken."""
    playbook = tmp_path / 'validate_only.yml'
    playbook.write_text(VALIDATE_ONLY)
    sm.set_host_var(broken_inventory, 'moly', 'wireguard_address', '172.16.1.1')

    result = sm.ansible_playbook([playbook, '-i', broken_inventory, '-e', 'wireguard_public_key_store=%s' % key_store],
                                 tmp_path)

    assert_stopped_in_validation(sm, result, sm.example_hosts(), play="Validate only, with the role's own validation tasks")
    assert _names_host_and_variable(result.output, r"^moly: wireguard_address '172\.16\.1\.1' is already used"), result
