# -*- coding: utf-8 -*-
# Copyright (c) 2026, sitemesh.wireguard maintainers
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""The mesh model of sitemesh.wireguard: pure functions over plain data.

The inventory of the mesh group (``hostvars`` of ``groups['wireguard']``) plus the public key store
are the only inputs.  The filters never look at the play, so a run with ``--limit`` computes the same
peers as a full run.

* ``mesh_validate`` checks the whole mesh once and reports every error, one per line.
* ``mesh_host`` answers "what does this host need" (addresses, peers, AllowedIPs, NAT sources).  It
  parses every host's variables once per call, does no cross-host validation, and is O(peers).
* ``mesh_psk`` derives the preshared key of a pair of peers from one controller secret.

Documentation of each filter lives beside this file (``mesh_host.yml`` ...).
"""

from __future__ import annotations

import base64
import binascii
import ipaddress
import re
import socket
from collections.abc import Mapping, Sequence

from ansible.errors import AnsibleFilterError

try:
    from jinja2 import Undefined as _Undefined
except ImportError:  # pragma: no cover - jinja2 comes with ansible-core
    _Undefined = None

try:
    import netaddr
except ImportError:  # pragma: no cover - reported when needed
    netaddr = None

try:
    from cryptography.hazmat.primitives import hashes
    from cryptography.hazmat.primitives.kdf.hkdf import HKDF
except ImportError:  # pragma: no cover - reported when needed
    HKDF = None


DEFAULT_PREFIX = 'wireguard_'
DEFAULT_PORT = 51820
DEFAULT_KEEPALIVE = 25
PSK_INFO = b'sitemesh.wireguard psk v1'

_MAX = {4: (1 << 32) - 1, 6: (1 << 128) - 1}
_BITS = {4: 32, 6: 128}
# A network as used by the model: (version, first address as int, prefix length, last address as int, text).
# Tuples sort by version (IPv4 first), then address, then prefix length: the order AllowedIPs are shown in.
_DEFAULT_V4 = (4, 0, 0, _MAX[4], '0.0.0.0/0')
_DEFAULT_V6 = (6, 0, 0, _MAX[6], '::/0')

_LABEL = r'[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?'
_HOSTNAME_RE = re.compile(r'^(?=.{1,253}$)%s(?:\.%s)*\.?$' % (_LABEL, _LABEL))
_NUMERIC_NAME_RE = re.compile(r'^[0-9.]+$')


# --------------------------------------------------------------------------------------------- parsing


def _parse_ip(text):
    """(version, address as int, canonical text) of an IP address; ValueError otherwise.

    IPv4 goes through inet_pton (strict dotted quad, no leading zeros, like ipaddress) because it is
    several times faster than ipaddress, and a 1,000-host mesh parses thousands of addresses per call.
    """
    if ':' not in text:
        try:
            packed = socket.inet_pton(socket.AF_INET, text)
        except (OSError, ValueError):
            raise ValueError('%r is not a valid IP address' % text) from None
        return 4, int.from_bytes(packed, 'big'), text
    addr = ipaddress.IPv6Address(text)
    return 6, int(addr), str(addr)


def _ip_text(version, value):
    if version == 4:
        return socket.inet_ntop(socket.AF_INET, value.to_bytes(4, 'big'))
    return str(ipaddress.IPv6Address(value))


def _parse_net(text):
    """Net tuple of a CIDR network, strict about host bits; ValueError (with a hint) otherwise."""
    addr_text, sep, plen_text = text.partition('/')
    version, first, canon = _parse_ip(addr_text)
    bits = _BITS[version]
    if sep:
        if not (plen_text.isdigit() and plen_text.isascii()) or int(plen_text) > bits:
            raise ValueError('invalid prefix length %r' % plen_text)
        plen = int(plen_text)
    else:
        plen = bits
    hostmask = _MAX[version] >> plen
    if first & hostmask:
        raise ValueError('host bits set: did you mean %s/%d?' % (_ip_text(version, first & ~hostmask), plen))
    return (version, first, plen, first | hostmask, '%s/%d' % (canon, plen))


def _host_tuple(addr):
    """The /32 (or /128) net tuple of a parsed address."""
    version, value, text = addr
    return (version, value, _BITS[version], value, '%s/%d' % (text, _BITS[version]))


def check_public_key(value):
    """Return (key, None) for a WireGuard key (base64 of exactly 32 bytes), else (None, why)."""
    if isinstance(value, bytes):
        try:
            value = value.decode('ascii')
        except UnicodeDecodeError:
            return None, 'is not base64 text'
    if not isinstance(value, str):
        return None, 'is a %s, not a string' % type(value).__name__
    key = str(value).strip()
    if len(key) != 44:
        return None, 'is not the base64 of 32 bytes (44 characters expected, got %d)' % len(key)
    try:
        raw = base64.b64decode(key, validate=True)
    except (binascii.Error, ValueError):
        return None, 'is not valid base64'
    if len(raw) != 32 or base64.b64encode(raw).decode('ascii') != key:
        return None, 'is not the base64 of exactly 32 bytes'
    return key, None


def _to_int(value):
    """int from an int or a numeric string (inventory values are often strings); None otherwise."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return int(value)
    if isinstance(value, str):
        text = value.strip()
        if text.isdigit() and text.isascii():
            return int(text)
    return None


