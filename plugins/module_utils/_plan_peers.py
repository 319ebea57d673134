# Note that this module util is **PRIVATE** to the collection. It can have breaking changes at any time.
# Do not use this from other collections or standalone plugins/modules!

# Copyright (c) 2026, sitemesh.wireguard contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Plans for the peers and keys of a running interface (pure but for the resolution of endpoint
names), for the whole config (wg_interface) or one peer (wg_peer).

No tunnel that stays loses a packet, so a peer that stays never has its allowed IPs *replaced* (what
``wg syncconf``, ``wg addconf`` and ``wg set ... allowed-ips`` all do: remove every prefix of the peer,
then insert the new list; a packet in between finds no peer). Instead, per peer:

- new prefixes are inserted: on a userspace interface by a request on its control socket (``_uapi``);
  on a kernel interface ``wg`` (before wireguard-tools v1.0.20250521) has no way to insert, so the peer's
  list is replaced there (the one place a tiny gap remains, documented);
- prefixes that go are *moved* to a sink peer (``sink_key``: an inserted prefix leaves the peer that had
  it, atomically), then the sink is removed with them; a prefix that moves to another peer is simply
  inserted there;
- endpoint, keepalive and preshared key are set with ``wg set`` without ``allowed-ips``;
- new peers are added before, and gone peers removed after, so a prefix handed from one to the other
  is never without a peer.
