# Copyright (c) 2026, sitemesh.wireguard contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The one address reconciliation (interface and loopback) on recorded ``ip -o addr show`` outputs."""

from __future__ import annotations

import recorded

from ansible_collections.sitemesh.wireguard.plugins.module_utils._actions import Action, summarize
from ansible_collections.sitemesh.wireguard.plugins.module_utils._live import parse_addresses, parse_link
from ansible_collections.sitemesh.wireguard.plugins.module_utils._loopback import parse_file, plan_loopback, render_file
from ansible_collections.sitemesh.wireguard.plugins.module_utils._plan_addresses import plan_addresses, plan_mtu

LIVE = parse_addresses(recorded.ADDR)
LO = parse_addresses(recorded.LO)


def test_recorded_addresses_are_parsed():
    assert LIVE == ['172.16.1.1/24', 'fd00:16::1/64', 'fe80::aa33:a985:17da:ac26/64']
    assert LO == ['127.0.0.1/8', '10.0.2.1/24', 'fd00:2::1/64', '::1/128']


def test_nothing_to_do_and_link_local_kept():
    assert plan_addresses('wgcap0', ['172.16.1.1/24', 'fd00:16::1/64'], LIVE) == []


def test_add_before_remove_and_same_ip_replaced_first():
    actions = plan_addresses('wgcap0', ['172.16.2.1/24', 'fd00:16::1/48'], LIVE)
    assert actions == [
        Action((('addresses_removed', 'fd00:16::1/64'),), ['ip', '-6', 'addr', 'del', 'fd00:16::1/64', 'dev', 'wgcap0'], None),
        Action((('addresses_added', '172.16.2.1/24'),), ['ip', '-4', 'addr', 'add', '172.16.2.1/24', 'dev', 'wgcap0'], None),
        Action((('addresses_added', 'fd00:16::1/48'),), ['ip', '-6', 'addr', 'add', 'fd00:16::1/48', 'dev', 'wgcap0'], None),
        Action((('addresses_removed', '172.16.1.1/24'),), ['ip', '-4', 'addr', 'del', '172.16.1.1/24', 'dev', 'wgcap0'], None),
    ]
    result = summarize(actions)
    assert result['addresses_added'] == ['172.16.2.1/24', 'fd00:16::1/48']
    assert result['addresses_removed'] == ['fd00:16::1/64', '172.16.1.1/24']


def test_mtu():
    link = parse_link(recorded.LINK)
    assert link == {'index': 2, 'mtu': 1420}
    assert plan_mtu('wgcap0', 1420, link) == [] and plan_mtu('wgcap0', None, link) == []
    assert plan_mtu('wgcap0', 1380, link) == [
        Action((('mtu', '1380'),), ['ip', 'link', 'set', 'dev', 'wgcap0', 'mtu', '1380'], None)]


ALIASES = [{'label': 'lo:10', 'address': '10.0.2.1/24'}, {'label': 'lo:11', 'address': 'fd00:2::1/64'}]


def test_loopback_dual_stack_is_idempotent():
    text = render_file(ALIASES)
    assert parse_file(text) == ['10.0.2.1/24', 'fd00:2::1/64']
    actions, content = plan_loopback(ALIASES, text, LO)
    assert actions == [] and content == text


def test_loopback_adds_with_label_v4_only_and_removes_only_its_own():
    had = render_file(ALIASES + [{'label': 'lo:12', 'address': '10.0.9.1/24'}])
    live = LO + ['10.0.9.1/24', '10.0.77.1/24']  # 10.0.77.1: another mesh's alias, not in this file
    wanted = [{'label': 'lo:13', 'address': '10.0.3.1/24'}, {'label': 'lo:14', 'address': 'fd00:3::1/64'}]
    actions, content = plan_loopback(wanted, had, live)
    assert actions == [
        Action((('addresses_added', '10.0.3.1/24'),),
               ['ip', '-4', 'addr', 'add', '10.0.3.1/24', 'dev', 'lo', 'label', 'lo:13'], None),
        Action((('addresses_added', 'fd00:3::1/64'),), ['ip', '-6', 'addr', 'add', 'fd00:3::1/64', 'dev', 'lo'], None),
        Action((('addresses_removed', '10.0.2.1/24'),), ['ip', '-4', 'addr', 'del', '10.0.2.1/24', 'dev', 'lo'], None),
        Action((('addresses_removed', 'fd00:2::1/64'),), ['ip', '-6', 'addr', 'del', 'fd00:2::1/64', 'dev', 'lo'], None),
        Action((('addresses_removed', '10.0.9.1/24'),), ['ip', '-4', 'addr', 'del', '10.0.9.1/24', 'dev', 'lo'], None),
    ]
    assert content == render_file(wanted)


def test_loopback_empty_removes_file_and_aliases():
    actions, content = plan_loopback([], render_file(ALIASES), LO)
    assert content is None
    assert [a.argv for a in actions] == [['ip', '-4', 'addr', 'del', '10.0.2.1/24', 'dev', 'lo'],
                                         ['ip', '-6', 'addr', 'del', 'fd00:2::1/64', 'dev', 'lo']]
    assert plan_loopback([], None, LO) == ([], None)
