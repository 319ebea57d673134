# -*- coding: utf-8 -*-
# Copyright (c) 2026, sitemesh.wireguard maintainers
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""mesh_host: the guide's three sites (with and without exit), hub and spoke, dual stack, --limit."""

from __future__ import annotations

import copy
from collections.abc import Mapping

import pytest

from ansible.errors import AnsibleFilterError
from ansible_collections.sitemesh.wireguard.plugins.filter import mesh_host as mesh_host_file
from ansible_collections.sitemesh.wireguard.plugins.filter import mesh_psk as mesh_psk_file
from ansible_collections.sitemesh.wireguard.plugins.filter import mesh_validate as mesh_validate_file
from ansible_collections.sitemesh.wireguard.plugins.filter import mesh_with_psk as mesh_with_psk_file
from ansible_collections.sitemesh.wireguard.plugins.filter.mesh_host import mesh_host
from ansible_collections.sitemesh.wireguard.plugins.filter.mesh_validate import mesh_validate

HOSTS = ['giant', 'moly', 'raspi']


def peer(keys, name, endpoint, allowed_ips, keepalive=None):
    return {'name': name, 'public_key': keys[name], 'endpoint': endpoint, 'allowed_ips': allowed_ips,
            'persistent_keepalive': keepalive}


def test_filters_are_registered():
    filters = {}
    for module in (mesh_host_file, mesh_validate_file, mesh_psk_file, mesh_with_psk_file):
        filters.update(module.FilterModule().filters())
    assert set(filters) == {'mesh_host', 'mesh_validate', 'mesh_psk', 'mesh_with_psk'}


# ------------------------------------------------------------------------- the guide, moly the exit


def test_guide_with_exit_giant(guide, keys):
    assert mesh_validate(guide, HOSTS, keys) is True
    assert mesh_host(guide, 'giant', HOSTS, keys) == {
        'name': 'giant',
        'addresses': ['172.16.1.1/24'],
        'listen_port': 5555,
        'client_networks': ['10.0.1.0/24'],
        'exit': 'moly',
        'is_exit': False,
        'is_hub': False,
        'forwarding': False,
        'masquerade_sources': [],
        'missing_public_keys': [],
        'notes': [],
        'peers': [
            peer(keys, 'moly', '192.168.1.162:5555', ['0.0.0.0/0']),
            peer(keys, 'raspi', '192.168.1.200:5555', ['77.66.55.0/24', '172.16.1.3/32']),
        ],
    }


def test_guide_with_exit_moly(guide, keys):
    assert mesh_host(guide, 'moly', HOSTS, keys) == {
        'name': 'moly',
        'addresses': ['172.16.1.2/24'],
        'listen_port': 5555,
        'client_networks': ['10.0.2.0/24'],
        'exit': None,
        'is_exit': True,
        'is_hub': False,
        'forwarding': True,
        'masquerade_sources': ['10.0.1.0/24', '77.66.55.0/24', '172.16.1.1/32', '172.16.1.3/32'],
        'missing_public_keys': [],
        'notes': [],
        'peers': [
            peer(keys, 'giant', '192.168.1.161:5555', ['10.0.1.0/24', '172.16.1.1/32']),
            peer(keys, 'raspi', '192.168.1.200:5555', ['77.66.55.0/24', '172.16.1.3/32']),
        ],
    }


def test_guide_with_exit_raspi(guide, keys):
    result = mesh_host(guide, 'raspi', HOSTS, keys)
    assert result['addresses'] == ['172.16.1.3/24']
    assert result['exit'] == 'moly'
    assert (result['is_exit'], result['is_hub'], result['forwarding']) == (False, False, False)
    assert result['masquerade_sources'] == []
    assert result['peers'] == [
        peer(keys, 'giant', '192.168.1.161:5555', ['10.0.1.0/24', '172.16.1.1/32']),
        peer(keys, 'moly', '192.168.1.162:5555', ['0.0.0.0/0']),
    ]


