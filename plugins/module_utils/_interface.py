# Note that this module util is **PRIVATE** to the collection. It can have breaking changes at any time.
# Do not use this from other collections or standalone plugins/modules!

# Copyright (c) 2026, sitemesh.wireguard contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""The logic of sitemesh.wireguard.wg_interface: the config file through the shared model, then the
running interface made to match without taking it down - read, plan, execute, read and plan again."""

from __future__ import annotations

from ansible_collections.sitemesh.wireguard.plugins.module_utils._actions import (
    Action,
    describe,
    empty_result,
    live_diff,
    summarize,
)
from ansible_collections.sitemesh.wireguard.plugins.module_utils._config import ConfigError, normalize
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
    remove_file,
)
from ansible_collections.sitemesh.wireguard.plugins.module_utils._firewall import (
    firewall_actions,
    plan_firewall,
    read_firewall,
)
from ansible_collections.sitemesh.wireguard.plugins.module_utils._keys import public_key_of, read_private_key
from ansible_collections.sitemesh.wireguard.plugins.module_utils._live import (
    parse_routes,
    read_interface,
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
from ansible_collections.sitemesh.wireguard.plugins.module_utils._runner import read
from ansible_collections.sitemesh.wireguard.plugins.module_utils._service import (
    bring_down,
    systemd_enable,
    up_argv,
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
    routes = []
    rules = {}
    for family in (4, 6):
        routes.extend(parse_routes(read(module, ['ip', '-%d' % family, 'route', 'show', 'table', 'all']), family))
        rules[family] = read(module, ['ip', '-%d' % family, 'rule', 'show'])
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


def apply_interface(module, name, path, model):
    """Make the running NAME match ``model`` (installed at ``path``); verify. Returns the actions."""
    live = read_interface(module, name)
    if live['link'] is not None:
        return reconcile(module, name, model, live, 'The running interface %s' % name)
    actions = plan_leftovers(module, name, model) + plan_start(model, up_argv(module, name, path))
    execute(module, actions)
    if not module.check_mode:
        live = read_interface(module, name)
        if live['link'] is None:
            module.fail_json(msg='%s was started (%s) but its link does not exist' % (name, ' '.join(actions[-1].argv)))
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


def run_interface(module):
    """The module's run, holding the interface's lock: a watchdog bringing the link back is waited for."""
    with interface_lock(module.params['name'], module=module):
        _run_interface(module)


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
    result['changed'], backup_file = install_config(module, path, before, after, 'wg_interface', params['backup'])
    if backup_file:
        result['backup_file'] = backup_file
    # a failure half-way through the live changes puts back the previous file and the running state
    # it describes (when it parsed: nothing else is known to have worked)
    undo = (lambda: restore_live(module, name, before)) if params['apply'] and isinstance(before, dict) else None
    with previous_file_on_failure(module, path, text, result['changed'], undo):
        actions = apply_interface(module, name, path, after) if params['apply'] else []
    summarize(actions, result)
    result['changed'] = result['changed'] or bool(actions)
    if params['enabled'] is not None:
        result['changed'] = systemd_enable(module, name, params['enabled']) or result['changed']
    if module._diff:
        result['diff'] = config_diff(path, before, after, 'wg_interface')
        prepared = live_diff(actions, name)
        if prepared:
            result['diff']['prepared'] = prepared
    module.exit_json(**result)