def _is_list(value):
    if isinstance(value, (list, tuple)):
        return True
    return isinstance(value, Sequence) and not isinstance(value, (str, bytes))


class _Site:
    """One host of the mesh, parsed once."""

    __slots__ = ('name', 'has_vars', 'address', 'network', 'address6', 'network6', 'endpoint', 'port',
                 'client_networks', 'exit', 'exit_raw', 'hub', 'keepalive', 'public_key', 'own', 'endpoint_text')

    def __init__(self, name):
        self.name = name
        self.has_vars = False
        self.address = None          # (version, int, text)
        self.network = None          # net tuple
        self.address6 = None
        self.network6 = None
        self.endpoint = None         # str, without port
        self.endpoint_text = None    # "host:port" / "[v6]:port"
        self.port = DEFAULT_PORT
        self.client_networks = []    # list of net tuples
        self.exit = None             # exit host name (None on the exit itself)
        self.exit_raw = None
        self.hub = None              # hub host name
        self.keepalive = None        # int as set in the inventory, or None
        self.public_key = None       # resolved: public_keys store first, then the hostvar
        self.own = []                # tunnel /32 (/128) + client networks, as net tuples


def _find_undefined(value, depth=0):
    """The first jinja2 Undefined in value (or in its list items / dict values), else None.

    ansible-core 2.19 hands out an Undefined marker for a variable whose template references an
    undefined name (``wireguard_endpoint: '{{ typo }}'``) instead of raising, and fills lists lazily.
    """
    # Plain scalars first: the ABC checks below cost more than the rest of a site's parsing, and a
    # 1,000-host mesh reads seven variables of every host per call.
    if _Undefined is None or depth > 3 or value is None or isinstance(value, (str, bytes, int, float)):
        return None
    if isinstance(value, _Undefined):
        return value
    if isinstance(value, Mapping):
        items = value.values()
    elif _is_list(value):
        items = value
    else:
        return None
    for item in items:
        found = _find_undefined(item, depth + 1)
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


def _get(hv, key, name, errors):
    """hv.get(key), turning a templating error into an error line naming the host and the variable."""
    try:
        value = hv.get(key)
        undefined = _find_undefined(value)
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


def _host_vars(hostvars, name):
    """hostvars[name] as a Mapping, or None when the host has no variables at all."""
    try:
        hv = hostvars[name]
    except (KeyError, IndexError, TypeError):
        return None
    if not isinstance(hv, Mapping):  # Ansible returns an undefined marker for an unknown host
        return None
    return hv


def _parse_address(site, value, key, version, errors, required):
    if value is None:
        if required:
            errors.append('%s: %s is not set' % (site.name, key))
        return None
    text = str(value).strip()
    try:
        addr = _parse_ip(text)
    except ValueError:
        hint = ' (give the address without a prefix length)' if '/' in text else ''
        errors.append('%s: %s %r is not a valid IPv%d address%s' % (site.name, key, text, version, hint))
        return None
    if addr[0] != version:
        errors.append('%s: %s %r is not an IPv%d address' % (site.name, key, text, version))
        return None
    return addr


def _parse_cidr(name, key, value, errors, what=''):
    """A net tuple from a CIDR string, strict about host bits; None (and an error) otherwise."""
    text = str(value).strip()
    try:
        return _parse_net(text)
    except ValueError as exc:
        hint = ' (%s)' % exc if 'host bits' in str(exc) else ''
        errors.append('%s: %s%s %r is not a valid CIDR network%s' % (name, key, what, text, hint))
        return None


