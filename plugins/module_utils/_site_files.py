# Note that this module util is **PRIVATE** to the collection. It can have breaking changes at any time.
# Do not use this from other collections or standalone plugins/modules!

# Copyright (c) 2026, sitemesh.wireguard contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""The logic of sitemesh.wireguard.wg_site_files: the roles' small files (apt source and pin, timer units and
scripts, forwarding and NAT) written or removed in one task, so in one round trip, where ``copy`` in a loop
costs several per file. Plan (which differ), validate every new content before any file is touched, write
each atomically, remove, then read everything back."""

from __future__ import annotations

import errno
import grp
import os
import pwd
import shlex
import shutil
import tempfile

from ansible_collections.sitemesh.wireguard.plugins.module_utils._files import (
    file_mode,
    remove_file,
    write_secure,
)


def parse_mode(mode, dest):
    """An octal mode from the task (``'0644'``, ``'644'`` or the int 420)."""
    if isinstance(mode, int):
        value = mode
    else:
        try:
            value = int(str(mode), 8)
        except ValueError:
            raise ValueError('%s: mode %r is not an octal number' % (dest, mode))
    if not 0 <= value <= 0o7777:
        raise ValueError('%s: mode %r is out of range' % (dest, mode))
    return value


def _ids(module, owner, group):
    try:
        uid = pwd.getpwnam(owner).pw_uid
    except KeyError:
        module.fail_json(msg='owner %s: no such user on this host' % owner)
    try:
        gid = grp.getgrnam(group).gr_gid
    except KeyError:
        module.fail_json(msg='group %s: no such group on this host' % group)
    return uid, gid


def read_file(path):
    """What a file has: {content, mode, uid, gid}, or None when it is missing. The content is its bytes as
    text, line ends untouched (a CRLF differs from LF, as in wg_site_facts' checksum); a symbolic link (a
    masked unit is one to /dev/null) is not the wanted file, whatever it points to."""
    try:
        if os.path.islink(path):
            return {'content': None, 'mode': None, 'uid': None, 'gid': None}
        with open(path, 'rb') as handle:
            content = handle.read().decode('utf-8')
        stat = os.stat(path)
    except (IOError, OSError, UnicodeDecodeError) as exc:
        if getattr(exc, 'errno', None) == errno.ENOENT:
            return None
        return {'content': None, 'mode': file_mode(path), 'uid': None, 'gid': None}   # unreadable: rewritten
    return {'content': content, 'mode': stat.st_mode & 0o7777, 'uid': stat.st_uid, 'gid': stat.st_gid}


def differs(want, seen, ids):
    """Whether the file read (``seen``) differs from ``want`` ({dest, content, mode}) owned by ``ids``."""
    return seen is None or (seen['content'], seen['mode'], (seen['uid'], seen['gid'])) != \
        (want['content'], want['mode'], ids)


def write_one(module, item, ids):
    """Write ``item`` ({dest, content, mode}) owned by ``ids``; a symbolic link at its path is replaced by the
    file, never written (or chmod-ed) through (write_secure). An OS error is raised to the caller."""
    write_secure(module, item['dest'], item['content'], mode=item['mode'], dir_mode=0o755)
    stat = os.stat(item['dest'])
    if (stat.st_uid, stat.st_gid) != ids:
        os.chown(item['dest'], ids[0], ids[1])


def plan(files, absent, ids):
    """(the wanted files that differ, the absent paths that exist, what each path had)."""
    seen = dict((item['dest'], read_file(item['dest'])) for item in files)
    seen.update((path, read_file(path)) for path in absent if path not in seen)
    write = [item for item in files if differs(item, seen[item['dest']], ids)]
    remove = [path for path in absent if seen[path] is not None]
    return write, remove, seen


def _validate(module, item):
    """The error of ``item['validate']`` run on a copy of the new content (None when it passes). The copy has
    the file's own name, in a private temporary directory: nothing is written beside the real file."""
    command = item.get('validate')
    if not command:
        return None
    if '%s' not in command:
        module.fail_json(msg='%s: validate must contain %%s (the path of the file to check): %s' % (item['dest'], command))
    program = shlex.split(command)[0]
    if module.get_bin_path(program) is None:
        if module.check_mode:   # a fresh site in --check: the package that brings it is not installed yet
            return None
        return '%s is not installed on this host' % program
    tmpdir = tempfile.mkdtemp(prefix='sitemesh-validate-')
    try:
        tmp = os.path.join(tmpdir, os.path.basename(item['dest']))
        with open(tmp, 'w') as handle:
            handle.write(item['content'])
        rc, out, err = module.run_command(command % tmp)
    finally:
        shutil.rmtree(tmpdir, ignore_errors=True)
    if rc == 0:
        return None
    return '%s (rc=%d): %s' % (command, rc, (err or out).strip())


def _diff(path, before, after):
    def text(state):
        if state is None:
            return ''
        return state['content'] if state['content'] is not None else '(unreadable)\n'
    diff = {'before_header': path, 'after_header': path, 'before': text(before), 'after': text(after)}
    if before is not None and after is not None and before['content'] == after['content']:
        diff['before'] = 'mode %04o, owner %s:%s\n' % (before['mode'] or 0, before['uid'], before['gid'])
        diff['after'] = 'mode %04o, owner %s:%s\n' % (after['mode'], after['uid'], after['gid'])
    return diff


def run_site_files(module):
    params = module.params
    try:
        files = [dict(dest=item['dest'], content=item['content'], mode=parse_mode(item['mode'], item['dest']),
                      validate=item.get('validate'))
                 for item in params['files']]
    except ValueError as exc:
        module.fail_json(msg=str(exc))
    dests = [item['dest'] for item in files]
    both = sorted(set(dests) & set(params['absent']))
    if len(set(dests)) != len(dests) or both:
        module.fail_json(msg='a path is wanted twice, or both written and removed: %s'
                         % ', '.join(both or sorted(set(d for d in dests if dests.count(d) > 1))))
    ids = _ids(module, params['owner'], params['group'])
    write, remove, seen = plan(files, params['absent'], ids)

    errors = ['%s: %s' % (item['dest'], error) for item, error in ((item, _validate(module, item)) for item in write)
              if error]
    if errors:
        module.fail_json(msg='not valid, no file was written: %s' % '; '.join(errors))

    result = dict(changed=bool(write or remove), written=[item['dest'] for item in write], removed=remove)
    if module._diff:
        result['diff'] = ([_diff(item['dest'], seen[item['dest']],
                                 dict(content=item['content'], mode=item['mode'], uid=ids[0], gid=ids[1]))
                           for item in write]
                          + [_diff(path, seen[path], None) for path in remove])
    if module.check_mode or not result['changed']:
        module.exit_json(**result)

    done = []
    try:
        for item in write:
            write_one(module, item, ids)
            done.append(item['dest'])
    except (IOError, OSError) as exc:
        module.fail_json(msg='cannot write %s: %s (written before it: %s)' % (
            item['dest'], exc.strerror or exc, ', '.join(done) or 'none'), **dict(result, written=done, removed=[]))
    for path in remove:
        remove_file(module, path)

    # Read back: success is reported only for the state found after the writes.
    still, left, dummy = plan(files, params['absent'], ids)
    if still or left:
        module.fail_json(msg='after writing, still different: %s' % ', '.join(
            [item['dest'] for item in still] + ['%s (not removed)' % path for path in left]), **result)
    module.exit_json(**result)
