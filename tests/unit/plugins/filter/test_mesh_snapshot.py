# -*- coding: utf-8 -*-
# Copyright (c) 2026, sitemesh.wireguard maintainers
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The mesh parsed once per run (wg_mesh scope=mesh) gives every site the same model as parsing hostvars.

For each mesh shape of the filter tests (the guide with and without exit, hub and spoke, dual stack with an
IPv6 endpoint, an exit without IPv6, a second prefix, missing keys, road warrior pools on a site without and with
an exit), every site's model computed from ``load(dump(...))`` equals ``host_config`` over the hostvars, the
role checks see the same mesh, and the registered road warriors give each site the same peers. Keys written
to the store after the validation are applied with the parsing's rule; another mesh's snapshot is refused.
"""

from __future__ import annotations

import copy
import json

import pytest

from ansible_collections.sitemesh.wireguard.plugins.module_utils._mesh_parse import MeshError
from ansible_collections.sitemesh.wireguard.plugins.module_utils._roadwarrior import registry_peers
from ansible_collections.sitemesh.wireguard.plugins.module_utils._mesh_rules import validated_mesh
from ansible_collections.sitemesh.wireguard.plugins.module_utils._mesh_snapshot import (
    COLD,
    FORMAT,
    HOT,
    compact,
    dump,
    load,
    site_from,
    with_keys,
)
from ansible_collections.sitemesh.wireguard.plugins.module_utils._mesh_topology import host_config, site_model
from ansible_collections.sitemesh.wireguard.plugins.module_utils._role_checks import role_checks

from conftest import guide_hostvars  # noqa: I100  (tests/unit/plugins/filter/conftest.py)


def _key(hosts, prefix='wireguard_'):
    return {'group': 'wireguard', 'prefix': prefix, 'hosts': list(hosts)}


def _shapes(keys):
    """(name, hostvars, hosts, public keys, prefix) of every mesh shape."""
    guide = guide_hostvars(exit_=True)
    hub = guide_hostvars(exit_=False)
    hub['phone'] = {'wireguard_network': '172.16.1.0/24', 'wireguard_address': '172.16.1.4', 'wireguard_hub': 'moly'}
    hub['tablet'] = {'wireguard_network': '172.16.1.0/24', 'wireguard_address': '172.16.1.5', 'wireguard_hub': 'moly',
                     'wireguard_client_networks': ['10.9.0.0/24']}
    dual = guide_hostvars(exit_=True)
    for index, host in enumerate(('giant', 'moly', 'raspi'), start=1):
        dual[host].update(wireguard_network6='fd00:16::/64', wireguard_address6='fd00:16::%d' % index)
    dual['moly']['wireguard_endpoint'] = '2001:db8::162'
    dual['raspi']['wireguard_client_networks'] = ['77.66.55.0/24', '2001:db8:77::/48']
    no_v6_exit = copy.deepcopy(dual)
    del no_v6_exit['moly']['wireguard_address6'], no_v6_exit['moly']['wireguard_network6']
    no_v6_exit['giant']['wireguard_persistent_keepalive'] = 0
    no_v6_exit['raspi']['wireguard_persistent_keepalive'] = 10
    second = {
        'a': {'wg2_address': '10.8.0.1', 'wg2_network': '10.8.0.0/24', 'wg2_endpoint': '192.0.2.1', 'wg2_port': 51821},
        'b': {'wg2_address': '10.8.0.2', 'wg2_network': '10.8.0.0/24', 'wg2_endpoint': '192.0.2.2', 'wg2_port': '51821',
              'wg2_public_key': keys['b']},
        'c': {'wg2_address': '10.8.0.3', 'wg2_network': '10.8.0.0/24'},
    }
    some_keys = {name: keys[name] for name in ('giant', 'raspi')}
    pools = guide_hostvars(exit_=True)
    pools['moly']['wireguard_roadwarrior_pool'] = '10.0.9.0/24'     # the exit: it masquerades its pool
    pools['giant']['wireguard_roadwarrior_pool'] = '10.0.8.0/28'    # through its exit moly, which masquerades it
    return [
        ('guide', guide, ['giant', 'moly', 'raspi'], keys, 'wireguard_'),
        ('guide, keys missing', guide, ['giant', 'moly', 'raspi'], some_keys, 'wireguard_'),
        ('hub and spokes', hub, ['giant', 'moly', 'raspi', 'phone', 'tablet'], keys, 'wireguard_'),
        ('dual stack', dual, ['giant', 'moly', 'raspi'], keys, 'wireguard_'),
        ('exit without IPv6', no_v6_exit, ['giant', 'moly', 'raspi'], keys, 'wireguard_'),
        ('second prefix, key in the inventory', second, ['a', 'b', 'c'], {'a': keys['a']}, 'wg2_'),
        ('road warrior pools', pools, ['giant', 'moly', 'raspi'], keys, 'wireguard_'),
    ]


def _snapshot(hostvars, hosts, keys, prefix):
    mesh, _notes = validated_mesh(hostvars, hosts, keys, prefix)
    return dump(mesh, _key(hosts, prefix), keys, {'store': 1})


def test_every_site_gets_the_model_it_gets_from_hostvars(keys):
    for name, hostvars, hosts, public_keys, prefix in _shapes(keys):
        text = _snapshot(hostvars, hosts, public_keys, prefix)
        json.loads(text)  # one JSON text, as a registered result carries it
        mesh = load(text, _key(hosts, prefix))
        assert mesh is not None, name
        assert mesh.keys == public_keys and mesh.extra == {'store': 1}, name
        for host in hosts:
            assert site_model(mesh, host) == host_config(hostvars, host, hosts, public_keys, prefix), (name, host)


def test_the_pools_and_the_registered_devices_are_the_same_from_the_snapshot(keys, make_key):
    name, hostvars, hosts, public_keys, prefix = _shapes(keys)[-1]
    mesh = load(_snapshot(hostvars, hosts, public_keys, prefix), _key(hosts, prefix))
    # control: the pools reach the models (else the comparison above would prove nothing about them)
    moly, giant, raspi = (site_model(mesh, host) for host in ('moly', 'giant', 'raspi'))
    assert '10.0.9.0/24' in moly['masquerade_sources'] and '10.0.8.0/28' in moly['masquerade_sources'], name
    assert giant['forwarding'] and '10.0.8.0/28' not in giant['masquerade_sources']
    assert [p['allowed_ips'] for p in raspi['peers'] if p['name'] == 'giant'] == [['10.0.1.0/24', '10.0.8.0/28',
                                                                                  '172.16.1.1/32']]
    devices = {
        'alice-phone': {'via': 'moly', 'address': '10.0.9.1', 'public_key': make_key()},
        'bob-laptop': {'via': 'giant', 'address': '10.0.8.14', 'public_key': make_key()},
        'carol-tablet': {'via': 'moly', 'address': '10.0.9.2', 'public_key': make_key()},
    }
    from_hostvars, _notes = validated_mesh(hostvars, hosts, public_keys, prefix)
    for host in hosts:
        assert registry_peers(devices, mesh, host) == registry_peers(devices, from_hostvars, host), host
    assert [p['name'] for p in registry_peers(devices, mesh, 'moly')] == ['alice-phone', 'carol-tablet']
    assert registry_peers(devices, mesh, 'giant')[0]['allowed_ips'] == ['10.0.8.14/32']
    assert registry_peers(devices, mesh, 'raspi') == []
    # a device outside its site's pool is refused from the snapshot as from hostvars
    outside = {'dave': dict(devices['bob-laptop'], address='10.0.8.15')}   # the pool's broadcast is inside it
    assert registry_peers(outside, mesh, 'giant') == registry_peers(outside, from_hostvars, 'giant')
    outside = {'dave': dict(devices['bob-laptop'], address='10.0.9.3')}
    for parsed in (mesh, from_hostvars):
        with pytest.raises(MeshError, match="outside giant's wireguard_roadwarrior_pool 10.0.8.0/28"):
            registry_peers(outside, parsed, 'giant')


def test_the_role_checks_see_the_same_mesh(keys):
    hostvars = guide_hostvars(exit_=True)
    hosts = ['giant', 'moly', 'raspi']
    mesh = load(_snapshot(hostvars, hosts, keys, 'wireguard_'), _key(hosts))
    values = {
        'wireguard_extra_peers': [
            {'name': 'moly', 'public_key': keys['moly'], 'allowed_ips': ['10.0.2.0/25']},
            {'name': 'laptop', 'public_key': keys['raspi'], 'allowed_ips': ['0.0.0.0/0']},
        ],
        'wireguard_loopback_aliases': [{'label': 'lo:10', 'address': '10.0.2.1/24'}],
    }
    from_hostvars, _model = validated_mesh(hostvars, hosts, keys)
    expected = role_checks('giant', values, from_hostvars)
    assert len(expected) >= 4, expected  # a site name, a site's key, a default route toward the exit, an alias
    assert role_checks('giant', values, mesh) == expected


def test_another_mesh_or_format_is_refused(keys):
    hostvars = guide_hostvars(exit_=True)
    hosts = ['giant', 'moly', 'raspi']
    text = _snapshot(hostvars, hosts, keys, 'wireguard_')
    assert load(text, _key(hosts)) is not None
    assert load(text, _key(['giant', 'moly'])) is None                      # another group content
    assert load(text, _key(hosts, prefix='wg2_')) is None                    # another prefix
    assert load(text, dict(_key(hosts), group='other')) is None              # another group
    assert load(text.replace('"format":%d' % FORMAT, '"format":0'), _key(hosts)) is None
    assert load('', _key(hosts)) is None and load(None, _key(hosts)) is None and load('{', _key(hosts)) is None


def test_keys_written_after_the_validation_are_applied(keys, make_key):
    hostvars = guide_hostvars(exit_=True)
    hosts = ['giant', 'moly', 'raspi']
    before = {'giant': keys['giant']}                     # the first run: moly and raspi have no key yet
    text = _snapshot(hostvars, hosts, before, 'wireguard_')
    after = dict(keys, giant=make_key())                  # keys made in the run, giant rekeyed
    mesh = with_keys(load(text, _key(hosts)), after)
    for host in hosts:
        assert site_model(mesh, host) == host_config(hostvars, host, hosts, after), host
    assert site_model(mesh, 'moly')['missing_public_keys'] == []
    # a key that leaves the store: the site is missing again, as from hostvars
    fewer = {'giant': after['giant']}
    mesh = with_keys(load(text, _key(hosts)), fewer)
    assert site_model(mesh, 'giant') == host_config(hostvars, 'giant', hosts, fewer)
    assert site_model(mesh, 'giant')['missing_public_keys'] == ['moly', 'raspi']


def test_a_stored_key_against_the_inventory_key_is_an_error(keys, make_key):
    hostvars = guide_hostvars(exit_=True)
    hostvars['raspi']['wireguard_public_key'] = keys['raspi']
    hosts = ['giant', 'moly', 'raspi']
    text = _snapshot(hostvars, hosts, {}, 'wireguard_')
    same = with_keys(load(text, _key(hosts)), {'raspi': keys['raspi']})
    assert site_model(same, 'giant') == host_config(hostvars, 'giant', hosts, {'raspi': keys['raspi']})
    with pytest.raises(MeshError) as err:
        with_keys(load(text, _key(hosts)), {'raspi': make_key()})
    assert "raspi: wireguard_public_key differs from public_keys['raspi']" in str(err.value)
    with pytest.raises(MeshError) as err:
        with_keys(load(text, _key(hosts)), {'moly': 'not a key'})
    assert str(err.value).splitlines()[1].startswith("moly: public_keys['moly'] ")


def test_a_site_decodes_its_rarely_read_columns_only_when_read(keys):
    """The model of one site reads the HOT columns of every site, the COLD ones of itself and its exit only."""
    hostvars = guide_hostvars(exit_=True)
    hosts = ['giant', 'moly', 'raspi']
    mesh = load(_snapshot(hostvars, hosts, keys, 'wireguard_'), _key(hosts))
    assert all('cold' in mesh.sites[name].__dict__ for name in hosts)
    assert site_model(mesh, 'raspi') == host_config(hostvars, 'raspi', hosts, keys)
    decoded = [name for name in hosts if 'cold' not in mesh.sites[name].__dict__]
    assert decoded == ['moly', 'raspi'], decoded   # raspi itself, and moly: its exit (does it do IPv6?)
    giant = mesh.sites['giant']
    assert giant.address == (4, giant.address[1], '172.16.1.1') and 'cold' not in giant.__dict__
    assert set(COLD) <= set(giant.__dict__) and set(HOT) <= set(giant.__dict__)


def test_the_snapshot_takes_more_members_and_refuses_other_columns(keys):
    """Extensible: a member a later feature adds (e.g. road warriors) does not stop this reader; a row whose
    columns are not the ones this reader knows is refused (the caller then reads hostvars)."""
    hostvars = guide_hostvars(exit_=True)
    hosts = ['giant', 'moly', 'raspi']
    data = json.loads(_snapshot(hostvars, hosts, keys, 'wireguard_'))
    data['roadwarrior_pool'] = {'network': '10.99.0.0/24', 'devices': ['phone']}
    mesh = load(json.dumps(data), _key(hosts))
    assert mesh is not None and site_model(mesh, 'giant') == host_config(hostvars, 'giant', hosts, keys)
    assert load(json.dumps(dict(data, cold=data['cold'] + ['roadwarrior'])), _key(hosts)) is None
    assert load(json.dumps(dict(data, hot=data['hot'][:-1])), _key(hosts)) is None


def test_a_site_in_a_run_returns_its_peers_as_one_json_text(keys):
    """What wg_mesh registers: the model with its peers as one JSON text that decodes to mesh_host's peers."""
    hostvars = guide_hostvars(exit_=True)
    hosts = ['giant', 'moly', 'raspi']
    text = _snapshot(hostvars, hosts, keys, 'wireguard_')
    for host in hosts:
        _mesh, model, _keys = site_from(text, _key(hosts), host, lambda mesh: mesh.keys)
        registered = compact(model)
        assert isinstance(registered['peers'], str)
        assert dict(registered, peers=json.loads(registered['peers'])) == host_config(hostvars, host, hosts, keys)
        assert model['peers'] and isinstance(model['peers'], list)   # the model itself is left as it was
