# -*- coding: utf-8 -*-
# Copyright (c) 2026, sitemesh.wireguard maintainers
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The README documents every role variable, module and filter the collection ships, and every role
variable a role's defaults set is declared in its argument spec (what ansible-doc -t role shows)."""

from __future__ import annotations

import os
import re

import pytest
import yaml

REPO = os.path.abspath(os.path.join(os.path.dirname(__file__), '..', '..'))
ROLES = ['wireguard_peer', 'wireguard_exit']


def _readme():
    with open(os.path.join(REPO, 'README.md'), encoding='utf-8') as f:
        return f.read()


def _spec(role):
    with open(os.path.join(REPO, 'roles', role, 'meta', 'argument_specs.yml'), encoding='utf-8') as f:
        return yaml.safe_load(f)['argument_specs']['main']['options']


@pytest.mark.parametrize('role', ROLES)
def test_every_role_variable_is_in_the_readme(role):
    readme = _readme()
    missing = [name for name in _spec(role) if '`%s`' % name not in readme]
    assert not missing, 'README.md does not document %s' % missing


@pytest.mark.parametrize('role', ROLES)
def test_every_default_is_declared_in_the_argument_spec(role):
    with open(os.path.join(REPO, 'roles', role, 'defaults', 'main.yml'), encoding='utf-8') as f:
        defaults = yaml.safe_load(f) or {}
    spec = _spec(role)
    assert sorted(set(defaults) - set(spec)) == []
    for name, value in defaults.items():
        if 'default' in spec[name]:
            assert spec[name]['default'] == value, name


def test_every_module_and_filter_is_in_the_readme():
    readme = _readme()
    modules = [f[:-3] for f in os.listdir(os.path.join(REPO, 'plugins', 'modules')) if f.endswith('.py')]
    filters = [f[:-4] for f in os.listdir(os.path.join(REPO, 'plugins', 'filter')) if f.endswith('.yml')]
    assert modules and filters
    missing = [n for n in modules + filters if not re.search(r'sitemesh\.wireguard\.%s\b' % re.escape(n), readme)]
    assert not missing, 'README.md does not list %s' % missing
