# Note that this module util is **PRIVATE** to the collection. It can have breaking changes at any time.
# Do not use this from other collections or standalone plugins/modules!

# Copyright (c) 2026, sitemesh.wireguard contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""The one command runner: a list argv (never a shell string), LANG=C, secrets only through stdin."""

from __future__ import annotations

import os

ENV = {'LANG': 'C', 'LC_ALL': 'C'}


def resolve(module, argv):
    """``argv`` with its program looked up in PATH (and the sbin directories) when it is a bare name."""
    argv = list(argv)
    if argv and os.sep not in argv[0]:
        argv[0] = module.get_bin_path(argv[0], required=True)
    return argv


def run(module, argv, data=None):
    """Run ``argv``; fail the module with its stderr when it fails. Returns stdout.

    Key material goes through ``data`` (stdin), never through ``argv`` where ``ps`` shows it; the
    failure message never repeats ``data``.
    """
    argv = resolve(module, argv)
    rc, out, err = module.run_command(argv, data=data, environ_update=ENV, binary_data=False)
    if rc != 0:
        module.fail_json(msg='%s failed (rc=%d): %s' % (' '.join(argv), rc, (err or out).strip()), cmd=argv)
    return out


def read(module, argv):
    """Output of a listing command; '' when it fails (nothing there, a table not made yet, no support)."""
    argv = list(argv)
    if argv and os.sep not in argv[0]:
        found = module.get_bin_path(argv[0])
        if not found:
            return ''
        argv[0] = found
    rc, out, dummy = module.run_command(argv, environ_update=ENV)
    return out if rc == 0 else ''
