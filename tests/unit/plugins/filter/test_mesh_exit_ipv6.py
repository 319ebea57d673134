# -*- coding: utf-8 -*-
# Copyright (c) 2026, sitemesh.wireguard maintainers
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""::/0 toward an exit only when the exit does IPv6; the hints of mesh_validate (netmask, default route, self-exit)."""

from __future__ import annotations

import pytest

from ansible.errors import AnsibleFilterError
from ansible_collections.sitemesh.wireguard.plugins.filter.mesh_host import mesh_host
from ansible_collections.sitemesh.wireguard.plugins.filter.mesh_validate import mesh_validate
from ansible_collections.sitemesh.wireguard.plugins.module_utils._mesh_rules import validate_mesh

HOSTS = ['giant', 'moly', 'raspi']
NOTE = ('giant: no ::/0 toward moly: moly has no wireguard_address6 (IPv6 keeps its own default route; '
        'set wireguard_exit_ipv6: true on moly if it forwards and masquerades IPv6)')


def error_lines(hostvars):
    with pytest.raises(AnsibleFilterError) as info:
        mesh_validate(hostvars, HOSTS, {})
    return str(info.value.message).splitlines()[1:]


@pytest.fixture
def v6_clients(guide):
    """giant has an IPv6 client network, raspi an IPv6 tunnel address; moly (the exit) has no IPv6."""
    guide['giant']['wireguard_client_networks'] = ['10.0.1.0/24', '2001:db8:1::/48']
    guide['raspi']['wireguard_client_networks'] = ['77.66.55.0/24', '2001:db8:77::/48']
    return guide


def test_exit_without_ipv6_gets_no_default_v6(v6_clients, keys):
    giant = mesh_host(v6_clients, 'giant', HOSTS, keys)
    assert giant['peers'][0]['name'] == 'moly'
    assert giant['peers'][0]['allowed_ips'] == ['0.0.0.0/0']
    # the IPv6 client network of another site still goes to that site
    assert giant['peers'][1]['allowed_ips'] == ['77.66.55.0/24', '172.16.1.3/32', '2001:db8:77::/48']
    assert giant['notes'] == [NOTE]


def test_exit_without_ipv6_masquerades_ipv4_only(v6_clients, keys):
    moly = mesh_host(v6_clients, 'moly', HOSTS, keys)
    assert moly['masquerade_sources'] == ['10.0.1.0/24', '77.66.55.0/24', '172.16.1.1/32', '172.16.1.3/32']
    assert moly['notes'] == []


def test_exit_without_ipv6_keeps_its_own_ipv6_networks(v6_clients, keys):
    v6_clients['moly']['wireguard_client_networks'] = ['10.0.2.0/24', '2001:db8:2::/48']
    giant = mesh_host(v6_clients, 'giant', HOSTS, keys)
    assert giant['peers'][0]['allowed_ips'] == ['0.0.0.0/0', '2001:db8:2::/48']


def test_validation_passes_with_a_note_per_client(v6_clients):
    assert mesh_validate(v6_clients, HOSTS, {}) is True
    assert validate_mesh(v6_clients, HOSTS, {}) == [NOTE, NOTE.replace('giant', 'raspi', 1)]


@pytest.mark.parametrize('how', ['address6', 'exit_ipv6', 'exit_ipv6_string'])
def test_exit_doing_ipv6_gets_default_v6_and_masquerades_it(v6_clients, keys, how):
    if how == 'address6':
        for index, host in enumerate(HOSTS, start=1):
            v6_clients[host].update(wireguard_network6='fd00:16::/64', wireguard_address6='fd00:16::%d' % index)
    else:
        v6_clients['moly']['wireguard_exit_ipv6'] = True if how == 'exit_ipv6' else 'yes'
    giant = mesh_host(v6_clients, 'giant', HOSTS, keys)
    assert giant['peers'][0]['allowed_ips'] == ['0.0.0.0/0', '::/0']
    assert giant['notes'] == []
    moly = mesh_host(v6_clients, 'moly', HOSTS, keys)
    assert '2001:db8:1::/48' in moly['masquerade_sources'] and '2001:db8:77::/48' in moly['masquerade_sources']
    assert validate_mesh(v6_clients, HOSTS, {}) == []


def test_spoke_behind_an_exit_without_ipv6(v6_clients, keys):
    v6_clients['phone'] = {'wireguard_address': '172.16.1.4', 'wireguard_network': '172.16.1.0/24',
                           'wireguard_hub': 'moly', 'wireguard_exit': 'moly',
                           'wireguard_client_networks': ['10.0.4.0/24']}
    phone = mesh_host(v6_clients, 'phone', HOSTS + ['phone'], keys)
    assert phone['peers'][0]['allowed_ips'] == ['0.0.0.0/0', '2001:db8:1::/48', '2001:db8:77::/48']


def test_ipv4_only_mesh_has_no_note(guide, keys):
    assert mesh_host(guide, 'giant', HOSTS, keys)['notes'] == []
    assert validate_mesh(guide, HOSTS, {}) == []


def test_exit_ipv6_must_be_a_boolean(guide):
    guide['moly']['wireguard_exit_ipv6'] = 'maybe'
    assert error_lines(guide) == ["moly: wireguard_exit_ipv6 'maybe' is not a boolean (true or false)"]


# ------------------------------------------------------------------------------------------ hints


@pytest.mark.parametrize('variable, value, expected', [
    ('wireguard_client_networks', ['10.10.1.0/255.255.255.0'],
     "giant: wireguard_client_networks entry '10.10.1.0/255.255.255.0' is not a valid CIDR network "
     "(write the prefix length: 10.10.1.0/24)"),
    ('wireguard_network', '172.16.1.0/255.255.255.0',
     "giant: wireguard_network '172.16.1.0/255.255.255.0' is not a valid CIDR network "
     "(write the prefix length: 172.16.1.0/24)"),
])
def test_netmask_gets_the_prefix_length(guide, variable, value, expected):
    guide['giant'][variable] = value
    assert expected in error_lines(guide)


def test_non_contiguous_netmask_gets_no_hint(guide):
    guide['giant']['wireguard_client_networks'] = ['10.10.1.0/255.0.255.0']
    assert error_lines(guide) == ["giant: wireguard_client_networks entry '10.10.1.0/255.0.255.0' "
                                  "is not a valid CIDR network"]


@pytest.mark.parametrize('default', ['0.0.0.0/0', '::/0'])
def test_default_route_as_client_network_is_one_line(guide_no_exit, default):
    guide_no_exit['raspi']['wireguard_client_networks'] = ['77.66.55.0/24', default]
    assert error_lines(guide_no_exit) == [
        'raspi: wireguard_client_networks entry %s is a default route, not a client network (to send all other '
        'traffic out through an exit, use wireguard_exit: <exit site> instead)' % default]


def test_exit_naming_the_site_itself(guide):
    guide['moly']['wireguard_exit'] = 'moly'
    assert error_lines(guide) == [
        "moly: wireguard_exit 'moly' names the site itself (an exit keeps its own default route; when a group "
        "sets wireguard_exit, set wireguard_exit: '' in moly's host_vars)"]