def _parse_network(site, value, key, version, errors, required):
    if value is None:
        if required:
            errors.append('%s: %s is not set' % (site.name, key))
        return None
    net = _parse_cidr(site.name, key, value, errors)
    if net is not None and net[0] != version:
        errors.append('%s: %s %s is not an IPv%d network' % (site.name, key, net[4], version))
        return None
    return net


def _parse_site(name, hostvars, prefix, public_keys, errors, full=True):
    """Parse one host's variables (each read once) into a _Site, appending problems to errors.

    With full=False (the peers seen by mesh_host), only what a peer entry needs is read: every
    access to Ansible's lazy hostvars templates the value, which costs more than the parsing.
    The tunnel networks, the keepalive, the port of a host without endpoint and the inventory
    public key of a host already in the store are then left out, and so are their checks.
    """
    site = _Site(name)
    hv = _host_vars(hostvars, name)
    if hv is None:
        errors.append('%s: %saddress is not set (the host has no variables at all: is it in the inventory?)'
                      % (name, prefix))
        return site
    site.has_vars = True

    # tunnel addresses
    p_addr = prefix + 'address'
    p_net = prefix + 'network'
    site.address = _parse_address(site, _get(hv, p_addr, name, errors), p_addr, 4, errors, required=True)
    if full:
        site.network = _parse_network(site, _get(hv, p_net, name, errors), p_net, 4, errors, required=True)
    if site.address is not None and site.network is not None \
            and not site.network[1] <= site.address[1] <= site.network[3]:
        errors.append("%s: %s '%s' is outside %s %s" % (name, p_addr, site.address[2], p_net, site.network[4]))
    p_addr6 = prefix + 'address6'
    p_net6 = prefix + 'network6'
    raw6 = _get(hv, p_addr6, name, errors)
    site.address6 = _parse_address(site, raw6, p_addr6, 6, errors, required=False)
    rawnet6 = _get(hv, p_net6, name, errors) if full else None
    site.network6 = _parse_network(site, rawnet6, p_net6, 6, errors, required=False)
    if full:
        if raw6 is not None and rawnet6 is None:
            errors.append('%s: %s is set but %s is not' % (name, p_addr6, p_net6))
        elif rawnet6 is not None and raw6 is None:
            errors.append('%s: %s is set but %s is not' % (name, p_net6, p_addr6))
        elif site.address6 is not None and site.network6 is not None \
                and not site.network6[1] <= site.address6[1] <= site.network6[3]:
            errors.append("%s: %s '%s' is outside %s %s"
                          % (name, p_addr6, site.address6[2], p_net6, site.network6[4]))

    # endpoint, and the port it is dialled on
    p_ep = prefix + 'endpoint'
    endpoint = _get(hv, p_ep, name, errors)
    p_port = prefix + 'port'
    value = _get(hv, p_port, name, errors) if full or endpoint is not None else None
    if value is not None:
        port = _to_int(value)
        if port is None or not 1 <= port <= 65535:
            errors.append('%s: %s %r is not a port number (an integer from 1 to 65535)' % (name, p_port, value))
        else:
            site.port = port
    value = endpoint
    if value is not None:
        if not isinstance(value, str):
            errors.append('%s: %s %r is not a string (an IP address or a DNS name)' % (name, p_ep, value))
        else:
            text = str(value).strip()
            bare = text[1:-1] if text.startswith('[') and text.endswith(']') else text
            if ':' in bare:
                try:
                    addr = ipaddress.IPv6Address(bare)
                except ValueError:
                    errors.append('%s: %s %r is neither an IP address nor a DNS name (give the port in %s, '
                                  'not in the endpoint)' % (name, p_ep, text, p_port))
                else:
                    site.endpoint = str(addr)
                    site.endpoint_text = '[%s]:%d' % (addr, site.port)
            elif not _HOSTNAME_RE.match(bare) or (_NUMERIC_NAME_RE.match(bare) and not _is_ipv4(bare)):
                errors.append('%s: %s %r is neither an IP address nor a DNS name' % (name, p_ep, text))
            else:
                site.endpoint = bare
                site.endpoint_text = '%s:%d' % (bare, site.port)

    # client networks
    p_cn = prefix + 'client_networks'
    value = _get(hv, p_cn, name, errors)
    if value is not None:
        if not _is_list(value):
            errors.append('%s: %s must be a list of CIDR networks, not %r' % (name, p_cn, value))
        else:
            for item in value:
                net = _parse_cidr(name, p_cn, item, errors, what=' entry')
                if net is not None:
                    site.client_networks.append(net)

    # exit and hub
    p_exit = prefix + 'exit'
    value = _get(hv, p_exit, name, errors)
    if value is not None:
        if _is_list(value):
            items = [str(v).strip() for v in value if v is not None and str(v).strip()]
            if len(items) > 1:
                errors.append('%s: %s lists %s: two exits for one client (a site has at most one exit)'
                              % (name, p_exit, ', '.join(items)))
                value = None
            else:
                value = items[0] if items else None
        elif not isinstance(value, str):
            errors.append('%s: %s %r is not a host name' % (name, p_exit, value))
            value = None
        if value is not None:
            site.exit_raw = str(value).strip()
            site.exit = site.exit_raw if site.exit_raw != name else None  # ignored on the exit itself
    p_hub = prefix + 'hub'
    value = _get(hv, p_hub, name, errors)
    if value is not None:
        if not isinstance(value, str):
            errors.append('%s: %s %r is not a host name' % (name, p_hub, value))
        else:
            site.hub = str(value).strip()

    # keepalive
    p_ka = prefix + 'persistent_keepalive'
    value = _get(hv, p_ka, name, errors) if full else None
    if value is not None:
        keepalive = _to_int(value)
        if keepalive is None or not 0 <= keepalive <= 65535:
            errors.append('%s: %s %r is not an integer from 0 to 65535' % (name, p_ka, value))
        else:
            site.keepalive = keepalive

    # public key: the store (key made on the host) first, then the inventory
    p_pk = prefix + 'public_key'
    store_key = public_keys.get(name) if public_keys else None
    if store_key is not None and isinstance(store_key, str) and not store_key.strip():
        store_key = None
    inv_key = _get(hv, p_pk, name, errors) if full or store_key is None else None
    if inv_key is not None:
        inv_key, why = check_public_key(inv_key)
        if why:
            errors.append('%s: %s %s' % (name, p_pk, why))
    if store_key is not None:
        store_key, why = check_public_key(store_key)
        if why:
            errors.append('%s: public_keys[%r] %s' % (name, name, why))
        elif inv_key and inv_key != store_key:
            errors.append('%s: %s differs from public_keys[%r], the key made on the host' % (name, p_pk, name))
    else:
        store_key = None
    site.public_key = store_key or inv_key

    own = []
    if site.address is not None:
        own.append(_host_tuple(site.address))
    if site.address6 is not None:
        own.append(_host_tuple(site.address6))
    own.extend(site.client_networks)
    site.own = own
    return site


