# -*- coding: utf-8 -*-
# Copyright (c) 2026, sitemesh.wireguard maintainers
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""module_utils/_role_checks.py: a site's role variables checked against the parsed mesh, one line per error."""

from __future__ import annotations

import pytest

from ansible_collections.sitemesh.wireguard.plugins.module_utils._mesh_topology import host_model
from ansible_collections.sitemesh.wireguard.plugins.module_utils._role_checks import role_checks

HOSTS = ['giant', 'moly', 'raspi']


@pytest.fixture
def mesh(guide, keys):
    return host_model(guide, 'raspi', HOSTS, keys)[0]


@pytest.fixture
def laptop(keys):
    return {'name': 'laptop', 'public_key': keys['phone'], 'allowed_ips': ['172.16.1.10/32'],
            'endpoint': 'laptop.example.org:51820', 'persistent_keepalive': 25}


def check(mesh, **values):
    return role_checks('raspi', values, mesh)


def test_good_values_pass(mesh, laptop, keys):
    assert check(mesh, wireguard_extra_peers=[laptop, dict(laptop, name='tablet', public_key=keys['tablet'],
                                                           allowed_ips=['10.99.0.0/24', 'fd00:99::/64'],
                                                           endpoint='[2001:db8::1]:5555')],
                 wireguard_loopback_aliases=[{'label': 'lo:10', 'address': '77.66.55.1/24'}],
                 wireguard_dns=['9.9.9.9', '2620:fe::fe', 'home.arpa'],
                 wireguard_exit_extra_sources=['192.168.50.0/24']) == []


def test_nothing_given_nothing_checked(mesh):
    assert role_checks('raspi', {}, mesh) == []
    assert role_checks('raspi', {'wireguard_extra_peers': 'not a list'}, mesh) == []  # the argument spec says so


@pytest.mark.parametrize('change, expected', [
    (dict(public_key=None), 'raspi: wireguard_extra_peers[0] (laptop) has no public_key'),
    (dict(public_key='short'), 'raspi: wireguard_extra_peers[0] (laptop) public_key is not the base64 of 32 bytes'),
    (dict(preshared_key='x' * 44), 'raspi: wireguard_extra_peers[0] (laptop) preshared_key is not the base64'),
    (dict(allowed_ips=['10.9.0.1/24']), "raspi: wireguard_extra_peers[0] (laptop) allowed_ips entry '10.9.0.1/24' "
                                        "is not a valid CIDR network (host bits set: did you mean 10.9.0.0/24?)"),
    (dict(allowed_ips=['10.9.0.0/255.255.255.0']), "(write the prefix length: 10.9.0.0/24)"),
    (dict(allowed_ips='10.9.0.0/24'), "raspi: wireguard_extra_peers[0] (laptop) allowed_ips must be a list"),
    (dict(allowed_ips=['10.0.1.0/25']), 'raspi: wireguard_extra_peers[0] (laptop) allowed_ips entry 10.0.1.0/25 '
                                        'overlaps 10.0.1.0/24 in wireguard_client_networks of giant'),
    (dict(allowed_ips=['172.16.1.2/32']), 'raspi: wireguard_extra_peers[0] (laptop) allowed_ips entry 172.16.1.2/32 '
                                          'overlaps 172.16.1.2/32 (tunnel address) of moly'),
    (dict(allowed_ips=['0.0.0.0/0']), "raspi: wireguard_extra_peers[0] (laptop) allowed_ips entry 0.0.0.0/0 is the "
                                      "default route this site sends to wireguard_exit 'moly'"),
    (dict(endpoint='laptop.example.org'), "raspi: wireguard_extra_peers[0] (laptop) endpoint 'laptop.example.org' "
                                          "is not host:port"),
    (dict(endpoint='2001:db8::1:5555'), 'is not host:port'),
    (dict(endpoint='1.2.3.4:70000'), 'is not host:port'),
    (dict(persistent_keepalive=70000), 'raspi: wireguard_extra_peers[0] (laptop) persistent_keepalive 70000 '
                                       'is not an integer from 0 to 65535'),
    (dict(name='giant'), "raspi: wireguard_extra_peers[0] (giant) name 'giant' is a site of the mesh"),
    (dict(mtu=1400), 'raspi: wireguard_extra_peers[0] (laptop) has unknown key(s) mtu'),
])
def test_extra_peer_errors(mesh, laptop, change, expected):
    errors = check(mesh, wireguard_extra_peers=[dict(laptop, **change)])
    assert len(errors) == 1, errors
    assert expected in errors[0] if not expected.startswith('raspi') else errors[0].startswith(expected), errors


