# Copyright (c) 2026, sitemesh.wireguard contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""wg_info's result from a recorded ``wg show dump`` and ``ip -o addr``: peers named, ages, counters, no secret."""

from __future__ import annotations

import json

import recorded

from ansible_collections.sitemesh.wireguard.plugins.module_utils._info import site_info
from ansible_collections.sitemesh.wireguard.plugins.module_utils._live import parse_addresses, parse_wg_dump

NAMES = {recorded.MESH_PUBLIC: 'giant', recorded.MESH_MOLY: 'moly', recorded.MESH_RASPI: 'raspi'}


def _info(names=None, now=recorded.MESH_NOW + 40):
    return site_info('wgrec1', parse_wg_dump(recorded.MESH_DUMP), parse_addresses(recorded.MESH_ADDR),
                     NAMES if names is None else names, now)


def test_recorded_dump_gives_named_peers_with_ages_and_counters():
    info = _info()
    assert info['up'] is True
    assert info['name'] == 'giant' and info['public_key'] == recorded.MESH_PUBLIC
    assert info['listen_port'] == 5555 and info['fwmark'] is None
    assert info['addresses'] == ['172.16.1.1/24', 'fe80::6a72:ca55:ddb4:178/64']
    assert info['now'] == recorded.MESH_NOW + 40
    moly, raspi = info['peers']
    assert moly == {
        'name': 'moly', 'public_key': recorded.MESH_MOLY, 'endpoint': '198.51.100.2:5555',
        'allowed_ips': ['172.16.1.2/32', '10.0.2.0/24'], 'latest_handshake': 1795748392, 'handshake_age': 41,
        'rx_bytes': 348, 'tx_bytes': 404, 'persistent_keepalive': None}
    # a peer that never answered: no handshake (the dump's 0), no age, nothing received
    assert raspi['name'] == 'raspi'
    assert raspi['latest_handshake'] is None and raspi['handshake_age'] is None
    assert (raspi['rx_bytes'], raspi['tx_bytes']) == (0, 0)


def test_no_private_or_preshared_key_in_the_result():
    text = json.dumps(_info())
    assert recorded.MESH_PRIVATE in recorded.MESH_DUMP and recorded.MESH_PSK in recorded.MESH_DUMP
    assert recorded.MESH_PRIVATE not in text
    assert recorded.MESH_PSK not in text
    assert 'preshared' not in text and 'private' not in text


def test_unknown_keys_have_no_name_and_a_clock_behind_gives_age_zero():
    info = _info(names={}, now=recorded.MESH_NOW - 100)
    assert info['name'] is None
    assert [p['name'] for p in info['peers']] == [None, None]
    assert info['peers'][0]['handshake_age'] == 0


def test_missing_interface_is_down_with_no_peers():
    info = site_info('wg0', parse_wg_dump(''), [], NAMES, 100)
    assert info == {'interface': 'wg0', 'up': False, 'public_key': None, 'name': None, 'listen_port': None,
                    'fwmark': None, 'addresses': [], 'peers': [], 'now': 100}
