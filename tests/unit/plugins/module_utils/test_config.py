# Copyright (c) 2026, sitemesh.wireguard contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

import base64

import pytest

from ansible_collections.sitemesh.wireguard.plugins.module_utils import _config as wg
from ansible_collections.sitemesh.wireguard.plugins.module_utils._keys import is_valid_key
from ansible_collections.sitemesh.wireguard.plugins.module_utils._plan_peers import endpoint_matches
from ansible_collections.sitemesh.wireguard.plugins.module_utils._plan_routing import wanted_routes

K1 = base64.b64encode(b'\x01' * 32).decode()
K2 = base64.b64encode(b'\x02' * 32).decode()
K3 = base64.b64encode(b'\x03' * 32).decode()
PSK = base64.b64encode(b'\x04' * 32).decode()

HAND_WRITTEN = """
# a config as people write it
[interface]
address = 172.16.1.1/24, fd00::1/64
Address = 10.9.9.9
PRIVATEKEY = %s   # inline comment
listenport = 5555
DNS = 1.1.1.1, example.org
PostUp = iptables -A FORWARD -i %%i -j ACCEPT
PostUp = echo two
SaveConfig = true

# moly
[Peer]
PublicKey = %s
PresharedKey = %s
AllowedIPs = 172.16.1.2, 10.0.2.0/24
AllowedIPs = 10.0.3.5/24
Endpoint = 192.168.1.162:5555
PersistentKeepalive = 25

[Peer]
PublicKey = %s
AllowedIPs = 0.0.0.0/0, ::/0
PersistentKeepalive = off
""" % (K1, K2, PSK, K3)


def model():
    return wg.normalize({
        'interface': {'private_key': K1, 'addresses': ['172.16.1.1/24', 'fd00::1/64'], 'listen_port': 5555,
                      'mtu': 1420, 'table': 'auto', 'fwmark': '0xca6c', 'dns': ['1.1.1.1'],
                      'pre_up': ['true'], 'post_up': ['echo up %i'], 'pre_down': [], 'post_down': ['echo down']},
        'peers': [
            {'name': 'moly', 'public_key': K2, 'preshared_key': PSK, 'allowed_ips': ['172.16.1.2', '10.0.2.0/24'],
             'endpoint': 'moly.example.org:5555', 'persistent_keepalive': 25},
            {'name': 'giant  two', 'public_key': K3, 'allowed_ips': ['0.0.0.0/0']},
        ],
    })


def test_parse_hand_written():
    m = wg.parse(HAND_WRITTEN)
    i = m['interface']
    assert i['addresses'] == ['172.16.1.1/24', 'fd00::1/64', '10.9.9.9/32']
    assert i['private_key'] == K1 and i['listen_port'] == 5555
    assert i['dns'] == ['1.1.1.1', 'example.org']
    assert i['post_up'] == ['iptables -A FORWARD -i %i -j ACCEPT', 'echo two']
    assert i['save_config'] is True
    moly, other = m['peers']
    assert moly['name'] == 'moly' and other['name'] is None
    assert moly['allowed_ips'] == ['172.16.1.2/32', '10.0.2.0/24', '10.0.3.0/24']
    assert moly['preshared_key'] == PSK and moly['persistent_keepalive'] == 25
    assert other['allowed_ips'] == ['0.0.0.0/0', '::/0'] and other['persistent_keepalive'] is None


def test_round_trip():
    m = model()
    text = wg.render(m)
    assert text.splitlines()[0] == \
        '# Managed by Ansible (sitemesh.wireguard.wg_interface): local changes are overwritten'
    assert 'SaveConfig = false' in text
    assert wg.parse(text) == m
    assert wg.render(wg.parse(text)) == text
    assert wg.parse(wg.render(wg.parse(HAND_WRITTEN))) == wg.parse(HAND_WRITTEN)


def test_render_is_deterministic_and_keeps_peer_order():
    m = model()
    text = wg.render(m)
    assert text.index(K2) < text.index(K3)
    assert '# moly\n[Peer]' in text and '# giant two\n[Peer]' in text
    assert 'FwMark = 51820' in text  # 0xca6c normalized
    m['peers'].reverse()
    assert not wg.models_equal(m, model())


