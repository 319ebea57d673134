# Note that this module util is **PRIVATE** to the collection. It can have breaking changes at any time.
# Do not use this from other collections or standalone plugins/modules!

# Copyright (c) 2026, sitemesh.wireguard contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Preshared keys of the mesh: one per pair of peers, derived on the controller from one secret.

HKDF-SHA256(secret, info=label + the two public keys sorted), so both ends derive the same key
without it ever being stored.
"""

from __future__ import annotations

import base64

from ansible_collections.sitemesh.wireguard.plugins.module_utils._keys import check_key
from ansible_collections.sitemesh.wireguard.plugins.module_utils._mesh_parse import MeshError

try:
    from cryptography.hazmat.primitives import hashes
    from cryptography.hazmat.primitives.kdf.hkdf import HKDF
except ImportError:  # pragma: no cover - reported when needed
    HKDF = None

PSK_INFO = b'sitemesh.wireguard psk v1'


def _secret_bytes(secret):
    if secret is None:
        raise MeshError('mesh_psk: the secret is empty')
    material = bytes(secret) if isinstance(secret, bytes) else str(secret).encode('utf-8')
    if not material.strip():
        raise MeshError('mesh_psk: the secret is empty')
    return material


def pair_psk(secret, public_key_a, public_key_b):
    """Preshared key of a pair of peers: HKDF-SHA256(secret, info=label + sorted pair); same on both ends."""
    if HKDF is None:
        raise MeshError('mesh_psk needs the Python library cryptography on the controller')
    material = _secret_bytes(secret)
    keys = []
    for label, value in (('public_key_a', public_key_a), ('public_key_b', public_key_b)):
        key, why = check_key(value)
        if why:
            raise MeshError('mesh_psk: %s %s' % (label, why))
        keys.append(key)
    if keys[0] == keys[1]:
        raise MeshError('mesh_psk: public_key_a and public_key_b are the same key (a pair needs two peers)')
    low, high = sorted(keys)
    hkdf = HKDF(algorithm=hashes.SHA256(), length=32, salt=None,
                info=PSK_INFO + low.encode('ascii') + high.encode('ascii'))
    return base64.b64encode(hkdf.derive(material)).decode('ascii')


def with_psk(peers, secret, public_key):
    """Peers (a list) of one host with a preshared key per pair added (pair_psk); unchanged without a secret.

    Also unchanged when the host's own public key is not known yet (check mode on a fresh host).
    """
    if secret is None or not str(secret).strip() or not public_key:
        return [dict(peer) for peer in peers]
    result = []
    for peer in peers:
        item = dict(peer)
        if not item.get('public_key'):
            raise MeshError('mesh_with_psk: peer %r has no public_key' % item.get('name'))
        item['preshared_key'] = pair_psk(secret, public_key, item['public_key'])
        result.append(item)
    return result
