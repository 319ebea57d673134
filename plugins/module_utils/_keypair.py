# Note that this module util is **PRIVATE** to the collection. It can have breaking changes at any time.
# Do not use this from other collections or standalone plugins/modules!

# Copyright (c) 2026, sitemesh.wireguard contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""The logic of sitemesh.wireguard.wg_keypair: a private key that is made on, and stays on, the host.

A key file deleted while its interface runs is written back from the interface (``wg show NAME
private-key``, read on the host): the site keeps its public key and no peer has to change.
"""

from __future__ import annotations

import os

from ansible_collections.sitemesh.wireguard.plugins.module_utils._files import (
    file_mode,
    interface_lock,
    key_path,
    read_text,
    remove_file,
    write_secure,
)
from ansible_collections.sitemesh.wireguard.plugins.module_utils._keys import (
    check_key,
    generate_private_key,
    is_valid_key,
    public_key_of,
)
from ansible_collections.sitemesh.wireguard.plugins.module_utils._runner import read

RESTORED = 'restored from the running interface'


def _describe(public_key, present, origin=None):
    if not present:
        return 'key absent\n'
    text = 'key present\npublic_key: %s\n' % (public_key or '(new key, known after the run)')
    return text + ('origin: %s\n' % origin if origin else '')


def live_private_key(module, interface):
    """The private key of the running ``interface`` (``wg show NAME private-key``), None when it is not
    running, has no key or wg is missing. The key is added to the module's no_log values."""
    out = read(module, ['wg', 'show', interface, 'private-key'])
    key, why = check_key(out) if out.strip() else (None, 'no key')
    if key:
        module.no_log_values.add(key)
    return key if why is None else None


def _new_key(module, path, mode, result):
    """A missing key (or regenerate=always): from the running interface when it has one, else made here."""
    params = module.params
    result['changed'] = True
    live_key = None
    if params['regenerate'] != 'always' and params['restore_from_interface']:
        live_key = live_private_key(module, params['interface'])
    if live_key:
        result['restored'] = True
        result['public_key'] = public_key_of(module, live_key)
        if not module.check_mode:
            write_secure(module, path, live_key + '\n', mode=mode)
        return RESTORED
    if not module.check_mode:
        key = generate_private_key(module)
        write_secure(module, path, key + '\n', mode=mode)
        result['public_key'] = public_key_of(module, key)
    return None


def _present(module, path, mode, text, valid, before_public, result):
    """state=present: returns the origin of the key when it is new (shown in the diff)."""
    if text is not None and not valid and module.params['regenerate'] != 'always':
        module.fail_json(msg='%s exists but does not hold a WireGuard private key (32 bytes, base64); '
                             'it was left alone: fix or remove it, or use regenerate=always' % path, **result)
    if text is None or module.params['regenerate'] == 'always':
        return _new_key(module, path, mode, result)
    result['public_key'] = before_public
    if os.path.islink(path):   # the key stays, in a file of its own: never chmod-ed through a link
        result['changed'] = True
        if not module.check_mode:
            write_secure(module, path, text, mode=mode)
    elif file_mode(path) != mode:
        result['changed'] = True
        if not module.check_mode:
            os.chmod(path, mode)
    return None


def run_keypair(module):
    """The module's run, holding the interface's lock: a key is never read or written while wg_interface or
    the watchdog acts on the interface."""
    with interface_lock(module.params['interface'], module=module):
        _run_keypair(module)


def _run_keypair(module):
    params = module.params
    path = params['path'] or key_path(params['interface'])
    try:
        mode = int(str(params['mode']), 8)
    except ValueError:
        module.fail_json(msg='mode must be an octal number such as 0600, not %r' % params['mode'])
    result = {'changed': False, 'path': path, 'public_key': None, 'restored': False}

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
        origin = _present(module, path, mode, text, valid, before_public, result)
        after = (result['public_key'], True, origin)
        if origin:
            result['msg'] = '%s was missing - %s' % (path, origin)

    if module._diff:
        result['diff'] = {
            'before_header': '%s (private key redacted)' % path,
            'after_header': '%s (private key redacted)' % path,
            'before': _describe(before_public, text is not None),
            'after': _describe(*after),
        }
    module.exit_json(**result)
