# Note that this module util is **PRIVATE** to the collection. It can have breaking changes at any time.
# Do not use this from other collections or standalone plugins/modules!

# Copyright (c) 2026, sitemesh.wireguard contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""WireGuard keys: the one rule for what a key looks like (used by the modules and the mesh model)."""

from __future__ import annotations

import base64
import binascii

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
