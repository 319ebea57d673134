# Note that this module util is **PRIVATE** to the collection. It can have breaking changes at any time.
# Do not use this from other collections or standalone plugins/modules!

# Copyright (c) 2026, sitemesh.wireguard contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""The logic of sitemesh.wireguard.wg_interface: the config file through the shared model, then the
running interface made to match without taking it down - read, plan, execute, read and plan again."""

from __future__ import annotations

import os

from ansible_collections.sitemesh.wireguard.plugins.module_utils import _ifupdown
from ansible_collections.sitemesh.wireguard.plugins.module_utils._actions import (
    Action,
    action,
    describe,
    empty_result,
    live_diff,
    summarize,
)
from ansible_collections.sitemesh.wireguard.plugins.module_utils._config import (
    ConfigError,
    normalize,
    render_wg,
    wg_model,
)
from ansible_collections.sitemesh.wireguard.plugins.module_utils._config_file import (
    config_diff,
    install_config,
    load_config,
    previous_file_on_failure,
)
from ansible_collections.sitemesh.wireguard.plugins.module_utils._execute import execute, verify
from ansible_collections.sitemesh.wireguard.plugins.module_utils._files import (
    config_path,
    interface_lock,
    key_path,
    read_text,
    remove_file,
    write_secure,
)
from ansible_collections.sitemesh.wireguard.plugins.module_utils._firewall import (
    firewall_actions,
    plan_firewall,
    read_firewall,
)
from ansible_collections.sitemesh.wireguard.plugins.module_utils._keys import public_key_of, read_private_key
from ansible_collections.sitemesh.wireguard.plugins.module_utils._live import (
    read_interface,
    read_link,
    read_routing,
    read_wg,
)
from ansible_collections.sitemesh.wireguard.plugins.module_utils._plan_addresses import plan_addresses, plan_mtu
from ansible_collections.sitemesh.wireguard.plugins.module_utils._plan_peers import plan_peers
from ansible_collections.sitemesh.wireguard.plugins.module_utils._plan_routing import (
    DEFAULT_TABLE,
    needs_default,
    plan_routing,
    plan_rules,
    policy_table,
    route_name,
    route_sort,
    routing_intent,
    wanted_routes,
)
from ansible_collections.sitemesh.wireguard.plugins.module_utils._ports import port_holders
from ansible_collections.sitemesh.wireguard.plugins.module_utils._runner import run
from ansible_collections.sitemesh.wireguard.plugins.module_utils._service import (
    bring_down,
    ifupdown_argv,
    systemd_enable,
    unit,
    up_argv,
    wg_quick_active,
)

PEER_OPTIONS = ('name', 'public_key', 'allowed_ips', 'endpoint', 'persistent_keepalive', 'preshared_key')
INTERFACE_OPTIONS = ('addresses', 'listen_port', 'mtu', 'table', 'fwmark', 'dns', 'pre_up', 'post_up', 'pre_down',
                     'post_down')


def desired_model(module):
    """(model, private key) from the options; the key is read from its file on the host."""
    params = module.params
    key_file = params['private_key_file'] or key_path(params['name'])
    private_key = read_private_key(module, key_file, missing_ok=module.check_mode)
    if private_key is None:
        module.warn('%s does not exist yet: check mode goes on without the private key' % key_file)
    interface = dict((k, params[k]) for k in INTERFACE_OPTIONS)
    interface.update(private_key=private_key, save_config=False)
    peers = [dict((k, peer.get(k)) for k in PEER_OPTIONS) for peer in params['peers'] or []]
    try:
        return normalize({'interface': interface, 'peers': peers}), private_key
    except ConfigError as exc:
        module.fail_json(msg='Invalid WireGuard configuration: %s' % exc)


def allowed_ips(model):
    return [a for p in model['peers'] for a in p['allowed_ips']]


def plan_start(model, argv):
    """Starting a missing interface: what wg-quick up makes, reported as it will be."""
    interface = model['interface']
    routes, dummy = wanted_routes(interface['table'], interface['addresses'], allowed_ips(model),
                                  interface['fwmark'] or DEFAULT_TABLE)
    changes = [('started', True)]
    changes += [('peers_added', p['public_key']) for p in model['peers']]
    changes += [('addresses_added', a) for a in interface['addresses']]
    changes += [('routes_added', route_name(r)) for r in sorted(routes, key=route_sort)]
    return [Action(tuple(changes), argv, None)]


def plan_leftovers(module, name, model):
    """What a NAME whose link vanished without ``wg-quick down`` (a killed userspace daemon, a link
    deleted by hand) left behind: the policy rules and the ``wg-quick-NAME`` firewall of its default
    route. ``wg-quick up`` would add them again beside the old ones (it never flushes), so they are
    removed first, as wg-quick's own ``del_if`` and ``remove_firewall`` would have."""
    interface = model['interface']
    if interface['table'] == 'off':
        return []
    routes, rules = read_routing(module)
    # the table wg-quick up will take again: its routes went with the link
    mark = policy_table(name, interface['fwmark'], None, routes)
    actions = plan_rules(set(), None, str(mark), interface['table'], rules)
    firewall, dummy = plan_firewall(name, set(), mark, {}, read_firewall(module, name, set(), True))
    return actions + firewall