def _is_ipv4(text):
    try:
        return _parse_ip(text)[0] == 4
    except ValueError:
        return False


def _check_args(hostvars, hosts, public_keys, prefix, who):
    if not isinstance(hostvars, Mapping):
        raise AnsibleFilterError('%s: the input must be hostvars (a mapping of host name to variables), not %s'
                                 % (who, type(hostvars).__name__))
    if not _is_list(hosts):
        raise AnsibleFilterError("%s: hosts must be a list of host names (e.g. groups['wireguard']), not %r"
                                 % (who, hosts))
    if public_keys is not None and not isinstance(public_keys, Mapping):
        raise AnsibleFilterError('%s: public_keys must be a mapping of host name to public key, not %s'
                                 % (who, type(public_keys).__name__))
    if not isinstance(prefix, str) or not prefix:
        raise AnsibleFilterError('%s: prefix must be a non-empty string such as %r' % (who, DEFAULT_PREFIX))
    names = []
    seen = set()
    for host in hosts:
        name = str(host)
        if name not in seen:
            seen.add(name)
            names.append(name)
    return names, str(prefix)


class _Mesh:
    """Every host of the mesh group, each parsed once."""

    def __init__(self, hostvars, names, public_keys, prefix, focus=None):
        """Parse every host; with focus (mesh_host), only that host is parsed in full."""
        self.names = names
        self.prefix = prefix
        self.errors = []
        self.sites = {}
        for name in names:
            self.sites[name] = _parse_site(name, hostvars, prefix, public_keys, self.errors,
                                           full=focus is None or name == focus)
        self.has_v6 = any(s.address6 is not None or any(n[0] == 6 for n in s.client_networks)
                          for s in self.sites.values())

    def hub_of(self, name):
        hub = self.sites[name].hub
        if hub is not None and hub != name and hub in self.sites:
            return hub
        return None


