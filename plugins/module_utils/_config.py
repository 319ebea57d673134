# Note that this module util is **PRIVATE** to the collection. It can have breaking changes at any time.
# Do not use this from other collections or standalone plugins/modules!

# Copyright (c) 2026, sitemesh.wireguard contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""One WireGuard configuration model shared by the modules of sitemesh.wireguard.

The model is a plain dict::

    {'interface': {'private_key': ..., 'listen_port': ..., 'fwmark': ..., 'addresses': [...],
                   'dns': [...], 'mtu': ..., 'table': ..., 'pre_up': [...], 'post_up': [...],
                   'pre_down': [...], 'post_down': [...], 'save_config': bool},
     'peers': [{'name': ..., 'public_key': ..., 'preshared_key': ..., 'allowed_ips': [...],
                'endpoint': ..., 'persistent_keepalive': ...}, ...]}

``parse`` reads the wg-quick INI dialect, ``render`` writes it (``render_peer`` is the one place a
``[Peer]`` block is written), ``normalize`` makes
two models comparable, ``redact`` hides the private and preshared keys for diffs.
"""

from __future__ import annotations

import copy
import ipaddress
import re

from ansible_collections.sitemesh.wireguard.plugins.module_utils._keys import check_key

MANAGED_HEADER = '# Managed by Ansible (sitemesh.wireguard.%s): local changes are overwritten'
REDACTED = '<redacted>'
REDACTED_CHANGED = '<redacted, changed>'

# (section, file key, model key, kind); the order is the render order.
FIELDS = (
    ('interface', 'Address', 'addresses', 'addresses'),
    ('interface', 'ListenPort', 'listen_port', 'int'),
    ('interface', 'PrivateKey', 'private_key', 'key'),
    ('interface', 'MTU', 'mtu', 'int'),
    ('interface', 'Table', 'table', 'str'),
    ('interface', 'FwMark', 'fwmark', 'str'),
    ('interface', 'DNS', 'dns', 'csv'),
    ('interface', 'PreUp', 'pre_up', 'lines'),
    ('interface', 'PostUp', 'post_up', 'lines'),
    ('interface', 'PreDown', 'pre_down', 'lines'),
    ('interface', 'PostDown', 'post_down', 'lines'),
    ('interface', 'SaveConfig', 'save_config', 'bool'),
    ('peer', 'PublicKey', 'public_key', 'key'),
    ('peer', 'PresharedKey', 'preshared_key', 'key'),
    ('peer', 'AllowedIPs', 'allowed_ips', 'networks'),
    ('peer', 'Endpoint', 'endpoint', 'str'),
    ('peer', 'PersistentKeepalive', 'persistent_keepalive', 'keepalive'),
)
INTERFACE_FIELDS = tuple(field[1:] for field in FIELDS if field[0] == 'interface')
PEER_FIELDS = tuple(field[1:] for field in FIELDS if field[0] == 'peer')
SECRET_FIELDS = ('private_key', 'preshared_key')
LIST_KINDS = ('addresses', 'networks', 'csv', 'lines')


class ConfigError(ValueError):
    """A WireGuard configuration (file or options) is not valid."""


def normalize_address(value):
    """``172.16.1.1/24`` keeps its host bits; a bare address gets /32 or /128."""
    try:
        return str(ipaddress.ip_interface(str(value).strip()))
    except ValueError:
        raise ConfigError('%r is not an IP address with an optional prefix length' % value)


def normalize_network(value):
    """An allowed IP as WireGuard stores it: host bits cleared, /32 or /128 when bare."""
    try:
        return str(ipaddress.ip_network(str(value).strip(), strict=False))
    except ValueError:
        raise ConfigError('%r is not an IP network (CIDR)' % value)


def normalize_fwmark(value):
    """FwMark as wg shows it: a decimal string, None for off/0."""
    value = str(value).strip().lower()
    if value in ('', 'off'):
        return None
    try:
        number = int(value, 0)
    except ValueError:
        raise ConfigError('FwMark: %r is not a number' % value)
    return str(number) if number else None


def split_values(value):
    if value is None:
        return []
    if isinstance(value, (list, tuple)):
        out = []
        for item in value:
            out.extend(split_values(item))
        return out
    return [v for v in re.split(r'[,\s]+', str(value).strip()) if v]


def coerce(kind, key, value):
    """``value`` of the field ``key`` in canonical form (raises ConfigError)."""
    if kind == 'addresses':
        return [normalize_address(v) for v in split_values(value)]
    if kind == 'networks':
        return [normalize_network(v) for v in split_values(value)]
    if kind == 'csv':
        return split_values(value)
    if kind == 'lines':
        return [str(v) for v in value] if isinstance(value, (list, tuple)) else [str(value)]
    if value is None or value == '':
        return None
    if kind in ('int', 'keepalive'):
        if kind == 'keepalive' and str(value).strip().lower() == 'off':
            return None
        try:
            number = int(str(value).strip(), 0)
        except ValueError:
            raise ConfigError('%s: %r is not a number' % (key, value))
        if number < 0 or (kind == 'keepalive' and number > 65535):
            raise ConfigError('%s: %r is out of range' % (key, value))
        return None if kind == 'keepalive' and number == 0 else number
    if kind == 'bool':
        if isinstance(value, bool):
            return value
        if str(value).strip() in ('true', 'false'):
            return str(value).strip() == 'true'
        raise ConfigError('%s: %r is neither true nor false' % (key, value))
    if kind == 'key':
        value, why = check_key(str(value))
        if why:
            # never repeat the value: it may be a secret (check_key's reason does not)
            raise ConfigError('%s %s' % (key, why))
        return value
    return str(value).strip()


def empty_interface():
    out = {}
    for dummy, name, kind in INTERFACE_FIELDS:
        out[name] = [] if kind in LIST_KINDS else None
    out['save_config'] = False
    return out


def empty_peer():
    out = {'name': None}
    for dummy, name, kind in PEER_FIELDS:
        out[name] = [] if kind in LIST_KINDS else None
    return out


def normalize(config):
    """A copy of ``config`` with every value in canonical form (raises ConfigError)."""
    config = config or {}
    interface = empty_interface()
    for dummy, name, kind in INTERFACE_FIELDS:
        value = (config.get('interface') or {}).get(name)
        if value is not None:
            interface[name] = coerce(kind, name, value)
    if interface['save_config'] is None:
        interface['save_config'] = False
    if interface['fwmark'] is not None:
        interface['fwmark'] = normalize_fwmark(interface['fwmark'])
    peers = []
    seen = set()
    for raw in config.get('peers') or []:
        peer = empty_peer()
        peer['name'] = ' '.join(str(raw.get('name') or '').split()) or None
        for dummy, name, kind in PEER_FIELDS:
            if raw.get(name) is not None:
                peer[name] = coerce(kind, name, raw.get(name))
        if not peer['public_key']:
            raise ConfigError('a peer has no public key')
        if peer['public_key'] in seen:
            raise ConfigError('peer %s is listed twice' % peer['public_key'])
        seen.add(peer['public_key'])
        peer['allowed_ips'] = dedupe(peer['allowed_ips'])
        peers.append(peer)
    interface['addresses'] = dedupe(interface['addresses'])
    return {'interface': interface, 'peers': peers}


def dedupe(values):
    out = []
    for value in values:
        if value not in out:
            out.append(value)
    return out


def models_equal(a, b):
    """Compare two models as WireGuard sees them (normalized, peers in order, names included)."""
    return normalize(a) == normalize(b)


_INTERFACE_BY_KEY = dict((k.lower(), (n, kind)) for k, n, kind in INTERFACE_FIELDS)
_PEER_BY_KEY = dict((k.lower(), (n, kind)) for k, n, kind in PEER_FIELDS)


def parse(text):
    """Parse a wg-quick configuration into a normalized model (raises ConfigError).

    Keys are case-insensitive, ``#`` starts a comment, multi-valued keys (Address, DNS,
    AllowedIPs) may be comma separated and repeated, hooks may be repeated. A comment line
    right above ``[Peer]`` is the peer's name.
    """
    config = {'interface': {}, 'peers': []}
    section = None
    seen_interface = False
    last_comment = None
    for number, line in enumerate(text.splitlines(), 1):
        stripped = line.strip()
        if stripped.startswith('#'):
            last_comment = stripped.lstrip('#').strip() or None
            continue
        content = line.split('#', 1)[0].strip()
        if not content:
            last_comment = None
            continue
        comment, last_comment = last_comment, None
        if content.startswith('['):
            header = content.lower()
            if header == '[interface]':
                if seen_interface:
                    raise ConfigError('line %d: a second [Interface] section' % number)
                seen_interface = True
                section = 'interface'
            elif header == '[peer]':
                section = 'peer'
                config['peers'].append({'name': comment})
            else:
                raise ConfigError('line %d: unknown section %s' % (number, content))
            continue
        if '=' not in content:
            raise ConfigError('line %d: not a "Key = value" line' % number)
        key, value = [part.strip() for part in content.split('=', 1)]
        if section is None:
            raise ConfigError('line %d: %s outside of a section' % (number, key))
        fields = _INTERFACE_BY_KEY if section == 'interface' else _PEER_BY_KEY
        if key.lower() not in fields:
            raise ConfigError('line %d: unknown key %s in [%s]' % (number, key, 'Interface' if section == 'interface' else 'Peer'))
        name, kind = fields[key.lower()]
        target = config['interface'] if section == 'interface' else config['peers'][-1]
        if kind in LIST_KINDS:
            if kind == 'lines':
                # hooks keep the whole line, comments included (wg-quick strips at '#', so do we)
                target.setdefault(name, []).append(value)
            else:
                target.setdefault(name, []).extend(split_values(value))
        else:
            if name in target:
                raise ConfigError('line %d: %s given twice' % (number, key))
            target[name] = value
    if not seen_interface:
        raise ConfigError('no [Interface] section')
    return normalize(config)


def render(config, module_name='wg_interface', redacted=False):
    """Render a model as a wg-quick configuration, deterministically (peers in the given order).

    ``redacted=True`` renders the output of ``redact`` (already normalized, keys replaced).
    """
    if not redacted:
        config = normalize(config)
    lines = [MANAGED_HEADER % module_name, '[Interface]']
    lines.extend(render_fields(INTERFACE_FIELDS, config['interface']))
    for peer in config['peers']:
        lines.append('')
        lines.extend(render_peer(peer))
    return '\n'.join(lines) + '\n'


def render_peer(peer, fields=PEER_FIELDS):
    """The lines of one ``[Peer]`` block: its name as a comment above the header, then its keys."""
    lines = []
    if peer.get('name'):
        lines.append('# %s' % ' '.join(str(peer['name']).split()))
    lines.append('[Peer]')
    lines.extend(render_fields(fields, peer))
    return lines


# the keys ``wg`` itself reads (what ``wg-quick strip`` keeps): no Address, DNS, MTU, Table, hooks
WG_INTERFACE_FIELDS = tuple(f for f in INTERFACE_FIELDS if f[1] in ('private_key', 'listen_port', 'fwmark'))


def wg_model(config, fwmark=None):
    """The part of ``config`` that ``wg`` itself reads (no Address, DNS, MTU, Table, hooks), with
    ``fwmark`` when the config has none: wg-quick sets the mark of a default route at runtime, and
    ``wg setconf`` resets what its input does not set."""
    config = normalize(config)
    keep = set(f[1] for f in WG_INTERFACE_FIELDS)
    interface = dict((k, v) for k, v in config['interface'].items() if k in keep)
    if fwmark and not interface['fwmark']:
        interface['fwmark'] = str(fwmark)
    return normalize({'interface': interface, 'peers': config['peers']})


def render_wg(config, fwmark, module_name):
    """The file ``wg setconf`` reads at boot (wg_interface ``backend=ifupdown``): what ``wg-quick strip``
    would give for ``config``, with the managed header and each peer's name above it; it parses back to
    ``wg_model``."""
    config = wg_model(config, fwmark)
    lines = [MANAGED_HEADER % module_name, '[Interface]'] + render_fields(WG_INTERFACE_FIELDS, config['interface'])
    for peer in config['peers']:
        lines.append('')
        lines.extend(render_peer(peer))
    return '\n'.join(lines) + '\n'


def peer_index(config, public_key):
    for index, peer in enumerate(config['peers']):
        if peer['public_key'] == public_key:
            return index
    return None


def render_fields(fields, values):
    """``Key = value`` lines of ``values`` for ``fields`` (file key, model key, kind)."""
    out = []
    for key, name, kind in fields:
        value = values.get(name)
        if kind == 'lines':
            out.extend('%s = %s' % (key, v) for v in value or [])
        elif kind in LIST_KINDS:
            if value:
                out.append('%s = %s' % (key, ', '.join(value)))
        elif kind == 'bool':
            out.append('%s = %s' % (key, 'true' if value else 'false'))
        elif value is not None:
            out.append('%s = %s' % (key, value))
    return out


def redact(config, other=None):
    """A copy of ``config`` whose private and preshared keys are replaced by a marker.

    With ``other`` (the model on the other side of a diff), a secret that differs from its
    counterpart is marked ``<redacted, changed>`` so that a diff still shows that it changes.
    """
    config = normalize(config)
    other = normalize(other) if other is not None else None
    out = copy.deepcopy(config)  # render it with redacted=True
    other_peers = dict((p['public_key'], p) for p in other['peers']) if other else {}

    def mark(value, counterpart, compare):
        if value is None:
            return None
        if compare and value != counterpart:
            return REDACTED_CHANGED
        return REDACTED

    out['interface']['private_key'] = mark(
        config['interface']['private_key'], other and other['interface']['private_key'], other is not None)
    for peer in out['peers']:
        counterpart = other_peers.get(peer['public_key'], {}).get('preshared_key')
        peer['preshared_key'] = mark(peer['preshared_key'], counterpart, other is not None)
    return out


def peer_options(allowed_ips_default=None):
    """The argument spec of a peer's options: wg_interface's ``peers`` and wg_peer's own options."""
    allowed_ips = dict(type='list', elements='str')
    if allowed_ips_default is not None:
        allowed_ips['default'] = allowed_ips_default
    return dict(
        public_key=dict(type='str', required=True, no_log=False),
        allowed_ips=allowed_ips,
        endpoint=dict(type='str'),
        persistent_keepalive=dict(type='int'),
        preshared_key=dict(type='str', no_log=True),
    )
