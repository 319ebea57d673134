# Copyright (c) 2026, sitemesh.wireguard contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""How the live firewall rules are recognised (the live behaviour is tested in test_live_netns.py)."""

from __future__ import annotations

from ansible_collections.sitemesh.wireguard.plugins.module_utils import _firewall as fw

# `nft list table` of a table made by wg-quick up (nftables 1.0.6)
WG_QUICK_LISTING = """table ip6 wg-quick-wg0 {
\tchain preraw {
\t\ttype filter hook prerouting priority raw; policy accept;
\t\tiifname != "wg0" ip6 daddr fd00:9::1 fib saddr type != local drop
\t\tiifname != "wg0" ip6 daddr fe80::aa2c:ef55:f6ea:adae fib saddr type != local drop
\t}

\tchain premangle {
\t\ttype filter hook prerouting priority mangle; policy accept;
\t\tmeta l4proto udp meta mark set ct mark
\t}

\tchain postmangle {
\t\ttype filter hook postrouting priority mangle; policy accept;
\t\tmeta l4proto udp meta mark 0x0000ca6c ct mark set meta mark
\t}
}
"""

# the same as older nftables print it (numeric priorities, `mark` without `meta`)
OLD_LISTING = """table ip6 wg-quick-wg0 {
\tchain preraw {
\t\ttype filter hook prerouting priority -300; policy accept;
\t\tiifname != "wg0" ip6 daddr fd00:9::1 fib saddr type != local drop
\t\tiifname != "wg0" ip6 daddr fe80::aa2c:ef55:f6ea:adae fib saddr type != local drop
\t}
\tchain premangle {
\t\ttype filter hook prerouting priority -150; policy accept;
\t\tmeta l4proto udp mark set ct mark
\t}
\tchain postmangle {
\t\ttype filter hook postrouting priority -150; policy accept;
\t\tmeta l4proto udp mark 0x0000ca6c ct mark set mark
\t}
}
"""

IPS = ['fd00:9::1', 'fe80::aa2c:ef55:f6ea:adae']

# what nft 1.0.6 printed on a Debian 12 container without /etc/protocols (no netbase): udp as 17
# (captured from the test bed; the module rebuilt this table on every run before it was recognised)
NUMERIC_PROTO_LISTING = """table ip wg-quick-wg0 {
\tchain preraw {
\t\ttype filter hook prerouting priority raw; policy accept;
\t\tiifname != "wg0" ip daddr 172.16.1.1 fib saddr type != local drop
\t}

\tchain premangle {
\t\ttype filter hook prerouting priority mangle; policy accept;
\t\tmeta l4proto 17 meta mark set ct mark
\t}

\tchain postmangle {
\t\ttype filter hook postrouting priority mangle; policy accept;
\t\tmeta l4proto 17 meta mark 0x0000ca6c ct mark set meta mark
\t}
}
"""


def test_numeric_protocol_listing_is_recognised():
    assert fw.parse_nft_table(NUMERIC_PROTO_LISTING) == fw.wanted_facts('wg0', 4, 51820, ['172.16.1.1'])
    assert fw.parse_nft_table(NUMERIC_PROTO_LISTING) != fw.wanted_facts('wg0', 4, 51821, ['172.16.1.1'])


def test_wg_quick_table_is_recognised():
    wanted = fw.wanted_facts('wg0', 6, 51820, IPS)
    assert fw.parse_nft_table(WG_QUICK_LISTING) == wanted
    assert fw.parse_nft_table(OLD_LISTING) == wanted
    # the order of the protected addresses does not matter
    assert fw.parse_nft_table(WG_QUICK_LISTING) == fw.wanted_facts('wg0', 6, 51820, list(reversed(IPS)))


def test_differences_are_seen():
    listing = fw.parse_nft_table(WG_QUICK_LISTING)
    assert listing != fw.wanted_facts('wg0', 6, 51821, IPS)  # another mark
    assert listing != fw.wanted_facts('wg0', 6, 51820, IPS[:1])  # an address less
    assert listing != fw.wanted_facts('wg1', 6, 51820, IPS)  # another interface
    extra = WG_QUICK_LISTING.replace('\t\tmeta l4proto udp meta mark set ct mark\n',
                                     '\t\tmeta l4proto udp meta mark set ct mark\n\t\tcounter accept\n')
    assert fw.parse_nft_table(extra) != fw.wanted_facts('wg0', 6, 51820, IPS)
    twice = WG_QUICK_LISTING.replace('\t\tmeta l4proto udp meta mark set ct mark\n',
                                     '\t\tmeta l4proto udp meta mark set ct mark\n' * 2)
    assert fw.parse_nft_table(twice) != fw.wanted_facts('wg0', 6, 51820, IPS)
    drop_policy = WG_QUICK_LISTING.replace('priority raw; policy accept;', 'priority raw; policy drop;')
    assert fw.parse_nft_table(drop_policy) != fw.wanted_facts('wg0', 6, 51820, IPS)


def test_nft_commands_are_wg_quicks():
    assert fw.nft_commands('wg0', 4, 51820, ['10.9.0.1']) == [
        'add table ip wg-quick-wg0',
        'add chain ip wg-quick-wg0 preraw { type filter hook prerouting priority -300; }',
        'add chain ip wg-quick-wg0 premangle { type filter hook prerouting priority -150; }',
        'add chain ip wg-quick-wg0 postmangle { type filter hook postrouting priority -150; }',
        'add rule ip wg-quick-wg0 preraw iifname != "wg0" ip daddr 10.9.0.1 fib saddr type != local drop',
        'add rule ip wg-quick-wg0 postmangle meta l4proto udp mark 51820 ct mark set mark',
        'add rule ip wg-quick-wg0 premangle meta l4proto udp meta mark set ct mark',
    ]


def test_iptables_save_lines_are_recognised():
    # iptables-save (1.8.9) of the rules wg-quick makes with iptables-restore
    marker = '-m comment --comment "wg-quick(8) rule for wg0"'
    live = {
        'raw': ['-A PREROUTING -d 10.9.0.1/32 ! -i wg0 -m addrtype ! --src-type LOCAL %s -j DROP' % marker],
        'mangle': ['-A PREROUTING -p udp %s -j CONNMARK --restore-mark --nfmask 0xffffffff --ctmask 0xffffffff' % marker,
                   '-A POSTROUTING -p udp -m mark --mark 0xca6c %s -j CONNMARK --save-mark --nfmask 0xffffffff '
                   '--ctmask 0xffffffff' % marker],
    }
    facts = sorted((fw.iptables_fact(t, line) for t, lines in live.items() for line in lines), key=repr)
    assert facts == fw.iptables_wanted_facts('wg0', 51820, ['10.9.0.1'])
    assert facts != fw.iptables_wanted_facts('wg0', 51820, ['10.9.0.2'])
    # not negated: not wg-quick's rule
    assert fw.iptables_fact('raw', live['raw'][0].replace('! -i', '-i'))[0] == 'other'
    lines = fw.iptables_lines('wg0', 51820, ['10.9.0.1'])
    assert lines['raw'] == ['-I PREROUTING ! -i wg0 -d 10.9.0.1 -m addrtype ! --src-type LOCAL -j DROP %s' % marker]
    assert lines['mangle'] == ['-I POSTROUTING -m mark --mark 51820 -p udp -j CONNMARK --save-mark %s' % marker,
                               '-I PREROUTING -p udp -j CONNMARK --restore-mark %s' % marker]
