# -*- coding: utf-8 -*-
# Copyright (c) 2026, sitemesh.wireguard maintainers
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""The controller side of sitemesh.wireguard.wg_status: one table for the whole mesh (module_utils/_status.py),
printed as plain lines; the task fails, listing every problem, when any expected peer is stale or missing or
any site could not be read. Nothing here contacts a host."""

from __future__ import annotations

from ansible.errors import AnsibleError
from ansible.module_utils.common.arg_spec import ArgumentSpecValidator
from ansible.utils.display import Display

from ansible_collections.sitemesh.wireguard.plugins.module_utils._mesh_parse import MeshError
from ansible_collections.sitemesh.wireguard.plugins.module_utils._mesh_snapshot import peers_list
from ansible_collections.sitemesh.wireguard.plugins.module_utils._status import mesh_status
from ansible_collections.sitemesh.wireguard.plugins.plugin_utils._action_args import ControllerAction

display = Display()

_ARGS = ArgumentSpecValidator({
    'sites': {'type': 'list', 'elements': 'dict', 'required': True},
    'max_age': {'type': 'int', 'default': 180},
})


class ActionModule(ControllerAction):
    """Judge and print the mesh's status from what wg_info read on each site."""

    NAME = 'wg_status'
    ARGS = _ARGS

    def run(self, tmp=None, task_vars=None):
        result, args = self.begin(tmp, task_vars or {})
        sites = []
        for entry in args['sites']:
            if not isinstance(entry, dict) or 'site' not in entry or not isinstance(entry.get('mesh'), dict):
                raise AnsibleError('wg_status: each of sites needs site and mesh (wg_mesh\'s model), got %r' % (entry,))
            try:  # wg_mesh returns the peers as one JSON text
                peers = peers_list(entry['mesh'].get('peers') or [], 'wg_status (%s)' % entry['site'])
            except MeshError as exc:
                raise AnsibleError(str(exc)) from None
            sites.append(dict(entry, mesh=dict(entry['mesh'], peers=peers)))
        status = mesh_status(sites, args['max_age'])
        display.display('\n'.join(status['table']))
        result.update(changed=False, max_age=args['max_age'], **status)
        if status['problems']:
            display.display('\n'.join(status['problems']), stderr=True)
            result.update(failed=True, msg='%d problem(s) in the mesh (listed above, one per line)'
                          % len(status['problems']))
        else:
            result['msg'] = 'every expected peer of %d site(s) has a handshake younger than %d s' % (
                len(args['sites']), args['max_age'])
        return result
