# Note that this module util is **PRIVATE** to the collection. It can have breaking changes at any time.
# Do not use this from other collections or standalone plugins/modules!

# Copyright (c) 2026, sitemesh.wireguard contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""The one executor of plans, and the check that nothing is left to do after it ran."""

from __future__ import annotations

from ansible_collections.sitemesh.wireguard.plugins.module_utils._actions import describe
from ansible_collections.sitemesh.wireguard.plugins.module_utils._runner import run
from ansible_collections.sitemesh.wireguard.plugins.module_utils._uapi import UAPI, send


def execute(module, actions):
    """Run ``actions`` in order; nothing in check mode. Returns whether there was anything to do."""
    if not module.check_mode:
        for act in actions:
            if act.argv and act.argv[0] == UAPI:
                send(module, act.argv[1], act.stdin)
            elif act.argv:
                run(module, act.argv, data=act.stdin)
    return bool(actions)


def verify(module, what, remaining, **result):
    """Fail when the plan made after applying is not empty, naming what still differs."""
    if remaining and not module.check_mode:
        module.fail_json(msg='%s still differs after the changes were applied: %s'
                             % (what, '; '.join(describe(remaining))), **result)
