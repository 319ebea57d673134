# Note that this module util is **PRIVATE** to the collection. It can have breaking changes at any time.
# Do not use this from other collections or standalone plugins/modules!

# Copyright (c) 2026, sitemesh.wireguard contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""WireGuard keys: the one rule for what a key looks like (used by the modules and the mesh model)."""

from __future__ import annotations

import base64
import binascii
import errno

from ansible_collections.sitemesh.wireguard.plugins.module_utils._runner import ENV

KEY_LENGTH = 44  # base64 of 32 bytes, with its one '=' of padding


def check_key(value):
    """(key, None) for a WireGuard key (canonical base64 of exactly 32 bytes), else (None, why).

    ``why`` never repeats the value: it may be a secret.
    """
    if isinstance(value, bytes):
        try:
            value = value.decode('ascii')
        except UnicodeDecodeError:
            return None, 'is not base64 text'
    if not isinstance(value, str):
        return None, 'is a %s, not a string' % type(value).__name__
    key = value.strip()
    if len(key) != KEY_LENGTH:
        return None, 'is not the base64 of 32 bytes (%d characters expected, got %d)' % (KEY_LENGTH, len(key))
    try:
        raw = base64.b64decode(key, validate=True)
    except (binascii.Error, ValueError):
        return None, 'is not valid base64'
    if len(raw) != 32 or base64.b64encode(raw).decode('ascii') != key:
        return None, 'is not the base64 of exactly 32 bytes'
    return key, None


def is_valid_key(value):
    """True when ``value`` is a WireGuard key (see ``check_key``)."""
    return check_key(value)[1] is None


# ---------------------------------------------------------------------------------------------
# making and deriving keys on the site: one backend per way (wg, cryptography)
# ---------------------------------------------------------------------------------------------

def _cryptography():
    try:
        from cryptography.hazmat.primitives.asymmetric import x25519
        from cryptography.hazmat.primitives import serialization
    except ImportError:
        return None, None
    return x25519, serialization


class WgBackend(object):
    """``wg genkey`` / ``wg pubkey`` (the private key on stdin)."""

    def __init__(self, module):
        self.module = module

    def _call(self, command, data=None):
        argv = [self.module.get_bin_path('wg', required=True), command]
        rc, out, err = self.module.run_command(argv, data=data, environ_update=ENV)
        key, why = check_key(out)
        if rc != 0 or why:
            self.module.fail_json(msg='wg %s failed: %s' % (command, err.strip()))
        return key

    def generate(self):
        return self._call('genkey')

    def public_key(self, private_key):
        return self._call('pubkey', data=private_key)


class CryptographyBackend(object):
    """X25519 of the Python library cryptography (where wireguard-tools is not installed)."""

    def __init__(self, x25519, serialization):
        self.x25519 = x25519
        self.serialization = serialization

    def generate(self):
        ser = self.serialization
        raw = self.x25519.X25519PrivateKey.generate().private_bytes(
            ser.Encoding.Raw, ser.PrivateFormat.Raw, ser.NoEncryption())
        return base64.b64encode(raw).decode('ascii')

    def public_key(self, private_key):
        ser = self.serialization
        key = self.x25519.X25519PrivateKey.from_private_bytes(base64.b64decode(private_key))
        return base64.b64encode(key.public_key().public_bytes(ser.Encoding.Raw, ser.PublicFormat.Raw)).decode('ascii')


def key_backend(module, purpose='make a WireGuard key'):
    """``wg`` when it is installed, else cryptography; fails when neither is there."""
    if module.get_bin_path('wg'):
        return WgBackend(module)
    x25519, serialization = _cryptography()
    if x25519 is None:
        module.fail_json(msg='Cannot %s: neither the wg command (wireguard-tools) nor the Python library '
                             'cryptography is available on the managed host' % purpose)
    return CryptographyBackend(x25519, serialization)


def generate_private_key(module):
    """A new private key, added to the module's no_log values."""
    key = key_backend(module).generate()
    module.no_log_values.add(key)
    return key


def public_key_of(module, private_key):
    """The public key of ``private_key``."""
    return key_backend(module, 'derive a WireGuard public key').public_key(private_key)


def read_private_key(module, path, missing_ok=False):
    """Read a private key file on the host; the key is added to the module's no_log values.

    Returns None when the file is missing and ``missing_ok``; fails on a corrupt key.
    """
    try:
        with open(path, 'r') as handle:
            key = handle.read().strip()
    except (IOError, OSError) as exc:
        if exc.errno == errno.ENOENT and missing_ok:
            return None
        module.fail_json(msg='Cannot read the private key file %s: %s' % (path, exc.strerror))
    if key:
        module.no_log_values.add(key)
    if not is_valid_key(key):
        module.fail_json(msg='%s does not hold a WireGuard private key (32 bytes, base64)' % path)
    return key
