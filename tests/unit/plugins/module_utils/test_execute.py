# Copyright (c) 2026, sitemesh.wireguard contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The executor, the verification after apply and how a missing link is brought back, with a fake module."""

from __future__ import annotations

import pytest

from ansible_collections.sitemesh.wireguard.plugins.module_utils import _service
from ansible_collections.sitemesh.wireguard.plugins.module_utils._actions import action
from ansible_collections.sitemesh.wireguard.plugins.module_utils._execute import execute, verify


class Failed(Exception):
    pass


class FakeModule(object):
    def __init__(self, check_mode=False, outputs=None):
        self.check_mode = check_mode
        self.outputs = outputs or {}
        self.ran = []

    def get_bin_path(self, name, required=False):
        return '/usr/bin/' + name

    def run_command(self, argv, data=None, environ_update=None, binary_data=False):
        self.ran.append((argv, data))
        return self.outputs.get(tuple(argv[1:]), (0, '', ''))

    def fail_json(self, **kwargs):
        raise Failed(kwargs['msg'])


ROUTE = action('routes_added', '10.0.4.0/24', ['ip', '-4', 'route', 'replace', '10.0.4.0/24', 'dev', 'wg0'])
PSK = action('peers_updated', 'KEY', ['wg', 'set', 'wg0', 'peer', 'KEY', 'preshared-key', '/dev/stdin'], 'SECRET\n')


def test_execute_runs_in_order_with_stdin_and_not_in_check_mode():
    module = FakeModule()
    assert execute(module, [ROUTE, PSK]) is True
    assert module.ran == [(['/usr/bin/ip', '-4', 'route', 'replace', '10.0.4.0/24', 'dev', 'wg0'], None),
                          (['/usr/bin/wg', 'set', 'wg0', 'peer', 'KEY', 'preshared-key', '/dev/stdin'], 'SECRET\n')]
    check = FakeModule(check_mode=True)
    assert execute(check, [ROUTE]) is True and check.ran == []
    assert execute(FakeModule(), []) is False


def test_a_failed_command_names_it_and_never_its_stdin():
    module = FakeModule(outputs={('set', 'wg0', 'peer', 'KEY', 'preshared-key', '/dev/stdin'): (1, '', 'boom')})
    with pytest.raises(Failed) as exc:
        execute(module, [PSK])
    assert 'boom' in str(exc.value) and 'SECRET' not in str(exc.value)


def test_verify_fails_naming_what_differs():
    verify(FakeModule(), 'wg0', [])
    verify(FakeModule(check_mode=True), 'wg0', [ROUTE])
    with pytest.raises(Failed) as exc:
        verify(FakeModule(), 'The running interface wg0', [ROUTE])
    assert str(exc.value) == 'The running interface wg0 still differs after the changes were applied: + route 10.0.4.0/24'


def test_missing_link_with_an_active_unit_is_restarted(monkeypatch):
    monkeypatch.setattr(_service, 'uses_systemd', lambda *args: True)
    active = FakeModule(outputs={('is-active', 'wg-quick@wg0'): (0, 'active\n', '')})
    assert _service.up_argv(active, 'wg0', '/etc/wireguard/wg0.conf') == ['systemctl', 'restart', 'wg-quick@wg0']
    inactive = FakeModule(outputs={('is-active', 'wg-quick@wg0'): (3, 'inactive\n', '')})
    assert _service.up_argv(inactive, 'wg0', '/etc/wireguard/wg0.conf') == ['systemctl', 'start', 'wg-quick@wg0']
    monkeypatch.setattr(_service, 'uses_systemd', lambda *args: False)
    assert _service.up_argv(active, 'wg0', '/tmp/x/wg0.conf') == ['wg-quick', 'up', '/tmp/x/wg0.conf']
