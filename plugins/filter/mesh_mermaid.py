# -*- coding: utf-8 -*-
# Copyright (c) 2026, sitemesh.wireguard maintainers
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""The mesh_mermaid filter: the mesh drawn from the inventory as a Mermaid flowchart.

The picture comes from ``plugins/module_utils/_mesh_drawing.py``; the docs in ``mesh_mermaid.yml`` beside this file.
"""

from __future__ import annotations

from ansible_collections.sitemesh.wireguard.plugins.module_utils._mesh_drawing import mermaid, picture
from ansible_collections.sitemesh.wireguard.plugins.module_utils._mesh_schema import DEFAULT_PREFIX
from ansible_collections.sitemesh.wireguard.plugins.plugin_utils._mesh_filter import filter_errors


def mesh_mermaid(hostvars, hosts, prefix=DEFAULT_PREFIX, devices=None, title=None):
    """The mesh of hosts as a Mermaid flowchart (validated first)."""
    with filter_errors():
        return mermaid(picture(hostvars, hosts, prefix, devices), title)


class FilterModule:
    """sitemesh.wireguard.mesh_mermaid"""

    def filters(self):
        return {'mesh_mermaid': mesh_mermaid}
