# Note that this module util is **PRIVATE** to the collection. It can have breaking changes at any time.
# Do not use this from other collections or standalone plugins/modules!

# Copyright (c) 2026, sitemesh.wireguard contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""The life of a wg-quick config file (wg_interface, wg_peer): load it, diff it with keys redacted,
validate and install it safely."""

from __future__ import annotations

import os
from contextlib import contextmanager

from ansible_collections.sitemesh.wireguard.plugins.module_utils._config import (
    ConfigError,
    normalize,
    parse,
    redact,
    render,
)
from ansible_collections.sitemesh.wireguard.plugins.module_utils._files import (
    file_mode,
    interface_name_from_path,
    read_text,
    remove_file,
    write_secure,
)
from ansible_collections.sitemesh.wireguard.plugins.module_utils._runner import ENV


def config_file_options():
    """The argument spec both config-file modules share (wg_interface, wg_peer): state and config_path."""
    return dict(
        state=dict(type='str', default='present', choices=['present', 'absent']),
        config_path=dict(type='path'),
    )


def load_config(module, path):
    """(text, model) of an existing config file: model is None when missing, the ConfigError when it
    does not parse. Its keys are added to the module's no_log values."""
    try:
        text = read_text(path)
    except (IOError, OSError) as exc:
        module.fail_json(msg='Cannot read %s: %s' % (path, exc.strerror))
    if text is None:
        return None, None
    try:
        model = parse(text)
    except ConfigError as exc:
        return text, exc
    secrets = [model['interface']['private_key']] + [p['preshared_key'] for p in model['peers']]
    module.no_log_values.update(s for s in secrets if s)
    return text, model


def config_diff(path, before, after, module_name):
    """A diff of two models (or None for a missing file), secrets redacted."""
    def text(model, other):
        if model is None:
            return ''
        if isinstance(model, Exception):
            return '# the existing file does not parse: %s\n' % model
        return render(redact(model, other if isinstance(other, dict) else None), module_name, redacted=True)
    return {
        'before_header': '%s (keys redacted)' % path,
        'after_header': '%s (keys redacted)' % path,
        'before': text(before, after),
        'after': text(after, before),
    }


def wg_quick_strip(module, path):
    """``wg-quick strip PATH``: (rc, stripped text, error)."""
    wg_quick = module.get_bin_path('wg-quick')
    if not wg_quick:
        return 1, '', 'wg-quick is not installed'
    return module.run_command([wg_quick, 'strip', path], environ_update=ENV)


def config_validator(module, model):
    """A ``validate`` callback for write_secure: our own parse must give back ``model``, and
    ``wg-quick strip`` (when installed) must accept the file."""
    def validate(tmp_path):
        try:
            if parse(read_text(tmp_path)) != normalize(model):
                return 'the rendered file does not parse back to the requested configuration'
        except ConfigError as exc:
            return str(exc)
        if module.get_bin_path('wg-quick'):
            rc, dummy, err = wg_quick_strip(module, tmp_path)
            if rc != 0:
                return 'wg-quick strip: %s' % err.strip()
        return None
    return validate


def install_config(module, path, before, after, module_name, backup, text=None):
    """Write ``after`` to ``path`` when it differs from ``before`` (or the mode is not 0600).

    ``text`` is the content to write (it must parse to ``after``); rendered from ``after`` when None.
    Returns (changed, backup_file). Nothing is written in check mode.
    """
    if interface_name_from_path(path) is None:
        module.fail_json(msg='%s: the file name must be an interface name (at most 15 of a-z A-Z 0-9 _=+.-) '
                             'followed by .conf, as wg-quick requires' % path)
    # a link is rewritten as a file of its own (write_secure), never chmod-ed through
    if isinstance(before, dict) and before == normalize(after) and not os.path.islink(path):
        if file_mode(path) != 0o600:
            if not module.check_mode:
                os.chmod(path, 0o600)
            return True, None
        return False, None
    if module.check_mode:
        return True, None
    backup_file = write_secure(module, path, text if text is not None else render(after, module_name), backup=backup,
                               validate=config_validator(module, after))
    return True, backup_file


class _UndoFailed(Exception):
    """A command of the undo failed (its fail_json, turned into an exception)."""


@contextmanager
def previous_file_on_failure(module, path, text, installed, undo=None):
    """Within the block, a failure of the module first puts back the previous ``text`` of ``path``
    (removes the file when there was none) and says so: a live apply that fails after the new file was
    installed leaves the last good config in place. ``undo`` (optional) then brings the running state
    back to that config, as far as it can, and returns what it did; its own failure is reported, never
    hides the first one. Nothing is done when nothing was ``installed``."""
    if not installed or module.check_mode:
        yield
        return
    fail = module.fail_json

    def undo_failed(msg='', **kwargs):
        raise _UndoFailed(msg)

    def restore_and_fail(msg='', **kwargs):
        if text is None:
            remove_file(module, path)
            notes = ['the new %s was removed (there was none before)' % path]
        else:
            write_secure(module, path, text)
            notes = ['the previous %s was put back' % path]
        if undo is not None:
            module.fail_json = undo_failed
            try:
                notes.append(undo())
            except _UndoFailed as exc:
                notes.append('putting the running state back failed too: %s' % exc)
        module.fail_json = fail
        fail(msg='%s; %s' % (msg, '; '.join(n for n in notes if n)), **kwargs)

    module.fail_json = restore_and_fail
    try:
        yield
    finally:
        module.fail_json = fail
