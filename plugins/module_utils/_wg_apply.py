# Note that this module util is **PRIVATE** to the collection. It can have breaking changes at any time.
# Do not use this from other collections or standalone plugins/modules!

# Copyright (c) 2026, sitemesh.wireguard contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Apply a WireGuard configuration to a running interface without taking it down.

* peers and interface keys: ``wg syncconf NAME /dev/stdin`` fed with ``wg-quick strip`` of the
  installed file, so the private key (inline in the file) is kept;
* addresses: ``ip -o addr show dev NAME`` against the wanted list, ``ip addr add/del``;
* routes: what ``wg-quick up`` would have added (``add_route`` / ``add_default`` in wg-quick),
  so that a ``wg-quick down; wg-quick up`` later and a module run agree: a route per allowed IP
  unless the interface's own connected network covers it, and for ``0.0.0.0/0`` / ``::/0`` the
  policy routing of wg-quick (fwmark, table, two rules, ``src_valid_mark``) and its firewall rules
  (``_wg_firewall``: nft table ``wg-quick-NAME``, or iptables). Routes ``dev NAME`` no peer needs any
  more are removed; the kernel's connected routes are left alone. Rules, sysctl and firewall changes
  are listed in ``rules_changed``.

Every function first works out the change, and runs commands only when not in check mode.
"""

from __future__ import annotations

import ipaddress
import os

from ansible_collections.sitemesh.wireguard.plugins.module_utils._wg_firewall import (
    firewall_actions,
    run_actions as run_firewall,
)
from ansible_collections.sitemesh.wireguard.plugins.module_utils._wireguard import (
    ENV,
    live_state,
    normalize_network,
    peer_differs,
    wg_bin,
    wg_quick_strip,
)

DEFAULT_TABLE = 51820
SRC_VALID_MARK = 'net.ipv4.conf.all.src_valid_mark=1'
RESULT_LISTS = ('peers_added', 'peers_removed', 'peers_updated', 'addresses_added',
                'addresses_removed', 'routes_added', 'routes_removed')


def empty_result():
    return dict((key, []) for key in RESULT_LISTS)


LIVE_LABELS = (('started', 'started (wg-quick up)'), ('interface_updated', 'interface keys, port or fwmark'),
               ('peers_added', '+ peer'), ('peers_removed', '- peer'), ('peers_updated', '~ peer'),
               ('addresses_added', '+ address'), ('addresses_removed', '- address'),
               ('routes_added', '+ route'), ('routes_removed', '- route'), ('rules_changed', '*'))


def live_diff(result, name):
    """The live changes in ``result`` as text for the ``prepared`` part of a diff ('' when none)."""
    lines = []
    for key, label in LIVE_LABELS:
        value = result.get(key)
        if value is True:
            lines.append(label)
        elif isinstance(value, list):
            lines.extend('%s %s' % (label, item) for item in value)
    if not lines:
        return ''
    return 'live changes of %s:\n%s\n' % (name, '\n'.join('  ' + line for line in lines))


def run(module, argv, data=None):
    """Run a command (list, LANG=C, secrets only through ``data``); fail with its stderr."""
    rc, out, err = module.run_command(argv, data=data, environ_update=ENV, binary_data=False)
    if rc != 0:
        module.fail_json(msg='%s failed (rc=%d): %s' % (' '.join(argv[:3]), rc, (err or out).strip()),
                         cmd=argv)
    return out


def ip_show(module, argv):
    """Output of an ``ip ... show`` command; empty when it fails (a routing table not made yet)."""
    rc, out, dummy = module.run_command([ip_bin(module)] + argv, environ_update=ENV)
    return out if rc == 0 else ''


def ip_bin(module):
    return module.get_bin_path('ip', required=True)


def link_exists(module, name):
    rc, dummy, dummy2 = module.run_command([ip_bin(module), '-o', 'link', 'show', 'dev', name], environ_update=ENV)
    return rc == 0


def link_index(module, name):
    rc, out, dummy = module.run_command([ip_bin(module), '-o', 'link', 'show', 'dev', name], environ_update=ENV)
    return int(out.split(':', 1)[0]) if rc == 0 and out else None


def uses_systemd(module, name, config_path):
    """wg-quick@NAME.service is used only when systemd runs this host and the file is the one the
    unit reads (/etc/wireguard/NAME.conf); else ``wg-quick up|down CONFIG_PATH`` directly."""
    return (os.path.isdir('/run/systemd/system') and bool(module.get_bin_path('systemctl'))
            and os.path.abspath(config_path) == '/etc/wireguard/%s.conf' % name)


# ---------------------------------------------------------------------------------------------
# up / down
# ---------------------------------------------------------------------------------------------

def bring_up(module, name, config_path):
    if uses_systemd(module, name, config_path):
        run(module, [module.get_bin_path('systemctl'), 'start', 'wg-quick@%s' % name])
    else:
        run(module, [module.get_bin_path('wg-quick', required=True), 'up', os.path.abspath(config_path)])


def bring_down(module, name, config_path):
    """Take NAME down (state=absent only). Returns changed."""
    if not link_exists(module, name):
        return False
    if module.check_mode:
        return True
    if uses_systemd(module, name, config_path):
        systemctl = module.get_bin_path('systemctl')
        rc, out, dummy = module.run_command([systemctl, 'is-active', 'wg-quick@%s' % name], environ_update=ENV)
        if out.strip() == 'active':
            run(module, [systemctl, 'stop', 'wg-quick@%s' % name])
    if link_exists(module, name):
        if os.path.exists(config_path):
            run(module, [module.get_bin_path('wg-quick', required=True), 'down', os.path.abspath(config_path)])
        else:
            run(module, [ip_bin(module), 'link', 'delete', 'dev', name])
    return True


def systemd_enable(module, name, enabled):
    """Enable or disable wg-quick@NAME; returns changed. Needs systemctl (skipped without it)."""
    systemctl = module.get_bin_path('systemctl')
    if not systemctl:
        if enabled:
            module.warn('systemctl not found: wg-quick@%s was not enabled' % name)
        return False
    unit = 'wg-quick@%s' % name
    rc, out, dummy = module.run_command([systemctl, 'is-enabled', unit], environ_update=ENV)
    is_enabled = out.strip() in ('enabled', 'enabled-runtime')
    if is_enabled == enabled:
        return False
    if not module.check_mode:
        run(module, [systemctl, 'enable' if enabled else 'disable', unit])
    return True


# ---------------------------------------------------------------------------------------------
# peers (wg syncconf)
# ---------------------------------------------------------------------------------------------

def compare_peers(wanted_peers, live, result):
    """Fill peers_added/removed/updated; return True when anything differs."""
    live_peers = dict((p['public_key'], p) for p in live['peers'])
    wanted_keys = set()
    for peer in wanted_peers:
        wanted_keys.add(peer['public_key'])
        if peer['public_key'] not in live_peers:
            result['peers_added'].append(peer['public_key'])
        elif peer_differs(peer, live_peers[peer['public_key']]):
            result['peers_updated'].append(peer['public_key'])
    result['peers_removed'].extend(k for k in live_peers if k not in wanted_keys)
    return bool(result['peers_added'] or result['peers_updated'] or result['peers_removed'])


def syncconf(module, name, config_path, fwmark):
    """``wg syncconf NAME /dev/stdin`` with ``wg-quick strip CONFIG``: no restart, key kept.

    ``wg syncconf`` resets FwMark when the file has none; wg-quick sets it at runtime for a
    default route, so the mark the policy routing needs is added to what syncconf reads.
    """
    rc, stripped, err = wg_quick_strip(module, os.path.abspath(config_path))
    if rc != 0:
        module.fail_json(msg='wg-quick strip %s failed: %s' % (config_path, err.strip()))
    if fwmark and not any(line.split('=')[0].strip().lower() == 'fwmark' for line in stripped.splitlines()):
        lines = stripped.splitlines()
        for index, line in enumerate(lines):
            if line.strip().lower() == '[interface]':
                lines.insert(index + 1, 'FwMark = %s' % fwmark)
                break
        stripped = '\n'.join(lines) + '\n'
    run(module, [wg_bin(module), 'syncconf', name, '/dev/stdin'], data=stripped)


# ---------------------------------------------------------------------------------------------
# addresses
# ---------------------------------------------------------------------------------------------

def live_addresses(module, name):
    """Addresses of NAME, link-local IPv6 left out (the kernel adds those)."""
    out = run(module, [ip_bin(module), '-o', 'addr', 'show', 'dev', name])
    addresses = []
    for line in out.splitlines():
        words = line.split()
        for family in ('inet', 'inet6'):
            if family in words:
                value = words[words.index(family) + 1]
                iface = ipaddress.ip_interface(value)
                if iface.version == 6 and iface.ip.is_link_local:
                    continue
                addresses.append(str(iface))
    return addresses


def reconcile_addresses(module, name, wanted, result):
    current = live_addresses(module, name)
    add = [a for a in wanted if a not in current]
    remove = [a for a in current if a not in wanted]
    result['addresses_added'].extend(add)
    result['addresses_removed'].extend(remove)
    if module.check_mode:
        return
    ip = ip_bin(module)
    for address in remove:
        run(module, [ip, '-%d' % ipaddress.ip_interface(address).version, 'addr', 'del', address, 'dev', name])
    for address in add:
        run(module, [ip, '-%d' % ipaddress.ip_interface(address).version, 'addr', 'add', address, 'dev', name])


def reconcile_mtu(module, name, mtu):
    """Set the MTU when one is given and the link has another. Returns changed."""
    if not mtu:
        return False
    out = run(module, [ip_bin(module), '-o', 'link', 'show', 'dev', name])
    words = out.split()
    current = int(words[words.index('mtu') + 1]) if 'mtu' in words else None
    if current == int(mtu):
        return False
    if not module.check_mode:
        run(module, [ip_bin(module), 'link', 'set', 'dev', name, 'mtu', str(mtu)])
    return True


# ---------------------------------------------------------------------------------------------
# routes
# ---------------------------------------------------------------------------------------------

def _family(cidr):
    return ipaddress.ip_network(cidr).version


def policy_table(module, name, wanted_fwmark, live_fwmark):
    """The table (= fwmark) wg-quick's add_default would use for NAME."""
    for mark in (wanted_fwmark, live_fwmark):
        if mark:
            return int(mark)
    table = DEFAULT_TABLE
    while True:
        foreign = False
        for family in (4, 6):
            for line in ip_show(module, ['-%d' % family, 'route', 'show', 'table', str(table)]).splitlines():
                if ' dev %s ' % name not in line + ' ':
                    foreign = True
        if not foreign:
            return table
        table += 1


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
    if table not in (None, '', 'auto'):
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