def test_exit_naming_the_site_itself_is_refused(guide, keys):
    """Issue 7: it was silently ignored (a group_vars exit reached the exit too); now the exit says ''."""
    guide['moly']['wireguard_exit'] = 'moly'
    with pytest.raises(AnsibleFilterError, match=r"moly: wireguard_exit 'moly' names the site itself"):
        mesh_validate(guide, HOSTS, keys)
    with pytest.raises(AnsibleFilterError, match=r"names the site itself"):
        mesh_host(guide, 'giant', HOSTS, keys)
    guide['moly']['wireguard_exit'] = ''
    assert mesh_validate(guide, HOSTS, keys) is True
    result = mesh_host(guide, 'moly', HOSTS, keys)
    assert (result['exit'], result['is_exit']) == (None, True)


# ------------------------------------------------------------------------- the guide without exit


def test_guide_without_exit(guide_no_exit, keys):
    assert mesh_validate(guide_no_exit, HOSTS, keys) is True
    expected = {
        'giant': [
            peer(keys, 'moly', '192.168.1.162:5555', ['10.0.2.0/24', '172.16.1.2/32']),
            peer(keys, 'raspi', '192.168.1.200:5555', ['77.66.55.0/24', '172.16.1.3/32']),
        ],
        'moly': [
            peer(keys, 'giant', '192.168.1.161:5555', ['10.0.1.0/24', '172.16.1.1/32']),
            peer(keys, 'raspi', '192.168.1.200:5555', ['77.66.55.0/24', '172.16.1.3/32']),
        ],
        'raspi': [
            peer(keys, 'giant', '192.168.1.161:5555', ['10.0.1.0/24', '172.16.1.1/32']),
            peer(keys, 'moly', '192.168.1.162:5555', ['10.0.2.0/24', '172.16.1.2/32']),
        ],
    }
    for host in HOSTS:
        result = mesh_host(guide_no_exit, host, HOSTS, keys)
        assert result['peers'] == expected[host], host
        assert result['exit'] is None
        assert (result['is_exit'], result['is_hub'], result['forwarding']) == (False, False, False)
        assert result['masquerade_sources'] == []
        assert result['missing_public_keys'] == []


def test_default_port_and_no_client_networks(keys):
    hostvars = {
        'a': {'wireguard_address': '10.9.0.1', 'wireguard_network': '10.9.0.0/24', 'wireguard_endpoint': 'a.example.org'},
        'b': {'wireguard_address': '10.9.0.2', 'wireguard_network': '10.9.0.0/24', 'wireguard_endpoint': 'b.example.org'},
    }
    result = mesh_host(hostvars, 'a', ['a', 'b'], keys)
    assert result['listen_port'] == 51820
    assert result['client_networks'] == []
    assert result['peers'] == [peer(keys, 'b', 'b.example.org:51820', ['10.9.0.2/32'])]


def test_inventory_strings_are_accepted(guide, keys):
    guide['giant']['wireguard_port'] = '5555'
    guide['moly']['wireguard_port'] = ' 5556 '
    assert mesh_validate(guide, HOSTS, keys) is True
    assert mesh_host(guide, 'giant', HOSTS, keys)['listen_port'] == 5555
    assert mesh_host(guide, 'giant', HOSTS, keys)['peers'][0]['endpoint'] == '192.168.1.162:5556'


def test_ansible_tagged_values_are_accepted(guide, keys):
    origin = pytest.importorskip('ansible._internal._datatag._tags').Origin(path='/inventory/host_vars/giant.yml')
    guide['giant'] = {key: origin.tag(value) for key, value in guide['giant'].items()}
    hosts = origin.tag(list(HOSTS))
    tagged_keys = {origin.tag(name): origin.tag(key) for name, key in ((n, keys[n]) for n in HOSTS)}
    assert mesh_validate(guide, hosts, tagged_keys) is True
    result = mesh_host(guide, origin.tag('giant'), hosts, tagged_keys)
    assert result['listen_port'] == 5555 and result['listen_port'].__class__ is int
    assert result['peers'][1]['allowed_ips'] == ['77.66.55.0/24', '172.16.1.3/32']
    assert result['addresses'] == ['172.16.1.1/24']


# ------------------------------------------------------------------------- hub and spoke


@pytest.fixture
def hub_mesh(guide_no_exit):
    hostvars = guide_no_exit
    hostvars['phone'] = {'wireguard_network': '172.16.1.0/24', 'wireguard_port': 5555,
                         'wireguard_address': '172.16.1.4', 'wireguard_hub': 'moly'}
    return hostvars


