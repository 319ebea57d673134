# Note that this module util is **PRIVATE** to the collection. It can have breaking changes at any time.
# Do not use this from other collections or standalone plugins/modules!

# Copyright (c) 2026, sitemesh.wireguard contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Value parsers of the mesh model: one function per kind of inventory value.

Two layers:

* plain parsers (``parse_ip``, ``parse_net``, ``to_int`` ...) raise ``ValueError`` or return None;
* variable parsers (``ipv4_address``, ``port``, ``endpoint`` ...), the ones the schema table
  (``_mesh_schema.py``) names, all called as ``parser(host, variable, value, errors, prefix)``: they
  return the parsed value, or None after appending one line naming the host and the variable to ``errors``.

A network is a tuple (version, first address as int, prefix length, last address as int, text). Tuples
sort by version (IPv4 first), then address, then prefix length: the order AllowedIPs are shown in.
"""

from __future__ import annotations

import functools
import ipaddress
import re
import socket
from collections.abc import Sequence

from ansible_collections.sitemesh.wireguard.plugins.module_utils._keys import check_key

MAX = {4: (1 << 32) - 1, 6: (1 << 128) - 1}
BITS = {4: 32, 6: 128}
DEFAULT_V4 = (4, 0, 0, MAX[4], '0.0.0.0/0')
DEFAULT_V6 = (6, 0, 0, MAX[6], '::/0')

_LABEL = r'[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?'
_HOSTNAME_RE = re.compile(r'^(?=.{1,253}$)%s(?:\.%s)*\.?$' % (_LABEL, _LABEL))
_NUMERIC_NAME_RE = re.compile(r'^[0-9.]+$')


class MeshError(ValueError):
    """A mesh input the model refuses; the message names the filter, the host and the variable."""


# ------------------------------------------------------------------------------------- plain parsers


def parse_ip(text):
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


def ip_text(version, value):
    if version == 4:
        return socket.inet_ntop(socket.AF_INET, value.to_bytes(4, 'big'))
    return str(ipaddress.IPv6Address(value))


def is_ipv4(text):
    try:
        return parse_ip(text)[0] == 4
    except ValueError:
        return False


@functools.lru_cache(maxsize=8192)
def parse_net(text):
    """Net tuple of a CIDR network, strict about host bits; ValueError (with a hint) otherwise.

    Remembered: a play calls mesh_host once per host, each call parsing the networks of every host.
    """
    addr_text, sep, plen_text = text.partition('/')
    version, first, canon = parse_ip(addr_text)
    bits = BITS[version]
    if sep:
        if not (plen_text.isdigit() and plen_text.isascii()) or int(plen_text) > bits:
            raise ValueError('invalid prefix length %r' % plen_text)
        plen = int(plen_text)
    else:
        plen = bits
    hostmask = MAX[version] >> plen
    if first & hostmask:
        raise ValueError('host bits set: did you mean %s/%d?' % (ip_text(version, first & ~hostmask), plen))
    return (version, first, plen, first | hostmask, '%s/%d' % (canon, plen))


def host_net(addr):
    """The /32 (or /128) net tuple of a parsed address."""
    version, value, text = addr
    return (version, value, BITS[version], value, '%s/%d' % (text, BITS[version]))


def inside(addr, net):
    """True when the parsed address lies in the net tuple."""
    return net[1] <= addr[1] <= net[3]


def to_int(value):
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


def is_list(value):
    if isinstance(value, (list, tuple)):
        return True
    return isinstance(value, Sequence) and not isinstance(value, (str, bytes))


_check_text_key = functools.lru_cache(maxsize=4096)(check_key)


def check_mesh_key(value):
    """_keys.check_key, remembered for text: every call of a mesh filter checks every host's key again."""
    if isinstance(value, str):
        return _check_text_key(value)
    return check_key(value)


def endpoint_text(host, port):
    """``host:port``, with an IPv6 address in brackets."""
    return ('[%s]:%d' if ':' in host else '%s:%d') % (host, port)


# ---------------------------------------------------------------------------------- variable parsers


def _address(version, name, key, value, errors, prefix):
    text = str(value).strip()
    try:
        addr = parse_ip(text)
    except ValueError:
        hint = ' (give the address without a prefix length)' if '/' in text else ''
        errors.append('%s: %s %r is not a valid IPv%d address%s' % (name, key, text, version, hint))
        return None
    if addr[0] != version:
        errors.append('%s: %s %r is not an IPv%d address' % (name, key, text, version))
        return None
    return addr


