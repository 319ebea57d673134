#!/usr/bin/python
# -*- coding: utf-8 -*-

# Copyright (c) 2026, sitemesh.wireguard contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

# This file only documents the module: it runs on the controller, as the action plugin plugins/action/wg_status.py.

from __future__ import annotations

DOCUMENTATION = r"""
module: wg_status
short_description: One status table for a whole WireGuard mesh, failing when a peer is stale or missing (controller only)
version_added: 0.1.0
description:
  - Takes what M(sitemesh.wireguard.wg_info) read on each site and the site's part of the mesh computed by
    M(sitemesh.wireguard.wg_mesh) (the peers the inventory says it must have), and prints one table for the
    whole mesh - site, peer, latest handshake age, received and sent bytes, state.
  - An expected peer is V(ok) when its latest handshake is younger than O(max_age) seconds; otherwise it is
    V(stale), V(no handshake), V(missing) (not on the interface), or its whole site is V(site unreachable)
    (the registered result of an unreachable host) or the interface is down. A site whose peers' public keys
    are not in the key store says so.
  - Extra peers (C(wireguard_extra_peers)) and peers the inventory does not know are listed, never judged.
  - Fails, listing every problem, when there is any, so that C(ansible-playbook sitemesh.wireguard.status)
    ends non-zero and can serve as a health check.
  - Runs on the controller only (use it with C(run_once)); no connection to any host is made.
author:
  - sitemesh.wireguard maintainers (@sitemesh)
extends_documentation_fragment:
  - ansible.builtin.action_common_attributes
  - ansible.builtin.action_common_attributes.flow
attributes:
  check_mode:
    support: full
    details:
      - It changes nothing anywhere; it runs the same in check mode.
  diff_mode:
    support: none
  platform:
    support: N/A
    platforms: all
  action:
    support: full
  async:
    support: none
  bypass_host_loop:
    support: none
options:
  sites:
    description:
      - One entry per site, in the order of the table.
    type: list
    elements: dict
    required: true
    suboptions:
      site:
        description: The site's inventory name.
        type: str
        required: true
      info:
        description:
          - The registered result of M(sitemesh.wireguard.wg_info) on the site (with C(ignore_unreachable),
            the unreachable result); missing when the site was not read.
        type: dict
      mesh:
        description: The site's model, C(wireguard_site.mesh) of M(sitemesh.wireguard.wg_mesh).
        type: dict
        required: true
      extra_peers:
        description: The site's C(wireguard_extra_peers) (C(name), C(public_key)).
        type: list
        elements: dict
  max_age:
    description: Seconds; an expected peer whose latest handshake is this old or older is stale.
    type: int
    default: 180
notes:
  - WireGuard makes a handshake only when there is traffic (at most every two minutes while there is). On a
    mesh with no traffic, set C(wireguard_persistent_keepalive) so that every peer keeps one younger than the
    default O(max_age), or raise O(max_age).
seealso:
  - module: sitemesh.wireguard.wg_info
  - module: sitemesh.wireguard.wg_mesh
"""

EXAMPLES = r"""
- name: The table of the whole mesh (sitemesh.wireguard.status does this)
  sitemesh.wireguard.wg_status:
    max_age: 180
    sites: "{{ ansible_play_hosts_all | map('extract', hostvars, '_wireguard_status_site') | list }}"
  run_once: true
"""

RETURN = r"""
table:
  description: The printed table, one line per row, a header first.
  returned: always
  type: list
  elements: str
  sample:
    - "site   peer   latest handshake  rx         tx         state"
    - "giant  moly   12 s ago          1.4 KiB    1.6 KiB    ok"
rows:
  description: The table's rows (C(site), C(peer), C(handshake_age), C(rx_bytes), C(tx_bytes), C(state)).
  returned: always
  type: list
  elements: dict
problems:
  description: One line per problem (a stale or missing expected peer, a site that could not be read).
  returned: always
  type: list
  elements: str
  sample: ["moly: unreachable (Failed to connect to the host)"]
max_age:
  description: The limit used, in seconds.
  returned: always
  type: int
"""
