# Note that this module util is **PRIVATE** to the collection. It can have breaking changes at any time.
# Do not use this from other collections or standalone plugins/modules!

# Copyright (c) 2026, sitemesh.wireguard contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""WireGuard's cross-platform userspace API (https://www.wireguard.com/xplatform/), for the one thing
``wg`` cannot say: *add* allowed IPs to a peer without replacing the ones it has.

``wg set ... allowed-ips`` (and ``wg syncconf``/``addconf``) always sends "replace the peer's allowed
IPs, then insert these": between the two, a packet to or from a prefix that stays finds no peer and is
dropped (measured on wireguard-go: 1-3 lost per 1,200 replacements at 1,000 packets/s). A userspace
implementation (wireguard-go, boringtun) listens on ``/var/run/wireguard/NAME.sock``; a ``set=1``
request naming the peer and ``allowed_ip=`` lines without ``replace_allowed_ips`` only inserts.
"""

from __future__ import annotations

import base64
import binascii
import os
import socket

SOCKET_DIR = '/var/run/wireguard'
UAPI = '@uapi'  # argv[0] of an action that is a request on the socket argv[1], stdin the request


def socket_path(name, directory=SOCKET_DIR):
    """The control socket of a userspace NAME, or None (a kernel interface, or no interface)."""
    path = os.path.join(directory, '%s.sock' % name)
    return path if os.path.exists(path) else None


def _hex(key):
    return binascii.hexlify(base64.b64decode(key)).decode('ascii')


def add_allowed_ips_request(public_key, prefixes):
    """The request that inserts ``prefixes`` for the peer ``public_key`` (base64) and changes nothing else."""
    lines = ['set=1', 'public_key=%s' % _hex(public_key), 'update_only=true'] + ['allowed_ip=%s' % p for p in prefixes]
    return '\n'.join(lines) + '\n\n'


def keys_request(private_key, preshared_keys):
    """One request that sets the interface's ``private_key`` and, with it, the preshared keys of existing peers
    (``(public key, preshared key or None)`` pairs, base64): a new key and the preshared keys that follow it
    (the mesh secret's keys are derived from both public keys) take effect together, so that no handshake
    starts with the new key and an old preshared key (it would fail, and be retried only 5 s later)."""
    lines = ['set=1', 'private_key=%s' % _hex(private_key)]
    for public_key, preshared_key in preshared_keys:
        lines += ['public_key=%s' % _hex(public_key), 'update_only=true',
                  'preshared_key=%s' % (_hex(preshared_key) if preshared_key else '0' * 64)]
    return '\n'.join(lines) + '\n\n'


def send(module, path, request, timeout=10):
    """Send ``request`` on the socket ``path``; fail the module unless the answer is ``errno=0``."""
    sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    answer = b''
    try:
        sock.settimeout(timeout)
        sock.connect(path)
        sock.sendall(request.encode('ascii'))
        while not answer.endswith(b'\n\n'):
            chunk = sock.recv(4096)
            if not chunk:
                break
            answer += chunk
    except (OSError, socket.error) as exc:
        module.fail_json(msg='the userspace WireGuard API on %s failed: %s' % (path, exc))
    finally:
        sock.close()
    if answer.strip() != b'errno=0':
        module.fail_json(msg='the userspace WireGuard API on %s refused the change: %s'
                             % (path, answer.decode('ascii', 'replace').strip() or 'no answer'))
