# Note that this module util is **PRIVATE** to the collection. It can have breaking changes at any time.
# Do not use this from other collections or standalone plugins/modules!

# Copyright (c) 2026, sitemesh.wireguard contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""The rules between the sites of a mesh (what mesh_validate checks beyond each host's own variables).

One function per rule, each ``rule(mesh, errors)`` appending one line per problem, naming the host and
the variable.  ``validate`` runs them all, in the order of the error lines.
"""

from __future__ import annotations

from ansible_collections.sitemesh.wireguard.plugins.module_utils._mesh_parse import MeshError
from ansible_collections.sitemesh.wireguard.plugins.module_utils._mesh_schema import DEFAULT_PREFIX, Mesh, mesh_hosts
from ansible_collections.sitemesh.wireguard.plugins.module_utils._mesh_topology import ipv6_notes


def duplicate_addresses(mesh, errors):
    """No tunnel address (IPv4 or IPv6) is used by two sites."""
    for attr in ('address', 'address6'):
        var = mesh.prefix + attr
        used = {}
        for name in mesh.names:
            addr = getattr(mesh.sites[name], attr)
            if addr is None:
                continue
            if addr[1] in used:
                errors.append("%s: %s '%s' is already used by %s" % (name, var, addr[2], used[addr[1]]))
            else:
                used[addr[1]] = name


def one_tunnel_network(mesh, errors):
    """All sites share one tunnel network (per family); returns it as overlap items (see overlaps)."""
    tunnel_items = []
    for attr in ('network', 'network6'):
        var = mesh.prefix + attr
        first = None
        for name in mesh.names:
            net = getattr(mesh.sites[name], attr)
            if net is None:
                continue
            if first is None:
                first = (name, net)
                tunnel_items.append((net, name, var, True))
            elif net[:3] != first[1][:3]:
                errors.append('%s: %s %s differs from %s on %s (all sites share one tunnel network)'
                              % (name, var, net[4], first[1][4], first[0]))
    return tunnel_items


def overlaps(mesh, errors, tunnel_items):
    """No client network overlaps another one or the tunnel network.

    Items are (net, host, variable, is tunnel network); sorted once, each network is compared with the
    widest one still open (n log n).
    """
    items = list(tunnel_items)
    p_cn, p_pool = mesh.prefix + 'client_networks', mesh.prefix + 'roadwarrior_pool'
    for name in mesh.names:
        for net in mesh.sites[name].client_networks:
            items.append((net, name, p_cn, False))
        if mesh.sites[name].roadwarrior_pool is not None:
            items.append((mesh.sites[name].roadwarrior_pool, name, p_pool, False))
    items.sort(key=lambda item: item[0][:3])
    cover = None
    for item in items:
        net = item[0]
        if cover is not None and cover[0][0] == net[0] and net[1] <= cover[0][3]:
            if not (item[3] and cover[3]):
                errors.append(_overlap_message(cover, item))
            if net[3] > cover[0][3]:
                cover = item
        else:
            cover = item


def _overlap_message(first, second):
    """Name both hosts; the subject is a client network, never the tunnel network."""
    if second[3]:
        first, second = second, first
    net, name, var, _tunnel = second
    other_net, other_name, other_var, other_tunnel = first
    subject = '%s: %s%s %s' % (name, var, '' if var.endswith('roadwarrior_pool') else ' entry', net[4])
    if other_tunnel:
        return '%s overlaps the tunnel network %s %s' % (subject, other_var, other_net[4])
    if other_name == name:
        return '%s overlaps %s, also in %s of %s' % (subject, other_net[4], other_var, name)
    return '%s overlaps %s in %s of %s' % (subject, other_net[4], other_var, other_name)


def exits(mesh, errors):
    """An exit is a host of the mesh, has no exit itself and is not a spoke."""
    p_exit, p_hub = mesh.prefix + 'exit', mesh.prefix + 'hub'
    for name in mesh.names:
        site = mesh.sites[name]
        if site.exit is None:
            continue
        exit_site = mesh.sites.get(site.exit)
        if exit_site is None:
            errors.append("%s: %s '%s' is not a host of the mesh group" % (name, p_exit, site.exit))
            continue
        if exit_site.exit is not None:
            errors.append("%s: %s '%s' itself uses %s '%s' (exits do not chain)"
                          % (name, p_exit, site.exit, p_exit, exit_site.exit))
        if exit_site.hub is not None and exit_site.hub != exit_site.name:
            errors.append("%s: %s '%s' itself uses %s '%s' (an exit must be reachable directly, not a spoke)"
                          % (name, p_exit, site.exit, p_hub, exit_site.hub))


def hubs(mesh, errors):
    """A hub is another host of the mesh, reachable, without hub itself, on the way to the spoke's exit."""
    p_exit, p_hub, p_ep = mesh.prefix + 'exit', mesh.prefix + 'hub', mesh.prefix + 'endpoint'
    for name in mesh.names:
        site = mesh.sites[name]
        if site.hub is None:
            continue
        if site.hub == name:
            errors.append("%s: %s '%s' names the host itself" % (name, p_hub, site.hub))
            continue
        hub_site = mesh.sites.get(site.hub)
        if hub_site is None:
            errors.append("%s: %s '%s' is not a host of the mesh group" % (name, p_hub, site.hub))
            continue
        if hub_site.endpoint is None:
            errors.append("%s: %s '%s' has no %s (a hub must be reachable)" % (name, p_hub, site.hub, p_ep))
        if hub_site.hub is not None:
            errors.append("%s: %s '%s' itself uses %s '%s' (hubs do not chain)"
                          % (name, p_hub, site.hub, p_hub, hub_site.hub))
        if site.exit is not None and site.exit in mesh.sites and site.exit != site.hub \
                and site.exit != hub_site.exit:
            errors.append("%s: %s '%s' is not reachable from a spoke: its traffic leaves through %s '%s', "
                          "whose exit is %s (use %s: %s, or give %s the same exit)"
                          % (name, p_exit, site.exit, p_hub, site.hub, hub_site.exit or 'none', p_exit,
                             site.hub, site.hub))


