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


# ---------------------------------------------------------------------- the inventory schema, one table
# module_utils/_mesh_schema.py's SCHEMA is the table the filters read; docs/DESIGN.md, the filter docs and
# the wireguard_peer role's argument spec list the same variables.

def _schema():
    from ansible_collections.sitemesh.wireguard.plugins.module_utils._mesh_schema import DEFAULT_PREFIX, SCHEMA
    return {DEFAULT_PREFIX + field.suffix: field for field in SCHEMA}


def _design_schema_rows():
    """{variable: default cell} of the table under docs/DESIGN.md's "## Inventory schema" heading."""
    with open(os.path.join(REPO, 'docs', 'DESIGN.md'), encoding='utf-8') as f:
        text = f.read()
    section = re.search(r'^## Inventory schema\b.*?$(.*?)^## ', text, re.M | re.S).group(1)
    rows = {}
    for line in section.splitlines():
        cells = [cell.strip() for cell in line.strip().strip('|').split('|')]
        if not line.startswith('|') or len(cells) < 3 or cells[0] in ('variable', '---'):
            continue
        for name in re.findall(r'`([a-z0-9_]+)`', cells[0]):
            rows[name] = cells[2]
    return rows


def test_design_lists_the_variables_of_the_schema():
    rows = _design_schema_rows()
    assert sorted(rows) == sorted(_schema())


def test_design_agrees_with_the_schema_on_required_and_defaults():
    for name, field in _schema().items():
        cell = _design_schema_rows()[name]
        assert ('**required**' in cell) == field.required, name
        if field.default is not None:
            assert str(field.default) in cell, (name, field.default, cell)


def _filter_docs():
    text = ''
    for name in ('mesh_host', 'mesh_validate'):
        with open(os.path.join(REPO, 'plugins', 'filter', name + '.yml'), encoding='utf-8') as f:
            text += f.read()
    return text


def test_filter_docs_name_only_variables_of_the_schema():
    suffixes = {field.suffix for field in _schema().values()}
    named = set(re.findall(r'<prefix>([a-z0-9_]+)', _filter_docs()))
    assert named and sorted(named - suffixes) == []


def test_filter_docs_name_every_variable_of_the_schema():
    text = _filter_docs()
    missing = [field.suffix for field in _schema().values()
               if not re.search(r'(<prefix>|\bwireguard_)%s\b' % field.suffix, text)]
    assert missing == []


def test_argument_spec_lists_the_variables_of_the_schema():
    spec = _spec('wireguard_peer')
    inventory = {name for name, option in spec.items() if str(option.get('description', '')).startswith('(inventory')}
    assert sorted(inventory) == sorted(_schema())
    for name, field in _schema().items():
        assert spec[name].get('default') == field.default, name


@pytest.mark.parametrize('role', ROLES)
def test_readme_defaults_agree_with_the_argument_spec_and_defaults(role):
    """Every README table row of a role variable whose default is a literal (`30`, `""`, `true`) says what the
    argument spec and defaults/main.yml say."""
    spec = _spec(role)
    with open(os.path.join(REPO, 'roles', role, 'defaults', 'main.yml'), encoding='utf-8') as f:
        defaults = yaml.safe_load(f) or {}
    checked = []
    for match in re.finditer(r'^\| `(\w+)` \| [^|]* \| `([^`{}<>]*)` \|', _readme(), re.M):
        name, text = match.groups()
        if name not in spec or 'default' not in spec[name]:
            continue
        value = yaml.safe_load(text)
        assert value == spec[name]['default'] == defaults.get(name, value), (name, text)
        checked.append(name)
    if role == 'wireguard_peer':
        for name in ('wireguard_watchdog', 'wireguard_watchdog_interval', 'wireguard_metrics_textfile',
                     'wireguard_metrics_interval', 'wireguard_reresolve', 'wireguard_reresolve_interval'):
            assert name in checked, name