HUB_HOSTS = ['giant', 'moly', 'raspi', 'phone']


def test_hub_and_spoke(hub_mesh, keys):
    assert mesh_validate(hub_mesh, HUB_HOSTS, keys) is True
    giant = mesh_host(hub_mesh, 'giant', HUB_HOSTS, keys)
    assert giant['peers'] == [
        peer(keys, 'moly', '192.168.1.162:5555', ['10.0.2.0/24', '172.16.1.2/32', '172.16.1.4/32']),
        peer(keys, 'raspi', '192.168.1.200:5555', ['77.66.55.0/24', '172.16.1.3/32']),
    ]
    assert (giant['is_hub'], giant['forwarding']) == (False, False)

    moly = mesh_host(hub_mesh, 'moly', HUB_HOSTS, keys)
    assert moly['peers'] == [
        peer(keys, 'giant', '192.168.1.161:5555', ['10.0.1.0/24', '172.16.1.1/32']),
        peer(keys, 'phone', None, ['172.16.1.4/32']),
        peer(keys, 'raspi', '192.168.1.200:5555', ['77.66.55.0/24', '172.16.1.3/32']),
    ]
    assert (moly['is_hub'], moly['is_exit'], moly['forwarding']) == (True, False, True)

    raspi = mesh_host(hub_mesh, 'raspi', HUB_HOSTS, keys)
    assert raspi['peers'] == [
        peer(keys, 'giant', '192.168.1.161:5555', ['10.0.1.0/24', '172.16.1.1/32']),
        peer(keys, 'moly', '192.168.1.162:5555', ['10.0.2.0/24', '172.16.1.2/32', '172.16.1.4/32']),
    ]

    phone = mesh_host(hub_mesh, 'phone', HUB_HOSTS, keys)
    assert phone == {
        'name': 'phone',
        'addresses': ['172.16.1.4/24'],
        'listen_port': 5555,
        'client_networks': [],
        'exit': None,
        'is_exit': False,
        'is_hub': False,
        'forwarding': False,
        'masquerade_sources': [],
        'missing_public_keys': [],
        'notes': [],
        # .2/32 and .3/32 are siblings: cidr_merge makes them one /31
        'peers': [peer(keys, 'moly', '192.168.1.162:5555',
                       ['10.0.1.0/24', '10.0.2.0/24', '77.66.55.0/24', '172.16.1.1/32', '172.16.1.2/31'],
                       keepalive=25)],
    }


def test_hub_and_spoke_with_exit(guide, keys):
    hostvars = guide
    hostvars['phone'] = {'wireguard_network': '172.16.1.0/24', 'wireguard_port': 5555,
                         'wireguard_address': '172.16.1.4', 'wireguard_hub': 'moly', 'wireguard_exit': 'moly',
                         'wireguard_client_networks': ['10.0.4.0/24'], 'wireguard_persistent_keepalive': 15}
    assert mesh_validate(hostvars, HUB_HOSTS, keys) is True
    phone = mesh_host(hostvars, 'phone', HUB_HOSTS, keys)
    assert phone['peers'] == [peer(keys, 'moly', '192.168.1.162:5555', ['0.0.0.0/0'], keepalive=15)]
    assert phone['exit'] == 'moly'

    moly = mesh_host(hostvars, 'moly', HUB_HOSTS, keys)
    assert moly['peers'] == [
        peer(keys, 'giant', '192.168.1.161:5555', ['10.0.1.0/24', '172.16.1.1/32']),
        peer(keys, 'phone', None, ['10.0.4.0/24', '172.16.1.4/32']),
        peer(keys, 'raspi', '192.168.1.200:5555', ['77.66.55.0/24', '172.16.1.3/32']),
    ]
    assert moly['masquerade_sources'] == ['10.0.1.0/24', '10.0.4.0/24', '77.66.55.0/24',
                                          '172.16.1.1/32', '172.16.1.3/32', '172.16.1.4/32']
    assert (moly['is_exit'], moly['is_hub'], moly['forwarding']) == (True, True, True)

    giant = mesh_host(hostvars, 'giant', HUB_HOSTS, keys)
    assert giant['peers'] == [
        peer(keys, 'moly', '192.168.1.162:5555', ['0.0.0.0/0']),
        peer(keys, 'raspi', '192.168.1.200:5555', ['77.66.55.0/24', '172.16.1.3/32']),
    ]


