# Copyright (c) 2026, sitemesh.wireguard contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Run the modules for real: in this process (patch_module_args, SystemExit, stdout JSON) or, for a
network namespace, as a subprocess under ``ip netns exec``."""

from __future__ import annotations

import contextlib
import importlib
import json
import os
import shutil
import subprocess
import sys
import tempfile

import pytest

try:
    from ansible.module_utils.testing import patch_module_args
except ImportError:  # ansible-core < 2.19 (tests/requirements-oldest.txt): the way modules read their args there
    from unittest import mock

    from ansible.module_utils import basic

    @contextlib.contextmanager
    def patch_module_args(args=None):
        with mock.patch.object(basic, '_ANSIBLE_ARGS', json.dumps({'ANSIBLE_MODULE_ARGS': args or {}}).encode()):
            yield

REPO = os.path.abspath(os.path.join(os.path.dirname(__file__), '..', '..', '..', '..'))
COLLECTIONS = os.path.join(REPO, '.tmp', 'collections')
MODULES = 'ansible_collections.sitemesh.wireguard.plugins.modules.'


class ModuleRun(object):
    def __init__(self, result, raw, rc):
        self.result = result
        self.raw = raw
        self.rc = rc

    def __getitem__(self, key):
        return self.result[key]

    def get(self, key, default=None):
        return self.result.get(key, default)


def _special(args, check, diff):
    args = dict(args)
    args['_ansible_check_mode'] = check
    args['_ansible_diff'] = diff
    return args


@pytest.fixture
def run_module(capsys):
    """run_module('wg_keypair', {...}, check=False, diff=False) -> ModuleRun (result, raw stdout)."""
    def runner(name, args, check=False, diff=False):
        module = importlib.import_module(MODULES + name)
        with patch_module_args(_special(args, check, diff)):
            with pytest.raises(SystemExit) as exc:
                module.main()
        out = capsys.readouterr().out
        return ModuleRun(json.loads(out), out, exc.value.code)
    return runner


def run_module_process(name, args, netns=None, check=False, diff=False, prefix=None):
    """The module as Ansible runs it: a Python process reading its args from a JSON file.

    ``prefix`` is an argv put before the Python command (inside ``ip netns exec``).
    """
    with tempfile.NamedTemporaryFile('w', suffix='.json', delete=False) as handle:
        json.dump({'ANSIBLE_MODULE_ARGS': _special(args, check, diff)}, handle)
    path = os.path.join(REPO, 'plugins', 'modules', name + '.py')
    argv = list(prefix or []) + [sys.executable, path, handle.name]
    if netns:
        argv = ['ip', 'netns', 'exec', netns] + argv
    env = dict(os.environ, PYTHONPATH=COLLECTIONS)
    try:
        proc = subprocess.run(argv, capture_output=True, text=True, env=env, timeout=60, check=False)
    finally:
        os.unlink(handle.name)
    try:
        result = json.loads(proc.stdout)
    except ValueError:
        raise AssertionError('module printed no JSON: %s %s' % (proc.stdout, proc.stderr))
    return ModuleRun(result, proc.stdout, proc.returncode)


@pytest.fixture
def wg_key():
    """wg_key() -> (private, public), made with the real wg."""
    if not shutil.which('wg'):
        pytest.skip('wg (wireguard-tools) is not installed')

    def make():
        private = subprocess.run(['wg', 'genkey'], capture_output=True, text=True, check=True).stdout.strip()
        public = subprocess.run(['wg', 'pubkey'], input=private, capture_output=True, text=True,
                                check=True).stdout.strip()
        return private, public
    return make


@pytest.fixture
def wgdir(tmp_path):
    """A /etc/wireguard-like directory whose config names are valid for wg-quick."""
    path = tmp_path / 'wireguard'
    return path


@pytest.fixture(autouse=True)
def _remove_interface_locks():
    """wg_interface leaves /run/sitemesh-wireguard-<if>.lock (an empty lock file); remove the ones a test made."""
    import glob
    before = set(glob.glob('/run/sitemesh-wireguard-*.lock'))
    yield
    for path in set(glob.glob('/run/sitemesh-wireguard-*.lock')) - before:
        try:
            os.unlink(path)
        except OSError:
            pass
