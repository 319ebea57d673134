# Note that this module util is **PRIVATE** to the collection. It can have breaking changes at any time.
# Do not use this from other collections or standalone plugins/modules!

# Copyright (c) 2026, sitemesh.wireguard contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Plans (pure) for the routing of an interface as ``wg-quick up`` makes it (``add_route``,
``add_default``): a route per allowed IP its own connected network does not cover, and for
``0.0.0.0/0`` / ``::/0`` the policy routing (fwmark, table, two ``ip rule``, ``src_valid_mark``).
Routes ``dev NAME`` no peer needs any more are removed; the kernel's connected routes are left alone.
"""

from __future__ import annotations

import ipaddress

from ansible_collections.sitemesh.wireguard.plugins.module_utils._actions import action
from ansible_collections.sitemesh.wireguard.plugins.module_utils._config import normalize_network

DEFAULT_TABLE = 51820
SRC_VALID_MARK = 'net.ipv4.conf.all.src_valid_mark=1'
AUTO = (None, '', 'auto')


def needs_default(table, allowed_ips):
    """True when wg-quick would set up policy routing: Table auto and a /0 among the allowed IPs."""
    return table in AUTO and any(ipaddress.ip_network(normalize_network(a)).prefixlen == 0 for a in allowed_ips)


def policy_table(name, wanted_fwmark, live_fwmark, routes):
    """The table (= fwmark) wg-quick's add_default would use for NAME: the first from 51820 that holds
    no route of another device (``routes`` as ``parse_routes`` gives them)."""
    for mark in (wanted_fwmark, live_fwmark):
        if mark:
            return int(mark)
    table = DEFAULT_TABLE
    while any(r['table'] == str(table) and r['dev'] != name for r in routes):
        table += 1
    return table


def wanted_routes(table, addresses, allowed_ips, policy):
    """The routes wg-quick up would add: a set of (cidr, table) and the default-route families.

    ``table`` is the config's Table (None/'auto', 'off' or a table), ``policy`` the fwmark table
    used for default routes with Table auto.
    """
    routes = set()
    defaults = set()
    if table == 'off':
        return routes, defaults
    allowed = sorted(set(normalize_network(a) for a in allowed_ips),
                     key=lambda c: ipaddress.ip_network(c).prefixlen, reverse=True)
    if table not in AUTO:
        return set((cidr, str(table)) for cidr in allowed), defaults
    connected = []
    for address in addresses:
        iface = ipaddress.ip_interface(address)
        if iface.network.prefixlen < iface.max_prefixlen:
            connected.append(iface.network)
    for cidr in allowed:
        net = ipaddress.ip_network(cidr)
        if net.prefixlen == 0:
            defaults.add(net.version)
            routes.add((cidr, str(policy)))
        elif not any(net.version == c.version and net.subnet_of(c) for c in connected):
            routes.add((cidr, 'main'))
    return routes, defaults


def live_routes(name, routes, tables):
    """(cidr, table) of the unicast routes ``dev NAME`` in ``tables``, the kernel's own left out."""
    return set((r['dst'], r['table']) for r in routes
               if r['dev'] == name and r['type'] == 'unicast' and r['proto'] != 'kernel' and r['table'] in tables)


def route_name(route):
    cidr, table = route
    return cidr if table == 'main' else '%s table %s' % (cidr, table)


def route_sort(route):
    net = ipaddress.ip_network(route[0])
    return (-net.prefixlen, net.version, route[0], route[1])


def _tables(table, wanted, marks):
    tables = set(t for dummy, t in wanted)
    if table in AUTO:
        tables.add('main')
        tables.update(str(int(mark)) for mark in marks if mark)
    else:
        tables.add(str(table))
    return tables


def routing_intent(name, table, addresses, allowed_ips, live_fwmark, wanted_fwmark, routes):
    """What the routing of NAME must be: {policy, wanted, defaults, tables, cleanup_iptables};
    None with Table off (routes are not managed)."""
    if table == 'off':
        return None
    policy = policy_table(name, wanted_fwmark, live_fwmark, routes) if needs_default(table, allowed_ips) else None
    wanted, defaults = wanted_routes(table, addresses, allowed_ips, policy)
    return {'policy': policy, 'wanted': wanted, 'defaults': defaults,
            'tables': _tables(table, wanted, (live_fwmark, wanted_fwmark, policy)),
            'cleanup_iptables': bool(live_fwmark or policy)}


