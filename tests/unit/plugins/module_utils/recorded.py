# Copyright (c) 2026, sitemesh.wireguard contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Outputs recorded on a real host (Debian 12, iproute2 6.1, wireguard-go in a network namespace):
interface wgcap0 with 172.16.1.1/24 and fd00:16::1/64, one peer with 0.0.0.0/0, wg-quick's policy
routing for it, and the aliases 10.0.2.1/24 (lo:10) and fd00:2::1/64 on lo. Keys replaced by fixed ones."""

from __future__ import annotations

import base64

PRIVATE = base64.b64encode(b'\x11' * 32).decode()
PUBLIC = base64.b64encode(b'\x12' * 32).decode()
PEER = base64.b64encode(b'\x13' * 32).decode()
PSK = base64.b64encode(b'\x14' * 32).decode()

WG_DUMP = (
    '%s\t%s\t5555\t0xca6c\n'
    '%s\t%s\t192.0.2.10:5555\t172.16.1.2/32,10.0.2.0/24,0.0.0.0/0\t0\t0\t0\t25\n' % (PRIVATE, PUBLIC, PEER, PSK))

ADDR = (
    '2: wgcap0    inet 172.16.1.1/24 scope global wgcap0\\       valid_lft forever preferred_lft forever\n'
    '2: wgcap0    inet6 fd00:16::1/64 scope global \\       valid_lft forever preferred_lft forever\n'
    '2: wgcap0    inet6 fe80::aa33:a985:17da:ac26/64 scope link stable-privacy \\       valid_lft forever '
    'preferred_lft forever\n')

LINK = ('2: wgcap0: <POINTOPOINT,MULTICAST,NOARP,UP,LOWER_UP> mtu 1420 qdisc pfifo_fast state UNKNOWN mode DEFAULT '
        'group default qlen 500\\    link/none \n')

# ip ends these lines with a blank
ROUTES4 = ''.join(line + ' \n' for line in (
    'default dev wgcap0 table 51820 scope link',
    '10.0.2.0/24 dev wgcap0 scope link',
    '172.16.1.0/24 dev wgcap0 proto kernel scope link src 172.16.1.1',
    'local 10.0.2.0/24 dev lo table local proto kernel scope host src 10.0.2.1',
    'local 10.0.2.1 dev lo table local proto kernel scope host src 10.0.2.1',
    'broadcast 10.0.2.255 dev lo table local proto kernel scope link src 10.0.2.1',
    'local 127.0.0.0/8 dev lo table local proto kernel scope host src 127.0.0.1',
    'local 127.0.0.1 dev lo table local proto kernel scope host src 127.0.0.1',
    'broadcast 127.255.255.255 dev lo table local proto kernel scope link src 127.0.0.1',
    'local 172.16.1.1 dev wgcap0 table local proto kernel scope host src 172.16.1.1',
    'broadcast 172.16.1.255 dev wgcap0 table local proto kernel scope link src 172.16.1.1',
))

ROUTES6 = """fd00:2::/64 dev lo proto kernel metric 256 pref medium
fd00:16::/64 dev wgcap0 proto kernel metric 256 pref medium
fd00:99::/64 dev wgcap0 metric 1024 pref medium
fe80::/64 dev wgcap0 proto kernel metric 256 pref medium
local ::1 dev lo table local proto kernel metric 0 pref medium
local fd00:2::1 dev lo table local proto kernel metric 0 pref medium
local fd00:16::1 dev wgcap0 table local proto kernel metric 0 pref medium
local fe80::aa33:a985:17da:ac26 dev wgcap0 table local proto kernel metric 0 pref medium
multicast ff00::/8 dev wgcap0 table local proto kernel metric 256 pref medium
"""

RULES4 = """0:\tfrom all lookup local
32764:\tfrom all lookup main suppress_prefixlength 0
32765:\tnot from all fwmark 0xca6c lookup 51820
32766:\tfrom all lookup main
32767:\tfrom all lookup default
"""

RULES6 = """0:\tfrom all lookup local
32766:\tfrom all lookup main
"""

LO = (
    '1: lo    inet 127.0.0.1/8 scope host lo\\       valid_lft forever preferred_lft forever\n'
    '1: lo    inet 10.0.2.1/24 scope global lo:10\\       valid_lft forever preferred_lft forever\n'
    '1: lo    inet6 fd00:2::1/64 scope global \\       valid_lft forever preferred_lft forever\n'
    '1: lo    inet6 ::1/128 scope host \\       valid_lft forever preferred_lft forever\n')

# ``wg show wgrec1 dump`` and ``ip -o addr show dev wgrec1`` recorded (wireguard-go, two network namespaces
# joined by a veth) right after 2 pings to the first peer at epoch 1795748393; the second peer never answered
# (no such host). Keys replaced by fixed ones.
MESH_NOW = 1795748393
MESH_PRIVATE = base64.b64encode(b'\x21' * 32).decode()
MESH_PUBLIC = base64.b64encode(b'\x22' * 32).decode()
MESH_MOLY = base64.b64encode(b'\x23' * 32).decode()
MESH_RASPI = base64.b64encode(b'\x24' * 32).decode()
MESH_PSK = base64.b64encode(b'\x25' * 32).decode()
MESH_DUMP = (
    '%s\t%s\t5555\toff\n'
    '%s\t%s\t198.51.100.2:5555\t172.16.1.2/32,10.0.2.0/24\t1795748392\t348\t404\toff\n'
    '%s\t(none)\t198.51.100.3:5555\t172.16.1.3/32,77.66.55.0/24\t0\t0\t0\toff\n'
    % (MESH_PRIVATE, MESH_PUBLIC, MESH_MOLY, MESH_PSK, MESH_RASPI))
MESH_ADDR = (
    '3: wgrec1    inet 172.16.1.1/24 scope global wgrec1\\       valid_lft forever preferred_lft forever\n'
    '3: wgrec1    inet6 fe80::6a72:ca55:ddb4:178/64 scope link stable-privacy \\       valid_lft forever '
    'preferred_lft forever\n')
