# -*- coding: utf-8 -*-
# Copyright (c) 2026, sitemesh.wireguard maintainers
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""The mesh_with_psk filter: the peers of one host, each with the preshared key of its pair added.

The derivation lives in ``plugins/module_utils/_mesh_psk.py``; the docs in ``mesh_with_psk.yml`` beside this file.
"""

from __future__ import annotations

from ansible_collections.sitemesh.wireguard.plugins.module_utils._mesh_psk import with_psk
from ansible_collections.sitemesh.wireguard.plugins.module_utils._mesh_snapshot import peers_list
from ansible_collections.sitemesh.wireguard.plugins.plugin_utils._mesh_filter import filter_errors


def mesh_with_psk(peers, secret, public_key):
    """Peers (a list, or wg_mesh's JSON text of it) with a preshared key per pair added (see mesh_psk);
    unchanged without a secret or own public key."""
    with filter_errors():
        return with_psk(peers_list(peers, 'mesh_with_psk'), secret, public_key)


class FilterModule:
    """sitemesh.wireguard.mesh_with_psk"""

    def filters(self):
        return {'mesh_with_psk': mesh_with_psk}
