#!/usr/bin/python
# -*- coding: utf-8 -*-

# Copyright (c) 2026, sitemesh.wireguard contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

DOCUMENTATION = r"""
module: wg_interface
short_description: Manage a WireGuard interface, its wg-quick config and its live state
version_added: 0.1.0
description:
  - Owns the wg-quick configuration file of one WireGuard interface (O(config_path)) and renders it from
    structured options, deterministically (peers in the given order), with C(SaveConfig = false).
  - The private key is read on the managed host from O(private_key_file) and written inline
    (C(PrivateKey = ...)) into the file, which is created with mode C(0600). It is never returned, and
    every private or preshared key is redacted in diffs.
  - The new file is checked before it replaces the old one (the module's own parser and
    C(wg-quick strip)); when it is not valid the module fails and the old file is left in place.
    Whether the file changes is decided by comparing the parsed configurations, not the text.
  - With O(apply=true) the running interface is made to match, without ever taking it down. When it
    does not exist it is started (C(systemctl start wg-quick@<name>) when systemd runs the host and
    O(config_path) is C(/etc/wireguard/<name>.conf) - C(systemctl restart) when the unit is still active while its
    link is gone - else C(wg-quick up <config_path>)). When it exists,
    peers and keys are changed one by one with C(wg set) (the private key through stdin, never argv), and a peer
    that stays never has its allowed IPs replaced (a replace drops the packets that arrive in between). New
    prefixes are inserted through the userspace control socket C(/var/run/wireguard/<name>.sock) (wireguard-go),
    prefixes that go are moved to a temporary sink peer removed with them, new peers are added before and gone
    peers removed after. On a kernel interface C(wg) can only replace a peer's list, so adding a prefix to a
    peer that stays replaces its list there (a window of microseconds). Then addresses (C(ip addr add/del)) and routes are reconciled the way C(wg-quick up)
    would have set them, so that a restart of the interface and a module run agree.
  - After applying, the live state is read again and compared again; the task fails, naming what still differs,
    unless nothing is left to do (and, when it was started, the link exists).
  - A change that cannot apply keeps the last good state. With O(apply=true), a O(listen_port) that is not
    the running interface's already and that another socket holds on the host (read from C(/proc/net/udp),
    C(/proc/net/udp6) and C(/proc/<pid>/fd)) fails the task before anything is written, naming the port
    and the process (also in check mode). Any other failure while applying live after the new file was
    installed puts the previous file back (removes the new one when there was none) and says so in the message.
  - Routes, with C(Table) unset or V(auto) - a route C(<allowed ip> dev <name>) in the main table for each
    allowed IP that the interface's own connected network does not cover; for V(0.0.0.0/0) or V(::/0) the
    policy routing of C(wg-quick) (fwmark and table 51820, rules C(not fwmark 51820 table 51820) and
    C(table main suppress_prefixlength 0), C(net.ipv4.conf.all.src_valid_mark=1)). With another O(table)
    every allowed IP goes to that table; with V(off) routes are not managed. Routes C(dev <name>) that no
    peer needs any more are removed, the kernel's connected routes are left alone.
  - Firewall, for a default route added to a running interface - the rules C(wg-quick up) adds, the same way
    (C(add_default) of wg-quick) - an nftables table C(wg-quick-<name>) per family (C(ip) for V(0.0.0.0/0),
    C(ip6) for V(::/0)) dropping packets to the interface's addresses that come from elsewhere, and saving and
    restoring the fwmark of UDP packets in conntrack; with C(iptables-restore) and C(ip6tables-restore) in the
    tables C(raw) and C(mangle) (rules with the comment wg-quick gives them) when C(nft) is not installed;
    skipped with a warning when neither is. The rules follow the interface's addresses, and are removed, as
    C(wg-quick down) does, when the default route goes away; C(wg-quick down) removes the ones this module made.
  - With O(backend=ifupdown) the guide's other way up is used instead of C(wg-quick) - O(config_path) is written in
    the format C(wg setconf) reads (C(PrivateKey), C(ListenPort), C(FwMark) and the peers, no wg-quick key; the
    fwmark of a default route is in it), and O(ifupdown_path) holds an C(auto <name>) / C(iface <name> inet manual)
    stanza whose C(pre-up) lines make the link (C(ip link add type wireguard), else C(wireguard-go) where the kernel
    has no WireGuard, as wg-quick falls back to it) and run C(wg setconf), and whose C(post-up) / C(post-down) lines
    are the module's own live plan of a bare link (addresses, routes, the default route's policy rules, sysctl and
    nftables table), so boot and a run make the same state. O(interfaces_path) gets a C(source <dir>/*) line when it
    reads no file of that directory. Boot brings it up through C(networking.service) (C(ifup -a)); C(wg-quick@<name>)
    is disabled. A missing link is started with C(ifup --force); a running one is changed live exactly as with
    wg-quick, never with C(ifdown)/C(ifup).
  - Switching O(backend) on a running interface takes it down the old way (C(systemctl stop wg-quick@<name>), or
    C(ifdown --force <name>) before the stanza is removed) and starts it the new way; its key is kept (O(private_key_file)).
author:
  - sitemesh.wireguard maintainers (@sitemesh)
attributes:
  diff_mode:
    details:
      - The diff shows the configuration file with private and preshared keys redacted.
extends_documentation_fragment:
  - sitemesh.wireguard.attributes
options:
  name:
    description: Name of the WireGuard interface.
    type: str
    default: wg0
  state:
    description:
      - V(present) writes the config (and applies it with O(apply)).
      - V(absent) takes the interface down (with O(apply)), disables C(wg-quick@<name>) and removes the config.
    type: str
    choices: [present, absent]
    default: present
  config_path:
    description:
      - Path of the wg-quick configuration file. Its file name must be the interface name followed by C(.conf).
      - Defaults to C(/etc/wireguard/<name>.conf).
    type: path
  private_key_file:
    description:
      - Private key file on the managed host, as made by M(sitemesh.wireguard.wg_keypair).
      - Defaults to C(/etc/wireguard/<name>.key).
      - The module fails when it is missing or does not hold a key, except in check mode (a first run in check mode,
        before M(sitemesh.wireguard.wg_keypair) made the key) where it warns and goes on without it.
    type: path
  addresses:
    description: Addresses of the interface with their prefix length (IPv4 and IPv6), for example V(172.16.1.1/24).
    type: list
    elements: str
    default: []
  listen_port:
    description: UDP port to listen on. Random when not set.
    type: int
  mtu:
    description: MTU of the interface. wg-quick computes one when not set.
    type: int
  table:
    description: C(Table) of wg-quick - V(auto) (the default when not set), V(off), or a routing table.
    type: str
  fwmark:
    description: C(FwMark) of the interface.
    type: str
  dns:
    description: C(DNS) servers and search domains (applied by wg-quick when the interface is started).
    type: list
    elements: str
    default: []
  pre_up:
    description: C(PreUp) commands, run by wg-quick only when the interface is started.
    type: list
    elements: str
    default: []
  post_up:
    description: C(PostUp) commands, run by wg-quick only when the interface is started.
    type: list
    elements: str
    default: []
  pre_down:
    description: C(PreDown) commands.
    type: list
    elements: str
    default: []
  post_down:
    description: C(PostDown) commands.
    type: list
    elements: str
    default: []
  peers:
    description: The peers of the interface, in the order they are written. Peers not listed are removed.
    type: list
    elements: dict
    default: []
    suboptions:
      name:
        description: Name of the peer, written as a comment line above its C([Peer]) section.
        type: str
      public_key:
        description: Public key of the peer (base64).
        type: str
        required: true
      allowed_ips:
        description: Allowed IPs of the peer (CIDR); host bits are cleared, a bare address is a /32 or /128.
        type: list
        elements: str
        default: []
      endpoint:
        description: C(host:port) of the peer.
        type: str
      persistent_keepalive:
        description: Keepalive interval in seconds; V(0) is off.
        type: int
      preshared_key:
        description: Preshared key (base64). Never shown in a diff or returned.
        type: str
  backup:
    description: Make a backup of the old config file, with a timestamp in its name, before replacing it.
    type: bool
    default: false
  apply:
    description:
      - Make the running interface match the config (start it when it is not running). Never takes it down.
      - C(DNS) and the hooks only take effect when the interface is started.
    type: bool
    default: true
  enabled:
    description:
      - Enable (V(true)) or disable (V(false)) C(wg-quick@<name>) at boot with C(systemctl). Skipped with a
        warning when C(systemctl) is not installed.
    type: bool
    default: true
  backend:
    description:
      - V(wg-quick) - the interface is a C(wg-quick) config started by C(wg-quick@<name>).
      - V(ifupdown) - the guide's C(/etc/network/interfaces) way, see the description. O(dns) is refused with it.
      - With O(backend=ifupdown), O(enabled) writes C(auto <name>) and enables C(networking.service);
        C(wg-quick@<name>) is always disabled.
    type: str
    choices: [wg-quick, ifupdown]
    default: wg-quick
  ifupdown_path:
    description:
      - The ifupdown stanza of the interface (O(backend=ifupdown)); with O(backend=wg-quick) a stanza this module
        wrote there is taken down (C(ifdown)) and removed.
      - Defaults to C(/etc/network/interfaces.d/<name>).
    type: path
  interfaces_path:
    description:
      - The interfaces(5) file C(ifup) reads (C(ifup -i)); it must read the directory of O(ifupdown_path).
      - Defaults to C(/etc/network/interfaces).
    type: path
notes:
  - The private key is never returned; it is added to the values Ansible hides from its output.
  - Live changes of a running interface - peers and keys (C(wg set), the control socket), addresses, MTU, routes, policy
    rules, C(src_valid_mark) and the firewall rules of a default route. Not applied live - C(DNS), C(Table)
    changes of routes already in another table, hooks.
  - With O(apply=true) and diff mode, the diff ends with the list of the live changes.
seealso:
  - module: sitemesh.wireguard.wg_keypair
  - module: sitemesh.wireguard.wg_peer
"""

