# -*- coding: utf-8 -*-
# Copyright (c) 2026, sitemesh.wireguard maintainers
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Helpers for the tests that run the venv's real ``ansible-playbook``, ``ansible-galaxy`` and ``ansible-doc``.

Everything runs on the controller. Every host of a test inventory gets the podman connection and the
name of a container that does not exist (``sitemesh-no-such-container-<host>``), so any attempt to touch
a host shows up as UNREACHABLE in the PLAY RECAP without a single packet being sent: no ssh, no IP address.

The helpers reach the tests through the ``sm`` fixture (``sm.ansible_playbook(...)``, ``sm.parse_recap(...)``):
tests/unit has several conftest.py and no packages, so ``from conftest import ...`` would be ambiguous.
"""

from __future__ import annotations

import base64
import os
import re
import shutil
import subprocess
import sys
import types

import pytest
import yaml
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey

REPO = os.path.abspath(os.path.join(os.path.dirname(__file__), '..', '..', '..'))
EXAMPLE_INVENTORY = os.path.join(REPO, 'inventories', 'example')
SITE_YML = os.path.join(REPO, 'playbooks', 'site.yml')  # the collection playbook; the root site.yml imports it
PEER_ROLE = os.path.join(REPO, 'roles', 'wireguard_peer')
EXIT_ROLE = os.path.join(REPO, 'roles', 'wireguard_exit')

FAKE_CONNECTION = 'containers.podman.podman'
FAKE_HOST_PREFIX = 'sitemesh-no-such-container-'

_RECAP_RE = re.compile(
    r'^(?P<host>\S+)\s+:\s+ok=(?P<ok>\d+)\s+changed=(?P<changed>\d+)\s+unreachable=(?P<unreachable>\d+)\s+'
    r'failed=(?P<failed>\d+)\s+skipped=(?P<skipped>\d+)\s+rescued=(?P<rescued>\d+)\s+ignored=(?P<ignored>\d+)\s*$',
    re.M)
_TASK_RE = re.compile(r'^TASK \[(?P<name>.+)\] \*+\s*$', re.M)
_PLAY_RE = re.compile(r'^PLAY \[(?P<name>.*)\] \*+\s*$', re.M)


# --------------------------------------------------------------------------------------------- binaries


def venv_tool(name):
    """Path of a console script of the venv running the tests (else of the repo's .venv); skip when missing."""
    for directory in (os.path.dirname(sys.executable), os.path.join(REPO, '.venv', 'bin')):
        path = os.path.join(directory, name)
        if os.path.isfile(path) and os.access(path, os.X_OK):
            return path
    pytest.skip('%s is not installed beside %s nor in %s/.venv/bin' % (name, sys.executable, REPO))
    return None  # not reached


def clean_env(**extra):
    """os.environ without any ANSIBLE_* setting of the caller, plus no colours, plus extra."""
    env = {k: v for k, v in os.environ.items() if not k.startswith('ANSIBLE_')}
    env.update(ANSIBLE_NOCOLOR='1', ANSIBLE_FORCE_COLOR='0')
    env.update({k: str(v) for k, v in extra.items()})
    return env


class Run:
    """One finished subprocess: rc, stdout, stderr and the two together (``output``)."""

    def __init__(self, argv, proc):
        self.argv = argv
        self.rc = proc.returncode
        self.stdout = proc.stdout
        self.stderr = proc.stderr
        self.output = proc.stdout + '\n' + proc.stderr

    def __str__(self):
        return '$ %s\nrc=%s\n--- stdout\n%s\n--- stderr\n%s' % (' '.join(self.argv), self.rc, self.stdout, self.stderr)


def run(argv, cwd, env, timeout=120):
    proc = subprocess.run(argv, cwd=str(cwd), env=env, capture_output=True, text=True, timeout=timeout, check=False)
    return Run([str(a) for a in argv], proc)


def ansible_playbook(args, tmp_path, timeout=120):
    """ansible-playbook from the repo root with the repo's ansible.cfg, as a user runs site.yml."""
    env = clean_env(ANSIBLE_CONFIG=os.path.join(REPO, 'ansible.cfg'),
                    ANSIBLE_LOCAL_TEMP=os.path.join(str(tmp_path), 'ansible-local-tmp'))
    return run([venv_tool('ansible-playbook')] + [str(a) for a in args], REPO, env, timeout=timeout)


def site_yml(tmp_path, fake_connection, key_store, *extra):
    """site.yml on the example inventory, every host behind the fake connection, keys in ``key_store``."""
    return ansible_playbook([SITE_YML, '-i', EXAMPLE_INVENTORY, '-i', fake_connection,
                             '-e', 'wireguard_public_key_store=%s' % key_store] + list(extra), tmp_path)


# --------------------------------------------------------------------------------------------- output parsing


def parse_recap(output):
    """{host: {ok, changed, unreachable, failed, skipped, rescued, ignored}} from the PLAY RECAP."""
    recap_at = output.rfind('PLAY RECAP')
    assert recap_at >= 0, 'no PLAY RECAP in the output:\n%s' % output
    return {m.group('host'): {k: int(v) for k, v in m.groupdict().items() if k != 'host'}
            for m in _RECAP_RE.finditer(output[recap_at:])}


def task_headers(output):
    """Names of the TASK headers printed, in order, without the role prefix (``role : ``)."""
    return [re.sub(r'^[\w.]+ : ', '', m.group('name')) for m in _TASK_RE.finditer(output)]


def play_headers(output):
    return [m.group('name') for m in _PLAY_RE.finditer(output)]


def _task_names(tasks):
    for task in tasks or []:
        if not isinstance(task, dict):
            continue
        if task.get('name'):
            yield str(task['name'])
        for key in ('block', 'rescue', 'always'):
            yield from _task_names(task.get(key))


def role_task_names(role_dir, files=None, exclude=()):
    """The names of the tasks (and handlers) in a role's task files."""
    names = set()
    tasks_dir = os.path.join(role_dir, 'tasks')
    paths = [os.path.join(tasks_dir, f) for f in (files or sorted(os.listdir(tasks_dir))) if f not in exclude]
    handlers = os.path.join(role_dir, 'handlers', 'main.yml')
    if files is None and os.path.exists(handlers):
        paths.append(handlers)
    for path in paths:
        with open(path, encoding='utf-8') as f:
            names.update(_task_names(yaml.safe_load(f)))
    return names


# --------------------------------------------------------------------------------------------- inventories


def example_hosts():
    """Hosts of the example inventory's hosts.yml (group wireguard)."""
    with open(os.path.join(EXAMPLE_INVENTORY, 'hosts.yml'), encoding='utf-8') as f:
        data = yaml.safe_load(f)
    return sorted(data['wireguard']['hosts'])


def write_fake_connection_inventory(path, hosts):
    """An inventory source giving every host the podman connection to a container that does not exist."""
    data = {'all': {'hosts': {h: {'ansible_connection': FAKE_CONNECTION, 'ansible_host': FAKE_HOST_PREFIX + h}
                              for h in hosts}}}
    with open(str(path), 'w', encoding='utf-8') as f:
        yaml.safe_dump(data, f, default_flow_style=False)
    return str(path)


def copy_example_inventory(dest):
    """A copy of inventories/example in dest, to break one variable at a time."""
    shutil.copytree(EXAMPLE_INVENTORY, str(dest))
    return str(dest)


def set_host_var(inventory_dir, host, name, value):
    """Set (or replace) one variable in host_vars/<host>.yml of an inventory copy."""
    path = os.path.join(str(inventory_dir), 'host_vars', '%s.yml' % host)
    data = {}
    if os.path.exists(path):
        with open(path, encoding='utf-8') as f:
            data = yaml.safe_load(f) or {}
    data[name] = value
    with open(path, 'w', encoding='utf-8') as f:
        f.write('---\n')
        yaml.safe_dump(data, f, default_flow_style=False, sort_keys=False)


# --------------------------------------------------------------------------------------------- keys


def new_public_key():
    """A fresh X25519 public key in WireGuard's base64 form."""
    raw = X25519PrivateKey.generate().public_key().public_bytes(serialization.Encoding.Raw,
                                                                serialization.PublicFormat.Raw)
    return base64.b64encode(raw).decode('ascii')


@pytest.fixture
def fake_connection(tmp_path):
    """Path of an inventory source that points every example host at a container that does not exist."""
    return write_fake_connection_inventory(tmp_path / 'fake_connection.yml', example_hosts())


@pytest.fixture
def key_store(tmp_path):
    """An empty public key store in tmp_path (never the checkout's public_keys/)."""
    store = tmp_path / 'public_keys'
    store.mkdir()
    return store


@pytest.fixture(scope='session')
def sm():
    """The helpers of this file, as one namespace."""
    return types.SimpleNamespace(
        REPO=REPO, EXAMPLE_INVENTORY=EXAMPLE_INVENTORY, SITE_YML=SITE_YML, PEER_ROLE=PEER_ROLE, EXIT_ROLE=EXIT_ROLE,
        FAKE_HOST_PREFIX=FAKE_HOST_PREFIX,
        venv_tool=venv_tool, clean_env=clean_env, run=run, ansible_playbook=ansible_playbook, site_yml=site_yml,
        parse_recap=parse_recap, task_headers=task_headers, play_headers=play_headers,
        role_task_names=role_task_names, example_hosts=example_hosts,
        write_fake_connection_inventory=write_fake_connection_inventory,
        copy_example_inventory=copy_example_inventory, set_host_var=set_host_var, new_public_key=new_public_key,
    )