def live_routes(module, name, tables):
    """Routes ``dev NAME`` in the given tables, the kernel's own (proto kernel) left out."""
    routes = set()
    for table in tables:
        for family in (4, 6):
            out = ip_show(module, ['-%d' % family, 'route', 'show', 'dev', name, 'table', table])
            for line in out.splitlines():
                words = line.split()
                if not words or 'proto' in words and words[words.index('proto') + 1:][:1] == ['kernel']:
                    continue
                first = words[0]
                if first == 'default':
                    first = '0.0.0.0/0' if family == 4 else '::/0'
                try:
                    routes.add((normalize_network(first), table))
                except ValueError:
                    continue
    return routes


def _route_name(route):
    cidr, table = route
    return cidr if table == 'main' else '%s table %s' % (cidr, table)


def _rules(module, family):
    return run(module, [ip_bin(module), '-%d' % family, 'rule', 'show'])


def reconcile_routes(module, name, table, addresses, allowed_ips, live_fwmark, wanted_fwmark, result,
                     manage_fwmark=True):
    """Make the routes (and policy rules) of NAME what wg-quick up would have made them.

    Returns the fwmark the interface must carry (None when no default route is wanted).
    """
    if table == 'off':
        return None
    needs_default = table in (None, '', 'auto') and any(
        ipaddress.ip_network(normalize_network(a)).prefixlen == 0 for a in allowed_ips)
    policy = policy_table(module, name, wanted_fwmark, live_fwmark) if needs_default else None
    wanted, defaults = wanted_routes(table, addresses, allowed_ips, policy)
    tables = set(t for dummy, t in wanted)
    if table in (None, '', 'auto'):
        tables.add('main')
        for mark in (live_fwmark, wanted_fwmark, policy):
            if mark:
                tables.add(str(int(mark)))
    else:
        tables.add(str(table))
    current = live_routes(module, name, sorted(tables))
    add = sorted(wanted - current, key=_route_sort)
    remove = sorted(current - wanted, key=_route_sort)
    result['routes_added'].extend(_route_name(r) for r in add)
    result['routes_removed'].extend(_route_name(r) for r in remove)
    ip = ip_bin(module)
    fwmark_change = manage_fwmark and needs_default and str(policy) != (live_fwmark or '')
    if fwmark_change:
        result.setdefault('rules_changed', []).append('wg set %s fwmark %s' % (name, policy))
    rule_actions = _policy_rule_actions(module, defaults, policy, live_fwmark, table)
    if rule_actions:
        result.setdefault('rules_changed', []).extend('ip ' + ' '.join(a[1:]) for a in rule_actions)
    src_valid_mark = 4 in defaults and _read_sysctl('net/ipv4/conf/all/src_valid_mark') != '1'
    if src_valid_mark:
        result.setdefault('rules_changed', []).append('sysctl %s' % SRC_VALID_MARK)
    firewall = firewall_actions(module, name, defaults, policy,
                                firewall_addresses(module, name, addresses, defaults),
                                cleanup_iptables=bool(live_fwmark or policy))
    for changes, dummy, dummy2 in firewall:
        result.setdefault('rules_changed', []).extend(changes)
    if module.check_mode:
        return policy
    if fwmark_change:
        run(module, [wg_bin(module), 'set', name, 'fwmark', str(policy)])
    for cidr, tbl in remove:
        run(module, [ip, '-%d' % _family(cidr), 'route', 'del', cidr, 'dev', name, 'table', tbl])
    for cidr, tbl in add:
        run(module, [ip, '-%d' % _family(cidr), 'route', 'replace', cidr, 'dev', name, 'table', tbl])
    for action in rule_actions:
        run(module, [ip] + list(action[1:]))
    if src_valid_mark:
        run(module, [module.get_bin_path('sysctl', required=True), '-q', SRC_VALID_MARK])
    run_firewall(module, firewall)
    return policy