EXAMPLES = r"""
- name: Configure wg0 and apply it live
  sitemesh.wireguard.wg_interface:
    name: wg0
    addresses:
      - 172.16.1.1/24
    listen_port: 5555
    peers:
      - name: moly
        public_key: "{{ hostvars['moly'].wg_public_key }}"
        endpoint: 192.168.1.162:5555
        allowed_ips:
          - 172.16.1.2/32
          - 10.0.2.0/24
        preshared_key: "{{ psk_giant_moly }}"
  register: wg0

- name: Write the file only, apply later
  sitemesh.wireguard.wg_interface:
    name: wg1
    addresses: [10.99.0.1/24]
    apply: false
    enabled: false

- name: The guide's /etc/network/interfaces way (wg setconf file + ifupdown stanza), applied live
  sitemesh.wireguard.wg_interface:
    name: wg0
    backend: ifupdown
    addresses: [172.16.1.2/24]
    listen_port: 5555
    peers:
      - name: raspi
        public_key: "{{ hostvars['raspi'].wg_public_key }}"
        endpoint: 192.168.1.200:5555
        allowed_ips: [172.16.1.3/32, 77.66.55.0/24]

- name: Remove the interface
  sitemesh.wireguard.wg_interface:
    name: wg1
    state: absent
"""

