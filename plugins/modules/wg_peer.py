#!/usr/bin/python
# -*- coding: utf-8 -*-

# Copyright (c) 2026, sitemesh.wireguard contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

DOCUMENTATION = r"""
module: wg_peer
short_description: Add, change or remove one peer of a WireGuard interface, live and in its config
version_added: 0.1.0
description:
  - Manages a single peer the manual way - C(wg set <interface> peer <key> ...) on the running interface, and the
    C([Peer]) section in the wg-quick config file when that file exists.
  - Options that are not given are left as they are; O(allowed_ips) replaces the whole list.
  - The config file is parsed and changed with the same model as M(sitemesh.wireguard.wg_interface), checked,
    and written the same safe way (mode C(0600), atomic rename). Only the lines of this peer that change are
    rewritten (an inline comment on such a line is kept); every other line - comments, the C([Interface]), the
    other peers - stays as it was. A removed peer goes with the comment lines right above its C([Peer]).
  - With O(routes=true) the routes of the interface are reconciled afterwards, the way C(wg-quick up) sets
    them, with the policy routing and firewall rules of a default route (see M(sitemesh.wireguard.wg_interface)).
  - Idempotent against both the live state (C(wg show <interface> dump)) and the file.
  - When the live change fails after the file was changed, the previous file is put back and the message says so.
author:
  - sitemesh.wireguard maintainers (@sitemesh)
attributes:
  diff_mode:
    details:
      - The diff covers the config file, with private and preshared keys redacted, and lists the live changes.
extends_documentation_fragment:
  - sitemesh.wireguard.attributes
options:
  interface:
    description: Name of the WireGuard interface.
    type: str
    default: wg0
  public_key:
    description: Public key (base64) of the peer.
    type: str
    required: true
  name:
    description:
      - Name of the peer, written as a comment above its C([Peer]) line (as M(sitemesh.wireguard.wg_interface)
        writes its peers' names). Left as it is when not given.
    type: str
    version_added: 0.1.0
  state:
    description: Whether the peer is there.
    type: str
    choices: [present, absent]
    default: present
  allowed_ips:
    description: Allowed IPs of the peer (CIDR). Replaces the peer's list when given.
    type: list
    elements: str
  endpoint:
    description: C(host:port) of the peer.
    type: str
  persistent_keepalive:
    description: Keepalive interval in seconds; V(0) turns it off.
    type: int
  preshared_key:
    description: Preshared key (base64). It reaches C(wg) on stdin, never on the command line.
    type: str
  config_path:
    description:
      - wg-quick configuration file updated when it exists. Defaults to C(/etc/wireguard/<interface>.conf).
    type: path
  routes:
    description: Add and remove the routes the peer's allowed IPs need on the running interface.
    type: bool
    default: true
  live:
    description:
      - Change the running interface with C(wg set). Skipped when the interface does not exist but the config file
        does; the module fails when neither exists.
    type: bool
    default: true
notes:
  - Preshared keys are never returned and never shown in a diff.
  - A file with C(SaveConfig = true) is overwritten by wg-quick when the interface goes down.
seealso:
  - module: sitemesh.wireguard.wg_interface
"""

EXAMPLES = r"""
- name: Add a peer to wg0, live and in /etc/wireguard/wg0.conf
  sitemesh.wireguard.wg_peer:
    interface: wg0
    public_key: GYHDS4+PLOUX/FIpXPIjlnTjY6dboxx4JmpS1JnkImo=
    endpoint: 192.168.1.162:5555
    allowed_ips:
      - 172.16.1.2/32
      - 10.0.2.0/24
    persistent_keepalive: 25
    preshared_key: "{{ psk }}"

- name: Remove it
  sitemesh.wireguard.wg_peer:
    interface: wg0
    public_key: GYHDS4+PLOUX/FIpXPIjlnTjY6dboxx4JmpS1JnkImo=
    state: absent
"""

RETURN = r"""
public_key:
  description: Public key of the peer.
  returned: always
  type: str
config_path:
  description: The config file that was checked, V(null) when it does not exist.
  returned: always
  type: str
peers_added:
  description: Public key of the peer when it was added to the running interface.
  returned: always
  type: list
  elements: str
peers_removed:
  description: Public key of the peer when it was removed from the running interface.
  returned: always
  type: list
  elements: str
peers_updated:
  description: Public key of the peer when it was changed on the running interface.
  returned: always
  type: list
  elements: str
routes_added:
  description: Routes added, C(CIDR) in the main table or C(CIDR table N).
  returned: always
  type: list
  elements: str
routes_removed:
  description: Routes removed.
  returned: always
  type: list
  elements: str
rules_changed:
  description:
    - The fwmark, C(ip rule), C(sysctl) and firewall (C(nft), C(iptables)) changes of a default route, as
      commands; see M(sitemesh.wireguard.wg_interface).
  returned: when any changes
  type: list
  elements: str
  sample: [wg set wg0 fwmark 51820, ip -4 rule add not fwmark 51820 table 51820]
"""

from ansible.module_utils.basic import AnsibleModule

from ansible_collections.sitemesh.wireguard.plugins.module_utils._config import peer_options
from ansible_collections.sitemesh.wireguard.plugins.module_utils._config_file import config_file_options
from ansible_collections.sitemesh.wireguard.plugins.module_utils._peer import run_peer


def argument_spec():
    return dict(
        interface=dict(type='str', default='wg0'),
        name=dict(type='str'),
        routes=dict(type='bool', default=True),
        live=dict(type='bool', default=True),
        **dict(peer_options(), **config_file_options())
    )


def main():
    run_peer(AnsibleModule(argument_spec=argument_spec(), supports_check_mode=True))


if __name__ == '__main__':
    main()
