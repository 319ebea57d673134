# Note that this module util is **PRIVATE** to the collection. It can have breaking changes at any time.
# Do not use this from other collections or standalone plugins/modules!

# Copyright (c) 2026, sitemesh.wireguard contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""The role variables of one site that the argument specs cannot check, checked against the parsed mesh.

``role_checks(host, values, mesh)`` returns one line per problem, each naming the site and the variable
(``raspi: wireguard_extra_peers[0] (laptop) has no public_key``): the extra peers in full, the loopback
aliases, the DNS entries, the exit's extra sources, the timers' intervals (watchdog, metrics, re-resolution)
and the metrics textfile. ``values`` are the site's templated role variables;
``mesh`` is the ``Mesh`` parsed for the site (``_mesh_topology.host_model``), or None when it could not be
parsed (the checks against the mesh are then skipped). Wrong types are left to the argument specs.
"""

from __future__ import annotations

from collections.abc import Mapping

from ansible_collections.sitemesh.wireguard.plugins.module_utils._mesh_parse import (
    check_mesh_key,
    endpoint,
    inside,
    is_list,
    netmask_hint,
    parse_ip,
    parse_net,
    to_int,
)
from ansible_collections.sitemesh.wireguard.plugins.module_utils._mesh_topology import default_toward

PEER_KEYS = ('name', 'public_key', 'allowed_ips', 'endpoint', 'persistent_keepalive', 'preshared_key')
EXTRA_PEERS = 'wireguard_extra_peers'
ALIASES = 'wireguard_loopback_aliases'
DNS = 'wireguard_dns'
BACKEND = 'wireguard_backend'
EXTRA_SOURCES = 'wireguard_exit_extra_sources'
INTERVALS = ('wireguard_watchdog_interval', 'wireguard_metrics_interval', 'wireguard_reresolve_interval')
TEXTFILE = 'wireguard_metrics_textfile'


def role_checks(host, values, mesh=None):
    """Every error of the site's role variables in ``values`` (only the variables present are checked)."""
    errors = []
    if is_list(values.get(EXTRA_PEERS)):
        extra_peers(host, values[EXTRA_PEERS], mesh, errors)
    if is_list(values.get(ALIASES)):
        loopback_aliases(host, values[ALIASES], mesh, errors)
    if is_list(values.get(DNS)):
        for index, item in enumerate(values[DNS]):
            if endpoint(host, '', str(item), [], '') is None:
                errors.append('%s: %s[%d] %r is neither an IP address nor a search domain' % (host, DNS, index, item))
    if values.get(BACKEND) == 'ifupdown' and is_list(values.get(DNS)) and values[DNS]:
        errors.append('%s: %s is not supported with %s ifupdown (wg-quick sets it through resolvconf): '
                      'leave it empty or use wg-quick' % (host, DNS, BACKEND))
    if is_list(values.get(EXTRA_SOURCES)):
        for index, item in enumerate(values[EXTRA_SOURCES]):
            network('%s: %s[%d]' % (host, EXTRA_SOURCES, index), item, errors)
    timers(host, values, errors)
    return errors


def timers(host, values, errors):
    """The watchdog, metrics and re-resolution timers: intervals of at least one second, the textfile an absolute path."""
    for name in INTERVALS:
        if name in values and not _in_range(values[name], 1, 86400):
            errors.append('%s: %s %r is not a number of seconds from 1 to 86400' % (host, name, values[name]))
    path = values.get(TEXTFILE)
    if path and (not str(path).startswith('/') or str(path).endswith('/') or any(c in str(path) for c in '\n\t')):
        errors.append('%s: %s %r is not an absolute file path (a node_exporter textfile, e.g. '
                      '/var/lib/prometheus/node-exporter/wireguard.prom)' % (host, TEXTFILE, path))


def network(where, value, errors):
    """A net tuple of a CIDR network, or None after one line starting with where (site and variable)."""
    text = str(value).strip()
    try:
        return parse_net(text)
    except ValueError as exc:
        hint = ' (%s)' % exc if 'host bits' in str(exc) else netmask_hint(text)
        errors.append('%s %r is not a valid CIDR network%s' % (where, text, hint))
        return None


# ---------------------------------------------------------------------------------------- extra peers

def extra_peers(host, peers, mesh, errors):
    """Each extra peer: its keys and values, its name and key unique, its allowed IPs clear of the mesh."""
    names, keys, claimed = {}, {}, []
    for index, peer in enumerate(peers):
        if not isinstance(peer, Mapping):
            continue  # the argument spec says so
        label = '%s[%d]' % (EXTRA_PEERS, index) + (' (%s)' % peer['name'] if peer.get('name') else '')
        where = '%s: %s' % (host, label)
        unknown = sorted(str(key) for key in peer if key not in PEER_KEYS)
        if unknown:
            errors.append('%s has unknown key(s) %s (known: %s)' % (where, ', '.join(unknown), ', '.join(PEER_KEYS)))
        key = _peer_key(where, peer, errors)
        _peer_endpoint(where, peer.get('endpoint'), errors)
        keepalive = peer.get('persistent_keepalive')
        if keepalive is not None and not _in_range(keepalive, 0, 65535):
            errors.append('%s persistent_keepalive %r is not an integer from 0 to 65535' % (where, keepalive))
        _peer_identity(where, label, peer.get('name'), key, mesh, (names, keys), errors)
        allowed = peer.get('allowed_ips')
        if allowed is None:
            continue
        if not is_list(allowed):
            errors.append('%s allowed_ips must be a list of CIDR networks, not %r' % (where, allowed))
            continue
        for item in allowed:
            net = network(where + ' allowed_ips entry', item, errors)
            if net is not None and mesh is not None:
                _clear_of_mesh(where, host, net, mesh, errors)
            if net is not None:
                _clear_of_other_peers(where, label, net, claimed, errors)


