#!/usr/bin/python
# -*- coding: utf-8 -*-

# Copyright (c) 2026, sitemesh.wireguard contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

DOCUMENTATION = r"""
module: wg_keypair
short_description: Make sure a WireGuard private key exists on the managed host
version_added: 0.1.0
description:
  - Creates a WireGuard private key on the managed host, where it stays. Only the public key is returned.
  - The key is made with C(wg genkey) where C(wg) is installed, else with the Python library C(cryptography)
    (X25519); without either the module fails.
  - The public key is derived with C(wg pubkey) (the private key goes through stdin, never the command line)
    or with C(cryptography).
  - The key file is created with mode C(0600) from its first byte, in a temporary file of the target
    directory that is then renamed into place. A missing directory is created with mode C(0700).
  - An existing file that does not hold a valid key (32 bytes, base64) is an error and is left alone,
    unless O(regenerate=always).
  - A missing key file whose interface O(interface) is running is restored from the running interface
    (C(wg show <interface> private-key), read on the host, never returned); the site keeps its public key
    and no peer has to change. Only when the interface does not run either is a new key made.
author:
  - sitemesh.wireguard maintainers (@sitemesh)
attributes:
  check_mode:
    details:
      - When no key exists yet, nothing is made in check mode and RV(public_key) is V(null), unless the key
        would be restored from the running interface (its public key is then known).
  diff_mode:
    details:
      - The diff shows only whether a key is present and its public key, never the private key.
  idempotent:
    support: partial
    details:
      - With O(regenerate=always) every run makes a new key.
extends_documentation_fragment:
  - sitemesh.wireguard.attributes
options:
  interface:
    description:
      - Name of the WireGuard interface the key is for. Used to build the default O(path).
    type: str
    default: wg0
  path:
    description:
      - Path of the private key file on the managed host.
      - Defaults to C(/etc/wireguard/<interface>.key).
    type: path
  state:
    description:
      - V(present) makes sure the key exists, V(absent) removes the key file.
    type: str
    choices: [present, absent]
    default: present
  regenerate:
    description:
      - V(never) keeps an existing valid key; V(always) replaces the key on every run (also a corrupt one).
    type: str
    choices: [never, always]
    default: never
  restore_from_interface:
    description:
      - When the key file is missing and O(interface) is running with a private key, write that key back
        to the file (mode O(mode), through the same private temporary file) instead of making a new one.
      - Ignored with O(regenerate=always), which always makes a new key.
    type: bool
    default: true
    version_added: 0.1.0
  mode:
    description:
      - Octal mode of the key file, for example V('0600'). The temporary file is always C(0600).
    type: str
    default: '0600'
notes:
  - The private key is never returned and never shown in a diff.
seealso:
  - module: sitemesh.wireguard.wg_interface
"""

EXAMPLES = r"""
- name: Make sure wg0 has a private key
  sitemesh.wireguard.wg_keypair:
    interface: wg0
  register: wg_key

- name: Show the public key
  ansible.builtin.debug:
    msg: "{{ wg_key.public_key }}"

- name: Replace the key
  sitemesh.wireguard.wg_keypair:
    path: /etc/wireguard/wg1.key
    regenerate: always

- name: Remove the key
  sitemesh.wireguard.wg_keypair:
    interface: wg0
    state: absent
"""

RETURN = r"""
public_key:
  description:
    - Public key (base64) of the private key on the host.
    - V(null) in check mode when the key does not exist yet (or would be regenerated), and with O(state=absent).
  returned: always
  type: str
  sample: 6Ue5Kf7y9V0dlLAF6q0i8+0uDrRIXaFKyV0OBKD9e3M=
path:
  description: Path of the private key file.
  returned: always
  type: str
  sample: /etc/wireguard/wg0.key
restored:
  description:
    - V(true) when the missing key file was (or, in check mode, would be) restored from the running interface.
  returned: always
  type: bool
  version_added: 0.1.0
msg:
  description: C(<path> was missing - restored from the running interface) when it was.
  returned: when the key was restored
  type: str
"""

from ansible.module_utils.basic import AnsibleModule

from ansible_collections.sitemesh.wireguard.plugins.module_utils._keypair import run_keypair


def argument_spec():
    return dict(
        interface=dict(type='str', default='wg0'),
        path=dict(type='path'),
        state=dict(type='str', default='present', choices=['present', 'absent']),
        regenerate=dict(type='str', default='never', choices=['never', 'always']),
        restore_from_interface=dict(type='bool', default=True),
        mode=dict(type='str', default='0600'),
    )


def main():
    run_keypair(AnsibleModule(argument_spec=argument_spec(), supports_check_mode=True))


if __name__ == '__main__':
    main()