def firewall_addresses(module, name, addresses, defaults):
    """{family: [IPs]} wg-quick's add_default protects with its preraw rules: every address of NAME
    of a family with a default route (``ip -o addr show dev NAME``), IPv6 link-local ones included.

    ``addresses`` are the wanted (or live) addresses; the link-local ones the kernel made are read.
    """
    ips = {4: [], 6: []}
    if not defaults:
        return ips
    for address in addresses:
        ip = ipaddress.ip_interface(address).ip
        if str(ip) not in ips[ip.version]:
            ips[ip.version].append(str(ip))
    if 6 in defaults:
        for line in ip_show(module, ['-o', '-6', 'addr', 'show', 'dev', name]).splitlines():
            words = line.split()
            if 'inet6' in words:
                ip = ipaddress.ip_interface(words[words.index('inet6') + 1]).ip
                if ip.is_link_local and str(ip) not in ips[6]:
                    ips[6].append(str(ip))
    return ips


def _route_sort(route):
    net = ipaddress.ip_network(route[0])
    return (-net.prefixlen, net.version, route[0], route[1])


def _read_sysctl(path):
    try:
        with open('/proc/sys/' + path) as handle:
            return handle.read().strip()
    except (IOError, OSError):
        return None


def _policy_rule_actions(module, defaults, policy, live_fwmark, table):
    """The ``ip rule`` commands for default routes, as wg-quick add_default / del_if do them."""
    actions = []
    if table not in (None, '', 'auto'):
        return actions
    for family in (4, 6):
        rules = _rules(module, family)
        if family in defaults:
            mark = str(policy)
            if not any('not from all fwmark' in r and r.split()[-1] == mark for r in rules.splitlines()):
                actions.append(('add', '-%d' % family, 'rule', 'add', 'not', 'fwmark', mark, 'table', mark))
            if 'from all lookup main suppress_prefixlength 0' not in rules:
                actions.append(('add', '-%d' % family, 'rule', 'add', 'table', 'main', 'suppress_prefixlength', '0'))
        elif live_fwmark:
            mark = str(int(live_fwmark))
            ours = [r for r in rules.splitlines() if 'not from all fwmark' in r and r.split()[-1] == mark]
            for dummy in ours:
                actions.append(('del', '-%d' % family, 'rule', 'delete', 'table', mark))
            others = [r for r in rules.splitlines() if 'not from all fwmark' in r and r.split()[-1] != mark]
            if ours and not others:
                for line in rules.splitlines():
                    if 'from all lookup main suppress_prefixlength 0' in line:
                        actions.append(('del', '-%d' % family, 'rule', 'delete', 'table', 'main',
                                        'suppress_prefixlength', '0'))
    return actions


