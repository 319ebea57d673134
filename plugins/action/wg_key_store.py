# Copyright (c) 2026, sitemesh.wireguard contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""The controller side of sitemesh.wireguard.wg_key_store: one site's public key kept in the controller's key
store (``<store>/<host>.pub``), written in this process: no module, no fork, no connection (a ``copy`` delegated
to localhost runs two modules)."""

from __future__ import annotations

import os

from ansible.errors import AnsibleError
from ansible.module_utils.common.arg_spec import ArgumentSpecValidator

from ansible_collections.sitemesh.wireguard.plugins.module_utils._files import file_mode, read_text, replace_file
from ansible_collections.sitemesh.wireguard.plugins.module_utils._keys import check_key
from ansible_collections.sitemesh.wireguard.plugins.plugin_utils._action_args import ControllerAction

_ARGS = ArgumentSpecValidator({
    'store': {'type': 'path', 'required': True},
    'host': {'type': 'str'},
    'public_key': {'type': 'str', 'required': True},
})


class ActionModule(ControllerAction):
    """Write ``<store>/<host>.pub`` (mode 0644, the store 0755) when it does not hold ``public_key``."""

    NAME = 'wg_key_store'
    ARGS = _ARGS

    def run(self, tmp=None, task_vars=None):
        task_vars = task_vars or {}
        result, args = self.begin(tmp, task_vars)
        host = args['host'] or task_vars.get('inventory_hostname')
        if not host or '/' in host or host.startswith('.'):
            raise AnsibleError('wg_key_store: %r cannot name a file of the key store' % (host,))
        key, why = check_key(args['public_key'])
        if why:
            raise AnsibleError('wg_key_store: the public key of %s %s' % (host, why))
        store = args['store']
        path = os.path.join(store, '%s.pub' % host)
        try:
            before = read_text(path)
        except (IOError, OSError) as exc:
            raise AnsibleError('wg_key_store: cannot read %s: %s' % (path, exc.strerror)) from None
        content = key + '\n'
        changed = before != content or file_mode(path) != 0o644
        result.update(changed=changed, path=path, public_key=key)
        if self._task.diff and changed:
            result['diff'] = {'before_header': path, 'after_header': path, 'before': before or '', 'after': content}
        if changed and not self._task.check_mode:
            try:
                if not os.path.isdir(store):
                    # the sites of a run write at once (forks): another may make the store in between
                    os.makedirs(store, 0o755, exist_ok=True)
                    os.chmod(store, 0o755)
                replace_file(path, content, 0o644)
            except (IOError, OSError) as exc:
                raise AnsibleError('wg_key_store: cannot write %s: %s' % (path, exc.strerror)) from None
            if read_text(path) != content:   # read back: a success is reported only for what is there
                raise AnsibleError('wg_key_store: %s does not hold the key written' % path)
        return result
