#!/usr/bin/python
# -*- coding: utf-8 -*-

# Copyright (c) 2026, sitemesh.wireguard contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

# This file only documents the module: it runs on the controller, as the action plugin plugins/action/wg_roadwarrior.py.

from __future__ import annotations

DOCUMENTATION = r"""
module: wg_roadwarrior
short_description: A device the inventory does not own (phone, laptop) joins the mesh through one site (controller only)
version_added: 0.1.0
description:
  - Run it for the site the device dials (the task's host, C(via)); it never contacts that site.
  - Makes the device's key pair B(on the controller), in the Ansible process. This is the one documented
    exception to "a private key never leaves its host" - the device needs its private key in the config it
    imports. The key is written only into the device's config (mode C(0600), in a C(0700) directory) and never
    goes to any site, into the task's result or into the log.
  - Gives the device the lowest address of the site's C(<prefix>roadwarrior_pool) that no device holds; the
    registry C(<directory>/registry.json) (device, site, address, public key; no private key) is the state, so
    an address is never given twice while a device holds it. M(sitemesh.wireguard.wg_mesh) reads the registry,
    so every C(site.yml) run keeps the devices as peers of their site.
  - Writes the device's wg-quick config C(<directory>/<device>.conf) and its QR code C(<directory>/<device>.png)
    (for the WireGuard mobile app), and prints the QR code on the controller's terminal only (never to the log).
  - Returns the O(device)'s C(peer) (public key and address) for M(sitemesh.wireguard.wg_peer) on the site.
  - A device already in the registry keeps its key and address, so a second run changes nothing.
  - With O(state=absent), removes the device from the registry and its files; returns its public key, for
    M(sitemesh.wireguard.wg_peer) to remove the peer.
author:
  - sitemesh.wireguard maintainers (@sitemesh)
extends_documentation_fragment:
  - sitemesh.wireguard.attributes
attributes:
  check_mode:
    support: full
    details:
      - Nothing is written; a new device is reported as a change.
  diff_mode:
    support: none
  idempotent:
    support: full
requirements:
  - segno and cryptography (Python, on the controller; pinned in requirements.txt)
options:
  device:
    description:
      - The device's name (letters, digits, C(.), C(_), C(-)), its peer name and the name of its files.
    type: str
    required: true
  state:
    description:
      - V(present) adds the device (or keeps it as it is); V(absent) removes it and its files.
    type: str
    choices: [present, absent]
    default: present
  group:
    description:
      - The inventory group whose hosts form the mesh.
    type: str
    default: wireguard
  prefix:
    description:
      - Prefix of the per-host mesh variables.
    type: str
    default: wireguard_
  public_key_store:
    description:
      - Directory on the controller holding one C(<host>.pub) per site (the site's public key goes into the config).
    type: path
    required: true
  directory:
    description:
      - Controller directory of the registry, the configs and the QR codes (made C(0700)). Keep it out of version control.
    type: path
    required: true
  default_route:
    description:
      - V(true) sends everything through the site (C(AllowedIPs = 0.0.0.0/0)); the internet is reached through
        the site's exit, or the site itself when it has none (it masquerades its pool). V(false) sends only
        the mesh's networks.
    type: bool
    default: true
  dns:
    description:
      - C(DNS =) of the device's config.
    type: list
    elements: str
    default: []
  persistent_keepalive:
    description:
      - C(PersistentKeepalive) toward the site (a phone is behind NAT); V(0) leaves it out.
    type: int
    default: 25
  qr_terminal:
    description:
      - Print the QR code on the controller's terminal (not in the log, not in the result).
    type: bool
    default: true
notes:
  - The site needs C(<prefix>roadwarrior_pool) and C(<prefix>endpoint) in the inventory.
seealso:
  - module: sitemesh.wireguard.wg_peer
  - module: sitemesh.wireguard.wg_mesh
"""

EXAMPLES = r"""
- name: The device's key, address, config and QR code, on the controller
  sitemesh.wireguard.wg_roadwarrior:
    device: alice-phone
    public_key_store: "{{ playbook_dir }}/public_keys/wireguard"
    directory: "{{ playbook_dir }}/roadwarrior/wireguard"
  register: device

- name: The site gets the peer live
  sitemesh.wireguard.wg_peer:
    interface: wg0
    public_key: "{{ device.peer.public_key }}"
    allowed_ips: "{{ device.peer.allowed_ips }}"
"""

RETURN = r"""
device:
  description: The device's name.
  returned: always
  type: str
  sample: alice-phone
via:
  description: The site the device dials.
  returned: always
  type: str
  sample: moly
address:
  description: The device's address (from the site's pool); with O(state=absent), the address it held.
  returned: always
  type: str
  sample: 10.0.9.1
public_key:
  description: The device's public key (none when O(state=absent) and the device was unknown).
  returned: always
  type: str
peer:
  description: The peer the site gets, for M(sitemesh.wireguard.wg_peer).
  returned: when O(state=present)
  type: dict
  sample: {public_key: "...", allowed_ips: [10.0.9.1/32]}
endpoint:
  description: The site's endpoint the device dials.
  returned: when O(state=present)
  type: str
  sample: 192.168.1.162:5555
allowed_ips:
  description: The device's AllowedIPs toward the site.
  returned: when O(state=present)
  type: list
  elements: str
  sample: [0.0.0.0/0]
config_path:
  description: The device's config on the controller (mode 0600).
  returned: always
  type: str
qr_png:
  description: The PNG of the QR code of the config on the controller (mode 0600).
  returned: always
  type: str
"""
