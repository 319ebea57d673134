# Note that this module util is **PRIVATE** to the collection. It can have breaking changes at any time.
# Do not use this from other collections or standalone plugins/modules!

# Copyright (c) 2026, sitemesh.wireguard contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""The logic of sitemesh.wireguard.wg_keypair: a private key that is made on, and stays on, the host."""

from __future__ import annotations

import os

from ansible_collections.sitemesh.wireguard.plugins.module_utils._files import (
    file_mode,
    key_path,
    read_text,
    remove_file,
    write_secure,
)
from ansible_collections.sitemesh.wireguard.plugins.module_utils._keys import (
    generate_private_key,
    is_valid_key,
    public_key_of,
)


def _describe(public_key, present):
    if not present:
        return 'key absent\n'
    return 'key present\npublic_key: %s\n' % (public_key or '(new key, known after the run)')


def run_keypair(module):
    params = module.params
    path = params['path'] or key_path(params['interface'])
    try:
        mode = int(str(params['mode']), 8)
    except ValueError:
        module.fail_json(msg='mode must be an octal number such as 0600, not %r' % params['mode'])
    result = {'changed': False, 'path': path, 'public_key': None}

    try:
        text = read_text(path)
    except (IOError, OSError) as exc:
        module.fail_json(msg='Cannot read %s: %s' % (path, exc.strerror), **result)
    existing = text.strip() if text is not None else None
    if existing:
        module.no_log_values.add(existing)
    valid = existing is not None and is_valid_key(existing)
    before_public = public_key_of(module, existing) if valid else None

    if params['state'] == 'absent':
        result['changed'] = text is not None
        if result['changed'] and not module.check_mode:
            remove_file(module, path)
        after = ('', False)
    else:
        if existing is not None and not valid and params['regenerate'] != 'always':
            module.fail_json(msg='%s exists but does not hold a WireGuard private key (32 bytes, base64); '
                                 'it was left alone: fix or remove it, or use regenerate=always' % path, **result)
        if text is None or params['regenerate'] == 'always':
            result['changed'] = True
            if not module.check_mode:
                key = generate_private_key(module)
                module.no_log_values.add(key)
                write_secure(module, path, key + '\n', mode=mode)
                result['public_key'] = public_key_of(module, key)
        else:
            result['public_key'] = before_public
            if file_mode(path) != mode:
                result['changed'] = True
                if not module.check_mode:
                    os.chmod(path, mode)
        after = (result['public_key'], True)

    if module._diff:
        result['diff'] = {
            'before_header': '%s (private key redacted)' % path,
            'after_header': '%s (private key redacted)' % path,
            'before': _describe(before_public, text is not None),
            'after': _describe(*after),
        }
    module.exit_json(**result)
