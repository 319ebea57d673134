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
from collections.abc import Mapping

from ansible_collections.sitemesh.wireguard.plugins.module_utils._plan_addresses import plan_addresses

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


def parse_file(text):
    """The addresses a loopback aliases file had (its ``address X`` lines), normalized; [] for None."""
    addresses = []
    for line in (text or '').splitlines():
        words = line.split()
        if len(words) == 2 and words[0] == 'address':
            try:
                addresses.append(str(ipaddress.ip_interface(words[1])))
            except ValueError:
                continue
    return addresses


def check_aliases(aliases):
    """``aliases`` with normalized addresses; raises ValueError naming the alias at fault."""
    out = []
    for alias in aliases:
        if not isinstance(alias, Mapping) or 'label' not in alias or 'address' not in alias:
            raise ValueError('each loopback alias needs label and address, got %r' % (alias,))
        label = str(alias.get('label') or '')
        if not (label == 'lo' or label.startswith('lo:')) or len(label) > 15:
            raise ValueError('alias label %r: a loopback label is lo:<something>, at most 15 characters' % label)
        try:
            address = str(ipaddress.ip_interface(str(alias.get('address')).strip()))
        except ValueError:
            raise ValueError('alias %s: %r is not an IP address with a prefix length' % (label, alias.get('address')))
        out.append({'label': label, 'address': address})
    return out


def plan_loopback(aliases, file_text, live):
    """(actions on ``lo``, wanted file content or None to remove it) for ``aliases`` (checked), the
    file as it is (None when missing) and the live addresses of ``lo``.

    Only the aliases the file had may be removed: the loopback's own addresses and another mesh's
    aliases are left alone. IPv4 aliases get their label; labels are IPv4 only.
    """
    wanted = [a['address'] for a in aliases]
    labels = dict((a['address'], a['label']) for a in aliases)
    actions = plan_addresses('lo', wanted, live, removable=set(parse_file(file_text)), labels=labels)
    content = render_file(aliases) if aliases else None
    return actions, content
