# Copyright (c) 2026, sitemesh.wireguard contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Routes, policy rules and src_valid_mark planned from recorded ``ip route show table all`` and
``ip rule show`` outputs."""

from __future__ import annotations

import recorded

from ansible_collections.sitemesh.wireguard.plugins.module_utils._actions import Action, describe
from ansible_collections.sitemesh.wireguard.plugins.module_utils._live import parse_addresses, parse_routes
from ansible_collections.sitemesh.wireguard.plugins.module_utils._plan_routing import (
    firewall_ips,
    plan_routing,
    policy_table,
    routing_intent,
)

ROUTES = parse_routes(recorded.ROUTES4, 4) + parse_routes(recorded.ROUTES6, 6)
LIVE = {'wg': {'fwmark': '51820'}, 'routes': ROUTES, 'rules': {4: recorded.RULES4, 6: recorded.RULES6},
        'src_valid_mark': '1', 'addresses': parse_addresses(recorded.ADDR)}
ADDRESSES = ['172.16.1.1/24', 'fd00:16::1/64']


def plan(allowed, live=None, table=None, manage_fwmark=False, wanted_fwmark=None):
    live = live or LIVE
    intent = routing_intent('wgcap0', table, ADDRESSES, allowed, live['wg']['fwmark'], wanted_fwmark, live['routes'])
    return plan_routing('wgcap0', table, intent, live, manage_fwmark=manage_fwmark)


def test_recorded_state_is_what_it_should_be():
    assert plan(['172.16.1.2/32', '10.0.2.0/24', '0.0.0.0/0', 'fd00:99::/64']) == []


def test_a_route_more_and_one_less():
    actions = plan(['172.16.1.2/32', '10.0.4.0/24', '0.0.0.0/0', 'fd00:99::/64'])
    assert actions == [
        Action((('routes_removed', '10.0.2.0/24'),),
               ['ip', '-4', 'route', 'del', '10.0.2.0/24', 'dev', 'wgcap0', 'table', 'main'], None),
        Action((('routes_added', '10.0.4.0/24'),),
               ['ip', '-4', 'route', 'replace', '10.0.4.0/24', 'dev', 'wgcap0', 'table', 'main'], None),
    ]


def test_default_route_goes_with_its_rules():
    actions = plan(['172.16.1.2/32', '10.0.2.0/24', 'fd00:99::/64'])
    assert describe(actions) == ['- route 0.0.0.0/0 table 51820', '* ip -4 rule delete table 51820',
                                 '* ip -4 rule delete table main suppress_prefixlength 0']
    assert actions[1].argv == ['ip', '-4', 'rule', 'delete', 'table', '51820']


def test_ipv6_default_route_comes_with_its_rules():
    actions = plan(['172.16.1.2/32', '10.0.2.0/24', '0.0.0.0/0', '::/0', 'fd00:99::/64'])
    assert describe(actions) == ['+ route ::/0 table 51820', '* ip -6 rule add not fwmark 51820 table 51820',
                                 '* ip -6 rule add table main suppress_prefixlength 0']


def test_fresh_interface_gets_fwmark_rules_and_sysctl():
    live = dict(LIVE, wg={'fwmark': None}, src_valid_mark='0', rules={4: recorded.RULES6, 6: recorded.RULES6},
                routes=[r for r in ROUTES if r['table'] != '51820'])
    actions = plan(['10.0.2.0/24', '0.0.0.0/0', 'fd00:99::/64'], live=live, manage_fwmark=True)
    assert describe(actions) == [
        '+ route 0.0.0.0/0 table 51820', '* wg set wgcap0 fwmark 51820',
        '* ip -4 rule add not fwmark 51820 table 51820', '* ip -4 rule add table main suppress_prefixlength 0',
        '* sysctl net.ipv4.conf.all.src_valid_mark=1']
    assert actions[-1].argv == ['sysctl', '-q', 'net.ipv4.conf.all.src_valid_mark=1']


def test_policy_table_skips_a_table_another_device_uses():
    other = parse_routes('default via 192.0.2.1 dev eth0 table 51820 \n', 4)
    assert policy_table('wgcap0', None, None, ROUTES) == 51820
    assert policy_table('wgcap0', None, None, other) == 51821
    assert policy_table('wgcap0', '1234', None, other) == 1234


def test_table_off_and_other_table():
    assert plan(['10.9.0.0/16'], table='off') == []
    actions = plan(['10.9.0.0/16'], table='1234')
    assert [a.argv for a in actions] == [['ip', '-4', 'route', 'replace', '10.9.0.0/16', 'dev', 'wgcap0', 'table', '1234']]


def test_firewall_ips_include_the_live_link_local():
    assert firewall_ips(ADDRESSES, {4, 6}, LIVE['addresses']) == {
        4: ['172.16.1.1'], 6: ['fd00:16::1', 'fe80::aa33:a985:17da:ac26']}
    assert firewall_ips(ADDRESSES, set(), LIVE['addresses']) == {4: [], 6: []}
