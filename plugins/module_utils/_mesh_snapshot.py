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
from ansible_collections.sitemesh.wireguard.plugins.module_utils._mesh_topology import merge, site_model

FORMAT = 4
# The columns of a site's row, by name (``dump`` writes them, ``load`` reads them by name: a column is added by
# naming it here, and in ``_value`` when it is not a Site attribute as it is).
# HOT: read by every site's model (site_model), set on each Site when the snapshot is loaded.
HOT = (
    'hub', 'exit', 'endpoint_text',
    'public_key',   # 0: the key store's key (stored_key)
    'allowed',      # the site's own networks merged (_mesh_topology.merge): a plain peer's AllowedIPs
)
# COLD: read for few sites (the site itself, its exit or hub, keys written since the validation); a row holds them
# as one JSON text of their own, decoded for a site the first time one of them is read. Addresses and networks
# are their tuples (as lists in JSON).
COLD = ('own', 'address', 'address6', 'network', 'network6', 'client_networks', 'port', 'endpoint', 'exit_ipv6',
        'keepalive', 'inventory_key')
_TUPLE = frozenset(('address', 'address6', 'network', 'network6'))
_TUPLES = frozenset(('own', 'client_networks'))


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


def _value(site, attr):
    """What ``dump`` writes of attr of a parsed site."""
    if attr == 'public_key':
        return 0 if site.public_key is not None and site.public_key == site.stored_key else site.public_key
    if attr == 'allowed':
        return merge(site.own)
    if attr == 'inventory_key':
        return _inventory_key(site)
    return getattr(site, attr)


def dump(mesh, key, public_keys, extra=None):
    """The JSON text of a parsed (validated) mesh, made for key (group, prefix, hosts) with public_keys (the key
    store's keys it was parsed with, back as ``Mesh.keys`` after ``load``); extra: what the caller needs back with
    it (wg_mesh: the key store's state), as ``Mesh.extra``.

    One JSON object: ``format``, ``key``, ``prefix``, ``names``, ``has_v6``, ``hot`` and ``cold`` (the column
    names), ``sites`` (a row per site in the order of ``names``: the HOT values, then the COLD ones as one JSON
    text), ``keys``, ``extra``. A reader takes what it knows by name: a feature that needs more adds a member or
    a column.
    """
    separators = (',', ':')
    rows = []
    pools = {}   # the few sites with a road warrior pool: nothing added to every row
    for name in mesh.names:
        site = mesh.sites[name]
        row = [_value(site, attr) for attr in HOT]
        row.append(json.dumps([_value(site, attr) for attr in COLD], separators=separators))
        rows.append(row)
        if site.roadwarrior_pool is not None:
            pools[name] = site.roadwarrior_pool
    return json.dumps({'format': FORMAT, 'key': key, 'prefix': mesh.prefix, 'names': mesh.names,
                       'has_v6': mesh.has_v6, 'hot': list(HOT), 'cold': list(COLD), 'sites': rows, 'pools': pools,
                       'keys': public_keys or {}, 'extra': extra}, separators=separators)


class _Cold:
    """A COLD column of a loaded site: the first read of one decodes the site's cold text and sets them all as
    the site's own attributes (a non-data descriptor, like functools.cached_property: later reads are plain)."""

    def __init__(self, attr):
        self.attr = attr

    def __get__(self, site, owner=None):
        if site is None:
            return self
        values = site.__dict__
        for attr, value in zip(COLD, json.loads(values.pop('cold'))):
            if attr in _TUPLE:
                value = None if value is None else tuple(value)
            elif attr in _TUPLES:
                value = [tuple(net) for net in value]
            values.setdefault(attr, value)  # one already set (with_keys) stays
        return values[self.attr]


class LoadedSite(Site):
    """A Site of a loaded snapshot: the HOT columns set, the COLD ones decoded when one is read."""


for _attr in COLD:
    setattr(LoadedSite, _attr, _Cold(_attr))
del _attr

_SITE_NEW = object.__new__


def _sites(names, prefix, rows, keys):
    """The LoadedSite of each row (HOT columns set, its stored key from keys, its COLD text kept): one dict per
    site made at once."""
    sites = []
    for name, (hub, exit_, endpoint_text, public, allowed, cold) in zip(names, rows):
        stored = _stored(keys, name)
        site = _SITE_NEW(LoadedSite)
        site.__dict__ = {
            'hub': hub, 'exit': exit_, 'endpoint_text': endpoint_text,
            'public_key': stored if public == 0 else public, 'allowed': allowed, 'stored_key': stored,
            'name': name, 'prefix': prefix, 'cold': cold, 'hv': None, 'errors': None, 'raw': {}}
        sites.append(site)
    return sites


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
    if (not isinstance(data, dict) or data.get('format') != FORMAT or data.get('key') != key
            or data.get('hot') != list(HOT) or data.get('cold') != list(COLD)):
        return None
    names = data['names']
    keys = data['keys']
    mesh = Mesh.from_sites(names, data['prefix'], _sites(names, data['prefix'], data['sites'], keys),
                           has_v6=data['has_v6'])
    for name, pool in data['pools'].items():   # else the class default: no pool
        mesh.sites[name].roadwarrior_pool = tuple(pool)
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


_COMPACT = json.JSONEncoder(separators=(',', ':'), check_circular=False)  # the model holds no cycle


def compact(model):
    """A site model as ``wg_mesh`` returns it: its peers as one JSON text. A registered result then holds one
    string per site instead of a dict per peer, which Ansible's controller copies, cleans and checks for every
    site (at 1,000 sites, a full mesh, that was most of a run's controller time)."""
    return dict(model, peers=_COMPACT.encode(model['peers']))


def peers_list(peers, who):
    """The peers of a site model as a list: from the JSON text of ``compact`` or a list as it is (the
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
