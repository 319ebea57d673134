# Note that this module util is **PRIVATE** to the collection. It can have breaking changes at any time.
# Do not use this from other collections or standalone plugins/modules!

# Copyright (c) 2026, sitemesh.wireguard contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""The logic of sitemesh.wireguard.wg_peer: one peer, in the config file and live (``wg set``)."""

from __future__ import annotations

import copy

from ansible_collections.sitemesh.wireguard.plugins.module_utils._wireguard import (
    ConfigError,
    edit_peer_text,
    empty_peer,
    live_state,
    normalize,
    parse,
    peer_differs,
    peer_index,
    redact_text,
    render,
    wg_bin,
)
from ansible_collections.sitemesh.wireguard.plugins.module_utils._wg_apply import (
    empty_result,
    link_exists,
    live_diff,
    live_addresses,
    reconcile_routes,
    run,
)
from ansible_collections.sitemesh.wireguard.plugins.module_utils._wg_interface import (
    install_config,
    load_config,
)

MANAGED = ('allowed_ips', 'endpoint', 'persistent_keepalive', 'preshared_key')


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


def apply_peer_live(module, name, fields, present, table, wanted_fwmark, manage_routes, result):
    """``wg set NAME peer KEY ...`` / ``... remove``, then the routes. Returns changed."""
    live = live_state(module, name)
    if live is None:
        module.fail_json(msg='%s exists but is not a WireGuard interface' % name)
    key = fields['public_key']
    current = dict((p['public_key'], p) for p in live['peers'])
    argv = [wg_bin(module), 'set', name, 'peer', key]
    data = None
    if not present:
        if key in current:
            result['peers_removed'].append(key)
            del current[key]
            argv.append('remove')
    else:
        wanted = copy.deepcopy(current.get(key) or dict(empty_peer(), public_key=key))
        wanted.update(fields)
        if key not in current:
            result['peers_added'].append(key)
        elif peer_differs(wanted, current[key]):
            result['peers_updated'].append(key)
        current[key] = wanted
        if 'allowed_ips' in fields:
            argv += ['allowed-ips', ','.join(fields['allowed_ips'])]
        if fields.get('endpoint'):
            argv += ['endpoint', fields['endpoint']]
        if 'persistent_keepalive' in fields:
            argv += ['persistent-keepalive', str(fields['persistent_keepalive'] or 0)]
        if 'preshared_key' in fields:
            argv += ['preshared-key', '/dev/stdin']
            data = fields['preshared_key'] + '\n'
    changed = bool(result['peers_added'] or result['peers_updated'] or result['peers_removed'])
    if changed and not module.check_mode:
        run(module, argv, data=data)
    if manage_routes:
        allowed = [a for p in current.values() for a in p['allowed_ips']]
        reconcile_routes(module, name, table, live_addresses(module, name), allowed,
                         live['fwmark'], wanted_fwmark, result)
        changed = changed or bool(result['routes_added'] or result['routes_removed'] or result.get('rules_changed'))
    return changed


def run_peer(module):
    params = module.params
    name = params['interface']
    path = params['config_path'] or '/etc/wireguard/%s.conf' % name
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
        result['config_path'] = path
        after = update_model(before, fields, present)
        new_text = edited_text(text, after, fields['public_key'])
        result['changed'], dummy = install_config(module, path, before, after, 'wg_peer', backup=False,
                                                  text=new_text)
        table, fwmark = after['interface']['table'], after['interface']['fwmark']
        if module._diff:
            result['diff'] = {
                'before_header': '%s (keys redacted)' % path,
                'after_header': '%s (keys redacted)' % path,
                'before': redact_text(text, after),
                'after': redact_text(new_text if new_text is not None else render(after, 'wg_peer'), before),
            }

    if params['live']:
        if link_exists(module, name):
            live_changed = apply_peer_live(module, name, fields, present, table, fwmark, params['routes'], result)
            result['changed'] = result['changed'] or live_changed
        elif before is None:
            module.fail_json(msg='Neither the interface %s nor its config %s exist' % (name, path), **result)
    if module._diff:
        prepared = live_diff(result, name)
        if prepared:
            result.setdefault('diff', {})['prepared'] = prepared
    module.exit_json(**result)


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
