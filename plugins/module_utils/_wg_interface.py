# Note that this module util is **PRIVATE** to the collection. It can have breaking changes at any time.
# Do not use this from other collections or standalone plugins/modules!

# Copyright (c) 2026, sitemesh.wireguard contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""The logic of sitemesh.wireguard.wg_interface and sitemesh.wireguard.wg_peer: change a config
file through the shared model, show a redacted diff, write it safely, apply it live."""

from __future__ import annotations

import os

from ansible_collections.sitemesh.wireguard.plugins.module_utils._wireguard import (
    ConfigError,
    config_validator,
    file_mode,
    interface_name_from_path,
    normalize,
    parse,
    public_key_of,
    read_private_key,
    read_text,
    redact,
    remove_file,
    render,
    write_secure,
)
from ansible_collections.sitemesh.wireguard.plugins.module_utils._wg_apply import (
    apply_interface,
    bring_down,
    empty_result,
    live_diff,
    systemd_enable,
)

PEER_OPTIONS = ('public_key', 'allowed_ips', 'endpoint', 'persistent_keepalive', 'preshared_key')


def load_config(module, path):
    """(text, model) of an existing config file; model is None when missing.

    A file that does not parse fails the module unless ``tolerate`` (then model is 'invalid').
    """
    try:
        text = read_text(path)
    except (IOError, OSError) as exc:
        module.fail_json(msg='Cannot read %s: %s' % (path, exc.strerror))
    if text is None:
        return None, None
    try:
        model = parse(text)
    except ConfigError as exc:
        return text, exc
    _hide_secrets(module, model)
    return text, model


def _hide_secrets(module, model):
    if model['interface']['private_key']:
        module.no_log_values.add(model['interface']['private_key'])
    for peer in model['peers']:
        if peer['preshared_key']:
            module.no_log_values.add(peer['preshared_key'])


def config_diff(path, before, after, module_name):
    """A diff of two models (or None for a missing file), secrets redacted."""
    def text(model, other):
        if model is None:
            return ''
        if isinstance(model, Exception):
            return '# the existing file does not parse: %s\n' % model
        return render(redact(model, other if isinstance(other, dict) else None), module_name, redacted=True)
    return {
        'before_header': '%s (keys redacted)' % path,
        'after_header': '%s (keys redacted)' % path,
        'before': text(before, after),
        'after': text(after, before),
    }


def install_config(module, path, before, after, module_name, backup, text=None):
    """Write ``after`` to ``path`` when it differs from ``before`` (or the mode is not 0600).

    ``text`` is the content to write (it must parse to ``after``); rendered from ``after`` when None.
    Returns (changed, backup_file). Nothing is written in check mode.
    """
    if interface_name_from_path(path) is None:
        module.fail_json(msg='%s: the file name must be an interface name (at most 15 of a-z A-Z 0-9 _=+.-) '
                             'followed by .conf, as wg-quick requires' % path)
    if isinstance(before, dict) and before == normalize(after):
        if file_mode(path) != 0o600:
            if not module.check_mode:
                os.chmod(path, 0o600)
            return True, None
        return False, None
    if module.check_mode:
        return True, None
    backup_file = write_secure(module, path, text if text is not None else render(after, module_name), backup=backup,
                               validate=config_validator(module, after))
    return True, backup_file


def desired_model(module):
    params = module.params
    key_file = params['private_key_file'] or '/etc/wireguard/%s.key' % params['name']
    private_key = read_private_key(module, key_file, missing_ok=module.check_mode)
    if private_key is None:
        module.warn('%s does not exist yet: check mode goes on without the private key' % key_file)
    peers = []
    for peer in params['peers'] or []:
        item = dict((k, peer.get(k)) for k in PEER_OPTIONS)
        item['name'] = peer.get('name')
        peers.append(item)
    config = {
        'interface': {
            'private_key': private_key,
            'addresses': params['addresses'],
            'listen_port': params['listen_port'],
            'mtu': params['mtu'],
            'table': params['table'],
            'fwmark': params['fwmark'],
            'dns': params['dns'],
            'pre_up': params['pre_up'],
            'post_up': params['post_up'],
            'pre_down': params['pre_down'],
            'post_down': params['post_down'],
            'save_config': False,
        },
        'peers': peers,
    }
    try:
        return normalize(config), private_key
    except ConfigError as exc:
        module.fail_json(msg='Invalid WireGuard configuration: %s' % exc)


def run_interface(module):
    params = module.params
    name = params['name']
    path = params['config_path'] or '/etc/wireguard/%s.conf' % name
    result = dict(changed=False, config_path=path, public_key=None, **empty_result())
    dummy, before = load_config(module, path)

    if params['state'] == 'absent':
        if params['apply']:
            result['changed'] = bring_down(module, name, path)
        if params['enabled'] is not None or params['apply']:
            result['changed'] = systemd_enable(module, name, False) or result['changed']
        if before is not None:
            result['changed'] = True
            if not module.check_mode:
                remove_file(module, path)
        if module._diff:
            result['diff'] = config_diff(path, before, None, 'wg_interface')
        module.exit_json(**result)

    after, private_key = desired_model(module)
    result['public_key'] = public_key_of(module, private_key) if private_key else None
    file_changed, backup_file = install_config(module, path, before, after, 'wg_interface', params['backup'])
    result['changed'] = file_changed
    if backup_file:
        result['backup_file'] = backup_file
    if params['apply']:
        live_changed, live_result = apply_interface(module, name, path, after)
        result.update(live_result)
        result['changed'] = result['changed'] or live_changed
    if params['enabled'] is not None:
        result['changed'] = systemd_enable(module, name, params['enabled']) or result['changed']
    if module._diff:
        result['diff'] = config_diff(path, before, after, 'wg_interface')
        add_live_diff(result, name)
    module.exit_json(**result)


def add_live_diff(result, name):
    """Add the live changes (peers, addresses, routes, rules, firewall) to the diff as text."""
    text = live_diff(result, name)
    if text:
        result.setdefault('diff', {})['prepared'] = text
