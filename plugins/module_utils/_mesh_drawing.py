# Note that this module util is **PRIVATE** to the collection. It can have breaking changes at any time.
# Do not use this from other collections or standalone plugins/modules!

# Copyright (c) 2026, sitemesh.wireguard contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""A picture of the mesh, drawn from the validated mesh model: Mermaid and Graphviz DOT.

``picture`` validates the mesh (``_mesh_rules.validate_mesh``) and takes everything from the parsed model:
the tunnels are the peers ``_mesh_topology`` gives each site (the same function the roles use), exits and
hubs are the parsed ``<prefix>exit`` / ``<prefix>hub``. Nothing about the topology is derived here again.
``mermaid`` and ``dot`` only render that picture.
"""

from __future__ import annotations

import re

from ansible_collections.sitemesh.wireguard.plugins.module_utils._mesh_parse import MeshError, is_list
from ansible_collections.sitemesh.wireguard.plugins.module_utils._mesh_rules import validate_mesh
from ansible_collections.sitemesh.wireguard.plugins.module_utils._mesh_schema import (
    DEFAULT_PREFIX,
    Mesh,
    host_vars,
    mesh_hosts,
    read,
)
from ansible_collections.sitemesh.wireguard.plugins.module_utils._mesh_topology import _candidates, _roles

INTERNET = 'internet'


def _extra_peers(hostvars, name, variable, errors):
    """(name, allowed IPs) of each of the site's extra peers (role variable ``wireguard_extra_peers``)."""
    hv = host_vars(hostvars, name)
    value = read(hv, variable, name, errors) if hv is not None else None
    peers = []
    for index, item in enumerate(value if is_list(value) else []):
        if isinstance(item, dict):
            ips = item.get('allowed_ips') or []
            peers.append((str(item.get('name') or 'extra peer %d' % index), [str(ip) for ip in ips]))
    return peers


def picture(hostvars, hosts, prefix=DEFAULT_PREFIX, devices=None, extra_peers_var='wireguard_extra_peers'):
    """The mesh as plain data to draw: sites, tunnels, exits, hubs and spokes, extra peers, road warriors.

    devices: the road warriors' registry ({name: {via, address}}), optional.
    """
    names, prefix = mesh_hosts(hostvars, hosts, None, prefix, 'mesh_drawing')
    validate_mesh(hostvars, names, None, prefix)
    mesh = Mesh(hostvars, names, None, prefix)
    errors = []
    hub_of, spokes = _roles(mesh, names[0])[:2] if names else ({}, {})
    sites, tunnels, exits = [], [], []
    for name in names:
        site = mesh.sites[name]
        sites.append({
            'name': name,
            'address': site.address[2] if site.address else None,
            'address6': site.address6[2] if site.address6 else None,
            'endpoint': site.endpoint_text,
            'client_networks': [net[4] for net in site.client_networks],
            'pool': site.roadwarrior_pool[4] if site.roadwarrior_pool else None,
            'hub': hub_of.get(name),
            'is_hub': name in spokes,
            'extra_peers': _extra_peers(hostvars, name, extra_peers_var, errors),
        })
        for peer, _nets in _candidates(mesh, name, hub_of, spokes):
            pair = tuple(sorted((name, peer)))
            if pair not in tunnels:
                tunnels.append(pair)
        if site.exit is not None:
            exits.append((name, site.exit))
    if errors:
        raise MeshError('mesh_drawing: %s' % '; '.join(errors))
    exit_sites = sorted(set(e for _c, e in exits) | set(s['name'] for s in sites if s['pool'] and not mesh.sites[s['name']].exit))
    drawn_devices = []
    for device, entry in sorted((devices or {}).items()):
        if isinstance(entry, dict) and entry.get('via') in mesh.sites:
            drawn_devices.append((str(device), entry['via'], str(entry.get('address', ''))))
    return {'group_prefix': prefix, 'sites': sites, 'tunnels': sorted(tunnels), 'exits': exits,
            'internet_through': exit_sites, 'devices': drawn_devices}


# ------------------------------------------------------------------------------------------ Mermaid

def _mid(kind, text):
    """A Mermaid node id: letters, digits and underscores only."""
    return '%s_%s' % (kind, re.sub(r'[^A-Za-z0-9_]', '_', text))


def _mlabel(*lines):
    return '"%s"' % '<br/>'.join(str(line).replace('"', '#quot;') for line in lines if line)


def _site_lines(site):
    lines = [site['name'], site['address']]
    if site['address6']:
        lines.append(site['address6'])
    lines.append(site['endpoint'] or ('no endpoint, through hub %s' % site['hub'] if site['hub'] else 'no endpoint'))
    if site['is_hub']:
        lines.append('hub')
    return lines