RETURN = r"""
public_key:
  description:
    - Public key of the interface, derived from O(private_key_file).
    - V(null) with O(state=absent), and in check mode when the key file does not exist yet.
  returned: always
  type: str
  sample: 6Ue5Kf7y9V0dlLAF6q0i8+0uDrRIXaFKyV0OBKD9e3M=
config_path:
  description: Path of the configuration file.
  returned: always
  type: str
  sample: /etc/wireguard/wg0.conf
backup_file:
  description: Name of the backup file.
  returned: when O(backup=true) and the file was replaced
  type: str
peers_added:
  description: Public keys of the peers added to the running interface (all peers when it is started).
  returned: always
  type: list
  elements: str
peers_removed:
  description: Public keys of the peers removed from the running interface.
  returned: always
  type: list
  elements: str
peers_updated:
  description: Public keys of the running peers whose allowed IPs, endpoint, keepalive or preshared key change.
  returned: always
  type: list
  elements: str
addresses_added:
  description: Addresses added to the interface.
  returned: always
  type: list
  elements: str
  sample: [172.16.1.1/24]
addresses_removed:
  description: Addresses removed from the interface.
  returned: always
  type: list
  elements: str
routes_added:
  description: Routes added, C(CIDR) in the main table or C(CIDR table N).
  returned: always
  type: list
  elements: str
  sample: [10.0.2.0/24, 0.0.0.0/0 table 51820]
routes_removed:
  description: Routes removed, in the same form as RV(routes_added).
  returned: always
  type: list
  elements: str
rules_changed:
  description:
    - The commands (or their effect) that change the policy routing and the firewall of a default route -
      C(ip rule), C(sysctl), C(nft) script lines, C(iptables -t <table>) rules.
    - In check mode, what would be run.
  returned: when any changes
  type: list
  elements: str
  sample:
    - ip -4 rule add not fwmark 51820 table 51820
    - ip -4 rule add table main suppress_prefixlength 0
    - sysctl net.ipv4.conf.all.src_valid_mark=1
    - nft add table ip wg-quick-wg0
    - nft add rule ip wg-quick-wg0 postmangle meta l4proto udp mark 51820 ct mark set mark
interface_updated:
  description: The private key, listen port or fwmark of the running interface changed.
  returned: when it changes
  type: bool
started:
  description: The interface was not running and was started (its link exists and matches the config).
  returned: when it is started
  type: bool
backend:
  description: The backend the interface has now.
  returned: with O(state=present)
  type: str
  sample: ifupdown
backend_changed:
  description: The switch of backend made on the running interface (taken down the old way, started the new way).
  returned: when the running interface changed backend
  type: list
  elements: str
  sample: [wg-quick -> ifupdown]
"""

