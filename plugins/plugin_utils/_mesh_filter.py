# Note that this plugin util is **PRIVATE** to the collection. It can have breaking changes at any time.
# Do not use this from other collections or standalone plugins!

# Copyright (c) 2026, sitemesh.wireguard contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""The one place where the mesh model's errors become Ansible's (for the mesh filters)."""

from __future__ import annotations

import contextlib

from ansible.errors import AnsibleFilterError
from ansible_collections.sitemesh.wireguard.plugins.module_utils._mesh_parse import MeshError


@contextlib.contextmanager
def filter_errors():
    """Turn a MeshError of the model into an AnsibleFilterError with the same message (no cause appended)."""
    try:
        yield
    except MeshError as exc:
        raise AnsibleFilterError(str(exc)) from None
