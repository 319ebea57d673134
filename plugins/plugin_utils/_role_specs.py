# -*- coding: utf-8 -*-
# Copyright (c) 2026, sitemesh.wireguard maintainers
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""The argument specs of the collection's roles, read from the roles themselves (controller only).

The roles' ``meta/argument_specs.yml`` are the one description of their variables: the role entry checks
use them, and so does ``sitemesh.wireguard.wg_mesh`` when it checks every site before any is touched.
"""

from __future__ import annotations

import os

import yaml

ROLES = ('wireguard_peer', 'wireguard_exit')
_ROOT = os.path.normpath(os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', '..'))
_CACHE = {}


def role_options(role, entry_point='main'):
    """The options of a role entry point's argument spec (a dict for ArgumentSpecValidator)."""
    if role not in ROLES:
        raise ValueError('unknown role %r (one of %s)' % (role, ', '.join(ROLES)))
    if (role, entry_point) not in _CACHE:
        path = os.path.join(_ROOT, 'roles', role, 'meta', 'argument_specs.yml')
        with open(path, encoding='utf-8') as handle:
            specs = yaml.safe_load(handle)['argument_specs']
        _CACHE[(role, entry_point)] = specs[entry_point].get('options') or {}
    return _CACHE[(role, entry_point)]
