# Note that this module util is **PRIVATE** to the collection. It can have breaking changes at any time.
# Do not use this from other collections or standalone plugins/modules!

# Copyright (c) 2026, sitemesh.wireguard contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Road warriors: devices the inventory does not own (a phone, a laptop) that join the mesh through one site.

The one documented exception to "a private key never leaves its host": the device's key pair is made on
the controller, because the device imports its whole config (private key included) from a file or a QR
code. It is written only into the device's config (0600, in a 0700 directory on the controller) and never
goes to any site; the site the device dials (``via``) learns its public key only.

The controller keeps one registry per mesh group, ``<directory>/registry.json`` beside the configs:
``{"devices": {NAME: {"via": SITE, "address": IPv4, "public_key": KEY}}}`` (public keys only). It is the
state: an address is never given twice while a device holds it, and every ``site.yml`` run gives ``via``
its devices as peers again (``wg_mesh`` reads the registry), so a run never drops a device.

The pool of a site (``<prefix>roadwarrior_pool``) is part of the mesh model (``_mesh_schema``): it is checked
like a client network (no overlap), and every other site routes it toward the site.
"""

from __future__ import annotations

import errno
import json
import os
import re

from ansible_collections.sitemesh.wireguard.plugins.module_utils._keys import check_key
from ansible_collections.sitemesh.wireguard.plugins.module_utils._mesh_parse import (
    BITS,
    MeshError,
    ip_text,
    parse_ip,
)
from ansible_collections.sitemesh.wireguard.plugins.module_utils._mesh_topology import merge

REGISTRY = 'registry.json'
DEVICE_RE = re.compile(r'^[A-Za-z0-9][A-Za-z0-9_.-]{0,62}$')
DEFAULT_KEEPALIVE = 25


def check_device(name):
    """The device name, usable as a file name and a peer name; MeshError otherwise."""
    text = str(name or '').strip()
    if not DEVICE_RE.match(text):
        raise MeshError('roadwarrior: device %r is not a name of letters, digits, ".", "_" and "-" '
                        '(at most 63, starting with a letter or digit)' % text)
    return text


# ------------------------------------------------------------------------------------------ registry

def registry_path(directory):
    return os.path.join(directory, REGISTRY)


def registry_state(directory):
    """The registry file's inode, size and modification time (ns), or None when there is none: roadwarrior.yml
    replaces the file by a rename, so any change of it changes this."""
    try:
        found = os.stat(registry_path(directory))
    except OSError:
        return None
    return [found.st_ino, found.st_size, found.st_mtime_ns]


def load_registry(directory):
    """{device: {via, address, public_key}} from the registry file (a missing file is an empty registry)."""
    path = registry_path(directory)
    try:
        with open(path, encoding='utf-8') as handle:
            data = json.load(handle)
    except (IOError, OSError) as exc:
        if exc.errno == errno.ENOENT:
            return {}
        raise MeshError('roadwarrior: cannot read %s: %s' % (path, exc.strerror)) from None
    except ValueError as exc:
        raise MeshError('roadwarrior: %s is not JSON: %s' % (path, exc)) from None
    devices = data.get('devices') if isinstance(data, dict) else None
    if not isinstance(devices, dict):
        raise MeshError('roadwarrior: %s has no "devices" mapping' % path)
    for name, entry in devices.items():
        if not isinstance(entry, dict) or not all(isinstance(entry.get(k), str) for k in ('via', 'address', 'public_key')):
            raise MeshError('roadwarrior: %s: device %s needs via, address and public_key' % (path, name))
        if check_key(entry['public_key'])[1] is not None:
            raise MeshError('roadwarrior: %s: device %s has no valid public_key' % (path, name))
    return devices


def dump_registry(devices):
    """The registry file's text: sorted, one key per line, so that a change shows as a small diff."""
    return json.dumps({'devices': devices}, indent=2, sort_keys=True) + '\n'


# ------------------------------------------------------------------------------------------ addresses

def pool_addresses(pool):
    """The addresses of a pool (a net tuple) given to devices: all but the network and broadcast addresses
    of a pool of more than two addresses."""
    version, first, plen, last, _text = pool
    if BITS[version] - plen >= 2:
        first, last = first + 1, last - 1
    return first, last


def allocate(pool, devices, device, via):
    """The address of device in via's pool: the one it holds, else the lowest one no device holds."""
    entry = devices.get(device)
    if entry is not None:
        if entry['via'] != via:
            raise MeshError("roadwarrior: %s already joins through %s; remove it there first (state=absent)"
                            % (device, entry['via']))
        return entry['address']
    taken = set()
    for other in devices.values():
        try:
            taken.add(parse_ip(other['address'])[1])
        except ValueError:
            continue
    first, last = pool_addresses(pool)
    for value in range(first, last + 1):
        if value not in taken:
            return ip_text(pool[0], value)
    raise MeshError('roadwarrior: %s: every address of the pool %s is held by a device' % (via, pool[4]))


