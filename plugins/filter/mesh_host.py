# -*- coding: utf-8 -*-
# Copyright (c) 2026, sitemesh.wireguard maintainers
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""The mesh_host filter: what one host of the mesh needs (addresses, peers, AllowedIPs, NAT sources).

The model lives in ``plugins/module_utils/_mesh_topology.py``; the docs in ``mesh_host.yml`` beside this file.
"""

from __future__ import annotations

from ansible_collections.sitemesh.wireguard.plugins.module_utils._mesh_schema import DEFAULT_PREFIX
from ansible_collections.sitemesh.wireguard.plugins.module_utils._mesh_topology import host_config
from ansible_collections.sitemesh.wireguard.plugins.plugin_utils._mesh_filter import filter_errors


def mesh_host(hostvars, host, hosts, public_keys=None, prefix=DEFAULT_PREFIX):
    """What one host needs: its addresses, its peers with AllowedIPs and endpoints, NAT sources."""
    with filter_errors():
        return host_config(hostvars, host, hosts, public_keys, prefix)


class FilterModule:
    """sitemesh.wireguard.mesh_host"""

    def filters(self):
        return {'mesh_host': mesh_host}
