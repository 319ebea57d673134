# Note that this module util is **PRIVATE** to the collection. It can have breaking changes at any time.
# Do not use this from other collections or standalone plugins/modules!

# Copyright (c) 2026, sitemesh.wireguard contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""The guide's other way up (wg_interface ``backend=ifupdown``): an ``/etc/network/interfaces.d/NAME``
stanza that brings NAME up at boot (``auto NAME``, run by networking.service's ``ifup -a``) from a
``wg setconf`` file, as the guide writes it::

    auto wg0
    iface wg0 inet manual
        pre-up ip link add dev $IFACE type wireguard 2>/dev/null || wireguard-go $IFACE
        pre-up wg setconf $IFACE /etc/wireguard/wg0.conf
        post-up ip -4 addr add 172.16.1.1/24 dev wg0
        post-up ip -4 route replace 77.66.55.0/24 dev wg0 table main
        post-down ip link del dev $IFACE

Its ``post-up`` / ``post-down`` commands are not written by hand: they are the live plan itself
(``plan_addresses``, ``plan_routing``, ``plan_firewall``: the same functions that change a running
interface) made against a link that has nothing yet, so what boot makes and what a run makes are one
code, the default route's policy routing and firewall included (wg-quick's ``Table``/fwmark behaviour).
The link is the kernel's where it has WireGuard, else ``wireguard-go`` (as wg-quick falls back to it).
"""

from __future__ import annotations

import os
import shlex

from ansible_collections.sitemesh.wireguard.plugins.module_utils._config import MANAGED_HEADER
from ansible_collections.sitemesh.wireguard.plugins.module_utils._firewall import NFT_FAMILY, plan_firewall
from ansible_collections.sitemesh.wireguard.plugins.module_utils._plan_addresses import plan_addresses, plan_mtu
from ansible_collections.sitemesh.wireguard.plugins.module_utils._plan_routing import (
    firewall_ips,
    plan_routing,
    plan_rules,
    routing_intent,
)

INTERFACES = '/etc/network/interfaces'
STANZA_DIR = '/etc/network/interfaces.d'
MARKER = 'sitemesh.wireguard backend=ifupdown'
# the link: the kernel's WireGuard where it has it, else the userspace daemon (wg-quick's own fallback)
LINK_UP = 'ip link add dev $IFACE type wireguard 2>/dev/null || wireguard-go $IFACE'
HOOKS = (('pre_up', 'pre-up'), ('post_up', 'post-up'), ('pre_down', 'pre-down'), ('post_down', 'post-down'))


def stanza_path(name, directory=STANZA_DIR):
    return os.path.join(directory, name)


def _fresh(family_rules=None):
    """A link as ``ip link add`` + ``wg setconf`` leave it: no address, route, rule or firewall of its own."""
    return {'wg': None, 'link': {'mtu': None}, 'addresses': [], 'routes': [],
            'rules': family_rules or {4: '', 6: ''}, 'src_valid_mark': None}


def _shell(act):
    """One action as the shell line ifupdown runs; its stdin (an ``nft -f`` script) piped in by printf."""
    line = ' '.join(shlex.quote(a) for a in act.argv)
    if act.stdin is None:
        return line
    data = [shlex.quote(part) for part in act.stdin.splitlines()]
    return "printf '%%s\\n' %s | %s" % (' '.join(data), line)


def boot_commands(name, model, policy, allowed_ips):
    """(post-up lines, post-down lines) that make NAME from a bare link what the live plan makes of it.

    ``policy`` is the fwmark/table of a default route (None without one), ``allowed_ips`` every peer's.
    """
    interface = model['interface']
    intent = routing_intent(name, interface['table'], interface['addresses'], allowed_ips, None,
                            str(policy) if policy else interface['fwmark'], [])
    fresh = _fresh()
    up = plan_mtu(name, interface['mtu'], fresh['link'])
    up += plan_addresses(name, interface['addresses'], [])
    up += plan_routing(name, interface['table'], intent, fresh)
    down = []
    if intent is not None and intent['defaults']:
        defaults = intent['defaults']
        live_fw = {'nft': True, 'nft_tables': {}, 'iptables': {}}
        actions, dummy = plan_firewall(name, defaults, policy, firewall_ips(interface['addresses'], defaults, []),
                                       live_fw)
        up += actions
        # what del_if / remove_firewall take away again, planned against the state the up lines made
        made = dict((f, 'not from all fwmark %#x lookup %d\nfrom all lookup main suppress_prefixlength 0'
                     % (policy, policy) if f in defaults else '') for f in (4, 6))
        down += plan_rules(set(), None, str(policy), interface['table'], made)
        gone, dummy = plan_firewall(name, set(), policy, {}, dict(live_fw, nft_tables=dict(
            (NFT_FAMILY[f], '') for f in sorted(defaults))))
        down += gone
    return [_shell(a) for a in up], [_shell(a) for a in down]


def render_stanza(name, setconf_path, model, up, down, auto):
    """The ifupdown file of NAME: ``auto`` (boot) when ``auto``, the link, ``wg setconf``, then ``up``
    and the model's hooks (``%i`` is the interface, as wg-quick reads it), ``down`` after the link is gone."""
    interface = model['interface']
    hooks = dict((key, [h.replace('%i', name) for h in interface[key]]) for key, dummy in HOOKS)
    lines = [MANAGED_HEADER % 'wg_interface',
             '# %s: the guide\'s /etc/network/interfaces way; the post-up lines are the live plan of a bare link' % MARKER]
    if auto:
        lines.append('auto %s' % name)
    lines.append('iface %s inet manual' % name)
    body = [('pre-up', h) for h in hooks['pre_up']]
    body += [('pre-up', LINK_UP), ('pre-up', 'wg setconf $IFACE %s' % shlex.quote(setconf_path)),
             ('post-up', 'ip link set dev $IFACE up')]
    body += [('post-up', line) for line in up]
    body += [('post-up', h) for h in hooks['post_up']]
    body += [('pre-down', h) for h in hooks['pre_down']]
    body += [('post-down', 'ip link del dev $IFACE')]
    body += [('post-down', line) for line in down]
    body += [('post-down', h) for h in hooks['post_down']]
    lines.extend('\t%s %s' % pair for pair in body)
    return '\n'.join(lines) + '\n'


def is_ours(text):
    return text is not None and MARKER in text


def sources(text, directory):
    """True when an interfaces(5) file ``text`` reads every file of ``directory``."""
    directory = directory.rstrip('/')
    for line in (text or '').splitlines():
        words = line.split('#', 1)[0].split()
        if len(words) == 2 and ((words[0] == 'source' and words[1] in (directory + '/*', directory + '/'))
                                or (words[0] == 'source-directory' and words[1].rstrip('/') == directory)):
            return True
    return False


def with_source(text, directory):
    """``text`` (an interfaces(5) file, None when missing) with a ``source DIRECTORY/*`` line appended."""
    text = text or ''
    if text and not text.endswith('\n'):
        text += '\n'
    return text + '# added by sitemesh.wireguard (wg_interface backend=ifupdown)\nsource %s/*\n' % directory.rstrip('/')
