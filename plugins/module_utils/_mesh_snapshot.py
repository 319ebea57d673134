# Note that this module util is **PRIVATE** to the collection. It can have breaking changes at any time.
# Do not use this from other collections or standalone plugins/modules!

# Copyright (c) 2026, sitemesh.wireguard contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""The parsed mesh as one JSON text, so that a run parses the inventory once, not once per site.

``wg_mesh scope=mesh`` (run once) reads every site's variables through Ansible's lazy hostvars, validates the
mesh and ``dump``s what it parsed; ``wg_mesh scope=site`` (each site, in a forked worker, so no cache in memory
survives) ``load``s it and computes its site's part (``_mesh_topology.site_model``): O(peers), nothing read
from hostvars again. Through hostvars, the same model costs about a second per site at 1,000 sites.

The text is made for one mesh: its group, prefix and hosts (``key``); ``load`` returns None for another one,
and the caller parses the inventory itself. Public keys written to the store later in the run (new sites,
``wireguard_rekey``) are applied on load (``with_keys``), with the same rule as the parsing: the key made on the
host wins over ``<prefix>public_key``, and both set and different is an error naming the site.
"""

from __future__ import annotations

import json

from ansible_collections.sitemesh.wireguard.plugins.module_utils._mesh_parse import MeshError, public_key
from ansible_collections.sitemesh.wireguard.plugins.module_utils._mesh_schema import Mesh, Site, store_key_wins

FORMAT = 1
_ADDRESSES = ('address', 'address6')             # (version, value, text)
_NETS = ('network', 'network6')                  # (version, first, prefix length, last, text)
_NET_LISTS = ('client_networks', 'own')          # lists of nets
_PLAIN = ('port', 'endpoint', 'endpoint_text', 'exit_raw', 'exit', 'exit_ipv6', 'hub', 'keepalive',
          'public_key', 'stored_key')
_ATTRS = _ADDRESSES + _NETS + _NET_LISTS + _PLAIN + ('inventory_key',)


def _inventory_key(site):
    """<prefix>public_key as parsed (before the key store's key won), or None."""
    raw = site.raw.get('public_key')
    if raw is None:
        return None
    return public_key(site.name, site.prefix + 'public_key', raw, [], site.prefix)


def dump(mesh, key, extra=None):
    """The JSON text of a parsed (validated) mesh, made for key (group, prefix, hosts); extra: what the caller
    needs back with it (wg_mesh: the key store's state and keys), as ``Mesh.extra`` after ``load``."""
    sites = {}
    for name in mesh.names:
        site = mesh.sites[name]
        values = [getattr(site, attr) for attr in _ATTRS[:-1]]
        values.append(_inventory_key(site))
        sites[name] = values
    return json.dumps({'format': FORMAT, 'key': key, 'prefix': mesh.prefix, 'names': mesh.names,
                       'sites': sites, 'extra': extra}, separators=(',', ':'))


def _tuple(value):
    return None if value is None else tuple(value)


def _site(name, prefix, values):
    site = Site(name, None, prefix)
    attrs = dict(zip(_ATTRS, values))
    for attr in _ADDRESSES + _NETS:
        attrs[attr] = _tuple(attrs[attr])
    for attr in _NET_LISTS:
        attrs[attr] = [tuple(net) for net in attrs[attr]]
    site.__dict__.update(attrs)
    return site


def load(text, key):
    """The Mesh dumped in text when it was made for key, else None (no text, another mesh, another format)."""
    if not isinstance(text, str) or not text:
        return None
    try:
        data = json.loads(text)
    except ValueError:
        return None
    if not isinstance(data, dict) or data.get('format') != FORMAT or data.get('key') != key:
        return None
    prefix = data['prefix']
    mesh = Mesh.from_sites(data['names'], prefix, [_site(name, prefix, data['sites'][name]) for name in data['names']])
    mesh.extra = data.get('extra')
    return mesh


def with_keys(mesh, public_keys):
    """The sites' public keys as the key store holds them now; MeshError naming each site whose key is refused."""
    errors = []
    for name in mesh.names:
        site = mesh.sites[name]
        stored = public_keys.get(name) if public_keys else None
        if stored is not None and isinstance(stored, str) and not stored.strip():
            stored = None
        if stored == site.stored_key:
            continue
        site.stored_key = stored
        site.public_key = site.inventory_key
        site.errors = errors
        store_key_wins(site)
    if errors:
        raise MeshError('wg_mesh: %d error(s) in the public keys:\n%s' % (len(errors), '\n'.join(errors)))
    return mesh
