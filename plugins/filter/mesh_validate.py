# -*- coding: utf-8 -*-
# Copyright (c) 2026, sitemesh.wireguard maintainers
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""The mesh_validate filter: check the inventory of the whole mesh, reporting every error at once.

The rules live in ``plugins/module_utils/_mesh_rules.py``; the docs in ``mesh_validate.yml`` beside this file.
"""

from __future__ import annotations

from ansible_collections.sitemesh.wireguard.plugins.module_utils._mesh_rules import validate
from ansible_collections.sitemesh.wireguard.plugins.module_utils._mesh_schema import DEFAULT_PREFIX
from ansible_collections.sitemesh.wireguard.plugins.plugin_utils._mesh_filter import filter_errors


def mesh_validate(hostvars, hosts, public_keys=None, prefix=DEFAULT_PREFIX):
    """True, or AnsibleFilterError listing every error (one per line), each naming the host and the variable."""
    with filter_errors():
        return validate(hostvars, hosts, public_keys, prefix)


class FilterModule:
    """sitemesh.wireguard.mesh_validate"""

    def filters(self):
        return {'mesh_validate': mesh_validate}
