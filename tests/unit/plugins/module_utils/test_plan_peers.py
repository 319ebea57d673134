# Copyright (c) 2026, sitemesh.wireguard contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Peers planned from a recorded ``wg show NAME dump``: ``wg syncconf`` (wg_interface), ``wg set`` (wg_peer)."""

from __future__ import annotations

import base64

import recorded

from ansible_collections.sitemesh.wireguard.plugins.module_utils._config import normalize
from ansible_collections.sitemesh.wireguard.plugins.module_utils._live import parse_wg_dump
from ansible_collections.sitemesh.wireguard.plugins.module_utils._plan_peers import plan_peer_set, plan_syncconf

LIVE = parse_wg_dump(recorded.WG_DUMP)
OTHER = base64.b64encode(b'\x15' * 32).decode()


def model(peers=None, **interface):
    base = {'private_key': recorded.PRIVATE, 'listen_port': 5555, 'addresses': ['172.16.1.1/24']}
    base.update(interface)
    if peers is None:
        peers = [{'name': 'moly', 'public_key': recorded.PEER, 'preshared_key': recorded.PSK,
                  'allowed_ips': ['172.16.1.2/32', '10.0.2.0/24', '0.0.0.0/0'], 'endpoint': '192.0.2.10:5555',
                  'persistent_keepalive': 25}]
    return normalize({'interface': base, 'peers': peers})


def test_recorded_dump_is_parsed():
    assert LIVE['private_key'] == recorded.PRIVATE and LIVE['fwmark'] == '51820' and LIVE['listen_port'] == 5555
    assert LIVE['peers'][0]['allowed_ips'] == ['172.16.1.2/32', '10.0.2.0/24', '0.0.0.0/0']


def test_syncconf_nothing_to_do():
    assert plan_syncconf('wgcap0', model(), LIVE, '51820', '51820') == []


def test_syncconf_peer_added_and_fwmark_kept_in_stdin():
    wanted = model()
    wanted['peers'].append(dict(wanted['peers'][0], name='lt', public_key=OTHER, preshared_key=None,
                                allowed_ips=['172.16.1.3/32'], endpoint=None, persistent_keepalive=None))
    actions = plan_syncconf('wgcap0', wanted, LIVE, '51820', '51820')
    assert len(actions) == 1
    assert actions[0].changes == (('peers_added', OTHER),)
    assert actions[0].argv == ['wg', 'syncconf', 'wgcap0', '/dev/stdin']
    assert recorded.PRIVATE not in ' '.join(actions[0].argv)
    assert actions[0].stdin == (
        '[Interface]\nListenPort = 5555\nPrivateKey = %s\nFwMark = 51820\n\n'
        '[Peer]\nPublicKey = %s\nPresharedKey = %s\nAllowedIPs = 172.16.1.2/32, 10.0.2.0/24, 0.0.0.0/0\n'
        'Endpoint = 192.0.2.10:5555\nPersistentKeepalive = 25\n\n'
        '[Peer]\nPublicKey = %s\nAllowedIPs = 172.16.1.3/32\n' % (recorded.PRIVATE, recorded.PEER, recorded.PSK, OTHER))


def test_syncconf_updates_and_removals_and_interface():
    actions = plan_syncconf('wgcap0', model(peers=[], listen_port=5556), LIVE, None)
    assert actions[0].changes == (('peers_removed', recorded.PEER), ('interface_updated', True))
    wanted = model()
    wanted['peers'][0]['persistent_keepalive'] = 10
    assert plan_syncconf('wgcap0', wanted, LIVE, '51820')[0].changes == (('peers_updated', recorded.PEER),)


def test_wg_set_one_peer():
    actions, peers = plan_peer_set('wgcap0', {'public_key': OTHER, 'allowed_ips': ['10.0.5.0/24'],
                                              'preshared_key': recorded.PSK}, True, LIVE)
    assert actions[0].changes == (('peers_added', OTHER),)
    assert actions[0].argv == ['wg', 'set', 'wgcap0', 'peer', OTHER, 'allowed-ips', '10.0.5.0/24',
                               'preshared-key', '/dev/stdin']
    assert actions[0].stdin == recorded.PSK + '\n'
    assert [p['public_key'] for p in peers] == [recorded.PEER, OTHER]
    assert plan_peer_set('wgcap0', {'public_key': recorded.PEER, 'persistent_keepalive': 25}, True, LIVE)[0] == []
    actions, peers = plan_peer_set('wgcap0', {'public_key': recorded.PEER}, False, LIVE)
    assert actions[0].argv == ['wg', 'set', 'wgcap0', 'peer', recorded.PEER, 'remove'] and peers == []
