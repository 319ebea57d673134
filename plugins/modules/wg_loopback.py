#!/usr/bin/python
# -*- coding: utf-8 -*-

# Copyright (c) 2026, sitemesh.wireguard contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

DOCUMENTATION = r"""
module: wg_loopback
short_description: Fake client networks with loopback aliases, live and in an ifupdown file
version_added: 0.1.0
description:
  - Owns the loopback aliases that stand for a site's client networks in the guide (C(auto lo:10),
    C(iface lo:10 inet static), C(address 10.0.2.1/24)) - one ifupdown file per WireGuard interface, read by
    C(networking.service) at boot, and the same addresses on C(lo) now.
  - Reads the file (the addresses it had, its C(address) lines) and the live addresses of C(lo)
    (C(ip -o addr show dev lo), both families), then plans - the live aliases the file had that are no longer
    wanted are removed, the wanted ones missing live are added (IPv4 with its label, IPv6 without, labels are
    IPv4 only), the file is written (mode C(0644), owner root) when its content differs, and removed when
    O(aliases) is empty. Addresses of C(lo) the file did not have (C(127.0.0.1/8), C(::1/128), another mesh's
    aliases) are left alone.
  - After applying, the file and C(lo) are read again and planned again; the task fails, naming what still
    differs, unless nothing is left to do.
author:
  - sitemesh.wireguard maintainers (@sitemesh)
attributes:
  diff_mode:
    details:
      - The diff shows the file before and after, and lists the aliases added to and removed from C(lo).
extends_documentation_fragment:
  - sitemesh.wireguard.attributes
options:
  interface:
    description:
      - Name of the WireGuard interface whose client networks the aliases are. Names the default O(path).
    type: str
    default: wg0
  path:
    description:
      - The ifupdown file describing the aliases.
      - Defaults to C(/etc/network/interfaces.d/sitemesh-wireguard-<interface>).
    type: path
  aliases:
    description:
      - The wanted aliases, in the order they are written. An empty list removes them and the file.
    type: list
    elements: dict
    default: []
    suboptions:
      label:
        description: Label of the alias, C(lo:<something>) (at most 15 characters), for example V(lo:10).
        type: str
        required: true
      address:
        description: Address with its prefix length, IPv4 or IPv6, for example V(10.0.2.1/24) or V(fd00:2::1/64).
        type: str
        required: true
notes:
  - Needs the C(ip) command (iproute2). The file is for ifupdown (C(/etc/network/interfaces) sourcing
    C(/etc/network/interfaces.d/*)), as on Debian.
seealso:
  - module: sitemesh.wireguard.wg_interface
"""

EXAMPLES = r"""
- name: The guide's client network of giant on its loopback
  sitemesh.wireguard.wg_loopback:
    interface: wg0
    aliases:
      - label: "lo:10"
        address: 10.0.1.1/24
      - label: "lo:11"
        address: fd00:1::1/64

- name: From the role's variables
  sitemesh.wireguard.wg_loopback:
    interface: "{{ wireguard_interface }}"
    aliases: "{{ wireguard_loopback_aliases }}"

- name: No client network any more - aliases and file go
  sitemesh.wireguard.wg_loopback:
    interface: wg0
    aliases: []
"""

RETURN = r"""
path:
  description: The aliases file.
  returned: always
  type: str
  sample: /etc/network/interfaces.d/sitemesh-wireguard-wg0
aliases_added:
  description: Addresses added to C(lo) (in check mode, that would be).
  returned: always
  type: list
  elements: str
  sample: [10.0.1.1/24, fd00:1::1/64]
aliases_removed:
  description: Addresses removed from C(lo), only ones the file had.
  returned: always
  type: list
  elements: str
  sample: [10.0.9.1/24]
"""

from ansible.module_utils.basic import AnsibleModule

from ansible_collections.sitemesh.wireguard.plugins.module_utils._loopback_apply import run_loopback


def argument_spec():
    return dict(
        interface=dict(type='str', default='wg0'),
        path=dict(type='path'),
        aliases=dict(type='list', elements='dict', default=[], options=dict(
            label=dict(type='str', required=True),
            address=dict(type='str', required=True),
        )),
    )


def main():
    run_loopback(AnsibleModule(argument_spec=argument_spec(), supports_check_mode=True))


if __name__ == '__main__':
    main()
