# Note that this module util is **PRIVATE** to the collection. It can have breaking changes at any time.
# Do not use this from other collections or standalone plugins/modules!

# Copyright (c) 2026, sitemesh.wireguard contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""The inventory schema of the mesh as one table, and the reading of every host of the mesh group with it.

``SCHEMA`` is the one list of the per-host variables (``<prefix><suffix>``): parser, required, default,
and whether ``mesh_host`` reads it for a host that is only a peer.  docs/DESIGN.md, the filter docs and
the wireguard_peer role's argument spec list the same variables (tests/unit/test_docs.py checks it).

Only ``hostvars[h]`` for ``h`` in the hosts list is read, and only ``<prefix>*`` keys, each at most once:
every access to Ansible's lazy hostvars templates the value, which costs more than the parsing.
"""

from __future__ import annotations

from collections import namedtuple
from collections.abc import Mapping

from ansible_collections.sitemesh.wireguard.plugins.module_utils._mesh_parse import (
    MeshError,
    boolean,
    check_mesh_key,
    client_networks,
    endpoint,
    endpoint_text,
    exit_name,
    host_net,
    hub_name,
    inside,
    ipv4_address,
    ipv4_network,
    ipv6_address,
    ipv6_network,
    is_list,
    keepalive,
    port,
    public_key,
)

DEFAULT_PREFIX = 'wireguard_'
DEFAULT_PORT = 51820
DEFAULT_KEEPALIVE = 25


# ------------------------------------------------------------------------------ when a peer is read
# mesh_host reads its own host in full and, of the others, only what a peer entry needs: True (always),
# False (never), or one of these conditions.

def _with_endpoint(site):
    """The port of a peer matters only in its endpoint (reading the endpoint first, as the order of errors says)."""
    return site.read('endpoint') is not None


def _without_stored_key(site):
    """The inventory key of a peer matters only when the key store has none."""
    return site.stored_key is None


# ----------------------------------------------------------------- checks between a host's variables

def _address_in_network(site):
    if site.address is not None and site.network is not None and not inside(site.address, site.network):
        site.errors.append("%s: %saddress '%s' is outside %snetwork %s"
                           % (site.name, site.prefix, site.address[2], site.prefix, site.network[4]))


def _address6_pair(site):
    """address6 and network6 come together, the address inside the network."""
    p_addr6, p_net6 = site.prefix + 'address6', site.prefix + 'network6'
    raw6, rawnet6 = site.raw['address6'], site.raw['network6']
    if raw6 is not None and rawnet6 is None:
        site.errors.append('%s: %s is set but %s is not' % (site.name, p_addr6, p_net6))
    elif rawnet6 is not None and raw6 is None:
        site.errors.append('%s: %s is set but %s is not' % (site.name, p_net6, p_addr6))
    elif site.address6 is not None and site.network6 is not None and not inside(site.address6, site.network6):
        site.errors.append("%s: %s '%s' is outside %s %s"
                           % (site.name, p_addr6, site.address6[2], p_net6, site.network6[4]))


def _dialled_at(site):
    if site.endpoint is not None:
        site.endpoint_text = endpoint_text(site.endpoint, site.port)


def _pool_dialled(site):
    """Road warriors dial the site that holds their pool: it needs an endpoint, and is no spoke."""
    if site.roadwarrior_pool is None:
        return
    p_pool = site.prefix + 'roadwarrior_pool'
    if site.read('endpoint') is None:
        site.errors.append('%s: %s is set but %sendpoint is not (a device must be able to dial the site)'
                           % (site.name, p_pool, site.prefix))
    elif site.read('hub') is not None:
        site.errors.append('%s: %s is set on a spoke (%shub): a device must dial a site that is reached directly'
                           % (site.name, p_pool, site.prefix))


def _exit_of(site):
    """A site is never its own exit: naming itself is refused (the group_vars of an exit's group often do)."""
    if site.exit_raw is not None and site.exit_raw == site.name:
        p_exit = site.prefix + 'exit'
        text = ("%s: %s '%s' names the site itself (an exit keeps its own default route; when a group "
                "sets %s, set %s: '' in %s's host_vars)")
        site.errors.append(text % (site.name, p_exit, site.name, p_exit, p_exit, site.name))
        return
    site.exit = site.exit_raw


def store_key_wins(site):
    """public_keys[host] (the key made on the host) wins over <prefix>public_key; both must agree."""
    stored = site.stored_key
    if stored is None:
        return
    key, why = check_mesh_key(stored)
    if why:
        site.errors.append('%s: public_keys[%r] %s' % (site.name, site.name, why))
        return
    if site.public_key and site.public_key != key:
        site.errors.append('%s: %spublic_key differs from public_keys[%r], the key made on the host'
                           % (site.name, site.prefix, site.name))
    site.public_key = key


# ------------------------------------------------------------------------------------------ the table

Field = namedtuple('Field', 'suffix attr parser required default peer check')
Field.__doc__ = """One inventory variable: <prefix><suffix> is parsed into Site.<attr>.

parser(host, variable, value, errors, prefix) -> value or None; required: "is not set" when missing;
default: the value when unset or invalid; peer: read for a host that is only a peer, True, False or
condition(site) (the focus host of mesh_host and every host of mesh_validate read everything);
check(site): a rule between this variable and the ones before it, run right after the row
(unless the row is never read for a peer and the host is one).
The order of the rows is the order of the error lines of a host.
"""

SCHEMA = (
    Field('address', 'address', ipv4_address, True, None, True, None),
    Field('network', 'network', ipv4_network, True, None, False, _address_in_network),
    Field('address6', 'address6', ipv6_address, False, None, True, None),
    Field('network6', 'network6', ipv6_network, False, None, False, _address6_pair),
    Field('port', 'port', port, False, DEFAULT_PORT, _with_endpoint, None),
    Field('endpoint', 'endpoint', endpoint, False, None, True, _dialled_at),
    Field('client_networks', 'client_networks', client_networks, False, [], True, None),
    Field('exit', 'exit_raw', exit_name, False, None, True, _exit_of),
    Field('exit_ipv6', 'exit_ipv6', boolean, False, None, False, None),
    Field('hub', 'hub', hub_name, False, None, True, None),
    Field('persistent_keepalive', 'keepalive', keepalive, False, None, False, None),
    Field('public_key', 'public_key', public_key, False, None, _without_stored_key, store_key_wins),
    Field('roadwarrior_pool', 'roadwarrior_pool', ipv4_network, False, None, True, _pool_dialled),
)

_ROWS = {}


def _rows(prefix, full):
    """The rows of SCHEMA read in full or as a peer, as plain tuples with the variable names of prefix.

    (suffix, variable, attr, parser, required, condition or None, check): made once per prefix, so
    that the parsing loop only unpacks them.
    """
    rows = _ROWS.get((prefix, full))
    if rows is None:
        rows = _ROWS[prefix, full] = tuple(
            (f.suffix, prefix + f.suffix, f.attr, f.parser, f.required, None if f.peer in (True, False) else f.peer,
             f.check)
            for f in SCHEMA if full or f.peer is not False)
    return rows


# --------------------------------------------------------------------------------------------- reading

_UNDEFINED_TYPES = {}


def _is_undefined(value):
    """True for jinja2's Undefined (by duck-typing its class, so that this file does not import jinja2)."""
    cls = type(value)
    found = _UNDEFINED_TYPES.get(cls)
    if found is None:
        found = any(c.__name__ == 'Undefined' and c.__module__ == 'jinja2.runtime' for c in cls.__mro__)
        _UNDEFINED_TYPES[cls] = found
    return found


def find_undefined(value, depth=0):
    """The first jinja2 Undefined in value (or in its list items / dict values), else None.

    ansible-core 2.19 hands out an Undefined marker for a variable whose template references an
    undefined name (``wireguard_endpoint: '{{ typo }}'``) instead of raising, and fills lists lazily.
    """
    # Plain scalars first: the ABC checks below cost more than the rest of a site's parsing, and a
    # 1,000-host mesh reads seven variables of every host per call.
    if depth > 3 or value is None or isinstance(value, (str, bytes, int, float)):
        return None
    if _is_undefined(value):
        return value
    if isinstance(value, Mapping):
        items = value.values()
    elif is_list(value):
        items = value
    else:
        return None
    for item in items:
        found = find_undefined(item, depth + 1)
        if found is not None:
            return found
    return None


def _undefined_text(undefined):
    for attr in ('_undefined_message', '_undefined_hint'):
        try:
            text = getattr(undefined, attr)
        except Exception:  # pragma: no cover - Undefined raises on most attribute access
            text = None
        if text:
            return str(text)
    return 'an undefined variable'


def read(hv, key, name, errors):
    """hv.get(key), turning a templating error into an error line naming the host and the variable.

    Blank strings read as None (unset).
    """
    try:
        value = hv.get(key)
        undefined = find_undefined(value)
    except Exception as exc:  # templating errors of Ansible's lazy HostVars come in many classes
        errors.append('%s: %s cannot be evaluated: %s' % (name, key, exc))
        return None
    if undefined is not None:
        errors.append('%s: %s cannot be evaluated: %s' % (name, key, _undefined_text(undefined)))
        return None
    if value is None:
        return None
    if isinstance(value, str) and not value.strip():
        return None
    return value


class Site:
    """One host of the mesh: its variables, each read at most once, and what they parse into.

    The attributes of SCHEMA default to class attributes (a list default as a tuple: shared, so immutable).
    """

    def __init__(self, name, hv=None, prefix=DEFAULT_PREFIX, errors=None, stored_key=None):
        self.name = name
        self.hv = hv                  # the host's variables (None: the host has none)
        self.prefix = prefix
        self.errors = errors
        self.stored_key = stored_key  # public_keys[name], unchecked
        self.raw = {}                 # suffix -> value as read (None when unset or unreadable)
        self.endpoint_text = None     # "host:port" / "[v6]:port"
        self.exit = None              # exit host name (None when unset or refused)
        self.own = []                 # tunnel /32 (/128) + client networks, as net tuples
        self.allowed = None           # own merged, as CIDR texts (set by _mesh_snapshot.load)

    def read(self, suffix):
        raw = self.raw
        if suffix not in raw:
            raw[suffix] = read(self.hv, self.prefix + suffix, self.name, self.errors)
        return raw[suffix]

    def does_ipv6(self):
        """As an exit, it forwards and masquerades IPv6: it has <prefix>address6 or <prefix>exit_ipv6 true.

        <prefix>exit_ipv6 of a host read only as a peer is read here, when it is some site's exit.
        """
        if self.address6 is not None:
            return True
        if 'exit_ipv6' not in self.raw and self.hv is not None:
            value = self.read('exit_ipv6')
            if value is not None:
                self.exit_ipv6 = boolean(self.name, self.prefix + 'exit_ipv6', value, [], self.prefix)
        return bool(self.exit_ipv6)


for _field in SCHEMA:
    setattr(Site, _field.attr, tuple(_field.default) if isinstance(_field.default, list) else _field.default)
del _field


def host_vars(hostvars, name):
    """hostvars[name] as a Mapping, or None when the host has no variables at all."""
    try:
        hv = hostvars[name]
    except (KeyError, IndexError, TypeError):
        return None
    if not isinstance(hv, Mapping):  # Ansible returns an undefined marker for an unknown host
        return None
    return hv


def parse_site(name, hostvars, prefix, public_keys, errors, full=True):
    """One host's variables, read and parsed row by row of SCHEMA into a Site; problems go to errors.

    With full=False (the peers seen by mesh_host), only the rows whose ``peer`` says so are read.
    """
    hv = host_vars(hostvars, name)
    if hv is None:
        errors.append('%s: %saddress is not set (the host has no variables at all: is it in the inventory?)'
                      % (name, prefix))
        return Site(name)
    stored = public_keys.get(name) if public_keys else None
    if stored is not None and isinstance(stored, str) and not stored.strip():
        stored = None
    site = Site(name, hv, prefix, errors, stored)
    raw = site.raw
    attrs = site.__dict__  # setattr, without its cost per row
    for suffix, key, attr, parser, required, condition, check in _rows(prefix, full):
        if condition is None or condition(site) or full:  # a condition first: it may read what it depends on
            if suffix in raw:
                value = raw[suffix]
            else:
                value = raw[suffix] = read(hv, key, name, errors)
            if value is not None:
                value = parser(name, key, value, errors, prefix)
                if value is not None:
                    attrs[attr] = value
            elif required:
                errors.append('%s: %s is not set' % (name, key))
        if check is not None:
            check(site)
    own = site.own
    if site.address is not None:
        own.append(host_net(site.address))
    if site.address6 is not None:
        own.append(host_net(site.address6))
    own.extend(site.client_networks)
    if site.roadwarrior_pool is not None:
        own.append(site.roadwarrior_pool)
    return site


# ------------------------------------------------------------------------------------------ the mesh

def mesh_hosts(hostvars, hosts, public_keys, prefix, who):
    """The host names of the mesh (deduplicated, in order) and the prefix; MeshError on wrong argument types."""
    if not isinstance(hostvars, Mapping):
        raise MeshError('%s: the input must be hostvars (a mapping of host name to variables), not %s'
                        % (who, type(hostvars).__name__))
    if not is_list(hosts):
        raise MeshError("%s: hosts must be a list of host names (e.g. groups['wireguard']), not %r" % (who, hosts))
    if public_keys is not None and not isinstance(public_keys, Mapping):
        raise MeshError('%s: public_keys must be a mapping of host name to public key, not %s'
                        % (who, type(public_keys).__name__))
    if not isinstance(prefix, str) or not prefix:
        raise MeshError('%s: prefix must be a non-empty string such as %r' % (who, DEFAULT_PREFIX))
    return list(dict.fromkeys(str(host) for host in hosts)), str(prefix)


class Mesh:
    """Every host of the mesh group, each parsed once."""

    keys = None   # the public keys _mesh_snapshot.load found beside the sites
    extra = None  # and what its caller dumped with them

    def __init__(self, hostvars, names, public_keys, prefix, focus=None):
        """Parse every host; with focus (mesh_host), only that host is parsed in full."""
        self.names = names
        self.prefix = prefix
        self.errors = []
        self.sites = {}
        for name in names:
            self.sites[name] = parse_site(name, hostvars, prefix, public_keys, self.errors,
                                          full=focus is None or name == focus)
        self.has_v6 = self._has_v6()

    @classmethod
    def from_sites(cls, names, prefix, sites, has_v6=None):
        """The mesh of sites already parsed, one per name (``_mesh_snapshot.load``, which knows has_v6), without
        reading any variable."""
        mesh = cls.__new__(cls)
        mesh.names = names
        mesh.prefix = prefix
        mesh.errors = []
        mesh.sites = dict(zip(names, sites))
        mesh.has_v6 = mesh._has_v6() if has_v6 is None else has_v6
        return mesh

    def _has_v6(self):
        return any(s.address6 is not None or any(n[0] == 6 for n in s.client_networks) for s in self.sites.values())

    def hub_of(self, name):
        hub = self.sites[name].hub
        if hub is not None and hub != name and hub in self.sites:
            return hub
        return None
