# Note that this module util is **PRIVATE** to the collection. It can have breaking changes at any time.
# Do not use this from other collections or standalone plugins/modules!

# Copyright (c) 2026, sitemesh.wireguard contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""What a plan returns: a list of actions, each the changes it makes (what the module reports), the
command that makes them (argv, program by name) and its stdin (where secrets go, never argv).

"changed", check mode, the ``prepared`` part of a diff and the result lists all come from the plan.
"""

from __future__ import annotations

from collections import namedtuple

# changes: tuple of (result key, item): ('addresses_added', '10.0.0.1/24'), ('started', True)...
Action = namedtuple('Action', ['changes', 'argv', 'stdin'])

RESULT_LISTS = ('peers_added', 'peers_removed', 'peers_updated', 'addresses_added',
                'addresses_removed', 'routes_added', 'routes_removed')
LABELS = (('backend_changed', 'backend'), ('started', 'started'), ('interface_updated', 'interface keys, port or fwmark'),
          ('mtu', 'mtu'), ('peers_added', '+ peer'), ('peers_removed', '- peer'), ('peers_updated', '~ peer'),
          ('addresses_added', '+ address'), ('addresses_removed', '- address'),
          ('routes_added', '+ route'), ('routes_removed', '- route'), ('rules_changed', '*'))


def action(key, items, argv, stdin=None):
    """An action whose changes are ``items`` (a list, or one value) under the result key ``key``."""
    if not isinstance(items, (list, tuple)):
        items = [items]
    return Action(tuple((key, item) for item in items), list(argv), stdin)


# what a module returns of the changes ('mtu' is only described)
REPORTED = RESULT_LISTS + ('started', 'interface_updated', 'rules_changed', 'backend_changed')


def empty_result():
    return dict((key, []) for key in RESULT_LISTS)


def summarize(actions, result=None):
    """The result lists of ``actions`` (added to ``result``): lists for list keys, True for flags."""
    result = empty_result() if result is None else result
    for act in actions:
        for key, item in act.changes:
            if key not in REPORTED:
                continue
            if item is True:
                result[key] = True
            else:
                result.setdefault(key, []).append(item)
    return result


def describe(actions):
    """One line per change of ``actions``, as the diff and a failed verification show them."""
    labels = dict(LABELS)
    lines = []
    for key, dummy in LABELS:
        for act in actions:
            for change_key, item in act.changes:
                if change_key == key:
                    lines.append(labels[key] if item is True else '%s %s' % (labels[key], item))
    return lines


def live_diff(actions, name):
    """The live changes as text for the ``prepared`` part of a diff ('' when there are none)."""
    lines = describe(actions)
    if not lines:
        return ''
    return 'live changes of %s:\n%s\n' % (name, '\n'.join('  ' + line for line in lines))
