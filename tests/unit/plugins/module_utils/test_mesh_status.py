# Copyright (c) 2026, sitemesh.wireguard contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The mesh's status table from wg_info results (recorded dump) and the mesh model (mesh_host on the example)."""

from __future__ import annotations

import base64

import recorded

from ansible_collections.sitemesh.wireguard.plugins.module_utils._info import site_info
from ansible_collections.sitemesh.wireguard.plugins.module_utils._live import parse_addresses, parse_wg_dump
from ansible_collections.sitemesh.wireguard.plugins.module_utils._mesh_topology import host_config
from ansible_collections.sitemesh.wireguard.plugins.module_utils._status import human_bytes, mesh_status

KEYS = {'giant': recorded.MESH_PUBLIC, 'moly': recorded.MESH_MOLY, 'raspi': recorded.MESH_RASPI}
NAMES = dict((v, k) for k, v in KEYS.items())
HOSTS = ['giant', 'moly', 'raspi']
HOSTVARS = {
    'giant': {'wireguard_address': '172.16.1.1', 'wireguard_network': '172.16.1.0/24', 'wireguard_port': 5555,
              'wireguard_endpoint': '198.51.100.1', 'wireguard_client_networks': ['10.0.1.0/24']},
    'moly': {'wireguard_address': '172.16.1.2', 'wireguard_network': '172.16.1.0/24', 'wireguard_port': 5555,
             'wireguard_endpoint': '198.51.100.2', 'wireguard_client_networks': ['10.0.2.0/24']},
    'raspi': {'wireguard_address': '172.16.1.3', 'wireguard_network': '172.16.1.0/24', 'wireguard_port': 5555,
              'wireguard_endpoint': '198.51.100.3', 'wireguard_client_networks': ['77.66.55.0/24']},
}
# what ansible registers for a task on a host it cannot reach (ignore_unreachable: true)
UNREACHABLE = {'unreachable': True, 'changed': False,
               'msg': 'Failed to create temporary directory. ... container moly is not running'}


def mesh(host, keys=None):
    return host_config(HOSTVARS, host, HOSTS, KEYS if keys is None else keys)


def giant_info(now):
    """giant's wg_info, from the recorded dump: moly answered at 1795748392, raspi never."""
    return site_info('wg0', parse_wg_dump(recorded.MESH_DUMP), parse_addresses(recorded.MESH_ADDR), NAMES, now)


def live_info(site, age):
    """A site whose every expected peer had a handshake ``age`` seconds ago."""
    peers = [{'name': p['name'], 'public_key': p['public_key'], 'endpoint': p['endpoint'],
              'allowed_ips': p['allowed_ips'], 'latest_handshake': 1000 - age, 'handshake_age': age,
              'rx_bytes': 2048, 'tx_bytes': 3 * 1024 * 1024, 'persistent_keepalive': None}
             for p in mesh(site)['peers']]
    return {'interface': 'wg0', 'up': True, 'public_key': KEYS[site], 'name': site, 'peers': peers, 'now': 1000}


def entry(site, info, **extra):
    return dict({'site': site, 'info': info, 'mesh': mesh(site)}, **extra)


def test_healthy_mesh_has_no_problem_and_a_row_per_pair():
    status = mesh_status([entry(s, live_info(s, 12)) for s in HOSTS], 180)
    assert status['problems'] == []
    assert [(r['site'], r['peer'], r['state']) for r in status['rows']] == [
        ('giant', 'moly', 'ok'), ('giant', 'raspi', 'ok'), ('moly', 'giant', 'ok'), ('moly', 'raspi', 'ok'),
        ('raspi', 'giant', 'ok'), ('raspi', 'moly', 'ok')]
    table = status['table']
    assert table[0].split() == ['site', 'peer', 'latest', 'handshake', 'rx', 'tx', 'state']
    assert table[1].split() == ['giant', 'moly', '12', 's', 'ago', '2.0', 'KiB', '3.0', 'MiB', 'ok']
    # the columns are aligned: every row starts its peer where the header does
    assert len(set(line.index(line.split()[1]) for line in table)) == 1