def lonely_sites(mesh, errors):
    """At most one site has neither endpoint nor hub: two such sites can never reach each other."""
    p_ep, p_hub = mesh.prefix + 'endpoint', mesh.prefix + 'hub'
    lonely = [name for name in mesh.names if mesh.sites[name].endpoint is None and mesh.sites[name].hub is None]
    if len(lonely) < 2:
        return
    for name in lonely:
        others = [other for other in lonely[:6] if other != name][:5]
        more = len(lonely) - 1 - len(others)
        shown = ', '.join(others) + (' and %d more' % more if more else '')
        errors.append('%s: neither %s nor %s is set, as on %s: these sites can never reach each other '
                      '(give one an endpoint, or set %s)' % (name, p_ep, p_hub, shown, p_hub))


def validate(hostvars, hosts, public_keys=None, prefix=DEFAULT_PREFIX):
    """True, or MeshError listing every error of the whole mesh (one per line)."""
    validate_mesh(hostvars, hosts, public_keys, prefix)
    return True


def validate_mesh(hostvars, hosts, public_keys=None, prefix=DEFAULT_PREFIX):
    """The notes of a valid mesh (lines that are no error, see ipv6_notes), or MeshError listing every error."""
    return validated_mesh(hostvars, hosts, public_keys, prefix)[1]


def validated_mesh(hostvars, hosts, public_keys=None, prefix=DEFAULT_PREFIX):
    """(the parsed Mesh, its notes) of a valid mesh, or MeshError listing every error."""
    names, prefix = mesh_hosts(hostvars, hosts, public_keys, prefix, 'mesh_validate')
    mesh = Mesh(hostvars, names, public_keys, prefix)
    errors = mesh.errors
    duplicate_addresses(mesh, errors)
    overlaps(mesh, errors, one_tunnel_network(mesh, errors))
    exits(mesh, errors)
    hubs(mesh, errors)
    lonely_sites(mesh, errors)
    if errors:
        raise MeshError('mesh_validate: %d error(s) in the WireGuard inventory:\n%s' % (len(errors), '\n'.join(errors)))
    return mesh, ipv6_notes(mesh)
