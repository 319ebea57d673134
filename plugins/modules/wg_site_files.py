#!/usr/bin/python
# -*- coding: utf-8 -*-

# Copyright (c) 2026, sitemesh.wireguard contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

DOCUMENTATION = r"""
module: wg_site_files
short_description: Write and remove a site's small files in one task (one round trip)
version_added: 0.1.0
description:
  - The roles' own files beside the tunnel (the apt source and its pin, the timers' units and scripts, the exit's
    forwarding, NAT table and boot unit) in one module run, where M(ansible.builtin.copy) in a loop costs
    several round trips per file (a stat, a transfer, the module).
  - Reads every file of O(files) and O(absent) first. A file is written only when its content, mode, owner or
    group differs; a path of O(absent) is removed only when it exists.
  - Every new content with a C(validate) command is checked on a copy before any file is touched; when one
    fails, the task fails naming the file and the command, and no file is written or removed.
  - Each file is written atomically (a temporary file in its directory, mode 0600 until it is renamed into
    place, then given its mode and owner); a missing directory is made with mode 0755. A symbolic link at a
    path (a masked unit) is replaced by the file, never written through. Contents are compared byte for byte
    (line ends count).
  - After the writes, every file is read again; the task fails, naming what still differs, unless all are as
    wanted.
  - For the small text files of a role. Starting, reloading or restarting what reads them is the next task's
    business (the task's RV(written) and RV(removed) say which changed).
author:
  - sitemesh.wireguard maintainers (@sitemesh)
attributes:
  diff_mode:
    details:
      - One diff per file written or removed; a file whose content is the same shows its mode and owner.
extends_documentation_fragment:
  - sitemesh.wireguard.attributes
options:
  files:
    description:
      - The wanted files. The items of M(sitemesh.wireguard.wg_site_facts)' RV(sitemesh.wireguard.wg_site_facts#module:files_differ)
        have this shape.
    type: list
    elements: dict
    default: []
    suboptions:
      dest:
        description: Absolute path of the file.
        type: path
        required: true
      content:
        description: The whole text of the file.
        type: str
        required: true
      mode:
        description: Mode, an octal string such as V(0644).
        type: raw
        default: '0644'
      validate:
        description:
          - A command run on a copy of the new content before any file is written; C(%s) stands for the copy's path
            (the copy has the file's own name). Nothing is written when it exits non-zero, or when its program is
            not installed.
          - In check mode a command whose program is not installed yet (a fresh site whose packages the same run
            would install) is not run.
          - Example V(nft -c -f %s).
        type: str
  absent:
    description: Absolute paths to remove (nothing happens for a path that does not exist).
    type: list
    elements: path
    default: []
  owner:
    description: Owner of every file of O(files).
    type: str
    default: root
  group:
    description: Group of every file of O(files).
    type: str
    default: root
notes:
  - A path may not be in O(files) twice, nor in both O(files) and O(absent).
  - The content travels in the module's arguments, like M(ansible.builtin.copy)'s C(content) - for public
    configuration, never for a key (M(sitemesh.wireguard.wg_keypair) makes keys on the host).
seealso:
  - module: sitemesh.wireguard.wg_site_facts
  - module: ansible.builtin.copy
"""

EXAMPLES = r"""
- name: Forwarding and a checked NAT table, in one round trip
  sitemesh.wireguard.wg_site_files:
    files:
      - dest: /etc/sysctl.d/90-sitemesh-wireguard.conf
        content: "net.ipv4.ip_forward = 1\n"
      - dest: /etc/nftables.d/sitemesh-wireguard.nft
        content: "{{ lookup('ansible.builtin.template', 'nat.nft.j2') }}"
        validate: nft -c -f %s
  register: written

- name: Load the table again only when its file changed
  ansible.builtin.command: nft -f /etc/nftables.d/sitemesh-wireguard.nft
  when: "'/etc/nftables.d/sitemesh-wireguard.nft' in written.written"
  changed_when: true

- name: Write what the read found different, remove what is no longer wanted
  sitemesh.wireguard.wg_site_files:
    files: "{{ site.files_differ }}"
    absent: [/etc/apt/sources.list.d/sitemesh-wireguard-testing.list]
"""

RETURN = r"""
written:
  description: The files written (in check mode, that would be), in the order of O(files).
  returned: always
  type: list
  elements: str
  sample: [/etc/sysctl.d/90-sitemesh-wireguard.conf]
removed:
  description: The paths removed (in check mode, that would be).
  returned: always
  type: list
  elements: str
  sample: [/etc/apt/sources.list.d/sitemesh-wireguard-testing.list]
"""

from ansible.module_utils.basic import AnsibleModule

from ansible_collections.sitemesh.wireguard.plugins.module_utils._site_files import run_site_files


def argument_spec():
    return dict(
        files=dict(type='list', elements='dict', default=[], options=dict(
            dest=dict(type='path', required=True),
            content=dict(type='str', required=True),
            mode=dict(type='raw', default='0644'),
            validate=dict(type='str'),
        )),
        absent=dict(type='list', elements='path', default=[]),
        owner=dict(type='str', default='root'),
        group=dict(type='str', default='root'),
    )


def main():
    run_site_files(AnsibleModule(argument_spec=argument_spec(), supports_check_mode=True))


if __name__ == '__main__':
    main()
