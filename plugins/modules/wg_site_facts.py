#!/usr/bin/python
# -*- coding: utf-8 -*-

# Copyright (c) 2026, sitemesh.wireguard contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

DOCUMENTATION = r"""
module: wg_site_facts
short_description: Read what a site has in one round trip without Python, and which wanted files differ
version_added: 0.1.0
description:
  - Runs one fixed, read-only C(/bin/sh) program on the host through the connection, as M(ansible.builtin.raw)
    does (no module upload, no Python needed on the host, the same in check mode), and parses what it prints on
    the controller. What to read reaches the program as quoted arguments, each checked first (paths absolute
    without control characters, package, sysctl, nftables and unit names plain).
  - Compares the wanted O(files) with the site (SHA1 of the content, mode, owner, group) and returns those that are
    missing or differ in RV(files_differ), to loop M(ansible.builtin.copy) over. An unchanged site yields an empty
    list, nothing to run.
  - With O(loopback), says whether the loopback aliases file or the live addresses on C(lo) differ
    (RV(loopback_differs)); with O(apt_source), which apt source and pin files must be written or removed.
  - Returns its facts in the task result (register it), not as C(ansible_facts), with one exception. When
    Ansible would discover the host's Python before the next module (C(interpreter_python) V(auto) or
    V(auto_silent), no C(ansible_python_interpreter), nothing discovered yet), the same command also runs the
    discovery's C(command -v) lookups and returns C(discovered_interpreter_python) as the discovery itself
    would (the first of C(INTERPRETER_PYTHON_FALLBACK) found, as ansible-core 2.17 and later choose), so the next
    module saves that round trip.
  - Never changes anything on the host, except that O(kernel_wireguard) creates and deletes a throwaway link as
    C(wg-quick) does.
  - This is an action plugin. Run directly as a module (without the action plugin), it runs the same program
    with Python on the host.
author:
  - sitemesh.wireguard maintainers (@sitemesh)
extends_documentation_fragment:
  - ansible.builtin.action_common_attributes
  - ansible.builtin.action_common_attributes.flow
attributes:
  check_mode:
    support: full
    details:
      - It only reads; it runs in check mode as in a normal run.
  diff_mode:
    support: none
  platform:
    platforms: posix
  action:
    support: full
  async:
    support: none
  bypass_host_loop:
    support: none
  idempotent:
    description: When run twice in a row outside check mode, with the same arguments, the second invocation indicates no change.
    support: full
options:
  files:
    description:
      - Wanted files, each a dict with C(dest) (absolute path), C(content) (string) and C(mode) (octal string,
        default C(0644)). Other keys (C(validate)) are kept in RV(files_differ).
      - Only the paths reach the host; the content is hashed on the controller.
    type: list
    elements: dict
    default: []
  paths:
    description: More absolute paths whose checksum, mode and owner to read (files the role may have to remove).
    type: list
    elements: str
    default: []
  owner:
    description: Wanted owner of O(files).
    type: str
    default: root
  group:
    description: Wanted group of O(files).
    type: str
    default: root
  packages:
    description: Debian packages whose C(dpkg) status to read.
    type: list
    elements: str
    default: []
  sysctls:
    description: Sysctl keys, dotted (C(net.ipv4.ip_forward)).
    type: list
    elements: str
    default: []
  nft_tables:
    description: nftables tables written C(FAMILY NAME).
    type: list
    elements: str
    default: []
  units:
    description: systemd units whose C(systemctl is-enabled) state to read.
    type: list
    elements: str
    default: []
  private_keys:
    description:
      - WireGuard private key files whose mode, owner and public key to read. The public key is computed on the
        host (C(wg pubkey) reads the file there); neither the key nor a checksum of it reaches the controller.
      - Lets a play skip M(sitemesh.wireguard.wg_keypair) where the key is there, valid and of the wanted mode.
    type: list
    elements: str
    default: []
    version_added: 0.1.0
  reuse:
    description:
      - The registered result of an earlier run of this module on the same host, in the same play. When that
        read asked everything this task asks (its RV(asked)), its facts are used, cut down to this task's request
        (the same result a read would give), and the host is not contacted (RV(reused)); otherwise the host is read.
      - For a role that follows another one which already read the site (the exit role after the peer role, in
        C(site.yml)). Only pass a read made in the same play, before anything it saw could have changed.
    type: dict
    version_added: 0.1.0
  kernel_wireguard:
    description: Test whether the kernel can make a WireGuard link (creates and deletes C(sitemeshprobe0)).
    type: bool
    default: false
  loopback:
    description:
      - The loopback aliases wanted for a WireGuard interface, as M(sitemesh.wireguard.wg_loopback) takes them.
      - Reads the aliases file and every IPv4 and IPv6 address on C(lo).
    type: dict
    suboptions:
      interface:
        description: The WireGuard interface the aliases belong to.
        type: str
        required: true
      aliases:
        description: The wanted aliases, each a dict with C(label) and C(address) (with prefix).
        type: list
        elements: dict
        default: []
  apt_source:
    description: The extra Debian source of the wireguard_peer role and its pin.
    type: dict
    suboptions:
      source:
        description: V(unstable), V(backports) (C(<codename>-backports)) or V(none).
        type: str
        required: true
        choices: [unstable, backports, none]
      mirror:
        description: Debian mirror of the source.
        type: str
        default: http://deb.debian.org/debian/
      pin_priority:
        description: Pin priority of the source.
        type: int
        default: 150
"""

