# -*- coding: utf-8 -*-
# Copyright (c) 2026, sitemesh.wireguard contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""The controller half of sitemesh.wireguard.wg_site_facts (documented in plugins/modules/wg_site_facts.py).

One command through the connection, as ``ansible.builtin.raw`` runs it (no module upload, no Python on the
host, the same in check mode): the fixed script of ``_site_probe`` with the request as quoted arguments.
What it prints is parsed and compared on the controller by ``_site_facts``.

When Ansible would discover the host's Python before the next module (``interpreter_python`` ``auto`` or
``auto_silent``, no ``ansible_python_interpreter``, nothing discovered yet, no become, ansible-core 2.17 or
later), the same command also looks for the
interpreters Ansible's discovery looks for (its ``INTERPRETER_PYTHON_FALLBACK`` list, ``command -v`` of each, as
ansible-core 2.17+ does) and the first one found is returned as ``ansible_facts.discovered_interpreter_python``,
the fact the discovery itself sets: the next module does not pay a round trip of its own to discover it.
"""

from __future__ import annotations

from ansible import constants as C
from ansible.errors import AnsibleActionFail
from ansible.plugins.action import ActionBase
from ansible.release import __version__ as ansible_version

from ansible_collections.sitemesh.wireguard.plugins.module_utils._site_facts import ARGUMENT_SPEC, conclude, request, reused_facts
from ansible_collections.sitemesh.wireguard.plugins.module_utils._site_probe import command, is_plain_command, parse, probe_args


_DISCOVERED = 'discovered_interpreter_python'


def _core_chooses_first_found():
    """ansible-core 2.17 and later discover the first interpreter of the fallback list found (2.16 looked its
    distribution up in a table first: the read does not stand in for that)."""
    try:
        return tuple(int(part) for part in ansible_version.split('.')[:2]) >= (2, 17)
    except ValueError:
        return False


def pythons_to_look_for(task_vars, delegated, become):
    """The interpreter names to look for on the host, or () when the read cannot stand in for Ansible's own
    discovery: another host's task (delegated), become (the discovery runs without it, with the login user's
    PATH), an interpreter set by the inventory, one discovered already, a mode that is not plain discovery, a
    fallback list with a name the probe does not take, or ansible-core 2.16 (see above)."""
    if delegated or become or 'ansible_python_interpreter' in task_vars \
            or _DISCOVERED in (task_vars.get('ansible_facts') or {}) or not _core_chooses_first_found():
        return ()
    if C.config.get_config_value('INTERPRETER_PYTHON', variables=task_vars) not in ('auto', 'auto_silent'):
        return ()
    names = tuple(C.config.get_config_value('INTERPRETER_PYTHON_FALLBACK', variables=task_vars) or ())
    return names if all(is_plain_command(name) for name in names) else ()


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
        result['changed'] = False
        facts = reused_facts(params, args)
        if facts is not None:   # an earlier read of this play asked all this: no round trip
            result.update(conclude(params, facts, args), reused=True)
            return result
        pythons = pythons_to_look_for(task_vars or {}, bool(self._task.delegate_to), bool(self._play_context.become))
        out = self._low_level_execute_command(command(args + probe_args(pythons=pythons)))
        if out.get('rc') != 0:
            result.update(failed=True, rc=out.get('rc'), stdout=out.get('stdout', ''), stderr=out.get('stderr', ''),
                          msg='wg_site_facts: reading the site failed (rc %s): %s'
                              % (out.get('rc'), (out.get('stderr') or out.get('stdout') or '').strip()))
            return result
        try:
            facts = parse(out.get('stdout', ''))
            result.update(conclude(params, facts, args), reused=False)
            if pythons and facts['pythons']:
                result['ansible_facts'] = {_DISCOVERED: facts['pythons'][0]}
        except ValueError as exc:
            result.update(failed=True, stdout=out.get('stdout', ''), stderr=out.get('stderr', ''),
                          msg='wg_site_facts: %s' % exc)
        return result
