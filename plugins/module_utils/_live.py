# Note that this module util is **PRIVATE** to the collection. It can have breaking changes at any time.
# Do not use this from other collections or standalone plugins/modules!

# Copyright (c) 2026, sitemesh.wireguard contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Reading the live state of a site: ``wg show NAME dump``, ``ip -o addr/link``, ``ip route show table
all``, ``ip rule show``, sysctl. The ``parse_*`` functions are pure (recorded outputs in, plain data
out); ``read_*`` run the commands (nothing is changed)."""

from __future__ import annotations

import ipaddress

from ansible_collections.sitemesh.wireguard.plugins.module_utils._config import (
    normalize_fwmark,
    normalize_network,
)
from ansible_collections.sitemesh.wireguard.plugins.module_utils._runner import read
from ansible_collections.sitemesh.wireguard.plugins.module_utils._uapi import socket_path

# the first word of a route that is not a unicast route (``ip route show table all``)
ROUTE_TYPES = ('unicast', 'local', 'broadcast', 'multicast', 'anycast', 'unreachable', 'blackhole',
               'prohibit', 'throw', 'nat')
SRC_VALID_MARK_PATH = '/proc/sys/net/ipv4/conf/all/src_valid_mark'


def _none(value):
    return None if value == '(none)' else value


def parse_wg_dump(text):
    """``wg show NAME dump`` as {private_key, public_key, listen_port, fwmark, peers: [...]}; None when empty.

    Each peer also carries its counters: ``latest_handshake`` (epoch seconds, None when never),
    ``rx_bytes``, ``tx_bytes``.
    """
    lines = [line for line in (text or '').splitlines() if line.strip()]
    if not lines:
        return None
    fields = lines[0].split('\t')
    state = {
        'private_key': _none(fields[0]),
        'public_key': _none(fields[1]),
        'listen_port': int(fields[2]) if fields[2].isdigit() else None,
        'fwmark': normalize_fwmark(fields[3]),
        'peers': [],
    }
    for line in lines[1:]:
        f = line.split('\t')
        if len(f) < 8:
            continue
        state['peers'].append({
            'public_key': f[0],
            'preshared_key': _none(f[1]),
            'endpoint': _none(f[2]),
            'allowed_ips': [] if f[3] == '(none)' else [normalize_network(v) for v in f[3].split(',') if v],
            'persistent_keepalive': None if f[7] in ('off', '0') else int(f[7]),
            'latest_handshake': int(f[4]) if f[4].isdigit() and f[4] != '0' else None,
            'rx_bytes': int(f[5]) if f[5].isdigit() else 0,
            'tx_bytes': int(f[6]) if f[6].isdigit() else 0,
        })
    return state


def parse_addresses(text):
    """The addresses (with prefix) of an ``ip -o addr show`` listing, in its order, both families."""
    addresses = []
    for line in (text or '').splitlines():
        words = line.split()
        for family in ('inet', 'inet6'):
            if family in words:
                addresses.append(str(ipaddress.ip_interface(words[words.index(family) + 1])))
    return addresses


def parse_link(text):
    """{index, mtu} of an ``ip -o link show dev NAME`` line; None when there is none."""
    text = (text or '').strip()
    if not text:
        return None
    words = text.split()
    return {'index': int(text.split(':', 1)[0]), 'mtu': int(words[words.index('mtu') + 1]) if 'mtu' in words else None}


def _word_after(words, key):
    return words[words.index(key) + 1] if key in words[:-1] else None


def parse_routes(text, family):
    """The routes of ``ip -<family> route show table all``: dicts {type, dst, dev, table, proto}."""
    routes = []
    for line in (text or '').splitlines():
        words = line.split()
        if not words:
            continue
        kind = words.pop(0) if words[0] in ROUTE_TYPES else 'unicast'
        dst = words[0] if words else ''
        if dst == 'default':
            dst = '0.0.0.0/0' if family == 4 else '::/0'
        try:
            dst = normalize_network(dst)
        except ValueError:
            pass
        routes.append({'type': kind, 'dst': dst, 'dev': _word_after(words, 'dev'),
                       'table': _word_after(words, 'table') or 'main', 'proto': _word_after(words, 'proto')})
    return routes


def read_sysctl(path):
    try:
        with open(path) as handle:
            return handle.read().strip()
    except (IOError, OSError):
        return None


def read_wg(module, name):
    """``wg show NAME dump`` parsed; its keys are added to the module's no_log values."""
    state = parse_wg_dump(read(module, ['wg', 'show', name, 'dump']))
    if state is not None:
        secrets = [state['private_key']] + [p['preshared_key'] for p in state['peers']]
        module.no_log_values.update(s for s in secrets if s)
    return state


def read_link(module, name):
    return parse_link(read(module, ['ip', '-o', 'link', 'show', 'dev', name]))


def read_addresses(module, dev):
    return parse_addresses(read(module, ['ip', '-o', 'addr', 'show', 'dev', dev]))


def read_routing(module):
    """(every route of both families as ``parse_routes`` gives them, {4|6: ``ip rule show``})."""
    routes = []
    rules = {}
    for family in (4, 6):
        routes.extend(parse_routes(read(module, ['ip', '-%d' % family, 'route', 'show', 'table', 'all']), family))
        rules[family] = read(module, ['ip', '-%d' % family, 'rule', 'show'])
    return routes, rules


def read_interface(module, name):
    """Everything the plans of an interface need, read once: {link, wg, addresses, routes, rules,
    src_valid_mark, uapi (the control socket of a userspace NAME, else None)}; link (and the rest) None
    when NAME does not exist."""
    link = read_link(module, name)
    if link is None:
        return {'link': None}
    routes, rules = read_routing(module)
    return {
        'link': link,
        'wg': read_wg(module, name),
        'addresses': read_addresses(module, name),
        'routes': routes,
        'rules': rules,
        'src_valid_mark': read_sysctl(SRC_VALID_MARK_PATH),
        'uapi': socket_path(name),
    }
