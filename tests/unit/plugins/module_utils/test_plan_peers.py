# Copyright (c) 2026, sitemesh.wireguard contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Peers planned from a recorded ``wg show NAME dump``: the whole config (wg_interface) or one peer (wg_peer),
never replacing the allowed IPs of a peer that stays on a userspace interface."""

from __future__ import annotations

import base64

import recorded

from ansible_collections.sitemesh.wireguard.plugins.module_utils._config import normalize
from ansible_collections.sitemesh.wireguard.plugins.module_utils._live import parse_wg_dump
from ansible_collections.sitemesh.wireguard.plugins.module_utils._plan_peers import plan_peer_set, plan_peers, sink_key

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


SOCK = '/var/run/wireguard/wgcap0.sock'
PEER_HEX = base64.b64decode(recorded.PEER).hex()


def argvs(actions):
    return [a.argv for a in actions]


def test_nothing_to_do():
    assert plan_peers('wgcap0', model(), LIVE, '51820', SOCK) == []


def test_new_peer_is_added_alone_and_the_others_are_not_touched():
    wanted = model()
    wanted['peers'].append(dict(wanted['peers'][0], name='lt', public_key=OTHER, preshared_key=None,
                                allowed_ips=['172.16.1.3/32'], endpoint=None, persistent_keepalive=None))
    for uapi in (SOCK, None):
        actions = plan_peers('wgcap0', wanted, LIVE, '51820', uapi)
        assert [a.changes for a in actions] == [(('peers_added', OTHER),)]
        assert argvs(actions) == [['wg', 'set', 'wgcap0', 'peer', OTHER, 'allowed-ips', '172.16.1.3/32',
                                   'persistent-keepalive', '0', 'preshared-key', '/dev/null']]


def test_a_new_prefix_is_inserted_without_replacing_the_peers_list():
    wanted = model()
    wanted['peers'][0]['allowed_ips'].append('10.0.7.0/24')
    actions = plan_peers('wgcap0', wanted, LIVE, '51820', SOCK)
    assert argvs(actions) == [['@uapi', SOCK]]
    assert actions[0].changes == (('peers_updated', recorded.PEER),)
    assert actions[0].stdin == ('set=1\npublic_key=%s\nupdate_only=true\nallowed_ip=10.0.7.0/24\n\n' % PEER_HEX)
    assert 'replace_allowed_ips' not in actions[0].stdin
    # a kernel interface: wg can only replace the list
    actions = plan_peers('wgcap0', wanted, LIVE, '51820', None)
    assert argvs(actions) == [['wg', 'set', 'wgcap0', 'peer', recorded.PEER, 'allowed-ips',
                               '172.16.1.2/32,10.0.2.0/24,0.0.0.0/0,10.0.7.0/24']]


def test_a_prefix_that_goes_is_moved_to_the_sink_and_removed_with_it():
    wanted = model()
    wanted['peers'][0]['allowed_ips'].remove('10.0.2.0/24')
    sink = sink_key('wgcap0')
    assert sink not in (recorded.PEER, OTHER) and sink == sink_key('wgcap0') != sink_key('wg1')
    for uapi in (SOCK, None):
        actions = plan_peers('wgcap0', wanted, LIVE, '51820', uapi)
        assert [a.changes for a in actions] == [(('peers_updated', recorded.PEER),), (), ()]
        assert argvs(actions) == [None, ['wg', 'set', 'wgcap0', 'peer', sink, 'allowed-ips', '10.0.2.0/24'],
                                  ['wg', 'set', 'wgcap0', 'peer', sink, 'remove']]


def test_a_prefix_handed_to_a_new_peer_goes_with_the_insert_and_the_old_peer_is_removed_last():
    wanted = model(peers=[dict(model()['peers'][0], public_key=OTHER)])
    actions = plan_peers('wgcap0', wanted, LIVE, '51820', SOCK)
    assert [a.changes for a in actions] == [(('peers_added', OTHER),), (('peers_removed', recorded.PEER),)]
    assert argvs(actions)[1] == ['wg', 'set', 'wgcap0', 'peer', recorded.PEER, 'remove']
    assert actions[0].stdin == recorded.PSK + '\n'


def test_interface_keys_and_the_other_fields_without_allowed_ips():
    actions = plan_peers('wgcap0', model(peers=[], listen_port=5556), LIVE, None, SOCK)
    assert [a.changes for a in actions] == [(('interface_updated', True),), (('peers_removed', recorded.PEER),)]
    assert argvs(actions)[0] == ['wg', 'set', 'wgcap0', 'listen-port', '5556', 'fwmark', 'off']
    assert actions[0].stdin is None
    wanted = model(private_key=OTHER)
    actions = plan_peers('wgcap0', wanted, LIVE, '51820', None)   # a kernel interface: wg set
    assert argvs(actions) == [['wg', 'set', 'wgcap0', 'private-key', '/dev/stdin']]
    assert actions[0].stdin == OTHER + '\n'
    wanted = model()
    wanted['peers'][0]['persistent_keepalive'] = 10
    actions = plan_peers('wgcap0', wanted, LIVE, '51820', SOCK)
    assert [a.changes for a in actions] == [(('peers_updated', recorded.PEER),)]
    assert argvs(actions) == [['wg', 'set', 'wgcap0', 'peer', recorded.PEER, 'persistent-keepalive', '10']]


def test_a_new_private_key_and_the_preshared_keys_that_follow_it_go_in_one_request():
    """A rekeyed site: its new key and the new preshared keys (derived from both public keys) in one request on
    the control socket, so that no handshake starts with the new key and an old preshared key."""
    new_psk = base64.b64encode(b'\x16' * 32).decode()
    wanted = model(private_key=OTHER)
    wanted['peers'][0]['preshared_key'] = new_psk
    actions = plan_peers('wgcap0', wanted, LIVE, '51820', SOCK)
    assert [a.changes for a in actions] == [(('interface_updated', True), ('peers_updated', recorded.PEER))]
    assert argvs(actions) == [['@uapi', SOCK]]
    assert actions[0].stdin == ('set=1\nprivate_key=%s\npublic_key=%s\nupdate_only=true\npreshared_key=%s\n\n'
                                % ('15' * 32, PEER_HEX, '16' * 32))
    # the same with another field of the peer changing: that goes on its own, reported once
    wanted['peers'][0]['persistent_keepalive'] = 10
    actions = plan_peers('wgcap0', wanted, LIVE, '51820', SOCK)
    assert [a.changes for a in actions] == [(('interface_updated', True),), (('peers_updated', recorded.PEER),)]
    assert argvs(actions)[1] == ['wg', 'set', 'wgcap0', 'peer', recorded.PEER, 'persistent-keepalive', '10']
    # a preshared key that goes: all zeros in the request
    wanted = model(private_key=OTHER)
    wanted['peers'][0]['preshared_key'] = None
    assert plan_peers('wgcap0', wanted, LIVE, '51820', SOCK)[0].stdin.endswith('preshared_key=%s\n\n' % ('0' * 64))


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


def test_wg_set_one_peer_updates_without_replacing():
    fields = {'public_key': recorded.PEER, 'allowed_ips': ['172.16.1.2/32', '0.0.0.0/0', '10.0.9.0/24']}
    actions, peers = plan_peer_set('wgcap0', fields, True, LIVE, SOCK)
    sink = sink_key('wgcap0')
    assert argvs(actions) == [['@uapi', SOCK], ['wg', 'set', 'wgcap0', 'peer', sink, 'allowed-ips', '10.0.2.0/24'],
                              ['wg', 'set', 'wgcap0', 'peer', sink, 'remove']]
    assert 'allowed_ip=10.0.9.0/24\n' in actions[0].stdin and '10.0.2.0' not in actions[0].stdin
    assert peers[0]['allowed_ips'] == fields['allowed_ips']