EXAMPLES = r"""
- name: Read the site in one round trip
  sitemesh.wireguard.wg_site_facts:
    packages: [wireguard-tools]
    files:
      - {dest: /etc/sysctl.d/90-forward.conf, content: "net.ipv4.ip_forward = 1\n", mode: "0644"}
    sysctls: [net.ipv4.ip_forward]
  register: site

- name: Write the files that differ
  ansible.builtin.copy:
    dest: "{{ item.dest }}"
    content: "{{ item.content }}"
    mode: "{{ item.mode }}"
  loop: "{{ site.files_differ }}"

- name: Install only when missing
  ansible.builtin.apt:
    name: wireguard-tools
  when: "'wireguard-tools' not in site.packages_installed"
"""

RETURN = r"""
codename:
  description: Debian's C(VERSION_CODENAME), empty when unknown.
  returned: always
  type: str
  sample: bookworm
kernel_wireguard:
  description: Whether the kernel can make a WireGuard link; null unless O(kernel_wireguard).
  returned: always
  type: bool
packages:
  description: Package name to C(dpkg) status abbreviation (C(ii) when installed); packages never seen are absent.
  returned: always
  type: dict
  sample: {"wireguard-tools": "ii"}
packages_installed:
  description: The asked packages that are installed.
  returned: always
  type: list
  elements: str
files:
  description: Path to C(sha1), C(mode) (C(0644)), C(owner), C(group) of every asked file present on the site.
  returned: always
  type: dict
files_present:
  description: The asked paths that are regular files on the site.
  returned: always
  type: list
  elements: str
files_differ:
  description: The items of O(files) that are missing on the site or differ (content, mode, owner, group).
  returned: always
  type: list
  elements: dict
sysctls:
  description: Sysctl key to value; keys the kernel does not have are absent.
  returned: always
  type: dict
nft_tables:
  description: C(FAMILY NAME) to whether the table exists.
  returned: always
  type: dict
units:
  description: Unit to its C(systemctl is-enabled) state (empty when systemd does not know it).
  returned: always
  type: dict
loopback_addresses:
  description: The IPv4 and IPv6 addresses on C(lo) with prefix, when O(loopback) is given.
  returned: always
  type: list
  elements: str
private_keys:
  description:
    - Path of each asked private key file present on the site to its C(mode) (C(0600)), C(owner), C(group) and
      C(public_key) (null when the file is not a valid key or C(wg) is not installed).
  returned: always
  type: dict
  sample: {"/etc/wireguard/wg0.key": {"mode": "0600", "owner": "root", "group": "root", "public_key": "xTIB...="}}
  version_added: 0.1.0
ansible_facts:
  description:
    - C(discovered_interpreter_python), the fact Ansible's own interpreter discovery sets, when a discovery was
      due for this host (see the description), the first interpreter of C(INTERPRETER_PYTHON_FALLBACK) found.
  returned: when a discovery was due and an interpreter was found (action plugin only)
  type: dict
  sample: {"discovered_interpreter_python": "/usr/bin/python3.11"}
  version_added: 0.1.0
asked:
  description: What was read, as the probe's requests (C(file:PATH), C(sysctl:KEY), ...); a later O(reuse) checks it.
  returned: always
  type: list
  elements: str
  sample: ["file:/etc/sysctl.d/90-sitemesh-wireguard-wg0.conf", "sysctl:net.ipv4.ip_forward"]
  version_added: 0.1.0
reused:
  description: Whether the facts came from O(reuse) instead of a read of the host.
  returned: always
  type: bool
  version_added: 0.1.0
loopback_differs:
  description:
    - Whether the aliases file differs from the wanted one (content, C(0644), root), exists while no alias is
      wanted, or a wanted address is missing on C(lo) (addresses compared as IP interfaces).
  returned: when O(loopback) is given
  type: bool
apt_suite:
  description: The suite of O(apt_source.source) on this site.
  returned: when O(apt_source) is given
  type: str
  sample: bookworm-backports
apt_files_differ:
  description: The source and pin files (C(dest), C(content), C(mode)) that are missing or differ.
  returned: when O(apt_source) is given
  type: list
  elements: dict
apt_stale_paths:
  description: Source and pin files of another O(apt_source.source) choice that are on the site.
  returned: when O(apt_source) is given
  type: list
  elements: str
"""

from ansible.module_utils.basic import AnsibleModule

from ansible_collections.sitemesh.wireguard.plugins.module_utils._site_facts import ARGUMENT_SPEC, conclude, request, reused_facts
from ansible_collections.sitemesh.wireguard.plugins.module_utils._site_probe import SCRIPT, parse


def main():
    module = AnsibleModule(argument_spec=ARGUMENT_SPEC, supports_check_mode=True)
    try:
        args = request(module.params)
    except ValueError as exc:
        module.fail_json(msg='wg_site_facts: %s' % exc)
    facts = reused_facts(module.params, args)
    if facts is not None:
        module.exit_json(changed=False, reused=True, **conclude(module.params, facts, args))
    rc, out, err = module.run_command(['/bin/sh', '-c', SCRIPT, 'wg_site_facts'] + args, environ_update={'LANG': 'C'})
    if rc != 0:
        module.fail_json(msg='wg_site_facts: reading the site failed (rc %s): %s' % (rc, err.strip()), rc=rc)
    try:
        result = conclude(module.params, parse(out), args)
    except ValueError as exc:
        module.fail_json(msg='wg_site_facts: %s' % exc, stdout=out)
    module.exit_json(changed=False, reused=False, **result)


if __name__ == '__main__':
    main()
