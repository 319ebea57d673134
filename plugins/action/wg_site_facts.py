# -*- coding: utf-8 -*-
# Copyright (c) 2026, sitemesh.wireguard contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""The controller half of sitemesh.wireguard.wg_site_facts (documented in plugins/modules/wg_site_facts.py).

One command through the connection, as ``ansible.builtin.raw`` runs it (no module upload, no Python on the
host, the same in check mode): the fixed script of ``_site_probe`` with the request as quoted arguments.
What it prints is parsed and compared on the controller by ``_site_facts``.
"""

from __future__ import annotations

from ansible.errors import AnsibleActionFail
from ansible.plugins.action import ActionBase

from ansible_collections.sitemesh.wireguard.plugins.module_utils._site_facts import ARGUMENT_SPEC, conclude, request
from ansible_collections.sitemesh.wireguard.plugins.module_utils._site_probe import command, parse


class ActionModule(ActionBase):
    TRANSFERS_FILES = False
    _supports_check_mode = True
    _supports_async = False

    def run(self, tmp=None, task_vars=None):
        result = super(ActionModule, self).run(tmp, task_vars)
        del tmp  # nothing is copied to the host
        _validation, params = self.validate_argument_spec(argument_spec=ARGUMENT_SPEC)
        try:
            args = request(params)
        except ValueError as exc:
            raise AnsibleActionFail('wg_site_facts: %s' % exc)
        out = self._low_level_execute_command(command(args))
        result['changed'] = False
        if out.get('rc') != 0:
            result.update(failed=True, rc=out.get('rc'), stdout=out.get('stdout', ''), stderr=out.get('stderr', ''),
                          msg='wg_site_facts: reading the site failed (rc %s): %s'
                              % (out.get('rc'), (out.get('stderr') or out.get('stdout') or '').strip()))
            return result
        try:
            result.update(conclude(params, parse(out.get('stdout', ''))))
        except ValueError as exc:
            result.update(failed=True, stdout=out.get('stdout', ''), stderr=out.get('stderr', ''),
                          msg='wg_site_facts: %s' % exc)
        return result
