# Copyright (c) 2026, sitemesh.wireguard contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The interface lock (/run/sitemesh-wireguard-<if>.lock), held by another real process with flock(1): every
module that reads or writes an interface's key, config or live state waits for it, and not forever."""

from __future__ import annotations

import os
import shutil
import subprocess
import time

import pytest

from conftest import run_module_process

from ansible_collections.sitemesh.wireguard.plugins.module_utils._files import LockTimeout, interface_lock, lock_path

pytestmark = pytest.mark.skipif(os.geteuid() != 0 or not shutil.which('flock'), reason='needs root (/run) and flock(1)')


def hold(name, seconds):
    """Another process holding the lock for ``seconds`` (as a watchdog bringing the link back would)."""
    holder = subprocess.Popen(['flock', '-o', lock_path(name), 'sleep', str(seconds)])   # -o: the lock is flock's own
    deadline = time.time() + 5
    while subprocess.run(['flock', '-n', lock_path(name), 'true'], check=False).returncode == 0:
        assert time.time() < deadline, 'flock(1) did not take the lock'
        time.sleep(0.05)
    return holder


def test_wg_keypair_waits_for_the_lock_then_makes_the_key(wgdir):
    name = 'wglock%d' % (os.getpid() % 10000)
    path = wgdir / ('%s.key' % name)
    holder = hold(name, 2)
    start = time.time()
    res = run_module_process('wg_keypair', {'path': str(path), 'interface': name})
    waited = time.time() - start
    holder.wait()
    assert res.rc == 0 and res['changed'] is True, res.result
    assert waited >= 1.0, 'wg_keypair did not wait for the lock (%.2f s)' % waited
    assert path.exists()


def test_wg_peer_waits_for_the_lock(wgdir, wg_key):
    name = 'wglock%d' % (os.getpid() % 10000 + 1)
    conf = wgdir / ('%s.conf' % name)
    wgdir.mkdir(mode=0o700)
    conf.write_text('[Interface]\nPrivateKey = %s\n' % wg_key()[0])
    holder = hold(name, 2)
    start = time.time()
    res = run_module_process('wg_peer', {'interface': name, 'config_path': str(conf), 'live': False,
                                         'public_key': wg_key()[1], 'allowed_ips': ['10.9.0.0/24']})
    waited = time.time() - start
    holder.wait()
    assert res.rc == 0 and res['changed'] is True, res.result
    assert waited >= 1.0, 'wg_peer did not wait for the lock (%.2f s)' % waited
    assert '10.9.0.0/24' in conf.read_text()


def test_the_wait_has_a_deadline_naming_the_lock():
    name = 'wglock%d' % (os.getpid() % 10000 + 2)
    holder = hold(name, 5)
    try:
        start = time.time()
        with pytest.raises(LockTimeout) as failed:
            with interface_lock(name, timeout=0.5):
                raise AssertionError('the lock was taken while another process held it')
        assert 0.5 <= time.time() - start < 3
        assert lock_path(name) in str(failed.value) and 'nothing was changed' in str(failed.value)
    finally:
        holder.kill()
        holder.wait()
    with interface_lock(name, timeout=0.5):   # free again: taken at once
        pass