def plan_live(module, name, model, live):
    """The actions that make the running NAME (``live``: read_interface) match ``model``."""
    interface = model['interface']
    allowed = allowed_ips(model)
    if live['wg'] is None:
        module.fail_json(msg='%s exists but is not a WireGuard interface (wg show %s dump failed)' % (name, name))
    intent = routing_intent(name, interface['table'], interface['addresses'], allowed, live['wg']['fwmark'],
                            interface['fwmark'], live['routes'])
    if needs_default(interface['table'], allowed):
        wanted_fwmark = str(intent['policy'])
    else:
        wanted_fwmark = interface['fwmark']
    actions = plan_peers(name, model, live['wg'], wanted_fwmark, live.get('uapi'))
    actions += plan_addresses(name, interface['addresses'], live['addresses'])
    actions += plan_mtu(name, interface['mtu'], live['link'])
    actions += plan_routing(name, interface['table'], intent, live)
    actions += firewall_actions(module, name, intent, interface['addresses'], live['addresses'])
    return actions


def check_listen_port(module, name, port):
    """Fail before anything is written when ``port`` is not NAME's already and another socket holds it."""
    if not port:
        return
    live = read_wg(module, name)
    if live is not None and live['listen_port'] == port:
        return
    holders = port_holders(port)
    if holders:
        module.fail_json(msg='listen_port %d of %s is already in use on this host by %s: nothing was changed, '
                             'the config file and the running interface were left as they were'
                             % (port, name, ', '.join(holders)))


def reconcile(module, name, model, live, what):
    """The running NAME (``live``) brought to ``model``, then read back: fails naming ``what`` still differs."""
    actions = plan_live(module, name, model, live)
    execute(module, actions)
    if actions and not module.check_mode:
        verify(module, what, plan_live(module, name, model, read_interface(module, name)))
    return actions


def apply_interface(module, name, model, start_argv, switch=None):
    """Make the running NAME match ``model``; verify. Returns the actions.

    ``start_argv`` brings NAME up while its link is missing (``wg-quick up`` or ``ifup``); ``switch``
    (actions) first takes it down from the other backend: the link is then started anew."""
    switch = switch or []
    if not switch:
        live = read_interface(module, name)
        if live['link'] is not None:
            return reconcile(module, name, model, live, 'The running interface %s' % name)
    execute(module, switch)
    actions = switch + plan_leftovers(module, name, model) + plan_start(model, start_argv)
    execute(module, actions[len(switch):])
    if not module.check_mode:
        live = read_interface(module, name)
        if live['link'] is None:
            module.fail_json(msg='%s was started (%s) but its link does not exist' % (name, ' '.join(start_argv)))
        verify(module, 'The running interface %s' % name, plan_live(module, name, model, live))
    return actions


