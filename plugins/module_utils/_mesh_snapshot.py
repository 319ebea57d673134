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

import gc
import json
from collections.abc import Mapping

from ansible_collections.sitemesh.wireguard.plugins.module_utils._mesh_parse import MeshError, public_key
from ansible_collections.sitemesh.wireguard.plugins.module_utils._mesh_schema import Mesh, Site, store_key_wins
from ansible_collections.sitemesh.wireguard.plugins.module_utils._mesh_topology import site_model

FORMAT = 2
_TUPLES = ('address', 'address6', 'network', 'network6')   # an address (version, value, text) or a net tuple
_TUPLE_LISTS = ('client_networks', 'own')                  # lists of net tuples
_PLAIN = ('port', 'endpoint', 'endpoint_text', 'exit', 'exit_ipv6', 'hub', 'keepalive', 'public_key')
_ATTRS = _TUPLES + _TUPLE_LISTS + _PLAIN + ('inventory_key', 'stored_key')


def _inventory_key(site):
    """<prefix>public_key as parsed (before the key store's key won), or None."""
    raw = site.raw.get('public_key')
    if raw is None:
        return None
    return public_key(site.name, site.prefix + 'public_key', raw, [], site.prefix)


def _stored(public_keys, name):
    """public_keys[name] as parse_site takes it (blank: none)."""
    stored = public_keys.get(name) if public_keys else None
    if stored is not None and isinstance(stored, str) and not stored.strip():
        return None
    return stored


def dump(mesh, key, public_keys, extra=None):
    """The JSON text of a parsed (validated) mesh, made for key (group, prefix, hosts) with public_keys (the key
    store's keys it was parsed with, back as ``Mesh.keys`` after ``load``); extra: what the caller needs back with
    it (wg_mesh: the key store's state), as ``Mesh.extra``.

    Every address and network appears once in ``tuples`` (the sites share the tunnel network) and the rows of
    the sites, in the order of ``names``, refer to them by index: loading converts each one once.
    """
    tuples = []
    index = {}

    def ref(value):
        if value is None:
            return None
        found = index.get(value)
        if found is None:
            found = index[value] = len(tuples)
            tuples.append(value)
        return found

    rows = []
    for name in mesh.names:
        site = mesh.sites[name]
        row = [ref(getattr(site, attr)) for attr in _TUPLES]
        row.extend([ref(net) for net in getattr(site, attr)] for attr in _TUPLE_LISTS)
        row.extend(getattr(site, attr) for attr in _PLAIN)
        if site.public_key is not None and site.public_key == site.stored_key:
            row[-1] = 0
        row.append(_inventory_key(site))
        rows.append(row)
    return json.dumps({'format': FORMAT, 'key': key, 'prefix': mesh.prefix, 'names': mesh.names,
                       'tuples': tuples, 'sites': rows, 'keys': public_keys or {}, 'extra': extra},
                      separators=(',', ':'))


_SITE_NEW = object.__new__
_ALL_ATTRS = _ATTRS + ('name', 'hv', 'prefix', 'errors', 'raw')


def _site(name, prefix, row, tuples, keys):
    """The Site of one dumped row (its tuples looked up, its stored key from keys, the rest as it is).

    The row is ``_ATTRS`` but the stored key, as ``dump`` writes it; one dict made at once (a few µs a site)."""
    address, address6, network, network6, client_networks, own = row[:6]
    stored = _stored(keys, name)
    public = row[13]  # 0: the stored key
    site = _SITE_NEW(Site)
    site.__dict__ = dict(zip(_ALL_ATTRS, (
        None if address is None else tuples[address], None if address6 is None else tuples[address6],
        None if network is None else tuples[network], None if network6 is None else tuples[network6],
        [tuples[i] for i in client_networks], [tuples[i] for i in own],
        row[6], row[7], row[8], row[9], row[10], row[11], row[12], stored if public == 0 else public, row[14],
        stored, name, None, prefix, None, {})))
    return site


def load(text, key):
    """The Mesh dumped in text when it was made for key, else None (no text, another mesh, another format)."""
    if isinstance(text, Mapping):   # templating of ansible-core < 2.19 turns a JSON text into a dict
        data = dict(text)
    elif not isinstance(text, str) or not text:
        return None
    else:
        try:
            data = json.loads(text)
        except ValueError:
            return None
    if not isinstance(data, dict) or data.get('format') != FORMAT or data.get('key') != key:
        return None
    prefix = data['prefix']
    tuples = [tuple(value) for value in data['tuples']]
    names = data['names']
    keys = data['keys']
    mesh = Mesh.from_sites(names, prefix, [_site(name, prefix, row, tuples, keys) for name, row in zip(names, data['sites'])])
    mesh.keys = keys
    mesh.extra = data.get('extra')
    return mesh


def with_keys(mesh, public_keys):
    """The sites' public keys as the key store holds them now; MeshError naming each site whose key is refused."""
    if public_keys is mesh.keys:  # the keys it was dumped with: nothing to apply
        return mesh
    errors = []
    for name in mesh.names:
        site = mesh.sites[name]
        stored = _stored(public_keys, name)
        if stored == site.stored_key:
            continue
        site.stored_key = stored
        site.public_key = site.inventory_key
        site.errors = errors
        store_key_wins(site)
    if errors:
        raise MeshError('wg_mesh: %d error(s) in the public keys:\n%s' % (len(errors), '\n'.join(errors)))
    return mesh


def peers_text(peers):
    """A site model's peers as one JSON text (``wg_mesh`` returns them so): a registered result then holds one
    string per site instead of a dict per peer, which Ansible's controller copies, cleans and checks for every
    site (at 1,000 sites, a full mesh, that was most of a run's controller time)."""
    return json.dumps(peers, separators=(',', ':'))


def peers_list(peers, who):
    """The peers of a site model as a list: from the JSON text of ``peers_text`` or a list as it is (the
    ``mesh_host`` filter's answer, or ansible-core before 2.19 templating the text into a list)."""
    if isinstance(peers, str):
        try:
            peers = json.loads(peers)
        except ValueError as exc:
            raise MeshError('%s: peers is not the JSON text of a list of peers (%s)' % (who, exc))
    if not isinstance(peers, (list, tuple)):
        raise MeshError('%s: peers must be a list (or its JSON text), got %s' % (who, type(peers).__name__))
    return list(peers)


def site_from(text, key, host, keys_now):
    """(the Mesh, host's model, the public keys) from the text when it was made for key, else None.

    keys_now(mesh) gives the public keys to apply (``mesh.keys``: those of the validation, ``mesh.extra``). Python's cyclic garbage collector is
    paused meanwhile: the objects made here hold no cycle (reference counting frees them), and in a worker
    forked from Ansible's controller each collection would walk the controller's whole heap again (at 5,000
    sites that more than doubles the time).
    """
    paused = gc.isenabled()
    gc.disable()
    try:
        mesh = load(text, key)
        if mesh is None:
            return None
        keys = keys_now(mesh)
        return with_keys(mesh, keys), site_model(mesh, host), keys
    finally:
        if paused:
            gc.enable()
