# Copyright (c) 2026, sitemesh.wireguard maintainers
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
from __future__ import annotations

import base64

import pytest
from ansible.errors import AnsibleFilterError
from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

from ansible_collections.sitemesh.wireguard.plugins.filter.mesh_psk import mesh_psk
from ansible_collections.sitemesh.wireguard.plugins.filter.mesh_with_psk import mesh_with_psk


def _pub():
    raw = X25519PrivateKey.generate().public_key().public_bytes(Encoding.Raw, PublicFormat.Raw)
    return base64.b64encode(raw).decode()


def test_each_peer_gets_the_pair_key_both_ends_agree():
    a, b, c = _pub(), _pub(), _pub()
    peers_of_a = [{'name': 'b', 'public_key': b}, {'name': 'c', 'public_key': c}]
    out = mesh_with_psk(peers_of_a, 's3cret', a)
    assert [p['preshared_key'] for p in out] == [mesh_psk('s3cret', a, b), mesh_psk('s3cret', a, c)]
    back = mesh_with_psk([{'name': 'a', 'public_key': a}], 's3cret', b)
    assert back[0]['preshared_key'] == out[0]['preshared_key']
    assert 'preshared_key' not in peers_of_a[0], 'input must not be modified'


@pytest.mark.parametrize('secret, own', [('', 'x'), (None, 'x'), ('s3cret', None)])
def test_unchanged_without_secret_or_own_key(secret, own):
    peers = [{'name': 'b', 'public_key': _pub()}]
    assert mesh_with_psk(peers, secret, own) == peers


def test_peer_without_key_is_an_error():
    with pytest.raises(AnsibleFilterError, match="peer 'b' has no public_key"):
        mesh_with_psk([{'name': 'b'}], 's3cret', _pub())


def test_the_json_text_of_wg_mesh_is_taken_as_the_list():
    """wg_mesh returns a site's peers as one JSON text (compact): the interface task hands that text to the filter."""
    from ansible_collections.sitemesh.wireguard.plugins.module_utils._mesh_snapshot import compact
    a, b, c = _pub(), _pub(), _pub()
    peers = [{'name': 'b', 'public_key': b, 'allowed_ips': ['10.0.2.0/24']}, {'name': 'c', 'public_key': c}]
    text = compact({'name': 'a', 'peers': peers})['peers']
    assert isinstance(text, str)
    assert mesh_with_psk(text, 's3cret', a) == mesh_with_psk(peers, 's3cret', a)
    assert mesh_with_psk(text, '', a) == peers
    with pytest.raises(AnsibleFilterError, match='peers is not the JSON text of a list of peers'):
        mesh_with_psk('[{', 's3cret', a)
    with pytest.raises(AnsibleFilterError, match='peers must be a list'):
        mesh_with_psk('{"name": "b"}', 's3cret', a)