def restore_live(module, name, model):
    """After a failed live apply: the running NAME brought back to ``model`` (the previous config
    file) with the same plan as any change, so the peers, addresses and routes it had before the
    failed change are back. Returns what it did."""
    live = read_interface(module, name)
    if live['link'] is None:
        return ''
    actions = reconcile(module, name, model, live, 'The running interface %s, put back,' % name)
    if actions:
        return 'the running %s was put back to it (%s)' % (name, '; '.join(describe(actions)))
    return 'the running %s was left as it was' % name


def run_absent(module, name, path, before, result):
    params = module.params
    stanza = _ifupdown_paths(params, name)[0]
    stanza_text = read_text(stanza)
    if _ifupdown.is_ours(stanza_text):
        result['changed'] = True
        if params['apply'] and read_link(module, name) is not None and not module.check_mode:
            run(module, ifupdown_argv('down', name, _ifupdown_paths(params, name)[1]))
        if not module.check_mode:
            remove_file(module, stanza)
    if params['apply']:
        result['changed'] = bring_down(module, name, path) or result['changed']
    if params['enabled'] is not None or params['apply']:
        result['changed'] = systemd_enable(module, name, False) or result['changed']
    if before is not None:
        result['changed'] = True
        if not module.check_mode:
            remove_file(module, path)
    if module._diff:
        result['diff'] = config_diff(path, before, None, 'wg_interface')
    module.exit_json(**result)


def run_interface(module):
    """The module's run, holding the interface's lock: a watchdog bringing the link back is waited for."""
    with interface_lock(module.params['name'], module=module):
        _run_interface(module)


def _ifupdown_paths(params, name):
    """(the stanza file of NAME, the interfaces(5) file that must source its directory)."""
    return params['ifupdown_path'] or _ifupdown.stanza_path(name), params['interfaces_path'] or _ifupdown.INTERFACES


def policy_mark(module, name, model, live):
    """The fwmark/table of NAME's default route, as the live plan will choose it (None without one)."""
    interface = model['interface']
    if not needs_default(interface['table'], allowed_ips(model)):
        return None
    if live['link'] is not None:
        return policy_table(name, interface['fwmark'], (live['wg'] or {}).get('fwmark'), live['routes'])
    return policy_table(name, interface['fwmark'], None, read_routing(module)[0])


def _text_diff(path, before, after):
    return {'before_header': path, 'after_header': path, 'before': before or '', 'after': after or ''}


def _write_text(module, path, before, after):
    """Write or remove a plain (not secret) file when its text differs; returns changed."""
    if before == after:
        return False
    if not module.check_mode:
        if after is None:
            remove_file(module, path)
        else:
            write_secure(module, path, after, mode=0o644, dir_mode=0o755)
    return True


def _files_back(module, files):
    """An undo (see ``previous_file_on_failure``) that puts back the previous text of the files written from
    ``files`` ((path, before, after) triples: the ifupdown stanza and interfaces file), removing a new one."""
    def undo():
        notes = []
        for path, old, new in files:
            if _write_text(module, path, new, old):
                notes.append(('the previous %s put back' if old is not None else
                              'the new %s removed (there was none before)') % path)
        return '; '.join(notes)
    return undo


def ifupdown_files(module, name, model, live, enabled):
    """The wanted (stanza, interfaces file) of the ifupdown backend as (path, before, after) triples, and
    the policy mark the setconf file carries."""
    params = module.params
    if model['interface']['dns']:
        module.fail_json(msg='dns is not supported with backend=ifupdown (wg-quick sets it through resolvconf); '
                             'leave it empty or use backend=wg-quick')
    stanza, interfaces = _ifupdown_paths(params, name)
    path = params['config_path'] or config_path(name)
    mark = policy_mark(module, name, model, live)
    up, down = _ifupdown.boot_commands(name, model, mark, allowed_ips(model))
    stanza_text = _ifupdown.render_stanza(name, os.path.abspath(path), model, up, down, enabled is not False)
    current = read_text(interfaces)
    wanted = current if _ifupdown.sources(current, os.path.dirname(stanza)) \
        else _ifupdown.with_source(current, os.path.dirname(stanza))
    return [(stanza, read_text(stanza), stanza_text), (interfaces, current, wanted)], mark


