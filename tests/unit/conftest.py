# Copyright (c) 2026, sitemesh.wireguard contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Make ``ansible_collections.sitemesh.wireguard`` importable from this checkout.

``<repo>/.tmp/collections/ansible_collections/sitemesh/wireguard`` is a relative symlink to the
repository root (the lead's ansible.cfg points collections_path at ``.tmp/collections``).
"""

from __future__ import annotations

import os
import sys

REPO = os.path.abspath(os.path.join(os.path.dirname(__file__), '..', '..'))
COLLECTIONS = os.path.join(REPO, '.tmp', 'collections')
LINK = os.path.join(COLLECTIONS, 'ansible_collections', 'sitemesh', 'wireguard')

if not os.path.lexists(LINK):
    os.makedirs(os.path.dirname(LINK), exist_ok=True)
    try:
        os.symlink(os.path.join('..', '..', '..', '..'), LINK)
    except FileExistsError:  # another worker was first
        pass
if COLLECTIONS not in sys.path:
    sys.path.insert(0, COLLECTIONS)


def pytest_sessionfinish(session, exitstatus):
    """With SITEMESH_FAIL_ON_SKIP=1 (scripts/test.sh), a skipped test fails the run.

    The test command installs everything the tests need; a skip there means a proof went quiet
    (no wireguard-go, no network namespaces, no podman) while the step would stay green.
    """
    if os.environ.get('SITEMESH_FAIL_ON_SKIP') != '1' or exitstatus != 0:
        return
    reporter = session.config.pluginmanager.get_plugin('terminalreporter')
    skipped = reporter.stats.get('skipped', []) if reporter is not None else []
    if skipped:
        reporter.write_line('SITEMESH_FAIL_ON_SKIP: %d test(s) skipped, each must run here: failing the run'
                            % len(skipped), red=True)
        session.exitstatus = 1
