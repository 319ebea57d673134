# Note that this module util is **PRIVATE** to the collection. It can have breaking changes at any time.
# Do not use this from other collections or standalone plugins/modules!

# Copyright (c) 2026, sitemesh.wireguard contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""The guide's fake client networks: loopback aliases (``auto lo:10``) in one ifupdown file per interface.

``render_file`` is the one place the file's content is written: the ``wg_loopback`` module writes it on
the site, the controller compares its checksum with the site's to skip an unchanged site.
"""

from __future__ import annotations

import ipaddress

HEADER = '# Managed by Ansible (sitemesh.wireguard.wg_loopback): local changes are overwritten'


def default_path(interface):
    return '/etc/network/interfaces.d/sitemesh-wireguard-%s' % interface


def render_file(aliases):
    """The ifupdown file for ``aliases`` (list of {label, address}), in the given order."""
    lines = [HEADER,
             '# Client networks faked on the loopback as in the guide',
             '# ("auto lo:10 / iface lo:10 inet static / address 10.0.2.1 / netmask 255.255.255.0").']
    for alias in aliases:
        family = 'inet6' if ipaddress.ip_interface(str(alias['address']).strip()).version == 6 else 'inet'
        lines.extend(['', 'auto %s' % alias['label'], 'iface %s %s static' % (alias['label'], family),
                      '\taddress %s' % str(alias['address']).strip()])
    return '\n'.join(lines) + '\n'
