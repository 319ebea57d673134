# Copyright (c) 2026, sitemesh.wireguard contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""The collection's controller-side actions: their common base, and their arguments checked once against their
spec."""

from __future__ import annotations

from ansible.errors import AnsibleError
from ansible.plugins.action import ActionBase


def validated_args(validator, task_args, action):
    """``task_args`` checked by ``validator`` (an ArgumentSpecValidator): the parameters, or an AnsibleError
    naming ``action`` and every problem."""
    checked = validator.validate(task_args)
    if checked.error_messages:
        raise AnsibleError('%s: %s' % (action, '; '.join(checked.error_messages)))
    return checked.validated_parameters


class ControllerAction(ActionBase):
    """An action that runs only in the controller's Ansible process: no connection to the host, no file
    transfer. A subclass names itself (``NAME``) and its ``ArgumentSpecValidator`` (``ARGS``)."""

    TRANSFERS_FILES = False
    _requires_connection = False
    NAME = None
    ARGS = None

    def begin(self, tmp, task_vars):
        """(the base result of ActionBase.run, the task's arguments checked against ``ARGS``)."""
        result = super(ControllerAction, self).run(tmp, task_vars)
        return result, validated_args(self.ARGS, self._task.args, self.NAME)