def test_spoke_through_hub_to_the_hubs_exit(guide, keys):
    """A spoke of giant whose exit is moly: giant's own exit, so giant forwards it on."""
    hostvars = guide
    hostvars['phone'] = {'wireguard_network': '172.16.1.0/24', 'wireguard_address': '172.16.1.4',
                         'wireguard_hub': 'giant', 'wireguard_exit': 'moly'}
    assert mesh_validate(hostvars, HUB_HOSTS, keys) is True
    assert mesh_host(hostvars, 'phone', HUB_HOSTS, keys)['peers'] == [
        peer(keys, 'giant', '192.168.1.161:5555', ['0.0.0.0/0'], keepalive=25)]
    moly = mesh_host(hostvars, 'moly', HUB_HOSTS, keys)
    assert moly['peers'][0] == peer(keys, 'giant', '192.168.1.161:5555',
                                    ['10.0.1.0/24', '172.16.1.1/32', '172.16.1.4/32'])
    assert '172.16.1.4/32' in moly['masquerade_sources']


def test_site_without_endpoint_in_full_mesh_gets_keepalive(guide, keys):
    del guide['raspi']['wireguard_endpoint']
    raspi = mesh_host(guide, 'raspi', HOSTS, keys)
    assert [p['persistent_keepalive'] for p in raspi['peers']] == [25, 25]
    giant = mesh_host(guide, 'giant', HOSTS, keys)
    assert giant['peers'][1] == peer(keys, 'raspi', None, ['77.66.55.0/24', '172.16.1.3/32'])
    guide['raspi']['wireguard_persistent_keepalive'] = 0
    assert [p['persistent_keepalive'] for p in mesh_host(guide, 'raspi', HOSTS, keys)['peers']] == [None, None]


# ------------------------------------------------------------------------- dual stack


@pytest.fixture
def dual_stack(guide):
    for index, host in enumerate(HOSTS, start=1):
        guide[host]['wireguard_network6'] = 'fd00:16::/64'
        guide[host]['wireguard_address6'] = 'fd00:16::%d' % index
    guide['moly']['wireguard_endpoint'] = '2001:db8::162'
    guide['raspi']['wireguard_client_networks'] = ['77.66.55.0/24', '2001:db8:77::/48']
    return guide


def test_dual_stack(dual_stack, keys):
    assert mesh_validate(dual_stack, HOSTS, keys) is True
    giant = mesh_host(dual_stack, 'giant', HOSTS, keys)
    assert giant['addresses'] == ['172.16.1.1/24', 'fd00:16::1/64']
    assert giant['peers'] == [
        peer(keys, 'moly', '[2001:db8::162]:5555', ['0.0.0.0/0', '::/0']),
        peer(keys, 'raspi', '192.168.1.200:5555',
             ['77.66.55.0/24', '172.16.1.3/32', '2001:db8:77::/48', 'fd00:16::3/128']),
    ]
    moly = mesh_host(dual_stack, 'moly', HOSTS, keys)
    assert moly['peers'] == [
        peer(keys, 'giant', '192.168.1.161:5555', ['10.0.1.0/24', '172.16.1.1/32', 'fd00:16::1/128']),
        peer(keys, 'raspi', '192.168.1.200:5555',
             ['77.66.55.0/24', '172.16.1.3/32', '2001:db8:77::/48', 'fd00:16::3/128']),
    ]
    assert moly['masquerade_sources'] == ['10.0.1.0/24', '77.66.55.0/24', '172.16.1.1/32', '172.16.1.3/32',
                                          '2001:db8:77::/48', 'fd00:16::1/128', 'fd00:16::3/128']


def test_ipv4_only_mesh_has_no_ipv6_default(guide, keys):
    assert mesh_host(guide, 'giant', HOSTS, keys)['peers'][0]['allowed_ips'] == ['0.0.0.0/0']


# ------------------------------------------------------------------------- merging