def _clear_of_other_peers(where, label, net, claimed, errors):
    """A network belongs to one peer: WireGuard gives it to the last peer that lists it, so the first one
    would lose it on every run."""
    for other_net, other_label in claimed:
        if other_label != label and other_net[0] == net[0] and other_net[1] <= net[3] and net[1] <= other_net[3]:
            errors.append('%s allowed_ips entry %s overlaps %s of %s (a network belongs to one peer)'
                          % (where, net[4], other_net[4], other_label))
            break
    claimed.append((net, label))


def _in_range(value, low, high):
    number = to_int(value)
    return number is not None and low <= number <= high


def _peer_key(where, peer, errors):
    """The peer's public key, or None after a line; its preshared key checked too."""
    found = None
    if peer.get('public_key') in (None, ''):
        errors.append('%s has no public_key' % where)
    else:
        found, why = check_mesh_key(peer['public_key'])
        if why:
            errors.append('%s public_key %s' % (where, why))
    if peer.get('preshared_key') not in (None, ''):
        why = check_mesh_key(peer['preshared_key'])[1]
        if why:
            errors.append('%s preshared_key %s' % (where, why))
    return found


def _peer_endpoint(where, value, errors):
    """``host:port`` (IPv6 in brackets), the host an IP address or a DNS name, the port 1-65535."""
    if value in (None, ''):
        return
    text = str(value).strip()
    address, sep, port_text = text.rpartition(':')
    ok = bool(sep) and _in_range(port_text, 1, 65535)
    if ok and ':' in address:
        ok = address.startswith('[') and address.endswith(']')
    if not (ok and endpoint('', '', address, [], '') is not None):
        errors.append('%s endpoint %r is not host:port (an IP address or a DNS name, IPv6 in brackets, '
                      'a port from 1 to 65535)' % (where, text))


def _peer_identity(where, label, name, key, mesh, seen, errors):
    """A name that is no site of the mesh and no other extra peer's; a key no site or other extra peer has."""
    names, keys = seen
    if name:
        if mesh is not None and str(name) in mesh.sites:
            errors.append("%s name '%s' is a site of the mesh (its peer comes from the inventory)" % (where, name))
        elif str(name) in names:
            errors.append("%s name '%s' is also the name of %s" % (where, name, names[str(name)]))
        names.setdefault(str(name), label)
    if key is None:
        return
    site = _site_with_key(mesh, key)
    if site is not None:
        errors.append('%s public_key is the key of the mesh site %s' % (where, site))
    elif key in keys:
        errors.append('%s public_key is also the key of %s' % (where, keys[key]))
    keys.setdefault(key, label)


def _site_with_key(mesh, key):
    if mesh is None:
        return None
    for name in mesh.names:
        if mesh.sites[name].public_key == key:
            return name
    return None


def _clear_of_mesh(where, host, net, mesh, errors):
    """An allowed IPs entry must not take a site's tunnel address or client network (one line per entry).

    A default route is refused only when the site already sends that default route to its exit.
    """
    site = mesh.sites[host]
    if net[2] == 0:
        if site.exit is not None and net in default_toward(mesh, site.exit):
            errors.append("%s allowed_ips entry %s is the default route this site sends to %sexit '%s'"
                          % (where, net[4], mesh.prefix, site.exit))
        return
    hits = []
    for name in mesh.names:
        other = mesh.sites[name]
        for own in other.own:
            if own[0] == net[0] and own[1] <= net[3] and net[1] <= own[3]:
                what = 'in %sclient_networks' % mesh.prefix if own in other.client_networks else '(tunnel address)'
                hits.append('%s %s of %s' % (own[4], what, name))
    if hits:
        more = ' (and %d more)' % (len(hits) - 1) if len(hits) > 1 else ''
        errors.append('%s allowed_ips entry %s overlaps %s%s' % (where, net[4], hits[0], more))


# -------------------------------------------------------------------------------------- loopback aliases

def loopback_aliases(host, aliases, mesh, errors):
    """Label lo or lo:N (at most 15 characters), an address with a prefix length in a client network of the site."""
    site = mesh.sites.get(host) if mesh is not None else None
    for index, alias in enumerate(aliases):
        if not isinstance(alias, Mapping):
            continue  # the argument spec says so
        label = str(alias.get('label') or '')
        where = '%s: %s[%d]%s' % (host, ALIASES, index, ' (%s)' % label if label else '')
        if not (label == 'lo' or (label.startswith('lo:') and len(label) > 3)) or len(label) > 15:
            errors.append("%s label %r is not lo or lo:<name> of at most 15 characters" % (where, label))
        address = _interface_address(where, alias.get('address'), errors)
        if address is None or site is None:
            continue
        if not any(net[0] == address[0] and inside(address, net) for net in site.client_networks):
            shown = ', '.join(net[4] for net in site.client_networks) or 'none'
            errors.append('%s address %s is in none of the %sclient_networks of %s (%s): no peer would route '
                          'to it' % (where, alias.get('address'), mesh.prefix, host, shown))


def _interface_address(where, value, errors):
    """The parsed address of ``A.B.C.D/len`` (or IPv6), or None after a line."""
    text = str(value).strip() if value is not None else ''
    address_text, sep, plen = text.partition('/')
    try:
        address = parse_ip(address_text)
    except ValueError:
        address = None
    if address is None or not sep or not (plen.isdigit() and plen.isascii()) \
            or int(plen) > (32 if address[0] == 4 else 128):
        hint = netmask_hint(text) or (' (give the prefix length, e.g. %s/24)' % text if address and not sep else '')
        errors.append('%s address %r is not an IP address with a prefix length%s' % (where, value, hint))
        return None
    return address