def mermaid(pic, title=None):
    """A Mermaid flowchart of the picture (GitHub and GitLab render it in a ```mermaid block)."""
    out = ['flowchart LR']
    if title:
        out.append('  %%%% %s' % title)
    for site in pic['sites']:
        sid = _mid('site', site['name'])
        out.append('  %s[%s]' % (sid, _mlabel(*_site_lines(site))))
        for net in site['client_networks']:
            nid = _mid('net', net)
            out.append('  %s[/%s/]' % (nid, _mlabel(net)))
            out.append('  %s --- %s' % (sid, nid))
        if site['pool']:
            pid = _mid('pool', site['pool'])
            out.append('  %s[/%s/]' % (pid, _mlabel('road warriors', site['pool'])))
            out.append('  %s --- %s' % (sid, pid))
        for peer, ips in site['extra_peers']:
            eid = _mid('extra', site['name'] + '_' + peer)
            out.append('  %s([%s])' % (eid, _mlabel(peer, 'extra peer', ', '.join(ips))))
            out.append('  %s -.- %s' % (sid, eid))
    for device, via, address in pic['devices']:
        did = _mid('device', device)
        out.append('  %s([%s])' % (did, _mlabel(device, 'road warrior', address)))
        out.append('  %s -.->|dials| %s' % (did, _mid('site', via)))
    for a, b in pic['tunnels']:
        out.append('  %s <==>|tunnel| %s' % (_mid('site', a), _mid('site', b)))
    for client, exit_site in pic['exits']:
        out.append('  %s -.->|exit| %s' % (_mid('site', client), _mid('site', exit_site)))
    if pic['internet_through']:
        out.append('  %s((internet))' % INTERNET)
        for exit_site in pic['internet_through']:
            out.append('  %s ==>|masquerade| %s' % (_mid('site', exit_site), INTERNET))
    return '\n'.join(out) + '\n'


# ---------------------------------------------------------------------------------------------- DOT

def _q(text):
    """A DOT string literal."""
    return '"%s"' % str(text).replace('\\', '\\\\').replace('"', '\\"')


def _dlabel(*lines):
    return _q('\n'.join(str(line) for line in lines if line)).replace('\n', '\\n')


def dot(pic, title=None):
    """A Graphviz graph of the picture (``dot -Tsvg`` renders it)."""
    out = ['graph mesh {',
           '  graph [rankdir=LR, fontname="sans-serif"%s];' % (', label=%s, labelloc=t' % _q(title) if title else ''),
           '  node [fontname="sans-serif", fontsize=11];',
           '  edge [fontname="sans-serif", fontsize=9];']
    for site in pic['sites']:
        out.append('  %s [shape=box, style="rounded,bold", label=%s];' % (_q(site['name']), _dlabel(*_site_lines(site))))
        for net in site['client_networks']:
            out.append('  %s [shape=note, label=%s];' % (_q('net ' + net), _dlabel(net)))
            out.append('  %s -- %s [style=dotted];' % (_q(site['name']), _q('net ' + net)))
        if site['pool']:
            out.append('  %s [shape=note, label=%s];' % (_q('pool ' + site['pool']), _dlabel('road warriors', site['pool'])))
            out.append('  %s -- %s [style=dotted];' % (_q(site['name']), _q('pool ' + site['pool'])))
        for peer, ips in site['extra_peers']:
            eid = 'extra %s %s' % (site['name'], peer)
            out.append('  %s [shape=ellipse, label=%s];' % (_q(eid), _dlabel(peer, 'extra peer', ', '.join(ips))))
            out.append('  %s -- %s [style=dashed];' % (_q(site['name']), _q(eid)))
    for device, via, address in pic['devices']:
        did = 'device ' + device
        out.append('  %s [shape=ellipse, label=%s];' % (_q(did), _dlabel(device, 'road warrior', address)))
        out.append('  %s -- %s [style=dashed, dir=forward, label="dials"];' % (_q(did), _q(via)))
    for a, b in pic['tunnels']:
        out.append('  %s -- %s [penwidth=2, label="tunnel"];' % (_q(a), _q(b)))
    for client, exit_site in pic['exits']:
        out.append('  %s -- %s [style=dashed, dir=forward, color=gray40, label="exit"];' % (_q(client), _q(exit_site)))
    if pic['internet_through']:
        out.append('  %s [shape=doublecircle, label="internet"];' % _q(INTERNET))
        for exit_site in pic['internet_through']:
            out.append('  %s -- %s [dir=forward, penwidth=2, label="masquerade"];' % (_q(exit_site), _q(INTERNET)))
    out.append('}')
    return '\n'.join(out) + '\n'