def test_normalized_compare_ignores_spelling():
    a = model()
    b = model()
    b['peers'][0]['allowed_ips'] = ['172.16.1.2/32', '10.0.2.7/24']
    assert wg.models_equal(a, b)


@pytest.mark.parametrize('text, error', [
    ('[Peer]\nPublicKey = %s\n' % K2, 'no [Interface]'),
    ('[Interface]\nBogus = 1\n', 'unknown key Bogus'),
    ('[Interface]\nPrivateKey = abc\n', 'private_key'),
    ('[Interface]\n[Interface]\n', 'second [Interface]'),
    ('[Interface]\nAddress = 300.1.1.1/24\n', 'not an IP address'),
    ('[Interface]\n[Peer]\nAllowedIPs = 10.0.0.0/8\n', 'no public key'),
    ('[Interface]\nSaveConfig = yes\n', 'neither true nor false'),
    ('[Interface]\nListenPort\n', 'Key = value'),
    ('[Interface]\n[Peer]\nPublicKey = %s\n[Peer]\nPublicKey = %s\n' % (K2, K2), 'twice'),
    ('[Wat]\n', 'unknown section'),
])
def test_parse_errors(text, error):
    with pytest.raises(wg.ConfigError) as exc:
        wg.parse(text)
    assert error in str(exc.value)


def test_key_errors_never_echo_the_value():
    secret = 'c2VjcmV0c2VjcmV0c2VjcmV0'
    with pytest.raises(wg.ConfigError) as exc:
        wg.parse('[Interface]\nPrivateKey = %s\n' % secret)
    assert secret not in str(exc.value)


def test_redact():
    m = model()
    red = wg.redact(m)
    text = wg.render(red, redacted=True)
    assert K1 not in text and PSK not in text
    assert 'PrivateKey = <redacted>' in text and 'PresharedKey = <redacted>' in text
    assert K2 in text  # public keys stay
    other = model()
    other['peers'][0]['preshared_key'] = K3
    red = wg.redact(m, other)
    assert red['peers'][0]['preshared_key'] == '<redacted, changed>'
    assert red['interface']['private_key'] == '<redacted>'
    assert m['interface']['private_key'] == K1  # the input is not changed


def test_keys():
    assert is_valid_key(K1)
    assert not is_valid_key(base64.b64encode(b'x' * 31).decode())
    assert not is_valid_key('!!!')
    assert not is_valid_key(None)


def test_endpoint_matches():
    assert endpoint_matches(None, '1.2.3.4:5')
    assert endpoint_matches('1.2.3.4:5', '1.2.3.4:5')
    assert endpoint_matches('[fd00::1]:5', '[fd00::1]:5')
    assert endpoint_matches('localhost:5', '127.0.0.1:5')
    assert not endpoint_matches('localhost:6', '127.0.0.1:5')
    assert not endpoint_matches('1.2.3.4:5', None)


def test_wanted_routes_mirror_wg_quick():
    routes, defaults = wanted_routes(None, ['172.16.1.1/24'],
                                     ['172.16.1.2/32', '10.0.2.0/24', '0.0.0.0/0', '10.5.5.5/32'], 51820)
    assert routes == {('10.0.2.0/24', 'main'), ('10.5.5.5/32', 'main'), ('0.0.0.0/0', '51820')}
    assert defaults == {4}
    # a /32 address has no connected route: wg-quick adds a route for the peer
    routes, defaults = wanted_routes('auto', ['172.16.1.1/32'], ['172.16.1.2/32'], None)
    assert routes == {('172.16.1.2/32', 'main')}
    routes, defaults = wanted_routes('1234', ['172.16.1.1/24'], ['172.16.1.2/32', '0.0.0.0/0'], None)
    assert routes == {('172.16.1.2/32', '1234'), ('0.0.0.0/0', '1234')} and not defaults
    assert wanted_routes('off', [], ['10.0.0.0/8'], None) == (set(), set())
