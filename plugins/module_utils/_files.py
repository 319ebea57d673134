# Note that this module util is **PRIVATE** to the collection. It can have breaking changes at any time.
# Do not use this from other collections or standalone plugins/modules!

# Copyright (c) 2026, sitemesh.wireguard contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Files on the site: the one place for the paths of an interface's config and key, and the writes
that never expose a key (0600 from the first byte, directory 0700, validated, atomic rename)."""

from __future__ import annotations

import contextlib
import errno
import fcntl
import os
import re
import shutil
import tempfile
import time

CONFIG_DIR = '/etc/wireguard'
IFNAME_RE = re.compile(r'^[a-zA-Z0-9_=+.-]{1,15}$')


def config_path(name):
    """The wg-quick configuration of interface ``name`` (the file wg-quick@NAME reads)."""
    return '%s/%s.conf' % (CONFIG_DIR, name)


def key_path(name):
    """The private key file of interface ``name``."""
    return '%s/%s.key' % (CONFIG_DIR, name)


LOCK_TIMEOUT = 120


class LockTimeout(Exception):
    pass


def lock_path(name):
    """The lock that ``wg_keypair``, ``wg_interface`` and ``wg_peer`` hold while they read and act on ``name``,
    and that the role's watchdog and DNS timers take first (they skip their turn while it is held)."""
    return '/run/sitemesh-wireguard-%s.lock' % name


@contextlib.contextmanager
def interface_lock(name, path=None, timeout=LOCK_TIMEOUT, module=None):
    """Hold ``lock_path(name)``, waiting for a watchdog that is bringing the link back, but not forever: after
    ``timeout`` seconds the module fails naming the lock (``LockTimeout`` without a module). Nothing when the
    lock file cannot be made (no /run, not root)."""
    path = path or lock_path(name)
    try:
        handle = open(path, 'a')
    except (IOError, OSError):
        yield
        return
    try:
        deadline = time.time() + timeout
        while True:
            try:
                fcntl.flock(handle.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except (IOError, OSError) as exc:
                if exc.errno not in (errno.EAGAIN, errno.EACCES):
                    raise
            if time.time() >= deadline:
                msg = ('%s is held by another process for more than %g s (a run on this host, or its watchdog): '
                       'nothing was changed' % (path, timeout))
                if module is not None:
                    module.fail_json(msg=msg)
                raise LockTimeout(msg)
            time.sleep(0.1)
        yield
    finally:
        handle.close()


def interface_name_from_path(path):
    """The interface name wg-quick derives from a config path, or None when it cannot."""
    base = os.path.basename(path)
    if not base.endswith('.conf') or not IFNAME_RE.match(base[:-5]):
        return None
    return base[:-5]


def read_text(path):
    """The text of ``path`` or None when it does not exist."""
    try:
        with open(path, 'r') as handle:
            return handle.read()
    except (IOError, OSError) as exc:
        if exc.errno == errno.ENOENT:
            return None
        raise


def file_mode(path):
    try:
        return os.stat(path).st_mode & 0o7777
    except OSError:
        return None


def ensure_directory(module, directory, mode=0o700):
    """Create ``directory`` (and parents) with ``mode`` when it is missing. Returns changed."""
    if os.path.isdir(directory):
        return False
    try:
        os.makedirs(directory, mode)
        os.chmod(directory, mode)
    except OSError as exc:
        module.fail_json(msg='Cannot create the directory %s: %s' % (directory, exc.strerror))
    return True


def _write_private(tmp, content):
    """A new file, 0600 from its first byte (O_CREAT|O_EXCL), holding content (text or bytes)."""
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, 'wb' if isinstance(content, bytes) else 'w') as handle:
        handle.write(content)
        handle.flush()
        os.fsync(handle.fileno())


def write_secure(module, path, content, mode=0o600, backup=False, validate=None, dir_mode=0o700):
    """Write ``content`` to ``path`` so that it is never readable by others.

    The new content goes to ``<dir>/.<random>/<basename>``: a private temp directory in the
    target's directory whose file is created ``O_CREAT|O_EXCL`` with mode 0600 (so a
    ``wg-quick strip`` validation sees a ``NAME.conf`` path). ``validate(tmp_path)`` may return
    an error message: the module then fails and the old file stays untouched. A symbolic link at
    ``path`` is replaced by the file, its target untouched. A missing directory is made with
    ``dir_mode``. Returns the backup file name, if any.
    """
    directory = os.path.dirname(os.path.abspath(path))
    ensure_directory(module, directory, dir_mode)
    tmpdir = tempfile.mkdtemp(prefix='.ansible-wg-', dir=directory)
    tmp = os.path.join(tmpdir, os.path.basename(path))
    backup_file = None
    try:
        _write_private(tmp, content)
        error = validate(tmp) if validate is not None else None
        if error:
            module.fail_json(msg='The new content of %s is not valid, the file was left as it was: %s' % (path, error))
        if backup and os.path.exists(path):
            backup_file = module.backup_local(path)
        if os.path.exists(path) and not os.path.islink(path):
            # atomic_move gives the new file the old file's mode: make that mode private first
            os.chmod(path, 0o600)
            module.atomic_move(tmp, os.path.abspath(path))
        else:
            # A new file: atomic_move would apply the umask, a rename keeps the 0600 of tmp. A link: the rename
            # replaces it at once, never written or chmod-ed through (a masked unit is a link to /dev/null; a key
            # written through a link would land wherever it points), as copy does by default.
            os.rename(tmp, path)
        if mode != 0o600:
            os.chmod(path, mode)
    finally:
        shutil.rmtree(tmpdir, ignore_errors=True)
    return backup_file


def replace_file(path, content, mode):
    """Write content (text or bytes) to path by an atomic rename (no module: for the controller's own files),
    0600 until it is renamed, then ``mode``. The directory must exist."""
    tmpdir = tempfile.mkdtemp(prefix='.sitemesh-', dir=os.path.dirname(os.path.abspath(path)))
    try:
        tmp = os.path.join(tmpdir, os.path.basename(path))
        _write_private(tmp, content)
        os.chmod(tmp, mode)
        os.rename(tmp, path)
    finally:
        shutil.rmtree(tmpdir, ignore_errors=True)


def replace_private(path, content):
    """Write content (text or bytes) to path, 0600 from the first byte, by an atomic rename (no module:
    for the controller's own files). The directory must exist. Returns whether the content changed."""
    old = None
    try:
        with open(path, 'rb') as handle:
            old = handle.read()
    except (IOError, OSError) as exc:
        if exc.errno != errno.ENOENT:
            raise
    new = content if isinstance(content, bytes) else content.encode('utf-8')
    if old == new and file_mode(path) == 0o600:
        return False
    replace_file(path, content, 0o600)
    return True


def remove_file(module, path):
    """Remove ``path``; returns whether it was there."""
    try:
        os.unlink(path)
    except OSError as exc:
        if exc.errno != errno.ENOENT:
            module.fail_json(msg='Cannot remove %s: %s' % (path, exc.strerror))
        return False
    return True
