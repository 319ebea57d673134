# Note that this module util is **PRIVATE** to the collection. It can have breaking changes at any time.
# Do not use this from other collections or standalone plugins/modules!

# Copyright (c) 2026, sitemesh.wireguard contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""What ``wg_info`` returns: one interface as read by ``_live`` (``wg show NAME dump``, ``ip -o addr``), each
peer named from a ``{public key: name}`` map, handshake ages taken on the site's own clock. Public keys only:
the private key and the preshared keys of the dump never reach the result."""

from __future__ import annotations

import time

from ansible_collections.sitemesh.wireguard.plugins.module_utils._live import read_addresses, read_link, read_wg


def peer_info(peer, names, now):
    """One live peer (``_live.parse_wg_dump`` form) as wg_info returns it."""
    handshake = peer['latest_handshake']
    return {
        'name': names.get(peer['public_key']),
        'public_key': peer['public_key'],
        'endpoint': peer['endpoint'],
        'allowed_ips': list(peer['allowed_ips']),
        'latest_handshake': handshake,
        'handshake_age': None if handshake is None else max(0, int(now) - handshake),
        'rx_bytes': peer['rx_bytes'],
        'tx_bytes': peer['tx_bytes'],
        'persistent_keepalive': peer['persistent_keepalive'],
    }


def site_info(name, wg_state, addresses, names, now):
    """The interface NAME from what was read (``wg_state`` None: no WireGuard link of that name); pure."""
    names = names or {}
    if wg_state is None:
        return {'interface': name, 'up': False, 'public_key': None, 'name': None, 'listen_port': None,
                'fwmark': None, 'addresses': [], 'peers': [], 'now': int(now)}
    return {
        'interface': name,
        'up': True,
        'public_key': wg_state['public_key'],
        'name': names.get(wg_state['public_key']),
        'listen_port': wg_state['listen_port'],
        'fwmark': wg_state['fwmark'],
        'addresses': list(addresses or []),
        'peers': [peer_info(peer, names, now) for peer in wg_state['peers']],
        'now': int(now),
    }


def read_info(module, name, names):
    """Read NAME on this host (nothing is changed) and return ``site_info``; the dump's secrets are no_log values."""
    wg_state = read_wg(module, name) if read_link(module, name) is not None else None
    addresses = read_addresses(module, name) if wg_state is not None else []
    return site_info(name, wg_state, addresses, names, time.time())