ipv4_address = functools.partial(_address, 4)
ipv6_address = functools.partial(_address, 6)


def netmask_hint(text):
    """' (write the prefix length: A.B.C.D/24)' for an address written with a dotted netmask, else ''."""
    addr_text, sep, mask = str(text).strip().partition('/')
    if not sep or '.' not in mask:
        return ''
    try:
        plen = ipaddress.IPv4Network('0.0.0.0/%s' % mask).prefixlen
        parse_ip(addr_text)
    except ValueError:
        return ''
    return ' (write the prefix length: %s/%d)' % (addr_text, plen)


def cidr(name, key, value, errors, what=''):
    """A net tuple from a CIDR string, strict about host bits; None (and an error) otherwise."""
    text = str(value).strip()
    try:
        return parse_net(text)
    except ValueError as exc:
        hint = ' (%s)' % exc if 'host bits' in str(exc) else netmask_hint(text)
        errors.append('%s: %s%s %r is not a valid CIDR network%s' % (name, key, what, text, hint))
        return None


def _network(version, name, key, value, errors, prefix):
    net = cidr(name, key, value, errors)
    if net is not None and net[0] != version:
        errors.append('%s: %s %s is not an IPv%d network' % (name, key, net[4], version))
        return None
    return net


ipv4_network = functools.partial(_network, 4)
ipv6_network = functools.partial(_network, 6)


def _integer(low, what, name, key, value, errors, prefix):
    number = to_int(value)
    if number is None or not low <= number <= 65535:
        errors.append('%s: %s %r is not %s' % (name, key, value, what))
        return None
    return number


port = functools.partial(_integer, 1, 'a port number (an integer from 1 to 65535)')
keepalive = functools.partial(_integer, 0, 'an integer from 0 to 65535')


def endpoint(name, key, value, errors, prefix):
    """The host part other sites dial (IP address or DNS name, IPv6 without brackets); no port."""
    if not isinstance(value, str):
        errors.append('%s: %s %r is not a string (an IP address or a DNS name)' % (name, key, value))
        return None
    text = value.strip()
    bare = text[1:-1] if text.startswith('[') and text.endswith(']') else text
    if ':' in bare:
        try:
            return str(ipaddress.IPv6Address(bare))
        except ValueError:
            errors.append('%s: %s %r is neither an IP address nor a DNS name (give the port in %s, '
                          'not in the endpoint)' % (name, key, text, prefix + 'port'))
            return None
    if not _HOSTNAME_RE.match(bare) or (_NUMERIC_NAME_RE.match(bare) and not is_ipv4(bare)):
        errors.append('%s: %s %r is neither an IP address nor a DNS name' % (name, key, text))
        return None
    return bare


def client_networks(name, key, value, errors, prefix):
    if not is_list(value):
        errors.append('%s: %s must be a list of CIDR networks, not %r' % (name, key, value))
        return None
    nets = []
    for item in value:
        net = cidr(name, key, item, errors, what=' entry')
        if net is not None and net[2] == 0:
            errors.append('%s: %s entry %s is a default route, not a client network (to send all other traffic '
                          'out through an exit, use %sexit: <exit site> instead)' % (name, key, net[4], prefix))
        elif net is not None:
            nets.append(net)
    return nets


def exit_name(name, key, value, errors, prefix):
    """The exit's host name as written (a list of one is accepted; two exits for one client are not)."""
    if is_list(value):
        items = [str(v).strip() for v in value if v is not None and str(v).strip()]
        if len(items) > 1:
            errors.append('%s: %s lists %s: two exits for one client (a site has at most one exit)'
                          % (name, key, ', '.join(items)))
            return None
        return items[0] if items else None
    if not isinstance(value, str):
        errors.append('%s: %s %r is not a host name' % (name, key, value))
        return None
    return value.strip()


def boolean(name, key, value, errors, prefix):
    """True or False from a YAML boolean or its usual spellings ('yes', 'false' ...)."""
    if isinstance(value, bool):
        return value
    text = str(value).strip().lower()
    if text in ('true', 'yes', 'on', '1'):
        return True
    if text in ('false', 'no', 'off', '0'):
        return False
    errors.append('%s: %s %r is not a boolean (true or false)' % (name, key, value))
    return None


def hub_name(name, key, value, errors, prefix):
    if not isinstance(value, str):
        errors.append('%s: %s %r is not a host name' % (name, key, value))
        return None
    return value.strip()


def public_key(name, key, value, errors, prefix):
    found, why = check_mesh_key(value)
    if why:
        errors.append('%s: %s %s' % (name, key, why))
    return found
