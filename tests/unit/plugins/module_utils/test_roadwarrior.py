# -*- coding: utf-8 -*-
# Copyright (c) 2026, sitemesh.wireguard maintainers
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Road warriors: the pool in the mesh model, address allocation, the device's config, the registry, and the
QR code decoded back by the real ``zbarimg`` (Debian: zbar-tools) equal to the config byte for byte."""

from __future__ import annotations

import base64
import shutil
import subprocess

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey

from ansible_collections.sitemesh.wireguard.plugins.module_utils import _roadwarrior as rw
from ansible_collections.sitemesh.wireguard.plugins.module_utils._mesh_parse import MeshError, parse_net
from ansible_collections.sitemesh.wireguard.plugins.module_utils._mesh_rules import validate_mesh
from ansible_collections.sitemesh.wireguard.plugins.module_utils._mesh_topology import host_config, host_model


def _pair():
    key = X25519PrivateKey.generate()
    raw = key.private_bytes(serialization.Encoding.Raw, serialization.PrivateFormat.Raw, serialization.NoEncryption())
    pub = key.public_key().public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    return base64.b64encode(raw).decode(), base64.b64encode(pub).decode()


def _guide(pool='10.0.9.0/24', exit_on_raspi=False):
    common = {'wireguard_network': '172.16.1.0/24', 'wireguard_port': 5555}
    hostvars = {
        'giant': dict(common, wireguard_address='172.16.1.1', wireguard_endpoint='192.168.1.161',
                      wireguard_client_networks=['10.0.1.0/24'], wireguard_exit='moly'),
        'moly': dict(common, wireguard_address='172.16.1.2', wireguard_endpoint='192.168.1.162',
                     wireguard_client_networks=['10.0.2.0/24'], wireguard_roadwarrior_pool=pool),
        'raspi': dict(common, wireguard_address='172.16.1.3', wireguard_endpoint='192.168.1.200',
                      wireguard_client_networks=['77.66.55.0/24']),
    }
    if exit_on_raspi:
        hostvars['raspi']['wireguard_exit'] = 'moly'
    return hostvars


HOSTS = ['giant', 'moly', 'raspi']


@pytest.fixture
def keys():
    """The public key store of the three sites (fresh keys)."""
    return {host: _pair()[1] for host in HOSTS}


# ------------------------------------------------------------------------------- the pool in the mesh model

def test_the_pool_is_routed_toward_its_site_forwarded_and_masqueraded(keys):
    hostvars = _guide()
    raspi = host_config(hostvars, 'raspi', HOSTS, keys)
    toward_moly = [p for p in raspi['peers'] if p['name'] == 'moly'][0]
    assert toward_moly['allowed_ips'] == ['10.0.2.0/24', '10.0.9.0/24', '172.16.1.2/32']
    moly = host_config(hostvars, 'moly', HOSTS, keys)
    assert moly['forwarding'] is True
    # moly has no exit: its devices leave through it, so it masquerades the pool besides giant (its client)
    assert moly['masquerade_sources'] == ['10.0.1.0/24', '10.0.9.0/24', '172.16.1.1/32']


def test_a_site_with_a_pool_and_an_exit_leaves_the_masquerade_to_its_exit(keys):
    hostvars = _guide()
    hostvars['moly'].pop('wireguard_roadwarrior_pool')
    hostvars['raspi']['wireguard_roadwarrior_pool'] = '10.0.9.0/24'
    hostvars['raspi']['wireguard_exit'] = 'moly'
    raspi = host_config(hostvars, 'raspi', HOSTS, keys)
    moly = host_config(hostvars, 'moly', HOSTS, keys)
    assert raspi['forwarding'] is True and raspi['masquerade_sources'] == []
    assert '10.0.9.0/24' in moly['masquerade_sources']


@pytest.mark.parametrize('pool, line', [
    ('10.0.2.128/25', 'moly: wireguard_roadwarrior_pool 10.0.2.128/25 overlaps 10.0.2.0/24, also in '
                      'wireguard_client_networks of moly'),
    ('10.0.1.0/24', 'moly: wireguard_roadwarrior_pool 10.0.1.0/24 overlaps 10.0.1.0/24 in wireguard_client_networks of giant'),
    ('172.16.1.128/25', 'moly: wireguard_roadwarrior_pool 172.16.1.128/25 overlaps the tunnel network wireguard_network '
                        '172.16.1.0/24'),
    ('10.0.9.1/24', "moly: wireguard_roadwarrior_pool '10.0.9.1/24' is not a valid CIDR network"),
    ('fd00::/64', 'moly: wireguard_roadwarrior_pool fd00::/64 is not an IPv4 network'),
])
def test_a_bad_pool_is_refused_like_a_client_network(pool, line):
    with pytest.raises(MeshError) as err:
        validate_mesh(_guide(pool), HOSTS)
    assert line in str(err.value)


def test_a_pool_needs_an_endpoint():
    hostvars = _guide()
    hostvars['moly'].pop('wireguard_endpoint')
    with pytest.raises(MeshError, match='moly: wireguard_roadwarrior_pool is set but wireguard_endpoint is not'):
        validate_mesh(hostvars, HOSTS)


# ------------------------------------------------------------------------------------------ allocation

def test_addresses_are_the_lowest_free_and_a_device_keeps_its_own():
    pool = parse_net('10.0.9.0/29')
    devices = {}
    for name in ('a', 'b', 'c'):
        devices[name] = {'via': 'moly', 'address': rw.allocate(pool, devices, name, 'moly'), 'public_key': ''}
    assert [devices[n]['address'] for n in 'abc'] == ['10.0.9.1', '10.0.9.2', '10.0.9.3']
    assert rw.allocate(pool, devices, 'b', 'moly') == '10.0.9.2'
    del devices['b']
    assert rw.allocate(pool, devices, 'd', 'moly') == '10.0.9.2'  # freed, given again
    devices['d'] = {'via': 'moly', 'address': '10.0.9.2', 'public_key': ''}
    assert rw.allocate(pool, devices, 'e', 'moly') == '10.0.9.4'


def test_network_and_broadcast_addresses_are_never_given_and_a_full_pool_is_refused():
    pool = parse_net('10.0.9.0/30')
    devices = {'a': {'via': 'moly', 'address': rw.allocate(pool, {}, 'a', 'moly')}}
    devices['b'] = {'via': 'moly', 'address': rw.allocate(pool, devices, 'b', 'moly')}
    assert [d['address'] for d in devices.values()] == ['10.0.9.1', '10.0.9.2']
    with pytest.raises(MeshError, match=r'moly: every address of the pool 10.0.9.0/30 is held by a device'):
        rw.allocate(pool, devices, 'c', 'moly')
    assert rw.pool_addresses(parse_net('10.0.9.8/31'))[0] == parse_net('10.0.9.8/31')[1]


def test_a_device_joins_through_one_site_at_a_time():
    devices = {'alice-phone': {'via': 'giant', 'address': '10.0.8.1'}}
    with pytest.raises(MeshError, match='alice-phone already joins through giant; remove it there first'):
        rw.allocate(parse_net('10.0.9.0/24'), devices, 'alice-phone', 'moly')


@pytest.mark.parametrize('name', ['', '-x', 'a/b', '../x', 'a b', 'x' * 64])
def test_device_names_are_file_names(name):
    with pytest.raises(MeshError, match='is not a name'):
        rw.check_device(name)


# ------------------------------------------------------------------------------------ the device's config

def test_the_config_is_what_the_apps_import(keys):
    mesh = host_model(_guide(), 'moly', HOSTS, keys)[0]
    view = rw.device_view(mesh, 'moly')
    assert view['endpoint'] == '192.168.1.162:5555' and view['allowed_ips'] == ['0.0.0.0/0']
    private, _public = _pair()
    text = rw.render_config(private, '10.0.9.1', keys['moly'], view['endpoint'], view['allowed_ips'], ['10.0.2.1'])
    assert text == ('[Interface]\nPrivateKey = %s\nAddress = 10.0.9.1/32\nDNS = 10.0.2.1\n\n[Peer]\nPublicKey = %s\n'
                    'AllowedIPs = 0.0.0.0/0\nEndpoint = 192.168.1.162:5555\nPersistentKeepalive = 25\n'
                    % (private, keys['moly']))
    assert rw.private_key_of(text) == private
    split = rw.device_view(mesh, 'moly', default_route=False)['allowed_ips']
    assert split == ['10.0.1.0/24', '10.0.2.0/24', '10.0.9.0/24', '77.66.55.0/24', '172.16.1.1/32', '172.16.1.2/31']


def test_a_site_without_pool_takes_no_device(keys):
    mesh = host_model(_guide(), 'giant', HOSTS, keys)[0]
    with pytest.raises(MeshError, match='giant has no wireguard_roadwarrior_pool'):
        rw.device_view(mesh, 'giant')


# ---------------------------------------------------------------------------------------------- registry

def test_the_registry_round_trips_and_gives_each_site_its_devices(tmp_path, keys):
    _private, public = _pair()
    devices = {'alice-phone': {'via': 'moly', 'address': '10.0.9.1', 'public_key': public},
               'bob-laptop': {'via': 'giant', 'address': '10.0.8.1', 'public_key': public}}
    (tmp_path / rw.REGISTRY).write_text(rw.dump_registry(devices))
    assert rw.load_registry(str(tmp_path)) == devices
    assert rw.load_registry(str(tmp_path / 'none')) == {}
    mesh = host_model(_guide(), 'moly', HOSTS, keys)[0]
    assert rw.registry_peers({'alice-phone': devices['alice-phone']}, mesh, 'moly') == [
        {'name': 'alice-phone', 'public_key': public, 'allowed_ips': ['10.0.9.1/32']}]
    outside = dict(devices['alice-phone'], address='10.0.7.1')
    with pytest.raises(MeshError, match=r"alice-phone holds 10.0.7.1, outside moly's wireguard_roadwarrior_pool 10.0.9.0/24"):
        rw.registry_peers({'alice-phone': outside}, mesh, 'moly')


def test_wg_mesh_carries_the_registry_in_the_snapshot_and_reads_it_again_only_when_it_changed(tmp_path, keys):
    """wg_mesh scope=mesh reads the registry once into the snapshot (with the file's state); scope=site takes each
    site's devices from there while the file is the one it read, and reads the file again once it was replaced."""
    from ansible_collections.sitemesh.wireguard.plugins.action.wg_mesh import ActionModule

    alice, bob = _pair()[1], _pair()[1]
    directory = str(tmp_path)
    mesh = host_model(_guide(), 'moly', HOSTS, keys)[0]
    assert ActionModule._registry(None, mesh) is None and rw.registry_state(directory) is None
    assert ActionModule._registry(directory, mesh) == {'dir': directory, 'state': None, 'peers': {}}
    (tmp_path / rw.REGISTRY).write_text(rw.dump_registry({'alice-phone': {'via': 'moly', 'address': '10.0.9.1',
                                                                          'public_key': alice}}))
    carried = ActionModule._registry(directory, mesh)
    assert carried['state'] is not None and carried['state'] == rw.registry_state(directory)
    assert carried['peers'] == {'moly': [{'name': 'alice-phone', 'public_key': alice, 'allowed_ips': ['10.0.9.1/32']}]}
    mesh.extra = {'store': None, 'roadwarrior': carried}
    # the snapshot's devices are taken as they are while the file is unchanged (shown by a planted entry)
    mesh.extra['roadwarrior'] = dict(carried, peers={'moly': [{'name': 'planted'}]})
    assert ActionModule._roadwarrior_peers(directory, mesh, 'moly', True) == [{'name': 'planted'}]
    assert ActionModule._roadwarrior_peers(directory, mesh, 'giant', True) == []
    # not from a snapshot, or another directory: the registry is read
    assert [p['name'] for p in ActionModule._roadwarrior_peers(directory, mesh, 'moly', False)] == ['alice-phone']
    other = tmp_path / 'other'
    other.mkdir()
    assert ActionModule._roadwarrior_peers(str(other), mesh, 'moly', True) == []
    assert ActionModule._roadwarrior_peers('', mesh, 'moly', True) == []
    # roadwarrior.yml replaced the registry since the validation (a rename): read again
    replaced = tmp_path / 'new.json'
    replaced.write_text(rw.dump_registry({'bob-laptop': {'via': 'moly', 'address': '10.0.9.2', 'public_key': bob}}))
    replaced.rename(tmp_path / rw.REGISTRY)
    assert ActionModule._roadwarrior_peers(directory, mesh, 'moly', True) == [
        {'name': 'bob-laptop', 'public_key': bob, 'allowed_ips': ['10.0.9.2/32']}]


@pytest.mark.parametrize('text, match', [
    ('{', 'is not JSON'),
    ('{"devices": []}', 'has no "devices" mapping'),
    ('{"devices": {"a": {"via": "moly", "address": "10.0.9.1"}}}', 'device a needs via, address and public_key'),
    ('{"devices": {"a": {"via": "moly", "address": "10.0.9.1", "public_key": "nope"}}}', 'device a has no valid public_key'),
])
def test_a_broken_registry_is_refused(tmp_path, text, match):
    (tmp_path / rw.REGISTRY).write_text(text)
    with pytest.raises(MeshError, match=match):
        rw.load_registry(str(tmp_path))


# ---------------------------------------------------------------------------------------------- QR code

def test_the_qr_code_decodes_to_the_config_byte_for_byte(tmp_path, keys):
    zbarimg = shutil.which('zbarimg')
    if zbarimg is None:
        pytest.skip('zbarimg (Debian package zbar-tools) is not installed')
    private, _public = _pair()
    config = rw.render_config(private, '10.0.9.1', keys['moly'], '192.168.1.162:5555', ['0.0.0.0/0'], ['10.0.2.1'])
    png = tmp_path / 'device.png'
    png.write_bytes(rw.qr_png(config))
    assert png.read_bytes()[:8] == b'\x89PNG\r\n\x1a\n'
    decoded = subprocess.run([zbarimg, '-q', '--raw', '-Sbinary', str(png)], capture_output=True, check=True,
                             timeout=60).stdout
    assert decoded == config.encode('utf-8')


def test_the_terminal_qr_code_has_the_modules_of_the_png(keys):
    private, _public = _pair()
    config = rw.render_config(private, '10.0.9.1', keys['moly'], '192.168.1.162:5555', ['0.0.0.0/0'])
    matrix = [list(row) for row in rw.qr_code(config).matrix]
    lines = rw.qr_terminal(config).splitlines()
    size = len(matrix)
    assert len(lines) == (size + 5) // 2 and all(len(line) == size + 4 for line in lines)
    # module (row r, column c) is the top half of line (r + 2) // 2 when r is even: dark = no light block
    for r in range(size):
        for c in range(size):
            char = lines[(r + 2) // 2][c + 2]
            top = (r + 2) % 2 == 0
            light = char == '\u2588' or char == ('\u2580' if top else '\u2584')
            assert light == (not matrix[r][c]), (r, c, char)