# --------------------------------------------------------------------------------------------- merging


def _merge(nets):
    """Sorted CIDR strings of nets (net tuples), merged with netaddr.cidr_merge when anything can merge.

    Sorted by (version, first address, prefix length), two networks can merge only if some pair of
    neighbours overlaps or is a pair of siblings (same prefix length, same parent); when no pair does,
    cidr_merge would return the list unchanged, so it is not called (it is the slow part at scale).
    """
    if len(nets) < 2:
        return [n[4] for n in nets]
    nets = sorted(nets)
    need = False
    prev = nets[0]
    for cur in nets[1:]:
        if cur[0] == prev[0]:
            if cur[1] <= prev[3]:
                need = True
                break
            if cur[2] == prev[2] and cur[2] > 0:
                size = 1 << (_BITS[cur[0]] - cur[2])
                if prev[1] + size == cur[1] and not prev[1] & size:
                    need = True
                    break
        prev = cur
    if not need:
        return [n[4] for n in nets]
    if netaddr is None:
        raise AnsibleFilterError('sitemesh.wireguard mesh filters need the Python library netaddr on the controller')
    merged = netaddr.cidr_merge([n[4] for n in nets])
    merged.sort(key=lambda n: (n.version, n.first, n.prefixlen))
    return [str(n) for n in merged]


# --------------------------------------------------------------------------------------------- filters


def mesh_validate(hostvars, hosts, public_keys=None, prefix=DEFAULT_PREFIX):
    """Check the whole mesh; True, or AnsibleFilterError listing every error (one per line)."""
    names, prefix = _check_args(hostvars, hosts, public_keys, prefix, 'mesh_validate')
    mesh = _Mesh(hostvars, names, public_keys, prefix)
    errors = mesh.errors
    sites = mesh.sites
    p_addr, p_addr6 = prefix + 'address', prefix + 'address6'
    p_net, p_net6 = prefix + 'network', prefix + 'network6'
    p_cn = prefix + 'client_networks'
    p_exit, p_hub, p_ep = prefix + 'exit', prefix + 'hub', prefix + 'endpoint'

    # duplicate tunnel addresses, one tunnel network
    for attr, var in (('address', p_addr), ('address6', p_addr6)):
        used = {}
        for name in names:
            addr = getattr(sites[name], attr)
            if addr is None:
                continue
            if addr[1] in used:
                errors.append("%s: %s '%s' is already used by %s" % (name, var, addr[2], used[addr[1]]))
            else:
                used[addr[1]] = name
    tunnel_items = []
    for attr, var in (('network', p_net), ('network6', p_net6)):
        first = None
        for name in names:
            net = getattr(sites[name], attr)
            if net is None:
                continue
            if first is None:
                first = (name, net)
                tunnel_items.append((net, name, var, True))
            elif net[:3] != first[1][:3]:
                errors.append('%s: %s %s differs from %s on %s (all sites share one tunnel network)'
                              % (name, var, net[4], first[1][4], first[0]))

    # overlapping networks: sort once, compare each network with the widest one still open
    items = list(tunnel_items)
    for name in names:
        for net in sites[name].client_networks:
            items.append((net, name, p_cn, False))
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

    # exits
    for name in names:
        site = sites[name]
        if site.exit is None:
            continue
        exit_site = sites.get(site.exit)
        if exit_site is None:
            errors.append("%s: %s '%s' is not a host of the mesh group" % (name, p_exit, site.exit))
            continue
        if exit_site.exit is not None:
            errors.append("%s: %s '%s' itself uses %s '%s' (exits do not chain)"
                          % (name, p_exit, site.exit, p_exit, exit_site.exit))
        if exit_site.hub is not None and exit_site.hub != exit_site.name:
            errors.append("%s: %s '%s' itself uses %s '%s' (an exit must be reachable directly, not a spoke)"
                          % (name, p_exit, site.exit, p_hub, exit_site.hub))

    # hubs
    for name in names:
        site = sites[name]
        if site.hub is None:
            continue
        if site.hub == name:
            errors.append("%s: %s '%s' names the host itself" % (name, p_hub, site.hub))
            continue
        hub_site = sites.get(site.hub)
        if hub_site is None:
            errors.append("%s: %s '%s' is not a host of the mesh group" % (name, p_hub, site.hub))
            continue
        if hub_site.endpoint is None:
            errors.append("%s: %s '%s' has no %s (a hub must be reachable)" % (name, p_hub, site.hub, p_ep))
        if hub_site.hub is not None:
            errors.append("%s: %s '%s' itself uses %s '%s' (hubs do not chain)"
                          % (name, p_hub, site.hub, p_hub, hub_site.hub))
        if site.exit is not None and site.exit in sites and site.exit != site.hub \
                and site.exit != hub_site.exit:
            errors.append("%s: %s '%s' is not reachable from a spoke: its traffic leaves through %s '%s', "
                          "whose exit is %s (use %s: %s, or give %s the same exit)"
                          % (name, p_exit, site.exit, p_hub, site.hub, hub_site.exit or 'none', p_exit,
                             site.hub, site.hub))

    # sites nobody can reach
    lonely = [name for name in names if sites[name].endpoint is None and sites[name].hub is None]
    if len(lonely) > 1:
        for name in lonely:
            others = [other for other in lonely[:6] if other != name][:5]
            more = len(lonely) - 1 - len(others)
            shown = ', '.join(others) + (' and %d more' % more if more else '')
            errors.append('%s: neither %s nor %s is set, as on %s: these sites can never reach each other '
                          '(give one an endpoint, or set %s)' % (name, p_ep, p_hub, shown, p_hub))

    if errors:
        raise AnsibleFilterError('mesh_validate: %d error(s) in the WireGuard inventory:\n%s'
                                 % (len(errors), '\n'.join(errors)))
    return True