"""

from __future__ import annotations

import base64
import copy
import hashlib
import ipaddress
import socket

from ansible_collections.sitemesh.wireguard.plugins.module_utils._actions import Action
from ansible_collections.sitemesh.wireguard.plugins.module_utils._config import empty_peer
from ansible_collections.sitemesh.wireguard.plugins.module_utils._uapi import UAPI, add_allowed_ips_request, keys_request


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


def sink_key(name):
    """The public key of NAME's sink peer: fixed per interface (plans are reproducible), never a site's."""
    return base64.b64encode(hashlib.sha256(b'sitemesh.wireguard sink ' + name.encode()).digest()).decode()


def plan_interface_keys(name, interface, live_wg, wanted_fwmark):
    """``wg set NAME private-key /dev/stdin listen-port N fwmark M``: only what differs."""
    argv = ['wg', 'set', name]
    stdin = None
    if live_wg['private_key'] != interface['private_key']:
        argv += ['private-key', '/dev/stdin']
        stdin = interface['private_key'] + '\n'
    if interface['listen_port'] and interface['listen_port'] != live_wg['listen_port']:
        argv += ['listen-port', str(interface['listen_port'])]
    if (wanted_fwmark or None) != live_wg['fwmark']:
        argv += ['fwmark', str(wanted_fwmark) if wanted_fwmark else 'off']
    if len(argv) == 3:
        return []
    return [Action((('interface_updated', True),), argv, stdin)]


def plan_peer_update(name, wanted, live, uapi, elsewhere=frozenset()):
    """The actions that bring the live peer ``live`` to ``wanted`` with no gap for the prefixes that
    stay, and the prefixes it gives up (moved to the sink by the caller, unless ``elsewhere`` wants
    them: another peer's insert takes them over)."""
    key = wanted['public_key']
    fields = peer_differs(wanted, live)
    if not fields:
        return [], []
    changes = (('peers_updated', key),)
    actions = []
    other = dict((f, wanted.get(f)) for f in fields if f != 'allowed_ips')
    if other:
        argv, stdin = _set_argv(name, key, other)
        actions.append(Action(changes, argv, stdin))
        changes = ()
    gone = []
    if 'allowed_ips' in fields:
        new = [p for p in wanted['allowed_ips'] if p not in live['allowed_ips']]
        gone = [p for p in live['allowed_ips'] if p not in wanted['allowed_ips'] and p not in elsewhere]
        if new and uapi:
            actions.append(Action(changes, [UAPI, uapi], add_allowed_ips_request(key, new)))
        elif new:  # a kernel interface: wg can only replace the list (see the module's docstring)
            actions.append(Action(changes, ['wg', 'set', name, 'peer', key, 'allowed-ips',
                                            ','.join(wanted['allowed_ips'])], None))
            gone = []
        elif not actions:
            actions.append(Action(changes, None, None))  # only removals: the sink does them
    return actions, gone


def plan_sink(name, prefixes):
    """Move ``prefixes`` off their peers to the sink, then remove the sink and them with it."""
    if not prefixes:
        return []
    sink = sink_key(name)
    return [Action((), ['wg', 'set', name, 'peer', sink, 'allowed-ips', ','.join(prefixes)], None),
            Action((), ['wg', 'set', name, 'peer', sink, 'remove'], None)]


def plan_new_private_key(model, live_wg, uapi):
    """On a userspace interface whose private key changes: one request with the new key and the preshared keys
    of the existing peers that change with it (``keys_request``). Returns (actions, live_wg as after them)."""
    interface = model['interface']
    if not uapi or live_wg['private_key'] == interface['private_key']:
        return [], live_wg
    after = dict(live_wg, private_key=interface['private_key'], peers=[])
    psks, changes = [], [('interface_updated', True)]
    wanted = dict((p['public_key'], p) for p in model['peers'])
    for peer in live_wg['peers']:
        want = wanted.get(peer['public_key'])
        if want is not None and want.get('preshared_key') != peer['preshared_key']:
            psks.append((peer['public_key'], want.get('preshared_key')))
            peer = dict(peer, preshared_key=want.get('preshared_key'))
            if not peer_differs(want, peer):   # nothing else to change: reported here
                changes.append(('peers_updated', peer['public_key']))
        after['peers'].append(peer)
    return [Action(tuple(changes), [UAPI, uapi], keys_request(interface['private_key'], psks))], after


def plan_peers(name, model, live_wg, wanted_fwmark, uapi=None):
    """The peers and keys of the running NAME brought to ``model``: interface keys, new peers, updated
    peers, the sink, gone peers, in that order. ``uapi``: NAME's control socket when it is userspace."""
    actions, live_wg = plan_new_private_key(model, live_wg, uapi)
    actions += plan_interface_keys(name, model['interface'], live_wg, wanted_fwmark)
    live = dict((p['public_key'], p) for p in live_wg['peers'])
    wanted_keys = set(p['public_key'] for p in model['peers'])
    wanted_prefixes = set(a for p in model['peers'] for a in p['allowed_ips'])
    for peer in model['peers']:
        if peer['public_key'] not in live:
            argv, stdin = _set_argv(name, peer['public_key'], peer)
            actions.append(Action((('peers_added', peer['public_key']),), argv, stdin))
    gone = []
    for peer in model['peers']:
        if peer['public_key'] in live:
            updates, released = plan_peer_update(name, peer, live[peer['public_key']], uapi, wanted_prefixes)
            actions += updates
            gone += released
    actions += plan_sink(name, gone)
    actions.extend(Action((('peers_removed', key),), ['wg', 'set', name, 'peer', key, 'remove'], None)
                   for key in live if key not in wanted_keys)
    return actions


def plan_peer_set(name, fields, present, live_wg, uapi=None):
    """``wg set NAME peer KEY ...`` (or ``... remove``) for one peer; returns (actions, peers after).
    An existing peer is updated as ``plan_peer_update`` does (no gap for the prefixes that stay)."""
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
    if key in current:
        others = set(a for p in current.values() if p['public_key'] != key for a in p['allowed_ips'])
        actions, gone = plan_peer_update(name, wanted, current[key], uapi, others)
        actions += plan_sink(name, gone)
    else:
        argv, stdin = _set_argv(name, key, fields)
        actions = [Action((('peers_added', key),), argv, stdin)]
    current[key] = wanted
    return actions, list(current.values())


def _set_argv(name, key, fields):
    argv = ['wg', 'set', name, 'peer', key]
    stdin = None
    if 'allowed_ips' in fields:
        argv += ['allowed-ips', ','.join(fields['allowed_ips'])]
    if fields.get('endpoint'):
        argv += ['endpoint', fields['endpoint']]
    if 'persistent_keepalive' in fields:
        argv += ['persistent-keepalive', str(fields['persistent_keepalive'] or 0)]
    if 'preshared_key' in fields and fields['preshared_key']:
        argv += ['preshared-key', '/dev/stdin']
        stdin = fields['preshared_key'] + '\n'
    elif 'preshared_key' in fields:
        argv += ['preshared-key', '/dev/null']  # wg: no preshared key
    return argv, stdin
