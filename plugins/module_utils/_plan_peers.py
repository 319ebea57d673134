# Note that this module util is **PRIVATE** to the collection. It can have breaking changes at any time.
# Do not use this from other collections or standalone plugins/modules!

# Copyright (c) 2026, sitemesh.wireguard contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Plans for the peers and keys of a running interface (pure but for the resolution of endpoint
names): ``wg syncconf`` of the whole config (wg_interface) or ``wg set`` of one peer (wg_peer)."""

from __future__ import annotations

import copy
import ipaddress
import socket

from ansible_collections.sitemesh.wireguard.plugins.module_utils._actions import Action
from ansible_collections.sitemesh.wireguard.plugins.module_utils._config import empty_peer, render_wg


def endpoint_matches(wanted, live, resolve=socket.getaddrinfo):
    """True when the live endpoint (always an IP) is what ``wanted`` (IP or name) resolves to."""
    if wanted is None:
        return True
    if live is None:
        return False
    if wanted == live:
        return True
    host, sep, port = wanted.rpartition(':')
    if not sep:
        return False
    live_host, dummy, live_port = live.rpartition(':')
    if port != live_port:
        return False
    host = host.strip('[]')
    live_host = live_host.strip('[]')
    try:
        return ipaddress.ip_address(host) == ipaddress.ip_address(live_host)
    except ValueError:
        pass
    try:
        infos = resolve(host, int(port), 0, socket.SOCK_DGRAM)
    except (socket.error, ValueError):
        return False
    return any(info[4][0] == live_host for info in infos)


def peer_differs(wanted, live):
    """Which fields of a wanted peer (model form) differ from its live state."""
    fields = []
    if sorted(wanted['allowed_ips']) != sorted(live['allowed_ips']):
        fields.append('allowed_ips')
    if not endpoint_matches(wanted.get('endpoint'), live['endpoint']):
        fields.append('endpoint')
    if (wanted.get('persistent_keepalive') or None) != live['persistent_keepalive']:
        fields.append('persistent_keepalive')
    if wanted.get('preshared_key') != live['preshared_key']:
        fields.append('preshared_key')
    return fields


def peer_changes(wanted_peers, live_peers):
    """(result key, public key) pairs: peers added, updated, removed."""
    live = dict((p['public_key'], p) for p in live_peers)
    wanted_keys = set(p['public_key'] for p in wanted_peers)
    changes = []
    for peer in wanted_peers:
        if peer['public_key'] not in live:
            changes.append(('peers_added', peer['public_key']))
        elif peer_differs(peer, live[peer['public_key']]):
            changes.append(('peers_updated', peer['public_key']))
    changes.extend(('peers_removed', key) for key in live if key not in wanted_keys)
    return changes


def plan_syncconf(name, model, live_wg, wanted_fwmark, policy_mark=None):
    """``wg syncconf NAME /dev/stdin`` (the config as wg reads it, key kept) when peers or keys differ.

    ``wanted_fwmark`` is the mark the interface must carry; ``policy_mark`` the one wg-quick would set
    at runtime for a default route (added to what syncconf reads when the config has none).
    """
    interface = model['interface']
    changes = peer_changes(model['peers'], live_wg['peers'])
    if (live_wg['private_key'] != interface['private_key']
            or (interface['listen_port'] and interface['listen_port'] != live_wg['listen_port'])
            or (wanted_fwmark or None) != live_wg['fwmark']):
        changes.append(('interface_updated', True))
    if not changes:
        return []
    stdin = render_wg(model, fwmark=policy_mark)
    return [Action(tuple(changes), ['wg', 'syncconf', name, '/dev/stdin'], stdin)]


def plan_peer_set(name, fields, present, live_wg):
    """``wg set NAME peer KEY ...`` (or ``... remove``) for one peer; returns (actions, peers after)."""
    key = fields['public_key']
    current = dict((p['public_key'], p) for p in live_wg['peers'])
    if not present:
        if key not in current:
            return [], list(current.values())
        del current[key]
        return [Action((('peers_removed', key),), ['wg', 'set', name, 'peer', key, 'remove'], None)], \
            list(current.values())
    wanted = copy.deepcopy(current.get(key) or dict(empty_peer(), public_key=key))
    wanted.update(fields)
    if key not in current:
        change = ('peers_added', key)
    elif peer_differs(wanted, current[key]):
        change = ('peers_updated', key)
    else:
        change = None
    current[key] = wanted
    if change is None:
        return [], list(current.values())
    argv, stdin = _set_argv(name, key, fields)
    return [Action((change,), argv, stdin)], list(current.values())


def _set_argv(name, key, fields):
    argv = ['wg', 'set', name, 'peer', key]
    stdin = None
    if 'allowed_ips' in fields:
        argv += ['allowed-ips', ','.join(fields['allowed_ips'])]
    if fields.get('endpoint'):
        argv += ['endpoint', fields['endpoint']]
    if 'persistent_keepalive' in fields:
        argv += ['persistent-keepalive', str(fields['persistent_keepalive'] or 0)]
    if 'preshared_key' in fields:
        argv += ['preshared-key', '/dev/stdin']
        stdin = fields['preshared_key'] + '\n'
    return argv, stdin
