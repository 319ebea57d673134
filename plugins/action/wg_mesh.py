# -*- coding: utf-8 -*-
# Copyright (c) 2026, sitemesh.wireguard maintainers
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""The controller side of sitemesh.wireguard.wg_mesh: the one home of validation and of each site's model.

Nothing here contacts a host (``_requires_connection = False``). ``scope: mesh`` (run it once) reads the
public key store and validates the whole mesh group, and returns what it parsed as ``snapshot``; ``scope: site``
(every host) checks the site's role variables against the roles' argument specs and computes the site's part of
the mesh once, for every task of both roles to read: from the ``snapshot`` when it is given and was made for this
mesh (O(peers), nothing read from hostvars again), else from hostvars (each site's variables read again).
A site's result is small for Ansible to handle: its peers as one JSON text, its own stored key (not the store).
"""

from __future__ import annotations

import glob
import os
from collections.abc import Mapping

from ansible.module_utils.common.arg_spec import ArgumentSpecValidator
from ansible.utils.display import Display

from ansible_collections.sitemesh.wireguard.plugins.module_utils._mesh_parse import MeshError
from ansible_collections.sitemesh.wireguard.plugins.module_utils._mesh_rules import validated_mesh
from ansible_collections.sitemesh.wireguard.plugins.module_utils._mesh_snapshot import compact, dump, site_from
from ansible_collections.sitemesh.wireguard.plugins.module_utils._mesh_topology import host_model
from ansible_collections.sitemesh.wireguard.plugins.module_utils._roadwarrior import (
    load_registry,
    registry_peers,
    registry_state,
)
from ansible_collections.sitemesh.wireguard.plugins.module_utils._role_checks import role_checks
from ansible_collections.sitemesh.wireguard.plugins.plugin_utils._role_specs import (
    ROLES,
    role_options,
)
from ansible_collections.sitemesh.wireguard.plugins.plugin_utils._action_args import ControllerAction

display = Display()

_ARGS = ArgumentSpecValidator({
    'scope': {'type': 'str', 'default': 'site', 'choices': ['mesh', 'site']},
    'group': {'type': 'str', 'required': True},
    'prefix': {'type': 'str', 'default': 'wireguard_'},
    'public_key_store': {'type': 'path'},
    'public_keys': {'type': 'dict'},
    'roles': {'type': 'list', 'elements': 'str', 'default': list(ROLES), 'choices': list(ROLES)},
    'snapshot': {'type': 'raw'},   # a JSON text; ansible-core before 2.19 may hand it over already parsed
    'roadwarrior_dir': {'type': 'path'},
    'snapshot_from': {'type': 'str'},
})


def store_state(store):
    """The key store directory's modification time (ns), or None: a key written to it (a rename) changes it."""
    try:
        return os.stat(store).st_mtime_ns if store else None
    except OSError:
        return None


def read_key_store(store):
    """{host: public key} from ``<store>/<host>.pub`` (a missing store is an empty one)."""
    keys = {}
    if not store:
        return keys
    for path in sorted(glob.glob(os.path.join(glob.escape(store), '*.pub'))):
        with open(path, encoding='utf-8') as handle:
            keys[os.path.basename(path)[:-len('.pub')]] = handle.read().strip()
    return keys


# Read when Ansible imports this plugin, in the controller's main process (the linear strategy looks the action
# up before it forks a worker per host and task): every worker then finds them made, instead of reading and
# parsing the roles' YAML again, once per site.
_ROLE_CHECKS = dict((role, (role_options(role), ArgumentSpecValidator(role_options(role)))) for role in ROLES)


def role_variable_errors(host, roles, task_vars, templar, values=None):
    """One line per role variable of ``host`` that the roles' argument specs refuse.

    ``values``, when given, receives the templated role variables (for ``role_checks``).
    """
    errors = []
    for role in roles:
        spec, validator = _ROLE_CHECKS[role]
        provided = templar.template(dict((name, task_vars[name]) for name in spec if name in task_vars))
        if values is not None:
            values.update(provided)
        result = validator.validate(provided, validate_role_argument_spec=True)
        for message in result.error_messages:
            line = '%s: %s (role %s)' % (host, message, role)
            if line not in errors:
                errors.append(line)
    return errors


class ActionModule(ControllerAction):
    """Validate the mesh (scope=mesh), or check one site and compute its model (scope=site)."""

    NAME = 'wg_mesh'
    ARGS = _ARGS

    def run(self, tmp=None, task_vars=None):
        task_vars = task_vars or {}
        result, args = self.begin(tmp, task_vars)
        hosts = task_vars.get('groups', {}).get(args['group'])
        if hosts is None:
            return dict(result, failed=True, msg="wg_mesh: the inventory has no group '%s' (group)" % args['group'])
        result.update(changed=False, group=args['group'], prefix=args['prefix'])
        key = {'group': args['group'], 'prefix': args['prefix'], 'hosts': [str(host) for host in hosts]}
        if args['scope'] == 'mesh':
            state = store_state(args['public_key_store']) if args['public_keys'] is None else None
            keys = self._keys(args)
            result.update(public_keys=keys)
            try:
                mesh, notes = validated_mesh(task_vars['hostvars'], hosts, keys, prefix=args['prefix'])
                devices = self._registry(args['roadwarrior_dir'], mesh)
            except MeshError as exc:
                return self._fail(result, str(exc))
            for note in notes:
                display.warning(note)
            result.update(msg='the mesh of %d sites is valid' % len(hosts), notes=notes,
                          sites_without_key=sorted(n for n in mesh.names if not mesh.sites[n].public_key),
                          snapshot=dump(mesh, key, keys, {'store': state, 'roadwarrior': devices}))
            return result
        return self._site(result, args, task_vars, hosts, key)

    @staticmethod
    def _keys(args):
        return args['public_keys'] if args['public_keys'] is not None else read_key_store(args['public_key_store'])

    @staticmethod
    def _registry(directory, mesh):
        """The road warriors of the registry in directory as the peers of the sites they dial ({site: peers}), with
        the directory and the registry file's state (for the snapshot); None without a directory."""
        if not directory:
            return None
        state = registry_state(directory)   # before the read: a registry replaced meanwhile is read again later
        devices = load_registry(directory)
        vias = set(entry['via'] for entry in devices.values())
        return {'dir': directory, 'state': state,
                'peers': dict((name, registry_peers(devices, mesh, name)) for name in mesh.names if name in vias)}

    @staticmethod
    def _roadwarrior_peers(directory, mesh, host, from_snapshot):
        """The devices that dial host, as its peers: those of the snapshot when it read this registry as it is
        now, else read from the registry."""
        if not directory:
            return []
        found = (mesh.extra or {}).get('roadwarrior') if from_snapshot else None
        if found and found['dir'] == directory and found['state'] == registry_state(directory):
            return found['peers'].get(host, [])
        return registry_peers(load_registry(directory), mesh, host)

    def _model(self, args, task_vars, host, hosts, key):
        """(the parsed Mesh, the site's model, public keys, whether from the snapshot): from the snapshot when it
        fits, else from hostvars."""
        def keys_now(mesh):
            if args['public_keys'] is None and store_state(args['public_key_store']) == mesh.extra['store']:
                return mesh.keys
            return self._keys(args)  # keys given, or written to the store since the validation

        found = site_from(self._snapshot(args, task_vars), key, host, keys_now)
        if found is not None:
            return found + (True,)
        keys = self._keys(args)
        return host_model(task_vars['hostvars'], host, hosts, keys, prefix=args['prefix']) + (keys, False)

    @staticmethod
    def _snapshot(args, task_vars):
        """The snapshot given, or the one of the result registered as snapshot_from, read from the task's variables:
        not an argument, which Ansible templates into the task and sends back to the controller with each result
        (the snapshot is O(sites) long: that was O(sites) of controller work per site)."""
        if args['snapshot'] is not None or not args['snapshot_from']:
            return args['snapshot']
        registered = task_vars.get(args['snapshot_from'])
        return registered.get('snapshot') if isinstance(registered, Mapping) else None

    def _site(self, result, args, task_vars, hosts, key):
        """scope=site: the site's role variables (argument specs, then role_checks) and its model."""
        host = task_vars['inventory_hostname']
        values = {}
        errors = role_variable_errors(host, args['roles'], task_vars, self._templar, values)
        mesh = model = failure = None
        devices = []
        try:
            mesh, model, keys, from_snapshot = self._model(args, task_vars, host, hosts, key)
            stored = keys.get(host) if keys else None
            result.update(public_key=stored.strip() if isinstance(stored, str) and stored.strip() else None,
                          from_snapshot=from_snapshot)
            devices = self._roadwarrior_peers(args['roadwarrior_dir'], mesh, host, from_snapshot)
        except MeshError as exc:
            failure = str(exc)
        errors.extend(line for line in role_checks(host, values, mesh) if line not in errors)
        if errors:
            return self._fail(result, 'wg_mesh: %d error(s) in the role variables of %s:\n%s'
                              % (len(errors), host, '\n'.join(errors)))
        if failure is not None:
            return self._fail(result, failure)
        # The peers as one JSON text: Ansible's controller copies, cleans and checks every registered result,
        # per value; a dict per peer made that O(peers) per site with a large factor (docs/benchmarks.md).
        result.update(mesh=compact(model), host=host, roadwarrior_peers=devices)
        return result

    @staticmethod
    def _fail(result, text):
        """Fail with every error on a line of its own, printed once, at the start of the line."""
        display.display(text, stderr=True)
        head = text.splitlines()[0]
        return dict(result, failed=True, msg='%s (listed above, one per line)' % head.rstrip(':'))