def test_adjacent_networks_are_merged(guide_no_exit, keys):
    guide_no_exit['raspi']['wireguard_client_networks'] = ['10.0.0.128/25', '10.0.0.0/25', '77.66.55.0/24']
    assert mesh_validate(guide_no_exit, HOSTS, keys) is True
    raspi = mesh_host(guide_no_exit, 'giant', HOSTS, keys)['peers'][1]
    assert raspi['allowed_ips'] == ['10.0.0.0/24', '77.66.55.0/24', '172.16.1.3/32']
    # the host's own list is reported as given (normalised), not merged
    assert mesh_host(guide_no_exit, 'raspi', HOSTS, keys)['client_networks'] == \
        ['10.0.0.128/25', '10.0.0.0/25', '77.66.55.0/24']


def test_four_quarters_merge_into_one(guide_no_exit, keys):
    guide_no_exit['raspi']['wireguard_client_networks'] = ['10.5.0.%d/26' % i for i in (192, 0, 64, 128)]
    assert mesh_host(guide_no_exit, 'moly', HOSTS, keys)['peers'][1]['allowed_ips'] == ['10.5.0.0/24', '172.16.1.3/32']


# ------------------------------------------------------------------------- public keys


def test_missing_public_key_is_reported_not_dropped(guide, keys):
    store = {'giant': keys['giant'], 'moly': keys['moly']}
    result = mesh_host(guide, 'giant', HOSTS, store)
    assert result['missing_public_keys'] == ['raspi']
    assert [p['name'] for p in result['peers']] == ['moly']
    result = mesh_host(guide, 'moly', HOSTS, None)
    assert result['missing_public_keys'] == ['giant', 'raspi']
    assert result['peers'] == []


def test_public_key_from_inventory(guide, keys):
    guide['raspi']['wireguard_public_key'] = keys['raspi']
    result = mesh_host(guide, 'giant', HOSTS, {'moly': keys['moly']})
    assert result['missing_public_keys'] == []
    assert result['peers'][1]['public_key'] == keys['raspi']


def test_public_key_store_with_surrounding_whitespace(guide, keys):
    store = {name: keys[name] + '\n' for name in HOSTS}
    assert mesh_host(guide, 'giant', HOSTS, store)['peers'][0]['public_key'] == keys['moly']


# ------------------------------------------------------------------------- --limit independence


class StrictHostVars(Mapping):
    """hostvars that fail on any access outside the mesh group, and on iteration (no full scans)."""

    def __init__(self, data, allowed):
        self._data = data
        self._allowed = set(allowed)
        self.accessed = set()

    def __getitem__(self, host):
        if host not in self._allowed:
            raise AssertionError('hostvars[%r] read: not in the mesh group' % host)
        self.accessed.add(host)
        return StrictVars(self._data[host]) if host in self._data else {}

    def __iter__(self):
        raise AssertionError('hostvars iterated')

    def __len__(self):
        raise AssertionError('len(hostvars) taken')


class StrictVars(Mapping):
    """One host's variables: only get()/[] of variables of the mesh; no listing (values are templated lazily)."""

    def __init__(self, data):
        self._data = data

    def __getitem__(self, key):
        if not key.startswith('wireguard_'):
            raise AssertionError('variable %r read' % key)
        return self._data[key]

    def __iter__(self):
        raise AssertionError('host variables iterated')

    def __len__(self):
        raise AssertionError('len(host variables) taken')


@pytest.fixture
def with_strangers(dual_stack):
    """The mesh plus hosts outside the group, some with wireguard_* variables of their own."""
    hostvars = copy.deepcopy(dual_stack)
    hostvars['web'] = {'ansible_host': '192.0.2.10'}
    hostvars['other'] = {'wireguard_address': '172.16.1.1', 'wireguard_network': '172.16.1.0/24',
                         'wireguard_endpoint': '192.0.2.99', 'wireguard_exit': 'giant', 'wireguard_hub': 'raspi'}
    return hostvars


def test_result_depends_only_on_the_mesh_group(dual_stack, with_strangers, keys, make_key):
    store = dict(keys, other=make_key(), web=make_key())
    for host in HOSTS:
        only_group = {name: dual_stack[name] for name in HOSTS}
        expected = mesh_host(only_group, host, HOSTS, {name: keys[name] for name in HOSTS})
        assert mesh_host(with_strangers, host, HOSTS, store) == expected
        assert mesh_host(StrictHostVars(with_strangers, HOSTS), host, HOSTS, store) == expected
        # the order of the group does not matter either
        assert mesh_host(with_strangers, host, list(reversed(HOSTS)), store) == expected


