# Note that this module util is **PRIVATE** to the collection. It can have breaking changes at any time.
# Do not use this from other collections or standalone plugins/modules!

# Copyright (c) 2026, sitemesh.wireguard contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""The one reconciliation of the addresses of a device (pure): used for a WireGuard interface and for
the loopback aliases."""

from __future__ import annotations

import ipaddress

from ansible_collections.sitemesh.wireguard.plugins.module_utils._actions import action


def _kernel_made(address):
    iface = ipaddress.ip_interface(address)
    return iface.version == 6 and iface.ip.is_link_local


def plan_addresses(dev, wanted, live, removable=None, labels=None):
    """``ip addr add/del`` actions that make the addresses of ``dev`` what ``wanted`` lists.

    ``live`` are the addresses ``ip -o addr show dev DEV`` lists. Only the live addresses in
    ``removable`` may be removed (None: every one but the IPv6 link-local ones the kernel made).
    ``labels`` {address: label} names IPv4 addresses (labels are IPv4 only). An address that replaces
    one with the same IP (another prefix) is added after the old one is removed; every other address
    is added before any is removed, so that a device never loses its last address on the way (the
    kernel would then drop its routes).
    """
    wanted = [str(ipaddress.ip_interface(a)) for a in wanted]
    labels = labels or {}
    add = [a for a in wanted if a not in live]
    remove = [a for a in live if a not in wanted and not _kernel_made(a)
              and (removable is None or a in removable)]
    added_ips = set(ipaddress.ip_interface(a).ip for a in add)
    first = [a for a in remove if ipaddress.ip_interface(a).ip in added_ips]
    actions = [_address('addresses_removed', 'del', a, dev) for a in first]
    actions.extend(_address('addresses_added', 'add', a, dev, labels.get(a)) for a in add)
    actions.extend(_address('addresses_removed', 'del', a, dev) for a in remove if a not in first)
    return actions


def _address(key, verb, address, dev, label=None):
    version = ipaddress.ip_interface(address).version
    argv = ['ip', '-%d' % version, 'addr', verb, address, 'dev', dev]
    if label and version == 4:
        argv += ['label', label]
    return action(key, address, argv)


def plan_mtu(dev, mtu, link):
    """``ip link set dev DEV mtu N`` when an MTU is given and the link has another."""
    if not mtu or (link or {}).get('mtu') == int(mtu):
        return []
    return [action('mtu', str(mtu), ['ip', 'link', 'set', 'dev', dev, 'mtu', str(mtu)])]