# ---------------------------------------------------------------------------------------------
# the whole interface
# ---------------------------------------------------------------------------------------------

def apply_interface(module, name, config_path, model):
    """Make the running NAME match ``model`` (the installed config_path). Returns (changed, result)."""
    result = empty_result()
    interface = model['interface']
    allowed = [a for p in model['peers'] for a in p['allowed_ips']]
    if not link_exists(module, name):
        result['peers_added'] = [p['public_key'] for p in model['peers']]
        result['addresses_added'] = list(interface['addresses'])
        routes, dummy = wanted_routes(interface['table'], interface['addresses'], allowed,
                                      interface['fwmark'] or DEFAULT_TABLE)
        result['routes_added'] = [_route_name(r) for r in sorted(routes, key=_route_sort)]
        result['started'] = True
        if not module.check_mode:
            bring_up(module, name, config_path)
        return True, result

    live = live_state(module, name)
    if live is None:
        module.fail_json(msg='%s exists but is not a WireGuard interface (wg show %s dump failed)' % (name, name))
    changed = compare_peers(model['peers'], live, result)
    needs_default = interface['table'] in (None, '', 'auto') and any(
        ipaddress.ip_network(a).prefixlen == 0 for a in allowed)
    wanted_fwmark = interface['fwmark']
    if needs_default:
        wanted_fwmark = str(policy_table(module, name, interface['fwmark'], live['fwmark']))
    if (live['private_key'] != interface['private_key']
            or (interface['listen_port'] and interface['listen_port'] != live['listen_port'])
            or (wanted_fwmark or None) != live['fwmark']):
        changed = True
        result['interface_updated'] = True
    if changed and not module.check_mode:
        syncconf(module, name, config_path, wanted_fwmark if needs_default else None)
    reconcile_addresses(module, name, interface['addresses'], result)
    mtu_changed = reconcile_mtu(module, name, interface['mtu'])
    reconcile_routes(module, name, interface['table'], interface['addresses'], allowed,
                     live['fwmark'], wanted_fwmark, result, manage_fwmark=False)
    changed = changed or mtu_changed or any(result[k] for k in RESULT_LISTS) or bool(result.get('rules_changed'))
    return changed, result
