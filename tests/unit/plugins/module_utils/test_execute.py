# Copyright (c) 2026, sitemesh.wireguard contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The executor, the verification after apply and how a missing link is brought back, with a fake module."""

from __future__ import annotations

import pytest

from ansible_collections.sitemesh.wireguard.plugins.module_utils import _service
from ansible_collections.sitemesh.wireguard.plugins.module_utils._actions import action
from ansible_collections.sitemesh.wireguard.plugins.module_utils._execute import execute, verify
from ansible_collections.sitemesh.wireguard.plugins.module_utils._interface import plan_leftovers


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


RULES_AFTER_A_CRASH = ('0:\tfrom all lookup local\n'
                       '32764:\tfrom all lookup main suppress_prefixlength 0\n'
                       '32765:\tnot from all fwmark 0xca6c lookup 51820\n'
                       '32766:\tfrom all lookup main\n')
WG_QUICK_TABLE = ('table ip wg-quick-wg0 {\n\tchain preraw {\n'
                  '\t\ttype filter hook prerouting priority raw; policy accept;\n\t}\n}\n')


def test_what_a_vanished_link_left_behind_is_removed_before_it_is_started():
    # wireguard-go killed: the link and its routes are gone, its policy rules and wg-quick's table
    # stay; wg-quick up would add both again beside them (it never flushes).
    module = FakeModule(outputs={
        ('-4', 'route', 'show', 'table', 'all'): (0, 'default via 192.168.1.1 dev eth0\n', ''),
        ('-4', 'rule', 'show'): (0, RULES_AFTER_A_CRASH, ''),
        ('list', 'tables'): (0, 'table inet sitemesh-wireguard-wg0\ntable ip wg-quick-wg0\n', ''),
        ('list', 'table', 'ip', 'wg-quick-wg0'): (0, WG_QUICK_TABLE, ''),
    })
    model = {'interface': {'table': None, 'fwmark': None}}
    actions = plan_leftovers(module, 'wg0', model)
    assert [a.argv for a in actions] == [['ip', '-4', 'rule', 'delete', 'table', '51820'],
                                         ['ip', '-4', 'rule', 'delete', 'table', 'main', 'suppress_prefixlength', '0'],
                                         ['nft', '-f', '/dev/stdin']]
    assert actions[-1].stdin == 'delete table ip wg-quick-wg0\n'   # the exit's NAT table is not touched
    assert not any('delete' in argv or '-f' in argv for argv, dummy in module.ran)   # planned, not run


def test_a_clean_host_or_table_off_has_no_leftovers():
    assert plan_leftovers(FakeModule(), 'wg0', {'interface': {'table': None, 'fwmark': None}}) == []
    module = FakeModule(outputs={('-4', 'rule', 'show'): (0, RULES_AFTER_A_CRASH, '')})
    assert plan_leftovers(module, 'wg0', {'interface': {'table': 'off', 'fwmark': None}}) == []
    assert module.ran == []
