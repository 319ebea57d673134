# Note that this module util is **PRIVATE** to the collection. It can have breaking changes at any time.
# Do not use this from other collections or standalone plugins/modules!

# Copyright (c) 2026, sitemesh.wireguard contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Which Debian packages a site of the mesh needs: pure, from what was read on the site and the role's choices."""

from __future__ import annotations

GO_CHOICES = ('auto', 'true', 'false')


def needs_go(go, kernel_wireguard):
    """wireguard-go: always (``true``), never (``false``), or where the kernel cannot make a WireGuard link."""
    choice = str(go).lower()
    if choice in ('true', 'yes'):
        return True
    if choice == 'auto':
        return not kernel_wireguard
    if choice in ('false', 'no'):
        return False
    raise ValueError('wireguard_go %r is not one of %s' % (go, ', '.join(GO_CHOICES)))


def packages(kernel_wireguard, go='auto', loopback=False, forwarding=False, tools_version=''):
    """The packages to install, ``wireguard-tools=VERSION`` when a version is pinned.

    wg-quick needs nft (or iptables) and sysctl for a default route through the tunnel (a client of an exit);
    an exit or a hub needs them for forwarding and NAT. ifupdown brings the loopback aliases up at boot.
    """
    wanted = ['wireguard-tools=%s' % tools_version if tools_version else 'wireguard-tools']
    if needs_go(go, kernel_wireguard):
        wanted.append('wireguard-go')
    if loopback:
        wanted.append('ifupdown')
    if forwarding:
        wanted.extend(['nftables', 'procps'])
    return wanted
