# -*- coding: utf-8 -*-
# Copyright (c) 2026, sitemesh.wireguard maintainers
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""The Debian packages a site needs (documentation in wg_packages.yml, logic in module_utils/_packages.py)."""

from __future__ import annotations

from collections.abc import Mapping

from ansible.errors import AnsibleFilterError

from ansible_collections.sitemesh.wireguard.plugins.module_utils._packages import packages


def wg_packages(site, go='auto', loopback=False, forwarding=False, tools_version=''):
    """The packages for a site read by ``wg_site_facts`` (its ``kernel_wireguard``) and the role's choices."""
    if not isinstance(site, Mapping):
        raise AnsibleFilterError('wg_packages: expects the result of sitemesh.wireguard.wg_site_facts, got %s'
                                 % type(site).__name__)
    try:
        return packages(site.get('kernel_wireguard'), go=go, loopback=bool(loopback), forwarding=bool(forwarding),
                        tools_version=tools_version or '')
    except ValueError as exc:
        raise AnsibleFilterError('wg_packages: %s' % exc)


class FilterModule(object):
    """The packages a site needs."""

    def filters(self):
        return {'wg_packages': wg_packages}