from ansible.module_utils.basic import AnsibleModule

from ansible_collections.sitemesh.wireguard.plugins.module_utils._config import peer_options
from ansible_collections.sitemesh.wireguard.plugins.module_utils._config_file import config_file_options
from ansible_collections.sitemesh.wireguard.plugins.module_utils._interface import run_interface


def argument_spec():
    hooks = dict(type='list', elements='str', default=[])
    return dict(
        name=dict(type='str', default='wg0'),
        private_key_file=dict(type='path', no_log=False),
        addresses=dict(type='list', elements='str', default=[]),
        listen_port=dict(type='int'),
        mtu=dict(type='int'),
        table=dict(type='str'),
        fwmark=dict(type='str'),
        dns=dict(type='list', elements='str', default=[]),
        pre_up=hooks,
        post_up=dict(hooks),
        pre_down=dict(hooks),
        post_down=dict(hooks),
        peers=dict(type='list', elements='dict', default=[],
                   options=dict(name=dict(type='str'), **peer_options(allowed_ips_default=[]))),
        backup=dict(type='bool', default=False),
        apply=dict(type='bool', default=True),
        enabled=dict(type='bool', default=True),
        backend=dict(type='str', default='wg-quick', choices=['wg-quick', 'ifupdown']),
        ifupdown_path=dict(type='path'),
        interfaces_path=dict(type='path'),
        **config_file_options()
    )


def main():
    run_interface(AnsibleModule(argument_spec=argument_spec(), supports_check_mode=True))


if __name__ == '__main__':
    main()
