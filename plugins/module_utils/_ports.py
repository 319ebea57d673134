# Note that this module util is **PRIVATE** to the collection. It can have breaking changes at any time.
# Do not use this from other collections or standalone plugins/modules!

# Copyright (c) 2026, sitemesh.wireguard contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Who holds a UDP port on this host (in this network namespace): ``/proc/net/udp`` and ``udp6`` give
the socket inodes bound to the port, ``/proc/<pid>/fd`` the processes that own them. Read-only; the
``parse_*`` function is pure."""

from __future__ import annotations

import os

PROC_NET_UDP = ('/proc/net/udp', '/proc/net/udp6')


def parse_udp_inodes(text, port):
    """The socket inodes of a ``/proc/net/udp[6]`` listing whose local port is ``port`` (0: a kernel socket)."""
    inodes = []
    for line in (text or '').splitlines()[1:]:
        fields = line.split()
        if len(fields) < 10 or ':' not in fields[1]:
            continue
        try:
            local_port = int(fields[1].rsplit(':', 1)[1], 16)
            inode = int(fields[9])
        except ValueError:
            continue
        if local_port == port:
            inodes.append(inode)
    return inodes


def _read(path):
    try:
        with open(path) as handle:
            return handle.read()
    except (IOError, OSError):
        return ''


def socket_owners(inodes, proc='/proc'):
    """``pid N (comm)`` of every process that has one of the socket ``inodes`` open."""
    wanted = set('socket:[%d]' % inode for inode in inodes if inode)
    owners = []
    if not wanted:
        return owners
    for pid in sorted((p for p in os.listdir(proc) if p.isdigit()), key=int):
        fd_dir = os.path.join(proc, pid, 'fd')
        try:
            links = [os.readlink(os.path.join(fd_dir, fd)) for fd in os.listdir(fd_dir)]
        except OSError:
            continue  # gone, or not ours to read
        if wanted.intersection(links):
            comm = _read(os.path.join(proc, pid, 'comm')).strip() or '?'
            owners.append('pid %s (%s)' % (pid, comm))
    return owners


def port_holders(port, proc='/proc'):
    """Who holds UDP ``port`` here: process descriptions, or a note on a kernel socket; [] when it is free."""
    inodes = []
    for path in PROC_NET_UDP:
        inodes.extend(parse_udp_inodes(_read(path.replace('/proc', proc, 1)), port))
    if not inodes:
        return []
    owners = socket_owners(inodes, proc)
    if 0 in inodes:
        owners.append('a kernel socket (another WireGuard interface?)')
    elif not owners:
        owners.append('a process that could not be identified')
    return owners