def _run_interface(module):
    params = module.params
    name = params['name']
    path = params['config_path'] or config_path(name)
    result = dict(changed=False, config_path=path, public_key=None, **empty_result())
    text, before = load_config(module, path)
    if params['state'] == 'absent':
        return run_absent(module, name, path, before, result)

    after, private_key = desired_model(module)
    result['public_key'] = public_key_of(module, private_key) if private_key else None
    if params['apply']:
        check_listen_port(module, name, after['interface']['listen_port'])
    ifupdown = params['backend'] == 'ifupdown'
    stanza, interfaces = _ifupdown_paths(params, name)
    if ifupdown:
        if params['apply'] and not module.get_bin_path('ifup') and not module.check_mode:
            module.fail_json(msg='backend=ifupdown needs ifup (Debian package ifupdown), which is not installed')
        live = read_interface(module, name)
        files, mark = ifupdown_files(module, name, after, live, params['enabled'])
        file_model, file_text = wg_model(after, mark), render_wg(after, mark, 'wg_interface')
        start = ifupdown_argv('up', name, interfaces)
        switch = [action('backend_changed', 'wg-quick -> ifupdown', ['systemctl', 'stop', unit(name)])] \
            if params['apply'] and wg_quick_active(module, name, path) else []
    else:
        stanza_text = read_text(stanza)
        files = [(stanza, stanza_text, None)] if _ifupdown.is_ours(stanza_text) else []
        file_model, file_text = after, None
        start = up_argv(module, name, path)
        switch = [action('backend_changed', 'ifupdown -> wg-quick', ifupdown_argv('down', name, interfaces))] \
            if files and params['apply'] and read_link(module, name) is not None else []
    result['changed'], backup_file = install_config(module, path, before, file_model, 'wg_interface',
                                                    params['backup'], text=file_text)
    if backup_file:
        result['backup_file'] = backup_file
    if ifupdown:
        for file_path, old, new in files:
            result['changed'] = _write_text(module, file_path, old, new) or result['changed']
    # a failure half-way through the live changes puts back the previous file and the running state
    # it describes (when it parsed: nothing else is known to have worked; wg-quick only: an ifupdown
    # setconf file does not describe the addresses and routes, so there the stanza and interfaces file
    # written above are put back, and the running link is left as the failure left it)
    undo = (lambda: restore_live(module, name, before)) \
        if params['apply'] and isinstance(before, dict) and not ifupdown and not files else None
    if ifupdown:
        undo = _files_back(module, files)
    with previous_file_on_failure(module, path, text, result['changed'], undo):
        if switch and not ifupdown:
            # ifdown needs the stanza: it goes after the link
            execute(module, switch)
            switch = [Action(switch[0].changes, None, None)]
        if not ifupdown:
            for file_path, old, new in files:
                result['changed'] = _write_text(module, file_path, old, new) or result['changed']
        actions = apply_interface(module, name, after, start, switch) if params['apply'] else []
    summarize(actions, result)
    result['changed'] = result['changed'] or bool(actions)
    result['backend'] = params['backend']
    if params['enabled'] is not None:
        # the other backend's unit never starts NAME at boot: one owner
        result['changed'] = systemd_enable(module, name, params['enabled'] and not ifupdown) or result['changed']
        if ifupdown and params['enabled']:
            result['changed'] = systemd_enable(module, name, True, 'networking.service') or result['changed']
    if module._diff:
        diff = config_diff(path, before, file_model, 'wg_interface')
        prepared = live_diff(actions, name)
        if prepared:
            diff['prepared'] = prepared
        diffs = [diff] + [_text_diff(p, old, new) for p, old, new in files if old != new]
        # one dict as before when only the config changes; a list with the ifupdown files
        result['diff'] = diffs[0] if len(diffs) == 1 else diffs
    module.exit_json(**result)
