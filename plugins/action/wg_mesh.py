# -*- coding: utf-8 -*-
# Copyright (c) 2026, sitemesh.wireguard maintainers
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""The controller side of sitemesh.wireguard.wg_mesh: the one home of validation and of each site's model.

Nothing here contacts a host (``_requires_connection = False``). ``scope: mesh`` (run it once) reads the
public key store and validates the whole mesh group; ``scope: site`` (every host) checks the site's role
variables against the roles' argument specs and computes the site's part of the mesh once, for every task
of both roles to read.
"""

from __future__ import annotations

import glob
import os

from ansible.errors import AnsibleError
from ansible.module_utils.common.arg_spec import ArgumentSpecValidator
from ansible.plugins.action import ActionBase
from ansible.utils.display import Display

from ansible_collections.sitemesh.wireguard.plugins.module_utils._mesh_parse import MeshError
from ansible_collections.sitemesh.wireguard.plugins.module_utils._mesh_rules import validate_mesh
from ansible_collections.sitemesh.wireguard.plugins.module_utils._mesh_topology import host_model
from ansible_collections.sitemesh.wireguard.plugins.module_utils._roadwarrior import load_registry, registry_peers
from ansible_collections.sitemesh.wireguard.plugins.module_utils._role_checks import role_checks
from ansible_collections.sitemesh.wireguard.plugins.plugin_utils._role_specs import (
    ROLES,
    role_options,
)

display = Display()

_ARGS = ArgumentSpecValidator({
    'scope': {'type': 'str', 'default': 'site', 'choices': ['mesh', 'site']},
    'group': {'type': 'str', 'required': True},
    'prefix': {'type': 'str', 'default': 'wireguard_'},
    'public_key_store': {'type': 'path'},
    'public_keys': {'type': 'dict'},
    'roles': {'type': 'list', 'elements': 'str', 'default': list(ROLES), 'choices': list(ROLES)},
    'roadwarrior_dir': {'type': 'path'},
})


def read_key_store(store):
    """{host: public key} from ``<store>/<host>.pub`` (a missing store is an empty one)."""
    keys = {}
    if not store:
        return keys
    for path in sorted(glob.glob(os.path.join(glob.escape(store), '*.pub'))):
        with open(path, encoding='utf-8') as handle:
            keys[os.path.basename(path)[:-len('.pub')]] = handle.read().strip()
    return keys


def role_variable_errors(host, roles, task_vars, templar, values=None):
    """One line per role variable of ``host`` that the roles' argument specs refuse.

    ``values``, when given, receives the templated role variables (for ``role_checks``).
    """
    errors = []
    for role in roles:
        spec = role_options(role)
        provided = templar.template(dict((name, task_vars[name]) for name in spec if name in task_vars))
        if values is not None:
            values.update(provided)
        result = ArgumentSpecValidator(spec).validate(provided, validate_role_argument_spec=True)
        for message in result.error_messages:
            line = '%s: %s (role %s)' % (host, message, role)
            if line not in errors:
                errors.append(line)
    return errors


class ActionModule(ActionBase):
    """Validate the mesh (scope=mesh), or check one site and compute its model (scope=site)."""

    TRANSFERS_FILES = False
    _requires_connection = False

    def run(self, tmp=None, task_vars=None):
        task_vars = task_vars or {}
        result = super(ActionModule, self).run(tmp, task_vars)
        checked = _ARGS.validate(self._task.args)
        if checked.error_messages:
            raise AnsibleError('wg_mesh: %s' % '; '.join(checked.error_messages))
        args = checked.validated_parameters
        hosts = task_vars.get('groups', {}).get(args['group'])
        if hosts is None:
            return dict(result, failed=True, msg="wg_mesh: the inventory has no group '%s' (group)" % args['group'])
        keys = args['public_keys'] if args['public_keys'] is not None else read_key_store(args['public_key_store'])
        result.update(changed=False, group=args['group'], prefix=args['prefix'], public_keys=keys)
        if args['scope'] == 'mesh':
            try:
                notes = validate_mesh(task_vars['hostvars'], hosts, keys, prefix=args['prefix'])
            except MeshError as exc:
                return self._fail(result, str(exc))
            for note in notes:
                display.warning(note)
            result.update(msg='the mesh of %d sites is valid' % len(hosts), notes=notes)
            return result
        return self._site(result, args, task_vars, hosts, keys)

    def _site(self, result, args, task_vars, hosts, keys):
        """scope=site: the site's role variables (argument specs, then role_checks) and its model."""
        host = task_vars['inventory_hostname']
        values = {}
        errors = role_variable_errors(host, args['roles'], task_vars, self._templar, values)
        mesh = model = failure = None
        devices = []
        try:
            mesh, model = host_model(task_vars['hostvars'], host, hosts, keys, prefix=args['prefix'])
            if args['roadwarrior_dir']:
                devices = registry_peers(load_registry(args['roadwarrior_dir']), mesh, host)
        except MeshError as exc:
            failure = str(exc)
        errors.extend(line for line in role_checks(host, values, mesh) if line not in errors)
        if errors:
            return self._fail(result, 'wg_mesh: %d error(s) in the role variables of %s:\n%s'
                              % (len(errors), host, '\n'.join(errors)))
        if failure is not None:
            return self._fail(result, failure)
        result.update(mesh=model, host=host, roadwarrior_peers=devices)
        return result

    @staticmethod
    def _fail(result, text):
        """Fail with every error on a line of its own, printed once, at the start of the line."""
        display.display(text, stderr=True)
        head = text.splitlines()[0]
        return dict(result, failed=True, msg='%s (listed above, one per line)' % head.rstrip(':'))