# --------------------------------------------------------------------------------------- what a device gets

def device_view(mesh, via, default_route=True):
    """What a device dialling via needs from the mesh: {pool, endpoint, allowed_ips}.

    The device sends everything to via (AllowedIPs 0.0.0.0/0): via forwards it to the mesh and, toward the
    internet, through its own exit (which masquerades via's pool with via's networks) or, when via has
    none, out of via itself (via masquerades its pool). With default_route false, only the mesh's networks.
    """
    site = mesh.sites[via]
    p_pool = mesh.prefix + 'roadwarrior_pool'
    if site.roadwarrior_pool is None:
        raise MeshError('roadwarrior: %s has no %s: devices join through a site with a pool of addresses'
                        % (via, p_pool))
    if default_route:
        allowed = ['0.0.0.0/0']
    else:
        allowed = merge([net for name in mesh.names for net in mesh.sites[name].own])
    return {'pool': site.roadwarrior_pool, 'endpoint': site.endpoint_text, 'allowed_ips': allowed}


def render_config(private_key, address, via_public_key, endpoint, allowed_ips, dns=(),
                  keepalive=DEFAULT_KEEPALIVE):
    """The device's wg-quick config (what the WireGuard apps import from a file or a QR code)."""
    lines = ['[Interface]', 'PrivateKey = %s' % private_key, 'Address = %s/32' % address]
    if dns:
        lines.append('DNS = %s' % ', '.join(dns))
    lines += ['', '[Peer]', 'PublicKey = %s' % via_public_key, 'AllowedIPs = %s' % ', '.join(allowed_ips),
              'Endpoint = %s' % endpoint]
    if keepalive:
        lines.append('PersistentKeepalive = %d' % keepalive)
    return '\n'.join(lines) + '\n'


def private_key_of(config_text):
    """The PrivateKey of a device config written earlier (None when there is none)."""
    for line in (config_text or '').splitlines():
        key, sep, value = line.partition('=')
        if sep and key.strip() == 'PrivateKey':
            found, why = check_key(value.strip())
            return found if why is None else None
    return None


# ----------------------------------------------------------------------------------------- on the sites

def registry_peers(devices, mesh, host):
    """The peers host gets for the devices that dial it (for wg_interface), checked against its pool."""
    site = mesh.sites[host]
    peers = []
    for name in sorted(devices):
        entry = devices[name]
        if entry['via'] != host:
            continue
        try:
            addr = parse_ip(entry['address'])
        except ValueError:
            raise MeshError('roadwarrior: device %s: address %r is not an IP address' % (name, entry['address'])) from None
        pool = site.roadwarrior_pool
        if pool is None or not pool[1] <= addr[1] <= pool[3]:
            raise MeshError("roadwarrior: device %s holds %s, outside %s's %sroadwarrior_pool %s (remove it: "
                            "roadwarrior.yml -e device=%s -e via=%s -e state=absent)"
                            % (name, addr[2], host, mesh.prefix, pool[4] if pool else '(none)', name, host))
        peers.append({'name': name, 'public_key': entry['public_key'], 'allowed_ips': ['%s/32' % addr[2]]})
    return peers


# ---------------------------------------------------------------------------------------------- QR code

def qr_code(text):
    """The segno QR code of text (the device's config), error correction M as the WireGuard apps read it."""
    try:
        import segno
    except ImportError:
        raise MeshError('roadwarrior: the Python library segno is needed on the controller '
                        '(pip install -r requirements.txt)') from None
    return segno.make(text, error='m', micro=False)


def qr_png(text, scale=6):
    """The PNG bytes of the QR code of text."""
    import io
    buf = io.BytesIO()
    qr_code(text).save(buf, kind='png', scale=scale, border=4)
    return buf.getvalue()


def qr_terminal(text):
    """The QR code of text as lines of block characters, for a terminal (two modules per character)."""
    import io
    buf = io.StringIO()
    code = qr_code(text)
    matrix = [list(row) for row in code.matrix]
    size = len(matrix)
    border = 2
    rows = [[0] * (size + 2 * border) for _row in range(border)]
    rows += [[0] * border + row + [0] * border for row in matrix]
    rows += [[0] * (size + 2 * border) for _row in range(border + 1)]
    # dark modules are printed as spaces on a light background: block characters draw the light ones
    chars = {(0, 0): '\u2588', (0, 1): '\u2580', (1, 0): '\u2584', (1, 1): ' '}
    for top, bottom in zip(rows[0::2], rows[1::2]):
        buf.write(''.join(chars[(bool(a), bool(b))] for a, b in zip(top, bottom)) + '\n')
    return buf.getvalue()
