#!/usr/bin/python
# -*- coding: utf-8 -*-

# Copyright (c) 2026, sitemesh.wireguard contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

DOCUMENTATION = r"""
module: wg_info
short_description: Read a running WireGuard interface - its peers named, handshake ages, traffic, port and addresses
version_added: 0.1.0
description:
  - Reads C(wg show <name> dump) and C(ip -o addr show dev <name>) on the host and returns the interface's public
    key, listen port, fwmark, addresses and every peer with its endpoint, AllowedIPs, latest handshake (epoch
    seconds and its age in seconds on the host's own clock, V(null) when never), received and sent bytes.
  - Each peer gets a name from O(names) (public key to name, for example the mesh's sites and its extra peers);
    a key not in the map has name V(null).
  - Only public keys are returned. The private key and the preshared keys that C(wg show dump) prints are
    dropped (and registered as no_log values, so they are masked if they ever appeared in an error).
  - Changes nothing. An interface that does not exist (or is no WireGuard link) is returned with RV(up=false).
author:
  - sitemesh.wireguard maintainers (@sitemesh)
attributes:
  check_mode:
    details:
      - It only reads; it runs in check mode as in a normal run.
  diff_mode:
    support: none
extends_documentation_fragment:
  - sitemesh.wireguard.attributes
options:
  name:
    description: The WireGuard interface.
    type: str
    default: wg0
  names:
    description:
      - Public key to name, for naming the peers (the playbook C(sitemesh.wireguard.status) builds it from the
        public key store and C(wireguard_extra_peers)).
    type: dict
    default: {}
notes:
  - Needs C(wg) (wireguard-tools) and C(ip) (iproute2), and root to read the interface.
seealso:
  - module: sitemesh.wireguard.wg_interface
  - module: sitemesh.wireguard.wg_status
"""

EXAMPLES = r"""
- name: Read wg0, peers named by inventory name
  sitemesh.wireguard.wg_info:
    name: wg0
    names:
      y3WbD9Hr8ayv8eEmr24IQoZa/kU0ZYoT2v+xKZNkKHU=: giant
      Wj1oIn3Dl6ZtSPBB7iGRnp/11qckknB6EVcA+2+1NAk=: raspi
  register: wg0_info

- name: Peers without a handshake in the last three minutes
  ansible.builtin.debug:
    msg: "{{ wg0_info.peers | rejectattr('handshake_age', 'le', 180) | map(attribute='name') | list }}"
"""

RETURN = r"""
interface:
  description: The interface read.
  returned: always
  type: str
  sample: wg0
up:
  description: Whether a WireGuard link of that name exists.
  returned: always
  type: bool
  sample: true
public_key:
  description: The interface's public key (V(null) when it is not up).
  returned: always
  type: str
  sample: y3WbD9Hr8ayv8eEmr24IQoZa/kU0ZYoT2v+xKZNkKHU=
name:
  description: The interface's own name in O(names), V(null) when not there.
  returned: always
  type: str
  sample: giant
listen_port:
  description: The UDP port the interface listens on.
  returned: always
  type: int
  sample: 5555
fwmark:
  description: The interface's fwmark (hexadecimal), V(null) when none.
  returned: always
  type: str
  sample: "0xca6c"
addresses:
  description: The interface's addresses with their prefix length, both families.
  returned: always
  type: list
  elements: str
  sample: [172.16.1.1/24]
now:
  description: The host's clock when it was read (epoch seconds); handshake ages are counted from it.
  returned: always
  type: int
  sample: 1795742400
peers:
  description: Every peer of the running interface, in C(wg show) order.
  returned: always
  type: list
  elements: dict
  contains:
    name:
      description: The peer's name in O(names), V(null) when its key is not there.
      type: str
      sample: moly
    public_key:
      description: The peer's public key.
      type: str
    endpoint:
      description: The endpoint last seen or configured (C(ip:port)), V(null) when none.
      type: str
      sample: 192.168.1.162:5555
    allowed_ips:
      description: The peer's AllowedIPs.
      type: list
      elements: str
      sample: [0.0.0.0/0]
    latest_handshake:
      description: Epoch seconds of the latest handshake, V(null) when there was none.
      type: int
    handshake_age:
      description: Seconds since the latest handshake (host clock), V(null) when there was none.
      type: int
      sample: 44
    rx_bytes:
      description: Bytes received from the peer.
      type: int
      sample: 892
    tx_bytes:
      description: Bytes sent to the peer.
      type: int
      sample: 916
    persistent_keepalive:
      description: Keepalive interval in seconds, V(null) when off.
      type: int
"""

from ansible.module_utils.basic import AnsibleModule

from ansible_collections.sitemesh.wireguard.plugins.module_utils._info import read_info


def argument_spec():
    return dict(
        name=dict(type='str', default='wg0'),
        names=dict(type='dict', default={}),
    )


def main():
    module = AnsibleModule(argument_spec=argument_spec(), supports_check_mode=True)
    module.exit_json(changed=False, **read_info(module, module.params['name'], module.params['names']))


if __name__ == '__main__':
    main()