def test_recorded_dump_stale_and_never():
    info = giant_info(recorded.MESH_NOW + 200)
    status = mesh_status([entry('giant', info)], 180)
    assert [(r['peer'], r['state'], r['handshake_age']) for r in status['rows']] == [
        ('moly', 'stale', 201), ('raspi', 'no handshake', None)]
    assert status['problems'] == [
        'giant: peer moly stale (latest handshake 201 s ago, limit 180 s)',
        'giant: peer raspi no handshake']
    fresh = mesh_status([entry('giant', giant_info(recorded.MESH_NOW))], 180)
    assert [r['state'] for r in fresh['rows']] == ['ok', 'no handshake']
    assert fresh['table'][1].split() == ['giant', 'moly', '1', 's', 'ago', '348', 'B', '404', 'B', 'ok']
    assert fresh['table'][2].split() == ['giant', 'raspi', 'never', '0', 'B', '0', 'B', 'no', 'handshake']


def test_threshold_is_strict():
    assert mesh_status([entry('moly', live_info('moly', 179))], 180)['problems'] == []
    assert len(mesh_status([entry('moly', live_info('moly', 180))], 180)['problems']) == 2


def test_unreachable_site_is_named_with_its_peers():
    status = mesh_status([entry('giant', live_info('giant', 5)), entry('moly', UNREACHABLE),
                          entry('raspi', live_info('raspi', 5))], 180)
    assert status['problems'] == ['moly: unreachable (Failed to create temporary directory. ... container moly '
                                  'is not running)']
    moly_rows = [r for r in status['rows'] if r['site'] == 'moly']
    assert [(r['peer'], r['state']) for r in moly_rows] == [('giant', 'site unreachable'), ('raspi', 'site unreachable')]
    assert [line.split()[:2] for line in status['table'] if 'unreachable' in line] == [['moly', 'giant'], ['moly', 'raspi']]


def test_missing_peer_down_interface_failed_read_unknown_key():
    info = live_info('giant', 3)
    stranger = base64.b64encode(b'\x31' * 32).decode()
    info['peers'] = [dict(info['peers'][0], public_key=stranger, name=None)] + info['peers'][1:]
    down = {'interface': 'wg0', 'up': False, 'public_key': None, 'name': None, 'peers': [], 'now': 1}
    failed = {'failed': False, 'msg': 'Failed to find required executable "wg"', 'rc': 1}
    status = mesh_status([entry('giant', info), entry('moly', down), entry('raspi', failed)], 180)
    assert status['problems'] == [
        'giant: peer moly missing from wg0', 'moly: peer giant wg0 down', 'moly: peer raspi wg0 down',
        'raspi: read failed (Failed to find required executable "wg")']
    rows = [(r['site'], r['peer'], r['state']) for r in status['rows']]
    assert ('giant', stranger[:8] + '...', 'not in the inventory') in rows


def test_extra_peers_are_shown_never_judged_and_unknown_public_keys_are():
    info = live_info('raspi', 7)
    phone = base64.b64encode(b'\x41' * 32).decode()
    info['peers'].append({'name': 'phone', 'public_key': phone, 'endpoint': None, 'allowed_ips': ['172.16.1.9/32'],
                          'latest_handshake': None, 'handshake_age': None, 'rx_bytes': 0, 'tx_bytes': 0,
                          'persistent_keepalive': None})
    laptop = {'name': 'laptop', 'public_key': base64.b64encode(b'\x42' * 32).decode()}
    status = mesh_status([entry('raspi', info, extra_peers=[{'name': 'phone', 'public_key': phone}, laptop])], 180)
    assert status['problems'] == []
    assert [(r['peer'], r['state']) for r in status['rows']][-2:] == [
        ('phone', 'extra peer, no handshake'), ('laptop', 'extra peer, absent')]
    no_keys = dict(entry('giant', live_info('giant', 1)), mesh=mesh('giant', keys={'giant': KEYS['giant']}))
    status = mesh_status([no_keys], 180)
    assert status['problems'] == [
        'giant: peer moly has no public key in the key store (run site.yml, or point wireguard_public_key_store '
        'at the store)',
        'giant: peer raspi has no public key in the key store (run site.yml, or point wireguard_public_key_store '
        'at the store)']


def test_human_bytes():
    assert [human_bytes(n) for n in (None, 0, 1023, 1024, 1536, 5 * 1024 ** 3)] == [
        '-', '0 B', '1023 B', '1.0 KiB', '1.5 KiB', '5.0 GiB']