def test_extra_peer_without_name_is_named_by_index(mesh, laptop):
    del laptop['name']
    del laptop['public_key']
    assert check(mesh, wireguard_extra_peers=[laptop]) == ['raspi: wireguard_extra_peers[0] has no public_key']


def test_wide_allowed_ips_is_one_line(mesh, laptop):
    errors = check(mesh, wireguard_extra_peers=[dict(laptop, allowed_ips=['0.0.0.0/1'])])
    assert errors == ['raspi: wireguard_extra_peers[0] (laptop) allowed_ips entry 0.0.0.0/1 overlaps '
                      '10.0.1.0/24 in wireguard_client_networks of giant (and 2 more)']


def test_default_route_allowed_without_exit(guide_no_exit, keys, laptop):
    mesh = host_model(guide_no_exit, 'raspi', HOSTS, keys)[0]
    assert check(mesh, wireguard_extra_peers=[dict(laptop, allowed_ips=['0.0.0.0/0'])]) == []


def test_duplicate_names_and_keys(mesh, laptop, keys):
    errors = check(mesh, wireguard_extra_peers=[laptop, dict(laptop, allowed_ips=[]),
                                                dict(laptop, name='moly2', public_key=keys['moly'], allowed_ips=[])])
    assert errors == [
        "raspi: wireguard_extra_peers[1] (laptop) name 'laptop' is also the name of wireguard_extra_peers[0] (laptop)",
        'raspi: wireguard_extra_peers[1] (laptop) public_key is also the key of wireguard_extra_peers[0] (laptop)',
        'raspi: wireguard_extra_peers[2] (moly2) public_key is the key of the mesh site moly',
    ]


def test_without_mesh_the_mesh_checks_are_skipped(laptop):
    assert role_checks('raspi', {'wireguard_extra_peers': [dict(laptop, name='giant', allowed_ips=['10.0.1.0/24'])],
                                 'wireguard_loopback_aliases': [{'label': 'lo:1', 'address': '10.9.9.9/24'}]},
                       None) == []


@pytest.mark.parametrize('alias, expected', [
    ({'label': 'lo:10', 'address': '10.9.0.1/24'},
     'raspi: wireguard_loopback_aliases[0] (lo:10) address 10.9.0.1/24 is in none of the wireguard_client_networks '
     'of raspi (77.66.55.0/24): no peer would route to it'),
    ({'label': 'lo:10', 'address': '77.66.55.1'},
     "raspi: wireguard_loopback_aliases[0] (lo:10) address '77.66.55.1' is not an IP address with a prefix length "
     "(give the prefix length, e.g. 77.66.55.1/24)"),
    ({'label': 'lo:10', 'address': '77.66.55.1/255.255.255.0'},
     "raspi: wireguard_loopback_aliases[0] (lo:10) address '77.66.55.1/255.255.255.0' is not an IP address with a "
     "prefix length (write the prefix length: 77.66.55.1/24)"),
    ({'label': 'lo:10', 'address': 'lan'},
     "raspi: wireguard_loopback_aliases[0] (lo:10) address 'lan' is not an IP address with a prefix length"),
    ({'label': 'eth0:1', 'address': '77.66.55.1/24'},
     "raspi: wireguard_loopback_aliases[0] (eth0:1) label 'eth0:1' is not lo or lo:<name> of at most 15 characters"),
    ({'label': 'lo:0123456789abc', 'address': '77.66.55.1/24'}, 'of at most 15 characters'),
])
def test_loopback_alias_errors(mesh, alias, expected):
    errors = check(mesh, wireguard_loopback_aliases=[alias])
    assert len(errors) == 1 and errors[0].startswith(expected) if expected.startswith('raspi') \
        else expected in errors[0], errors


