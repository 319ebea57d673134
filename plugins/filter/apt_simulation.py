# -*- coding: utf-8 -*-
# Copyright (c) 2026, sitemesh.wireguard maintainers
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""What apt-get --simulate install would do (documentation in apt_simulation.yml, logic in module_utils)."""

from __future__ import annotations

from collections.abc import Sequence

from ansible.errors import AnsibleFilterError

from ansible_collections.sitemesh.wireguard.plugins.module_utils._apt_simulation import parse


def apt_simulation(output):
    """Installs, versions, packages by suite and unmet-dependency reasons of apt's simulated install."""
    if not isinstance(output, (str, Sequence)) or isinstance(output, bytes):
        raise AnsibleFilterError('apt_simulation: expects apt-get --simulate output (stdout or stdout_lines), got %s'
                                 % type(output).__name__)
    return parse(output)


class FilterModule(object):
    """Read apt's simulated install."""

    def filters(self):
        return {'apt_simulation': apt_simulation}
