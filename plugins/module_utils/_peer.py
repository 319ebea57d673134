# Note that this module util is **PRIVATE** to the collection. It can have breaking changes at any time.
# Do not use this from other collections or standalone plugins/modules!

# Copyright (c) 2026, sitemesh.wireguard contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""The logic of sitemesh.wireguard.wg_peer: one peer, in the config file and live (``wg set``)."""

from __future__ import annotations

import copy
import ipaddress

from ansible_collections.sitemesh.wireguard.plugins.module_utils._actions import empty_result, live_diff, summarize
from ansible_collections.sitemesh.wireguard.plugins.module_utils._config import (
    ConfigError,
    empty_peer,
    normalize,
    parse,
    peer_index,
    render,
)
from ansible_collections.sitemesh.wireguard.plugins.module_utils._config_edit import edit_peer_text, redact_text
from ansible_collections.sitemesh.wireguard.plugins.module_utils._config_file import (
    install_config,
    load_config,
    previous_file_on_failure,
)
from ansible_collections.sitemesh.wireguard.plugins.module_utils._execute import execute, verify
from ansible_collections.sitemesh.wireguard.plugins.module_utils._files import config_path, interface_lock
from ansible_collections.sitemesh.wireguard.plugins.module_utils._firewall import firewall_actions
from ansible_collections.sitemesh.wireguard.plugins.module_utils._live import read_interface, read_link
from ansible_collections.sitemesh.wireguard.plugins.module_utils._plan_peers import plan_peer_set
from ansible_collections.sitemesh.wireguard.plugins.module_utils._plan_routing import (
    plan_routing,
    routing_intent,
)

MANAGED = ('name', 'allowed_ips', 'endpoint', 'persistent_keepalive', 'preshared_key')


def wanted_fields(module):
    """The peer fields the task sets (options left out are left as they are), normalized."""
    given = dict((k, module.params[k]) for k in MANAGED if module.params[k] is not None)
    given['public_key'] = module.params['public_key']
    try:
        peer = normalize({'peers': [given]})['peers'][0]
    except ConfigError as exc:
        module.fail_json(msg='Invalid peer: %s' % exc)
    return dict((k, peer[k]) for k in given)


def update_model(model, fields, present):
    """A copy of ``model`` with the peer added, updated (only ``fields``) or removed."""
    model = copy.deepcopy(model)
    index = peer_index(model, fields['public_key'])
    if not present:
        if index is not None:
            del model['peers'][index]
        return model
    if index is None:
        peer = empty_peer()
        peer.update(fields)
        model['peers'].append(peer)
    else:
        model['peers'][index].update(fields)
    return normalize(model)


def plan_peer_live(module, name, fields, present, table, wanted_fwmark, manage_routes):
    """``wg set`` of the peer, then (``manage_routes``) the routing its allowed IPs need."""
    live = read_interface(module, name)
    if live.get('wg') is None:
        module.fail_json(msg='%s exists but is not a WireGuard interface' % name)
    actions, peers = plan_peer_set(name, fields, present, live['wg'], live.get('uapi'))
    if not manage_routes:
        return actions
    addresses = [a for a in live['addresses'] if not ipaddress.ip_interface(a).ip.is_link_local]
    allowed = [a for p in peers for a in p['allowed_ips']]
    intent = routing_intent(name, table, addresses, allowed, live['wg']['fwmark'], wanted_fwmark, live['routes'])
    actions += plan_routing(name, table, intent, live, manage_fwmark=True)
    actions += firewall_actions(module, name, intent, addresses, live['addresses'])
    return actions


def edited_text(text, after, public_key):
    """The file with only this peer's lines changed (comments and other lines kept), or None when
    that does not give ``after`` back (then the whole file is rendered, as wg_interface does)."""
    try:
        new_text = edit_peer_text(text, after, public_key)
        if parse(new_text) == normalize(after):
            return new_text
    except ConfigError:
        pass
    return None


def update_file(module, path, text, before, fields, present, result):
    """The peer in the config file; returns (table, fwmark) of the file's interface."""
    result['config_path'] = path
    after = update_model(before, fields, present)
    new_text = edited_text(text, after, fields['public_key'])
    result['changed'], dummy = install_config(module, path, before, after, 'wg_peer', backup=False, text=new_text)
    if module._diff:
        result['diff'] = {
            'before_header': '%s (keys redacted)' % path,
            'after_header': '%s (keys redacted)' % path,
            'before': redact_text(text, after),
            'after': redact_text(new_text if new_text is not None else render(after, 'wg_peer'), before),
        }
    return after['interface']['table'], after['interface']['fwmark']


def run_peer(module):
    """The module's run, holding the interface's lock (as wg_interface does)."""
    with interface_lock(module.params['interface'], module=module):
        _run_peer(module)


def _run_peer(module):
    params = module.params
    name = params['interface']
    path = params['config_path'] or config_path(name)
    present = params['state'] == 'present'
    fields = wanted_fields(module)
    if 'preshared_key' in fields:
        module.no_log_values.add(fields['preshared_key'])
    result = dict(changed=False, public_key=fields['public_key'], config_path=None, **empty_result())

    text, before = load_config(module, path)
    table = fwmark = None
    if isinstance(before, Exception):
        module.fail_json(msg='%s does not parse, it was left alone: %s' % (path, before), **result)
    if before is not None:
        table, fwmark = update_file(module, path, text, before, fields, present, result)

    actions = []
    if params['live'] and read_link(module, name) is not None:
        with previous_file_on_failure(module, path, text, result['changed']):
            actions = plan_peer_live(module, name, fields, present, table, fwmark, params['routes'])
            execute(module, actions)
            if actions and not module.check_mode:
                remaining = plan_peer_live(module, name, fields, present, table, fwmark, params['routes'])
                verify(module, 'The peer %s of %s' % (fields['public_key'], name), remaining)
    elif params['live'] and before is None:
        module.fail_json(msg='Neither the interface %s nor its config %s exist' % (name, path), **result)
    summarize(actions, result)
    result['changed'] = result['changed'] or bool(actions)
    if module._diff:
        prepared = live_diff(actions, name)
        if prepared:
            result.setdefault('diff', {})['prepared'] = prepared
    module.exit_json(**result)
