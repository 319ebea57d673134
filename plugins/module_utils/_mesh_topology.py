# Note that this module util is **PRIVATE** to the collection. It can have breaking changes at any time.
# Do not use this from other collections or standalone plugins/modules!

# Copyright (c) 2026, sitemesh.wireguard contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""What one host of the mesh needs: its addresses, its peers with AllowedIPs and endpoints, NAT sources.

``host_config`` parses every host once (the focus host in full, the others as peers), does no
cross-host validation (``_mesh_rules.validate`` does) and is O(peers).
"""

from __future__ import annotations

from ansible_collections.sitemesh.wireguard.plugins.module_utils._mesh_parse import (
    BITS,
    DEFAULT_V4,
    DEFAULT_V6,
    MeshError,
)
from ansible_collections.sitemesh.wireguard.plugins.module_utils._mesh_schema import (
    DEFAULT_KEEPALIVE,
    DEFAULT_PREFIX,
    Mesh,
    mesh_hosts,
)

try:
    import netaddr
except ImportError:  # pragma: no cover - reported when needed
    netaddr = None


def _can_merge(nets):
    """True when two of the sorted nets overlap or are siblings (same prefix length, same parent)."""
    prev = nets[0]
    for cur in nets[1:]:
        if cur[0] == prev[0]:
            if cur[1] <= prev[3]:
                return True
            if cur[2] == prev[2] and cur[2] > 0:
                size = 1 << (BITS[cur[0]] - cur[2])
                if prev[1] + size == cur[1] and not prev[1] & size:
                    return True
        prev = cur
    return False


def merge(nets):
    """Sorted CIDR strings of nets (net tuples), merged with netaddr.cidr_merge when anything can merge.

    Sorted by (version, first address, prefix length), two networks can merge only if some pair of
    neighbours overlaps or is a pair of siblings; when no pair does, cidr_merge would return the list
    unchanged, so it is not called (it is the slow part at scale).
    """
    if len(nets) < 2:
        return [n[4] for n in nets]
    nets = sorted(nets)
    if not _can_merge(nets):
        return [n[4] for n in nets]
    if netaddr is None:
        raise MeshError('sitemesh.wireguard mesh filters need the Python library netaddr on the controller')
    merged = netaddr.cidr_merge([n[4] for n in nets])
    merged.sort(key=lambda n: (n.version, n.first, n.prefixlen))
    return [str(n) for n in merged]


def _roles(mesh, host):
    """(hub of each spoke, spokes of each hub, whether host is an exit, the networks it masquerades)."""
    hub_of = {}
    spokes = {}
    is_exit = False
    masquerade = []
    sites = mesh.sites
    for name in mesh.names:
        site = sites[name]
        hub = mesh.hub_of(name) if site.hub is not None else None
        if hub is not None:
            hub_of[name] = hub
            spokes.setdefault(hub, []).append(name)
        if site.exit == host and name != host:
            is_exit = True
            masquerade.extend(site.own)
    if is_exit and not mesh.sites[host].does_ipv6():
        masquerade = [net for net in masquerade if net[0] == 4]
    site = mesh.sites[host]
    if site.roadwarrior_pool is not None and site.exit is None:
        masquerade.append(site.roadwarrior_pool)  # the devices leave through the site they dial
    return hub_of, spokes, is_exit, masquerade


def default_toward(mesh, exit_name):
    """The default route(s) toward an exit: ::/0 too only when the mesh has IPv6 and the exit does IPv6."""
    if mesh.has_v6 and mesh.sites[exit_name].does_ipv6():
        return [DEFAULT_V4, DEFAULT_V6]
    return [DEFAULT_V4]


def _with_default(default, nets):
    """default, plus the IPv6 networks of nets when the default is IPv4 only (they keep their way)."""
    if len(default) > 1:
        return default
    return default + [net for net in nets if net[0] == 6]


def ipv6_note(mesh, name):
    """The line for a site that uses an exit without IPv6 in a mesh with IPv6 (its IPv6 keeps its own route)."""
    exit_name = mesh.sites[name].exit
    if not mesh.has_v6 or exit_name is None or exit_name not in mesh.sites or mesh.sites[exit_name].does_ipv6():
        return None
    return ('%s: no ::/0 toward %s: %s has no %saddress6 (IPv6 keeps its own default route; set %sexit_ipv6: true '
            'on %s if it forwards and masquerades IPv6)' % (name, exit_name, exit_name, mesh.prefix, mesh.prefix,
                                                            exit_name))


def ipv6_notes(mesh):
    """ipv6_note of every site that has one."""
    return [note for note in (ipv6_note(mesh, name) for name in mesh.names) if note is not None]


def _candidates(mesh, host, hub_of, spokes):
    """(peer name, its AllowedIPs as net tuples, or None for the peer's own networks) of host, sorted by name,
    before the public keys are known."""
    sites = mesh.sites
    site = sites[host]
    default = default_toward(mesh, site.exit) if site.exit is not None else None
    my_hub = hub_of.get(host)
    if my_hub is not None:
        # a spoke: one peer, the hub, which forwards everything
        others = [net for name in mesh.names if name != host for net in sites[name].own]
        return [(my_hub, others if default is None else _with_default(default, others))]
    candidates = []
    for name in sorted(mesh.names):
        if name == host:
            continue
        peer_hub = hub_of.get(name)
        if peer_hub is not None and peer_hub != host:
            continue  # a spoke of another hub: reached through that hub
        nets = None  # a plain peer: its own networks
        if name in spokes:
            nets = list(sites[name].own)
            for spoke in spokes[name]:
                nets.extend(sites[spoke].own)
        if name == site.exit:
            nets = _with_default(default, sites[name].own if nets is None else nets)
        candidates.append((name, nets))
    return candidates


def _keepalive(site):
    """<prefix>persistent_keepalive (0 = off), else 25 on a host without endpoint, else None."""
    if site.keepalive is not None:
        return site.keepalive or None
    return DEFAULT_KEEPALIVE if site.endpoint is None else None


def _allowed(site):
    """The site's own networks merged: a plain peer's AllowedIPs (a loaded snapshot has them, ``allowed``)."""
    return merge(site.own) if site.allowed is None else site.allowed


def _peers(mesh, candidates, keepalive):
    """Peer entries of the candidates whose public key is known, and the names of the others."""
    peers = []
    missing = []
    for name, nets in candidates:
        peer = mesh.sites[name]
        if not peer.public_key:
            missing.append(name)
            continue
        peers.append({
            'name': name,
            'public_key': peer.public_key,
            'endpoint': peer.endpoint_text,
            'allowed_ips': merge(nets) if nets is not None else _allowed(peer),
            'persistent_keepalive': keepalive,
        })
    return peers, sorted(missing)


def _addresses(site):
    addresses = []
    if site.address is not None:
        addresses.append('%s/%d' % (site.address[2], site.network[2]))
    if site.address6 is not None and site.network6 is not None:
        addresses.append('%s/%d' % (site.address6[2], site.network6[2]))
    return addresses


def _parsed_mesh(hostvars, host, hosts, public_keys, prefix):
    """The mesh parsed for host; MeshError when host is not in it or a variable it needs cannot be parsed."""
    names, prefix = mesh_hosts(hostvars, hosts, public_keys, prefix, 'mesh_host')
    if host not in names:
        raise MeshError("mesh_host: host '%s' is not in the mesh group (hosts: %s)"
                        % (host, ', '.join(names[:10]) + (' ...' if len(names) > 10 else '')))
    mesh = Mesh(hostvars, names, public_keys, prefix, focus=host)
    site = mesh.sites[host]
    errors = mesh.errors
    if site.exit is not None and site.exit not in mesh.sites:
        errors.append("%s: %s '%s' is not a host of the mesh group" % (host, prefix + 'exit', site.exit))
    if site.hub is not None and site.hub not in mesh.sites:
        errors.append("%s: %s '%s' is not a host of the mesh group" % (host, prefix + 'hub', site.hub))
    if errors:
        raise MeshError('mesh_host(%s): %d error(s) in the WireGuard inventory (run mesh_validate):\n%s'
                        % (host, len(errors), '\n'.join(errors)))
    return mesh


def host_config(hostvars, host, hosts, public_keys=None, prefix=DEFAULT_PREFIX):
    """The answer of the mesh_host filter for host (see plugins/filter/mesh_host.yml)."""
    return host_model(hostvars, host, hosts, public_keys, prefix)[1]


def host_model(hostvars, host, hosts, public_keys=None, prefix=DEFAULT_PREFIX):
    """(the parsed Mesh, host_config's answer): wg_mesh checks the site's role variables against the mesh."""
    host = str(host)
    mesh = _parsed_mesh(hostvars, host, hosts, public_keys, prefix)
    return mesh, site_model(mesh, host)


def site_model(mesh, host):
    """host_config's answer for host of a parsed mesh (O(peers)): from hostvars, or from wg_mesh's snapshot."""
    site = mesh.sites[host]
    hub_of, spokes, is_exit, masquerade = _roles(mesh, host)
    peers, missing = _peers(mesh, _candidates(mesh, host, hub_of, spokes), _keepalive(site))
    note = ipv6_note(mesh, host)
    return {
        'name': host,
        'addresses': _addresses(site),
        'listen_port': site.port,
        'client_networks': [n[4] for n in site.client_networks],
        'exit': site.exit,
        'is_exit': is_exit,
        'is_hub': host in spokes,
        'forwarding': is_exit or host in spokes or site.roadwarrior_pool is not None,
        'masquerade_sources': merge(masquerade),
        'missing_public_keys': missing,
        'notes': [] if note is None else [note],
        'peers': peers,
    }