def _overlap_message(first, second):
    """Name both hosts; the subject is a client network, never the tunnel network."""
    if second[3]:
        first, second = second, first
    net, name, var, _tunnel = second
    other_net, other_name, other_var, other_tunnel = first
    if other_tunnel:
        return '%s: %s entry %s overlaps the tunnel network %s %s' % (name, var, net[4], other_var, other_net[4])
    if other_name == name:
        return '%s: %s entry %s overlaps %s, also in %s of %s' % (name, var, net[4], other_net[4], other_var, name)
    return '%s: %s entry %s overlaps %s in %s of %s' % (name, var, net[4], other_net[4], other_var, other_name)


def mesh_host(hostvars, host, hosts, public_keys=None, prefix=DEFAULT_PREFIX):
    """What one host needs: its addresses, its peers with AllowedIPs and endpoints, NAT sources."""
    names, prefix = _check_args(hostvars, hosts, public_keys, prefix, 'mesh_host')
    host = str(host)
    if host not in names:
        raise AnsibleFilterError("mesh_host: host '%s' is not in the mesh group (hosts: %s)"
                                 % (host, ', '.join(names[:10]) + (' ...' if len(names) > 10 else '')))
    mesh = _Mesh(hostvars, names, public_keys, prefix, focus=host)
    sites = mesh.sites
    site = sites[host]
    errors = mesh.errors
    if site.exit is not None and site.exit not in sites:
        errors.append("%s: %s '%s' is not a host of the mesh group" % (host, prefix + 'exit', site.exit))
    if site.hub is not None and site.hub not in sites:
        errors.append("%s: %s '%s' is not a host of the mesh group" % (host, prefix + 'hub', site.hub))
    if errors:
        raise AnsibleFilterError('mesh_host(%s): %d error(s) in the WireGuard inventory (run mesh_validate):\n%s'
                                 % (host, len(errors), '\n'.join(errors)))

    default = [_DEFAULT_V4, _DEFAULT_V6] if mesh.has_v6 else [_DEFAULT_V4]
    hub_of = {}
    spokes = {}
    is_exit = False
    masquerade = []
    for name in names:
        hub = mesh.hub_of(name)
        if hub is not None:
            hub_of[name] = hub
            spokes.setdefault(hub, []).append(name)
        if name != host and sites[name].exit == host:
            is_exit = True
            masquerade.extend(sites[name].own)

    my_hub = hub_of.get(host)
    if my_hub is not None:
        # a spoke: one peer, the hub, which forwards everything
        if site.exit is not None:
            nets = default
        else:
            nets = []
            for name in names:
                if name != host:
                    nets.extend(sites[name].own)
        candidates = [(my_hub, nets)]
    else:
        candidates = []
        for name in sorted(names):
            if name == host:
                continue
            peer_hub = hub_of.get(name)
            if peer_hub is not None and peer_hub != host:
                continue  # a spoke of another hub: reached through that hub
            if name == site.exit:
                nets = default
            else:
                nets = sites[name].own
                if name in spokes:
                    nets = list(nets)
                    for spoke in spokes[name]:
                        nets.extend(sites[spoke].own)
            candidates.append((name, nets))

    if site.keepalive is not None:
        keepalive = site.keepalive or None
    else:
        keepalive = DEFAULT_KEEPALIVE if site.endpoint is None else None

    peers = []
    missing = []
    for name, nets in candidates:
        peer = sites[name]
        if not peer.public_key:
            missing.append(name)
            continue
        peers.append({
            'name': name,
            'public_key': peer.public_key,
            'endpoint': peer.endpoint_text,
            'allowed_ips': _merge(nets),
            'persistent_keepalive': keepalive,
        })

    addresses = []
    if site.address is not None:
        addresses.append('%s/%d' % (site.address[2], site.network[2]))
    if site.address6 is not None and site.network6 is not None:
        addresses.append('%s/%d' % (site.address6[2], site.network6[2]))
    return {
        'name': host,
        'addresses': addresses,
        'listen_port': site.port,
        'client_networks': [n[4] for n in site.client_networks],
        'exit': site.exit,
        'is_exit': is_exit,
        'is_hub': host in spokes,
        'forwarding': is_exit or host in spokes,
        'masquerade_sources': _merge(masquerade),
        'missing_public_keys': sorted(missing),
        'peers': peers,
    }