def plan_routes(name, wanted, tables, routes):
    """``ip route del`` / ``ip route replace`` actions: removals first, then additions."""
    current = live_routes(name, routes, tables)
    actions = []
    for cidr, tbl in sorted(current - wanted, key=route_sort):
        argv = ['ip', '-%d' % ipaddress.ip_network(cidr).version, 'route', 'del', cidr, 'dev', name, 'table', tbl]
        actions.append(action('routes_removed', route_name((cidr, tbl)), argv))
    for cidr, tbl in sorted(wanted - current, key=route_sort):
        argv = ['ip', '-%d' % ipaddress.ip_network(cidr).version, 'route', 'replace', cidr, 'dev', name, 'table', tbl]
        actions.append(action('routes_added', route_name((cidr, tbl)), argv))
    return actions


def plan_routing(name, table, intent, live, manage_fwmark=False):
    """Routes, fwmark (``manage_fwmark``: wg_peer), policy rules and src_valid_mark of NAME
    (``intent`` from ``routing_intent``, ``live`` from ``read_interface``)."""
    if intent is None:
        return []
    policy, defaults = intent['policy'], intent['defaults']
    live_fwmark = (live.get('wg') or {}).get('fwmark')
    actions = []
    if manage_fwmark and policy is not None:
        actions.extend(plan_fwmark(name, policy, live_fwmark))
    actions.extend(plan_routes(name, intent['wanted'], intent['tables'], live['routes']))
    actions.extend(plan_rules(defaults, policy, live_fwmark, table, live['rules']))
    actions.extend(plan_src_valid_mark(defaults, live['src_valid_mark']))
    return actions


def _rule(argv):
    return action('rules_changed', 'ip ' + ' '.join(argv[1:]), argv)


def plan_rules(defaults, policy, live_fwmark, table, rules):
    """The ``ip rule`` actions of default routes, as wg-quick add_default / del_if make them.

    ``rules`` is {4: ``ip -4 rule show``, 6: ``ip -6 rule show``}.
    """
    actions = []
    if table not in AUTO:
        return actions
    for family in (4, 6):
        lines = (rules.get(family) or '').splitlines()
        ip = ['ip', '-%d' % family, 'rule']
        if family in defaults:
            mark = str(policy)
            if not any('not from all fwmark' in r and r.split()[-1] == mark for r in lines):
                actions.append(_rule(ip + ['add', 'not', 'fwmark', mark, 'table', mark]))
            if not any('from all lookup main suppress_prefixlength 0' in r for r in lines):
                actions.append(_rule(ip + ['add', 'table', 'main', 'suppress_prefixlength', '0']))
        elif live_fwmark:
            mark = str(int(live_fwmark))
            ours = [r for r in lines if 'not from all fwmark' in r and r.split()[-1] == mark]
            others = [r for r in lines if 'not from all fwmark' in r and r.split()[-1] != mark]
            actions.extend(_rule(ip + ['delete', 'table', mark]) for dummy in ours)
            if ours and not others:
                actions.extend(_rule(ip + ['delete', 'table', 'main', 'suppress_prefixlength', '0'])
                               for line in lines if 'from all lookup main suppress_prefixlength 0' in line)
    return actions


def plan_src_valid_mark(defaults, value):
    """``sysctl -q net.ipv4.conf.all.src_valid_mark=1`` for an IPv4 default route, when it is not set."""
    if 4 not in defaults or value == '1':
        return []
    return [action('rules_changed', 'sysctl %s' % SRC_VALID_MARK, ['sysctl', '-q', SRC_VALID_MARK])]


def plan_fwmark(name, policy, live_fwmark):
    """``wg set NAME fwmark N`` (wg_peer: the config is not synced, the mark is set alone)."""
    if str(policy) == (live_fwmark or ''):
        return []
    return [action('rules_changed', 'wg set %s fwmark %s' % (name, policy), ['wg', 'set', name, 'fwmark', str(policy)])]


def firewall_ips(addresses, defaults, live_addresses):
    """{family: [IPs]} wg-quick's add_default protects with its preraw rules: every address of NAME
    of a family with a default route, the IPv6 link-local ones the kernel made (read live) included."""
    ips = {4: [], 6: []}
    if not defaults:
        return ips
    for address in addresses:
        ip = ipaddress.ip_interface(address).ip
        if str(ip) not in ips[ip.version]:
            ips[ip.version].append(str(ip))
    if 6 in defaults:
        for address in live_addresses:
            ip = ipaddress.ip_interface(address).ip
            if ip.version == 6 and ip.is_link_local and str(ip) not in ips[6]:
                ips[6].append(str(ip))
    return ips
