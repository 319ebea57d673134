# Copyright (c) 2026, sitemesh.wireguard contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""The arguments of the collection's controller-side actions, checked once against their spec."""

from __future__ import annotations

from ansible.errors import AnsibleError


def validated_args(validator, task_args, action):
    """``task_args`` checked by ``validator`` (an ArgumentSpecValidator): the parameters, or an AnsibleError
    naming ``action`` and every problem."""
    checked = validator.validate(task_args)
    if checked.error_messages:
        raise AnsibleError('%s: %s' % (action, '; '.join(checked.error_messages)))
    return checked.validated_parameters