def mesh_psk(secret, public_key_a, public_key_b):
    """Preshared key of a pair of peers: HKDF-SHA256(secret, info=label + sorted pair); same on both ends."""
    if HKDF is None:
        raise AnsibleFilterError('mesh_psk needs the Python library cryptography on the controller')
    if secret is None:
        raise AnsibleFilterError('mesh_psk: the secret is empty')
    if isinstance(secret, bytes):
        material = bytes(secret)
    else:
        material = str(secret).encode('utf-8')
    if not material.strip():
        raise AnsibleFilterError('mesh_psk: the secret is empty')
    keys = []
    for label, value in (('public_key_a', public_key_a), ('public_key_b', public_key_b)):
        key, why = check_public_key(value)
        if why:
            raise AnsibleFilterError('mesh_psk: %s %s' % (label, why))
        keys.append(key)
    if keys[0] == keys[1]:
        raise AnsibleFilterError('mesh_psk: public_key_a and public_key_b are the same key (a pair needs two peers)')
    low, high = sorted(keys)
    hkdf = HKDF(algorithm=hashes.SHA256(), length=32, salt=None,
                info=PSK_INFO + low.encode('ascii') + high.encode('ascii'))
    return base64.b64encode(hkdf.derive(material)).decode('ascii')


def mesh_with_psk(peers, secret, public_key):
    """Peers of one host with a preshared key per pair added, derived by mesh_psk; unchanged without a secret.

    Also unchanged when the host's own public key is not known yet (check mode on a fresh host).
    """
    if not isinstance(peers, (list, tuple)):
        raise AnsibleFilterError('mesh_with_psk: peers must be a list, got %s' % type(peers).__name__)
    if secret is None or not str(secret).strip() or not public_key:
        return [dict(peer) for peer in peers]
    result = []
    for peer in peers:
        item = dict(peer)
        if not item.get('public_key'):
            raise AnsibleFilterError('mesh_with_psk: peer %r has no public_key' % item.get('name'))
        item['preshared_key'] = mesh_psk(secret, public_key, item['public_key'])
        result.append(item)
    return result


class FilterModule:
    """sitemesh.wireguard mesh filters."""

    def filters(self):
        return {
            'mesh_validate': mesh_validate,
            'mesh_host': mesh_host,
            'mesh_psk': mesh_psk,
            'mesh_with_psk': mesh_with_psk,
        }