def test_strict_hostvars_are_read_only_for_the_group(with_strangers, keys):
    strict = StrictHostVars(with_strangers, HOSTS)
    assert mesh_validate(strict, HOSTS, keys) is True
    mesh_host(strict, 'raspi', HOSTS, keys)
    assert strict.accessed == set(HOSTS)


def test_a_limited_play_still_gets_every_peer(guide, keys):
    """Computed for giant alone (as under --limit giant), the answer has every peer of the group."""
    strict = StrictHostVars(guide, HOSTS)
    result = mesh_host(strict, 'giant', HOSTS, keys)
    assert [p['name'] for p in result['peers']] == ['moly', 'raspi']


# ------------------------------------------------------------------------- errors of mesh_host


def test_host_not_in_group(guide, keys):
    with pytest.raises(AnsibleFilterError, match="host 'web' is not in the mesh group"):
        mesh_host(guide, 'web', HOSTS, keys)


def test_mesh_host_reports_parse_errors(guide, keys):
    guide['raspi']['wireguard_address'] = '172.16.1.300'
    with pytest.raises(AnsibleFilterError, match=r"raspi: wireguard_address '172\.16\.1\.300' is not a valid IPv4"):
        mesh_host(guide, 'giant', HOSTS, keys)


def test_mesh_host_unknown_hub(guide, keys):
    guide['giant']['wireguard_hub'] = 'nowhere'
    with pytest.raises(AnsibleFilterError, match="giant: wireguard_hub 'nowhere' is not a host of the mesh group"):
        mesh_host(guide, 'giant', HOSTS, keys)


def test_hosts_must_be_a_list(guide, keys):
    with pytest.raises(AnsibleFilterError, match='hosts must be a list'):
        mesh_host(guide, 'giant', 'giant', keys)


def test_second_mesh_with_another_prefix(keys):
    hostvars = {
        'a': {'wg2_address': '10.8.0.1', 'wg2_network': '10.8.0.0/24', 'wg2_endpoint': '192.0.2.1', 'wg2_port': 51821,
              'wireguard_address': '172.16.1.1', 'wireguard_network': '172.16.1.0/24'},
        'b': {'wg2_address': '10.8.0.2', 'wg2_network': '10.8.0.0/24', 'wg2_endpoint': '192.0.2.2', 'wg2_port': 51821},
    }
    assert mesh_validate(hostvars, ['a', 'b'], keys, prefix='wg2_') is True
    result = mesh_host(hostvars, 'a', ['a', 'b'], keys, prefix='wg2_')
    assert result['addresses'] == ['10.8.0.1/24']
    assert result['peers'] == [peer(keys, 'b', '192.0.2.2:51821', ['10.8.0.2/32'])]


def test_merge_fast_path_agrees_with_cidr_merge():
    """The neighbour check that skips cidr_merge never changes the result (random sets, both families)."""
    import random

    import netaddr

    from ansible_collections.sitemesh.wireguard.plugins.module_utils._mesh_parse import parse_net
    from ansible_collections.sitemesh.wireguard.plugins.module_utils._mesh_topology import merge

    rng = random.Random(20261125)
    for _round in range(2000):
        nets = set()
        for _i in range(rng.randint(1, 8)):
            if rng.random() < 0.8:
                plen = rng.randint(20, 32)
                first = (10 << 24 | rng.randint(0, 63) << 8) & (((1 << 32) - 1) ^ ((1 << (32 - plen)) - 1))
                nets.add(str(netaddr.IPNetwork((first, plen))))
            else:
                plen = rng.randint(120, 128)
                first = (0xfd00 << 112 | rng.randint(0, 63)) & (((1 << 128) - 1) ^ ((1 << (128 - plen)) - 1))
                nets.add(str(netaddr.IPNetwork((first, plen), version=6)))
        expected = sorted(netaddr.cidr_merge(list(nets)), key=lambda n: (n.version, n.first, n.prefixlen))
        assert merge([parse_net(n) for n in nets]) == [str(n) for n in expected], sorted(nets)