def test_dns_entries(mesh):
    assert check(mesh, wireguard_dns=['9.9.9.9', '1.1.1.300', '8.8.8.8:53']) == [
        "raspi: wireguard_dns[1] '1.1.1.300' is neither an IP address nor a search domain",
        "raspi: wireguard_dns[2] '8.8.8.8:53' is neither an IP address nor a search domain",
    ]


def test_exit_extra_sources(mesh):
    assert check(mesh, wireguard_exit_extra_sources=['192.168.50.0/24', 'lan', '192.168.0.0/255.255.0.0']) == [
        "raspi: wireguard_exit_extra_sources[1] 'lan' is not a valid CIDR network",
        "raspi: wireguard_exit_extra_sources[2] '192.168.0.0/255.255.0.0' is not a valid CIDR network "
        "(write the prefix length: 192.168.0.0/16)",
    ]


def test_two_extra_peers_claiming_one_network(mesh, laptop, keys):
    """WireGuard gives a network to the last peer that lists it: the first would lose it on every run."""
    tablet = dict(laptop, name='tablet', public_key=keys['tablet'], allowed_ips=['10.99.0.0/24', '172.16.1.10/32'])
    phone = dict(laptop, name='phone2', public_key=keys['a'], allowed_ips=['10.99.0.128/25'])
    assert check(mesh, wireguard_extra_peers=[laptop, tablet]) == [
        'raspi: wireguard_extra_peers[1] (tablet) allowed_ips entry 172.16.1.10/32 overlaps 172.16.1.10/32 '
        'of wireguard_extra_peers[0] (laptop) (a network belongs to one peer)']
    assert check(mesh, wireguard_extra_peers=[dict(laptop, allowed_ips=['10.99.0.0/24']), phone]) == [
        'raspi: wireguard_extra_peers[1] (phone2) allowed_ips entry 10.99.0.128/25 overlaps 10.99.0.0/24 '
        'of wireguard_extra_peers[0] (laptop) (a network belongs to one peer)']
    # one peer listing a network and a part of it is WireGuard's business (the longest prefix wins there)
    assert check(mesh, wireguard_extra_peers=[dict(laptop, allowed_ips=['10.99.0.0/24', '10.99.0.0/25'])]) == []


def test_timers_intervals_and_metrics_textfile(mesh):
    assert check(mesh, wireguard_watchdog_interval=30, wireguard_metrics_interval=1,
                 wireguard_metrics_textfile='/var/lib/prometheus/node-exporter/wireguard.prom') == []
    assert check(mesh, wireguard_metrics_textfile='') == []
    assert check(mesh, wireguard_watchdog_interval=0, wireguard_metrics_interval=90000,
                 wireguard_metrics_textfile='wireguard.prom') == [
        "raspi: wireguard_watchdog_interval 0 is not a number of seconds from 1 to 86400",
        "raspi: wireguard_metrics_interval 90000 is not a number of seconds from 1 to 86400",
        "raspi: wireguard_metrics_textfile 'wireguard.prom' is not an absolute file path (a node_exporter "
        "textfile, e.g. /var/lib/prometheus/node-exporter/wireguard.prom)"]
    assert len(check(mesh, wireguard_metrics_textfile='/var/lib/prometheus/')) == 1
    assert check(mesh, wireguard_reresolve_interval=60) == []
    assert check(mesh, wireguard_reresolve_interval=0) == [
        "raspi: wireguard_reresolve_interval 0 is not a number of seconds from 1 to 86400"]


def test_dns_is_refused_with_the_ifupdown_backend(mesh):
    assert check(mesh, wireguard_backend='ifupdown', wireguard_dns=[]) == []
    assert check(mesh, wireguard_backend='wg-quick', wireguard_dns=['9.9.9.9']) == []
    assert check(mesh, wireguard_backend='ifupdown', wireguard_dns=['9.9.9.9']) == [
        'raspi: wireguard_dns is not supported with wireguard_backend ifupdown (wg-quick sets it through '
        'resolvconf): leave it empty or use wg-quick']
