# -*- coding: utf-8 -*-
# Copyright (c) 2026, sitemesh.wireguard maintainers
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""mesh_validate: one test per error; each message names the host and the variable."""

from __future__ import annotations

import pytest

from ansible.errors import AnsibleFilterError
from ansible_collections.sitemesh.wireguard.plugins.filter.mesh_validate import mesh_validate

HOSTS = ['giant', 'moly', 'raspi']
NET = '172.16.1.0/24'


def errors_of(hostvars, hosts=None, public_keys=None, prefix='wireguard_'):
    """The error lines of mesh_validate (the first line of the message is a summary)."""
    with pytest.raises(AnsibleFilterError) as info:
        mesh_validate(hostvars, hosts or list(hostvars), public_keys, prefix=prefix)
    message = str(info.value.message)
    lines = message.splitlines()
    assert lines[0].startswith('mesh_validate: %d error(s)' % (len(lines) - 1))
    return lines[1:]


def only_error(hostvars, hosts=None, public_keys=None, prefix='wireguard_'):
    lines = errors_of(hostvars, hosts, public_keys, prefix)
    assert len(lines) == 1, lines
    return lines[0]


def test_the_guide_is_valid(guide, guide_no_exit, keys):
    assert mesh_validate(guide, HOSTS, keys) is True
    assert mesh_validate(guide_no_exit, HOSTS) is True
    assert mesh_validate(guide, HOSTS, {}) is True  # keys are made later in the play
    assert mesh_validate({}, []) is True


# ------------------------------------------------------------------------- addresses and networks


def test_address_outside_network(guide):
    guide['giant']['wireguard_address'] = '172.16.2.1'
    assert only_error(guide) == "giant: wireguard_address '172.16.2.1' is outside wireguard_network 172.16.1.0/24"


def test_missing_address(guide):
    del guide['moly']['wireguard_address']
    assert only_error(guide) == 'moly: wireguard_address is not set'


def test_host_without_any_variables(guide):
    error = only_error(guide, HOSTS + ['ghost'])
    assert error.startswith('ghost: wireguard_address is not set (the host has no variables at all')


@pytest.mark.parametrize('value, hint', [
    ('172.16.1.300', ''),
    ('giant.example.org', ''),
    ('172.16.1.1/24', ' (give the address without a prefix length)'),
    ('fd00::1', ''),
])
def test_invalid_address(guide, value, hint):
    guide['giant']['wireguard_address'] = value
    error = only_error(guide)
    assert error.startswith("giant: wireguard_address '%s' is not " % value)
    assert error.endswith(hint)


@pytest.mark.parametrize('value', ['172.16.1.0/33', '172.16.1.0/abc', 'nonsense', 'fd00::/64'])
def test_invalid_network(guide, value):
    guide['raspi']['wireguard_network'] = value
    assert only_error(guide).startswith("raspi: wireguard_network '%s' is not a valid" % value) or \
        only_error(guide).startswith('raspi: wireguard_network %s is not an IPv4 network' % value)


def test_network_with_host_bits(guide):
    for host in HOSTS:
        guide[host]['wireguard_network'] = '172.16.1.1/24'
    lines = errors_of(guide)
    assert lines[0] == ("giant: wireguard_network '172.16.1.1/24' is not a valid CIDR network "
                        "(host bits set: did you mean 172.16.1.0/24?)")
    assert len(lines) == 3


def test_networks_differ(guide):
    guide['raspi']['wireguard_network'] = '172.16.0.0/16'
    assert only_error(guide) == ('raspi: wireguard_network 172.16.0.0/16 differs from 172.16.1.0/24 on giant '
                                 '(all sites share one tunnel network)')


def test_duplicate_address(guide):
    guide['raspi']['wireguard_address'] = '172.16.1.1'
    assert only_error(guide) == "raspi: wireguard_address '172.16.1.1' is already used by giant"


def test_ipv6_address_outside_network6(guide):
    for index, host in enumerate(HOSTS, start=1):
        guide[host]['wireguard_network6'] = 'fd00:16::/64'
        guide[host]['wireguard_address6'] = 'fd00:16::%d' % index
    guide['moly']['wireguard_address6'] = 'fd00:17::2'
    assert only_error(guide) == "moly: wireguard_address6 'fd00:17::2' is outside wireguard_network6 fd00:16::/64"


def test_ipv6_duplicate_address(guide):
    for host in HOSTS:
        guide[host]['wireguard_network6'] = 'fd00:16::/64'
        guide[host]['wireguard_address6'] = 'fd00:16::1'
    lines = errors_of(guide)
    assert lines == ["moly: wireguard_address6 'fd00:16::1' is already used by giant",
                     "raspi: wireguard_address6 'fd00:16::1' is already used by giant"]


def test_address6_without_network6(guide):
    guide['giant']['wireguard_address6'] = 'fd00:16::1'
    assert only_error(guide) == 'giant: wireguard_address6 is set but wireguard_network6 is not'


def test_address6_must_be_ipv6(guide):
    guide['giant']['wireguard_address6'] = '172.16.1.1'
    guide['giant']['wireguard_network6'] = 'fd00:16::/64'
    assert only_error(guide) == "giant: wireguard_address6 '172.16.1.1' is not an IPv6 address"


# ------------------------------------------------------------------------- client networks


def test_invalid_client_network(guide):
    guide['raspi']['wireguard_client_networks'] = ['77.66.55.0/24', '10.0.3.0/33']
    assert only_error(guide) == "raspi: wireguard_client_networks entry '10.0.3.0/33' is not a valid CIDR network"


def test_client_network_with_host_bits(guide):
    guide['raspi']['wireguard_client_networks'] = ['77.66.55.1/24']
    assert only_error(guide) == ("raspi: wireguard_client_networks entry '77.66.55.1/24' is not a valid CIDR "
                                 "network (host bits set: did you mean 77.66.55.0/24?)")


def test_client_networks_must_be_a_list(guide):
    guide['raspi']['wireguard_client_networks'] = '77.66.55.0/24'
    assert only_error(guide).startswith('raspi: wireguard_client_networks must be a list of CIDR networks')


def test_client_networks_overlap_within_a_host(guide):
    guide['giant']['wireguard_client_networks'] = ['10.0.1.0/24', '10.0.1.128/25']
    assert only_error(guide) == ('giant: wireguard_client_networks entry 10.0.1.128/25 overlaps 10.0.1.0/24, '
                                 'also in wireguard_client_networks of giant')


def test_client_networks_overlap_across_hosts(guide):
    guide['raspi']['wireguard_client_networks'] = ['10.0.0.0/16']
    assert errors_of(guide) == [
        'giant: wireguard_client_networks entry 10.0.1.0/24 overlaps 10.0.0.0/16 in wireguard_client_networks of raspi',
        'moly: wireguard_client_networks entry 10.0.2.0/24 overlaps 10.0.0.0/16 in wireguard_client_networks of raspi',
    ]


def test_client_network_overlaps_tunnel_network(guide):
    guide['raspi']['wireguard_client_networks'] = ['172.16.0.0/16']
    assert only_error(guide) == ('raspi: wireguard_client_networks entry 172.16.0.0/16 overlaps the tunnel network '
                                 'wireguard_network 172.16.1.0/24')


def test_ipv6_client_networks_overlap(guide):
    guide['giant']['wireguard_client_networks'] = ['2001:db8::/48']
    guide['moly']['wireguard_client_networks'] = ['2001:db8:0:1::/64']
    assert only_error(guide) == ('moly: wireguard_client_networks entry 2001:db8:0:1::/64 overlaps 2001:db8::/48 '
                                 'in wireguard_client_networks of giant')


def test_ipv4_and_ipv6_do_not_overlap(guide):
    guide['giant']['wireguard_client_networks'] = ['0.0.0.0/8']
    guide['moly']['wireguard_client_networks'] = ['::/8']
    assert mesh_validate(guide, HOSTS) is True


# ------------------------------------------------------------------------- port, endpoint, keepalive


@pytest.mark.parametrize('value', [0, 65536, -1, 'abc', '55 55', True, 5555.5, ['5555']])
def test_invalid_port(guide, value):
    guide['moly']['wireguard_port'] = value
    assert only_error(guide) == ('moly: wireguard_port %r is not a port number (an integer from 1 to 65535)'
                                 % (value,))


@pytest.mark.parametrize('value', ['5555', 65535, 1])
def test_valid_port(guide, value):
    guide['moly']['wireguard_port'] = value
    assert mesh_validate(guide, HOSTS) is True


@pytest.mark.parametrize('value', ['192.168.1.162:5555', 'bad_name.example.org', '300.1.1.1', 'a..b', 42,
                                   '[2001:db8::1]:5555'])
def test_invalid_endpoint(guide, value):
    guide['moly']['wireguard_endpoint'] = value
    assert only_error(guide).startswith('moly: wireguard_endpoint %r ' % (value,))


@pytest.mark.parametrize('value', ['vpn.example.org', 'moly', '2001:db8::1', '[2001:db8::1]', '192.168.1.162'])
def test_valid_endpoint(guide, value):
    guide['moly']['wireguard_endpoint'] = value
    assert mesh_validate(guide, HOSTS) is True


@pytest.mark.parametrize('value', [-1, 65536, 'often'])
def test_invalid_keepalive(guide, value):
    guide['giant']['wireguard_persistent_keepalive'] = value
    assert only_error(guide) == ('giant: wireguard_persistent_keepalive %r is not an integer from 0 to 65535'
                                 % (value,))


# ------------------------------------------------------------------------- public keys


def test_malformed_public_key_in_inventory(guide, keys):
    guide['raspi']['wireguard_public_key'] = keys['raspi'][:-2] + '=='
    error = only_error(guide, public_keys={})
    assert error.startswith('raspi: wireguard_public_key is not')


@pytest.mark.parametrize('value', ['', 'short', 'A' * 44, 'A' * 43 + '=' + 'A', 'AAAA' * 8, 42])
def test_malformed_public_key_in_store(guide, keys, value):
    store = dict(keys, moly=value)
    if value == '':
        assert mesh_validate(guide, HOSTS, store) is True  # an empty entry is a missing key, not a bad one
        return
    assert only_error(guide, public_keys=store).startswith("moly: public_keys['moly'] ")


def test_public_key_in_inventory_differs_from_store(guide, keys, make_key):
    guide['giant']['wireguard_public_key'] = make_key()
    assert only_error(guide, public_keys=keys) == ("giant: wireguard_public_key differs from public_keys['giant'], "
                                                   "the key made on the host")


def test_store_entries_of_other_hosts_are_ignored(guide, keys):
    assert mesh_validate(guide, HOSTS, dict(keys, web='not a key')) is True


# ------------------------------------------------------------------------- exits


def test_unknown_exit(guide):
    guide['giant']['wireguard_exit'] = 'molly'
    assert only_error(guide) == "giant: wireguard_exit 'molly' is not a host of the mesh group"


def test_exit_outside_the_group(guide):
    guide['web'] = {'wireguard_address': '172.16.1.9', 'wireguard_network': NET}
    guide['giant']['wireguard_exit'] = 'web'
    assert only_error(guide, HOSTS) == "giant: wireguard_exit 'web' is not a host of the mesh group"


def test_exit_that_uses_an_exit(guide):
    guide['moly']['wireguard_exit'] = 'raspi'
    assert errors_of(guide) == [
        "giant: wireguard_exit 'moly' itself uses wireguard_exit 'raspi' (exits do not chain)",
        "moly: wireguard_exit 'raspi' itself uses wireguard_exit 'moly' (exits do not chain)",
        "raspi: wireguard_exit 'moly' itself uses wireguard_exit 'raspi' (exits do not chain)",
    ]


def test_two_exits_for_one_client(guide):
    guide['giant']['wireguard_exit'] = ['moly', 'raspi']
    assert only_error(guide) == ('giant: wireguard_exit lists moly, raspi: two exits for one client '
                                 '(a site has at most one exit)')


def test_exit_as_a_list_of_one(guide, keys):
    guide['giant']['wireguard_exit'] = ['moly']
    assert mesh_validate(guide, HOSTS) is True


def test_exit_must_be_a_name(guide):
    guide['giant']['wireguard_exit'] = {'host': 'moly'}
    assert only_error(guide).startswith('giant: wireguard_exit ')


def test_exit_that_is_a_spoke(guide):
    guide['phone'] = {'wireguard_address': '172.16.1.4', 'wireguard_network': NET, 'wireguard_hub': 'moly'}
    guide['giant']['wireguard_exit'] = 'phone'
    assert only_error(guide) == ("giant: wireguard_exit 'phone' itself uses wireguard_hub 'moly' "
                                 "(an exit must be reachable directly, not a spoke)")


def test_spoke_whose_exit_it_cannot_reach(guide_no_exit):
    guide_no_exit['phone'] = {'wireguard_address': '172.16.1.4', 'wireguard_network': NET,
                              'wireguard_hub': 'moly', 'wireguard_exit': 'giant'}
    assert only_error(guide_no_exit) == (
        "phone: wireguard_exit 'giant' is not reachable from a spoke: its traffic leaves through wireguard_hub "
        "'moly', whose exit is none (use wireguard_exit: moly, or give moly the same exit)")


# ------------------------------------------------------------------------- hubs


def test_unknown_hub(guide):
    guide['phone'] = {'wireguard_address': '172.16.1.4', 'wireguard_network': NET, 'wireguard_hub': 'mole'}
    assert only_error(guide) == "phone: wireguard_hub 'mole' is not a host of the mesh group"


def test_hub_without_endpoint(guide):
    guide['phone'] = {'wireguard_address': '172.16.1.4', 'wireguard_network': NET, 'wireguard_hub': 'moly'}
    del guide['moly']['wireguard_endpoint']
    assert only_error(guide) == "phone: wireguard_hub 'moly' has no wireguard_endpoint (a hub must be reachable)"


def test_hub_that_has_a_hub(guide):
    guide['phone'] = {'wireguard_address': '172.16.1.4', 'wireguard_network': NET, 'wireguard_hub': 'raspi'}
    guide['raspi']['wireguard_hub'] = 'moly'
    guide['raspi']['wireguard_exit'] = 'moly'
    assert only_error(guide) == "phone: wireguard_hub 'raspi' itself uses wireguard_hub 'moly' (hubs do not chain)"


def test_hub_is_the_host_itself(guide):
    guide['moly']['wireguard_hub'] = 'moly'
    assert only_error(guide) == "moly: wireguard_hub 'moly' names the host itself"


def test_two_sites_that_can_never_meet(guide):
    for index, name in ((4, 'phone'), (5, 'tablet')):
        guide[name] = {'wireguard_address': '172.16.1.%d' % index, 'wireguard_network': NET}
    assert errors_of(guide) == [
        'phone: neither wireguard_endpoint nor wireguard_hub is set, as on tablet: these sites can never reach '
        'each other (give one an endpoint, or set wireguard_hub)',
        'tablet: neither wireguard_endpoint nor wireguard_hub is set, as on phone: these sites can never reach '
        'each other (give one an endpoint, or set wireguard_hub)',
    ]
    guide['tablet']['wireguard_hub'] = 'moly'
    assert mesh_validate(guide, list(guide)) is True


# ------------------------------------------------------------------------- all at once, templating, prefix


def test_every_error_is_listed(guide):
    guide['giant']['wireguard_address'] = '172.16.2.1'
    guide['moly']['wireguard_port'] = 0
    guide['raspi']['wireguard_exit'] = 'nowhere'
    guide['raspi']['wireguard_client_networks'] = ['10.0.1.0/24']
    assert sorted(errors_of(guide)) == [
        "giant: wireguard_address '172.16.2.1' is outside wireguard_network 172.16.1.0/24",
        'moly: wireguard_port 0 is not a port number (an integer from 1 to 65535)',
        'raspi: wireguard_client_networks entry 10.0.1.0/24 overlaps 10.0.1.0/24 in wireguard_client_networks of giant',
        "raspi: wireguard_exit 'nowhere' is not a host of the mesh group",
    ]


class Exploding(dict):
    """A host's variables where one value fails to template, as Ansible's lazy hostvars do."""

    def __getitem__(self, key):
        if key == 'wireguard_endpoint':
            raise ValueError("'moly_public_ip' is undefined")
        return dict.__getitem__(self, key)

    def get(self, key, default=None):
        try:
            return self[key]
        except KeyError:
            return default


def test_templating_error_names_host_and_variable(guide):
    guide['moly'] = Exploding(guide['moly'])
    assert only_error(guide) == "moly: wireguard_endpoint cannot be evaluated: 'moly_public_ip' is undefined"


def test_prefix_is_used_in_messages(guide):
    hostvars = {host: {key.replace('wireguard_', 'wg2_'): value for key, value in guide[host].items()}
                for host in HOSTS}
    assert mesh_validate(hostvars, HOSTS, prefix='wg2_') is True
    hostvars['giant']['wg2_address'] = '172.16.2.1'
    assert only_error(hostvars, prefix='wg2_') == "giant: wg2_address '172.16.2.1' is outside wg2_network 172.16.1.0/24"
    # the wireguard_ variables of the same hosts are not looked at by the wg2_ mesh
    for host in HOSTS:
        hostvars[host]['wireguard_address'] = 'garbage'
    hostvars['giant']['wg2_address'] = '172.16.1.1'
    assert mesh_validate(hostvars, HOSTS, prefix='wg2_') is True


@pytest.mark.parametrize('args, message', [
    (('not hostvars', HOSTS), 'the input must be hostvars'),
    (({}, 'giant'), 'hosts must be a list'),
    (({}, HOSTS, ['key']), 'public_keys must be a mapping'),
    (({}, HOSTS, None, ''), 'prefix must be a non-empty string'),
])
def test_bad_arguments(args, message):
    with pytest.raises(AnsibleFilterError, match=message):
        mesh_validate(*args)


def test_many_sites_that_can_never_meet_are_named_briefly():
    hostvars = {'s%d' % i: {'wireguard_address': '10.1.0.%d' % i, 'wireguard_network': '10.1.0.0/24'}
                for i in range(1, 9)}
    lines = errors_of(hostvars)
    assert len(lines) == 8
    assert lines[0].startswith('s1: neither wireguard_endpoint nor wireguard_hub is set, as on s2, s3, s4, s5, s6 '
                               'and 2 more:')
    assert lines[7].startswith('s8: neither wireguard_endpoint nor wireguard_hub is set, as on s1, s2, s3, s4, s5 '
                               'and 2 more:')


def test_large_mesh_errors_stay_linear():
    """1,000 sites without endpoint: one line each, quickly."""
    import time
    hostvars = {'s%d' % i: {'wireguard_address': '10.1.%d.%d' % (i // 250, i % 250 + 1),
                            'wireguard_network': '10.1.0.0/16'} for i in range(1000)}
    start = time.perf_counter()
    lines = errors_of(hostvars)
    assert len(lines) == 1000
    assert time.perf_counter() - start < 1.0
