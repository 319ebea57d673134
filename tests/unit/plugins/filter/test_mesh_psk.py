# -*- coding: utf-8 -*-
# Copyright (c) 2026, sitemesh.wireguard maintainers
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""mesh_psk: same key on both ends, a different key for every pair and every secret."""

from __future__ import annotations

import base64
import hashlib
import hmac

import pytest

from ansible.errors import AnsibleFilterError
from ansible_collections.sitemesh.wireguard.plugins.filter.mesh_psk import mesh_psk

SECRET = 'test-only secret, not used anywhere'


def rfc5869(ikm, info, length=32):
    """HKDF-SHA256 written out from RFC 5869 (empty salt), to check the construction independently."""
    prk = hmac.new(b'\x00' * 32, ikm, hashlib.sha256).digest()
    okm, block, counter = b'', b'', 1
    while len(okm) < length:
        block = hmac.new(prk, block + info + bytes([counter]), hashlib.sha256).digest()
        okm += block
        counter += 1
    return okm[:length]


def test_symmetric(keys):
    assert mesh_psk(SECRET, keys['giant'], keys['moly']) == mesh_psk(SECRET, keys['moly'], keys['giant'])


def test_is_a_wireguard_key(keys):
    psk = mesh_psk(SECRET, keys['giant'], keys['moly'])
    assert len(base64.b64decode(psk, validate=True)) == 32


def test_construction(keys):
    low, high = sorted([keys['giant'], keys['raspi']])
    expected = rfc5869(SECRET.encode(), b'sitemesh.wireguard psk v1' + low.encode() + high.encode())
    assert mesh_psk(SECRET, keys['raspi'], keys['giant']) == base64.b64encode(expected).decode()


def test_differs_across_pairs(keys):
    psks = {
        mesh_psk(SECRET, keys['giant'], keys['moly']),
        mesh_psk(SECRET, keys['giant'], keys['raspi']),
        mesh_psk(SECRET, keys['moly'], keys['raspi']),
    }
    assert len(psks) == 3


def test_differs_across_secrets(keys):
    assert mesh_psk(SECRET, keys['giant'], keys['moly']) != mesh_psk(SECRET + '2', keys['giant'], keys['moly'])


def test_bytes_secret_and_key_whitespace(keys):
    assert mesh_psk(SECRET.encode(), keys['giant'] + '\n', keys['moly']) == mesh_psk(SECRET, keys['giant'], keys['moly'])


@pytest.mark.parametrize('secret', ['', None, b'', '   '])
def test_empty_secret(keys, secret):
    with pytest.raises(AnsibleFilterError, match='mesh_psk: the secret is empty'):
        mesh_psk(secret, keys['giant'], keys['moly'])


@pytest.mark.parametrize('bad', ['', 'not a key', 'A' * 44, None, 42])
def test_malformed_key(keys, bad):
    with pytest.raises(AnsibleFilterError, match='mesh_psk: public_key_b '):
        mesh_psk(SECRET, keys['giant'], bad)
    with pytest.raises(AnsibleFilterError, match='mesh_psk: public_key_a '):
        mesh_psk(SECRET, bad, keys['giant'])


def test_same_key_twice(keys):
    with pytest.raises(AnsibleFilterError, match='the same key'):
        mesh_psk(SECRET, keys['giant'], keys['giant'])


def test_secret_is_not_in_messages(keys):
    with pytest.raises(AnsibleFilterError) as info:
        mesh_psk(SECRET, keys['giant'], 'bad')
    assert SECRET not in str(info.value)
