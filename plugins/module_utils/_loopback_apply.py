# Note that this module util is **PRIVATE** to the collection. It can have breaking changes at any time.
# Do not use this from other collections or standalone plugins/modules!

# Copyright (c) 2026, sitemesh.wireguard contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""The logic of sitemesh.wireguard.wg_loopback: read the aliases file and ``lo``, plan, write the file,
execute, read and plan again."""

from __future__ import annotations

from ansible_collections.sitemesh.wireguard.plugins.module_utils._actions import live_diff
from ansible_collections.sitemesh.wireguard.plugins.module_utils._execute import execute, verify
from ansible_collections.sitemesh.wireguard.plugins.module_utils._files import read_text, remove_file
from ansible_collections.sitemesh.wireguard.plugins.module_utils._live import read_addresses
from ansible_collections.sitemesh.wireguard.plugins.module_utils._loopback import (
    check_aliases,
    default_path,
    plan_loopback,
)
from ansible_collections.sitemesh.wireguard.plugins.module_utils._site_files import differs, read_file, write_one

FILE_MODE = 0o644
ROOT = (0, 0)   # the aliases file is root's, as ifupdown's own files


def _read(module, path):
    try:
        return read_text(path)
    except (IOError, OSError) as exc:
        module.fail_json(msg='Cannot read %s: %s' % (path, exc.strerror))


def _file_differs(path, content):
    seen = read_file(path)
    if content is None:
        return seen is not None
    return differs(dict(dest=path, content=content, mode=FILE_MODE), seen, ROOT)


def _write_file(module, path, content):
    if content is None:
        remove_file(module, path)
        return
    try:
        write_one(module, dict(dest=path, content=content, mode=FILE_MODE), ROOT)
    except (IOError, OSError) as exc:
        module.fail_json(msg='Cannot write %s: %s' % (path, exc.strerror or exc))


def run_loopback(module):
    params = module.params
    path = params['path'] or default_path(params['interface'])
    try:
        aliases = check_aliases(params['aliases'] or [])
    except ValueError as exc:
        module.fail_json(msg=str(exc))
    text = _read(module, path)
    actions, content = plan_loopback(aliases, text, read_addresses(module, 'lo'))
    file_changed = _file_differs(path, content)
    if file_changed and not module.check_mode:
        _write_file(module, path, content)
    execute(module, actions)
    if (actions or file_changed) and not module.check_mode:
        after = _read(module, path)
        remaining, dummy = plan_loopback(aliases, after, read_addresses(module, 'lo'))
        if _file_differs(path, content):
            module.fail_json(msg='%s does not hold what was written' % path)
        verify(module, 'The loopback aliases of %s' % params['interface'], remaining)
    result = {
        'changed': file_changed or bool(actions),
        'path': path,
        'aliases_added': [item for a in actions for key, item in a.changes if key == 'addresses_added'],
        'aliases_removed': [item for a in actions for key, item in a.changes if key == 'addresses_removed'],
    }
    if module._diff:
        result['diff'] = {'before_header': path, 'after_header': path, 'before': text or '', 'after': content or ''}
        prepared = live_diff(actions, 'lo')
        if prepared:
            result['diff']['prepared'] = prepared
    module.exit_json(**result)
