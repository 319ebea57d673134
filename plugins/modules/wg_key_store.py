#!/usr/bin/python
# -*- coding: utf-8 -*-

# Copyright (c) 2026, sitemesh.wireguard contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

# This file only documents the module: it runs on the controller, as the action plugin plugins/action/wg_key_store.py.

from __future__ import annotations

DOCUMENTATION = r"""
module: wg_key_store
short_description: Keep a site's public key in the controller's key store (controller only)
version_added: 0.1.0
description:
  - Writes O(public_key) to C(<store>/<host>.pub) on the controller when that file does not hold it (or is not
    mode C(0644)), making the store (mode C(0755)) when it is missing. The store is what lets a run that touches
    only some sites (C(--limit)) still configure every peer; M(sitemesh.wireguard.wg_mesh) reads it.
  - The key is checked first (the base64 of exactly 32 bytes). The file is replaced by an atomic rename and read
    back.
  - Runs in the controller's Ansible process - no module, no connection, no fork (a M(ansible.builtin.copy)
    delegated to C(localhost) runs two modules).
  - Only public keys belong here; private keys never leave their host (M(sitemesh.wireguard.wg_keypair)).
author:
  - sitemesh.wireguard maintainers (@sitemesh)
extends_documentation_fragment:
  - sitemesh.wireguard.attributes
attributes:
  diff_mode:
    details:
      - The file's old and new line.
options:
  store:
    description: The key store directory on the controller.
    type: path
    required: true
  host:
    description: The site whose key it is; names the file. Defaults to the task's C(inventory_hostname).
    type: str
  public_key:
    description: The site's WireGuard public key (base64).
    type: str
    required: true
seealso:
  - module: sitemesh.wireguard.wg_keypair
  - module: sitemesh.wireguard.wg_mesh
"""

EXAMPLES = r"""
- name: Make the key on the site; only its public half comes back
  sitemesh.wireguard.wg_keypair:
    interface: wg0
  register: keypair

- name: Keep the public key on the controller
  sitemesh.wireguard.wg_key_store:
    store: "{{ playbook_dir }}/public_keys/wireguard"
    public_key: "{{ keypair.public_key }}"
"""

RETURN = r"""
path:
  description: The key file in the store.
  returned: always
  type: str
  sample: /srv/ansible/public_keys/wireguard/giant.pub
public_key:
  description: The key kept (whitespace stripped).
  returned: always
  type: str
  sample: xTIBA5rboUvnH4htodjb6e697QjLERt1NAB4mZqp8Dg=
"""
