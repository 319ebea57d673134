# -*- coding: utf-8 -*-
# Copyright (c) 2026, sitemesh.wireguard maintainers
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""The mesh_psk filter: the preshared key of a pair of peers, derived from one controller secret.

The derivation lives in ``plugins/module_utils/_mesh_psk.py``; the docs in ``mesh_psk.yml`` beside this file.
"""

from __future__ import annotations

from ansible_collections.sitemesh.wireguard.plugins.module_utils._mesh_psk import pair_psk
from ansible_collections.sitemesh.wireguard.plugins.plugin_utils._mesh_filter import filter_errors


def mesh_psk(secret, public_key_a, public_key_b):
    """Preshared key of a pair of peers: HKDF-SHA256(secret, info=label + sorted pair); same on both ends."""
    with filter_errors():
        return pair_psk(secret, public_key_a, public_key_b)


class FilterModule:
    """sitemesh.wireguard.mesh_psk"""

    def filters(self):
        return {'mesh_psk': mesh_psk}
