# Copyright (c) 2026, sitemesh.wireguard contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Who holds a UDP port: /proc/net/udp[6] parsed, owners found through a fake /proc."""

from __future__ import annotations

import os

from ansible_collections.sitemesh.wireguard.plugins.module_utils._ports import (
    parse_udp_inodes,
    port_holders,
)

HEAD = '   sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode ref pointer drops\n'
UDP = HEAD + (
    '  1: 00000000:15B3 00000000:0000 07 00000000:00000000 00:00000000 00000000     0        0 4242 2 0 0\n'
    '  2: 0100007F:0035 00000000:0000 07 00000000:00000000 00:00000000 00000000     0        0 77 2 0 0\n')
UDP6 = HEAD + (
    '  3: 00000000000000000000000000000000:15B4 00000000000000000000000000000000:0000 07 00000000:00000000 '
    '00:00000000 00000000     0        0 0 2 0 0\n')


def test_parse_udp_inodes():
    assert parse_udp_inodes(UDP, 5555) == [4242]
    assert parse_udp_inodes(UDP, 53) == [77]
    assert parse_udp_inodes(UDP6, 5556) == [0]
    assert parse_udp_inodes(UDP, 5556) == [] and parse_udp_inodes('', 1) == []


def fake_proc(tmp_path):
    proc = tmp_path / 'proc'
    (proc / 'net').mkdir(parents=True)
    (proc / 'net' / 'udp').write_text(UDP)
    (proc / 'net' / 'udp6').write_text(UDP6)
    for pid, comm, inode in (('31', 'dnsmasq', 77), ('420', 'python3', 4242), ('7', 'sshd', 99)):
        fd = proc / pid / 'fd'
        fd.mkdir(parents=True)
        (proc / pid / 'comm').write_text(comm + '\n')
        os.symlink('socket:[%d]' % inode, str(fd / '3'))
        os.symlink('/dev/null', str(fd / '0'))
    return str(proc)


def test_port_holders_names_the_process(tmp_path):
    proc = fake_proc(tmp_path)
    assert port_holders(5555, proc) == ['pid 420 (python3)']
    assert port_holders(53, proc) == ['pid 31 (dnsmasq)']
    assert port_holders(5556, proc) == ['a kernel socket (another WireGuard interface?)']
    assert port_holders(5557, proc) == []
