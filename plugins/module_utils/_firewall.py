# Note that this module util is **PRIVATE** to the collection. It can have breaking changes at any time.
# Do not use this from other collections or standalone plugins/modules!

# Copyright (c) 2026, sitemesh.wireguard contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""The firewall rules ``wg-quick up`` adds for a default route (``add_default``), made live.

For each family with a default route (``0.0.0.0/0`` -> ``ip``, ``::/0`` -> ``ip6``) wg-quick makes,
with ``nft`` (table ``<family> wg-quick-NAME``)::

    chain preraw     { type filter hook prerouting priority -300; }
        iifname != "NAME" <family> daddr <each address of NAME> fib saddr type != local drop
    chain premangle  { type filter hook prerouting priority -150; }
        meta l4proto udp meta mark set ct mark
    chain postmangle { type filter hook postrouting priority -150; }
        meta l4proto udp mark <table> ct mark set mark

or, when ``nft`` is missing, the same with ``iptables-restore -n`` / ``ip6tables-restore -n`` (tables
raw and mangle, every rule commented ``wg-quick(8) rule for NAME``). ``remove_firewall`` (wg-quick down)
deletes every table named ``wg-quick-NAME`` and every rule with that comment; this module does the same
when the default route goes away, so what it makes and what wg-quick makes are interchangeable.

The live rules are compared with the wanted ones as facts (chain hooks, the protected addresses, the
mark), not as text, so that a table made by wg-quick itself is recognised; when they differ the table
is replaced in one ``nft -f`` transaction.
"""

from __future__ import annotations

import ipaddress
import re
import shlex

from ansible_collections.sitemesh.wireguard.plugins.module_utils._actions import action
from ansible_collections.sitemesh.wireguard.plugins.module_utils._plan_routing import firewall_ips
from ansible_collections.sitemesh.wireguard.plugins.module_utils._runner import read

NFT_FAMILY = {4: 'ip', 6: 'ip6'}
IPTABLES = {4: 'iptables', 6: 'ip6tables'}
# (chain, hook, priority) as wg-quick's add_default creates them
NFT_CHAINS = (('preraw', 'prerouting', -300), ('premangle', 'prerouting', -150), ('postmangle', 'postrouting', -150))
NFT_PRIORITY_NAMES = {'raw': -300, 'mangle': -150}
MARKER = 'wg-quick(8) rule for %s'

_CHAIN_RE = re.compile(r'^chain (\S+) \{$')
_HOOK_RE = re.compile(r'^type (\S+) hook (\S+) (?:device \S+ )?priority ([^;]+);(?:\s*policy (\S+);)?$')
_DROP_RE = re.compile(r'^iifname != "([^"]*)" (ip6?) daddr (\S+) fib saddr type != local drop$')
# nft prints the protocol by number where /etc/protocols is missing (no netbase: minimal images).
_SAVE_RE = re.compile(r'^meta l4proto (?:udp|17) (?:meta )?mark (\S+) ct mark set (?:meta )?mark$')
_RESTORE_RE = re.compile(r'^meta l4proto (?:udp|17) (?:meta )?mark set ct mark$')


def table_name(name):
    return 'wg-quick-%s' % name


def _ip_key(value):
    try:
        return str(ipaddress.ip_interface(value).ip)
    except ValueError:
        return value


# ---------------------------------------------------------------------------------------------
# what wg-quick makes
# ---------------------------------------------------------------------------------------------

def nft_commands(name, family, mark, ips):
    """The ``nft -f`` lines of wg-quick's add_default for one family (its order, no trailing blanks)."""
    pf = NFT_FAMILY[family]
    table = table_name(name)
    lines = ['add table %s %s' % (pf, table)]
    for chain, hook, priority in NFT_CHAINS:
        lines.append('add chain %s %s %s { type filter hook %s priority %d; }' % (pf, table, chain, hook, priority))
    for ip in ips:
        lines.append('add rule %s %s preraw iifname != "%s" %s daddr %s fib saddr type != local drop'
                     % (pf, table, name, pf, ip))
    lines.append('add rule %s %s postmangle meta l4proto udp mark %d ct mark set mark' % (pf, table, int(mark)))
    lines.append('add rule %s %s premangle meta l4proto udp meta mark set ct mark' % (pf, table))
    return lines


def wanted_facts(name, family, mark, ips):
    facts = [('chain', chain, 'filter', hook, priority, 'accept') for chain, hook, priority in NFT_CHAINS]
    facts.extend(('rule', 'preraw', 'drop', name, NFT_FAMILY[family], _ip_key(ip)) for ip in ips)
    facts.append(('rule', 'postmangle', 'save', int(mark)))
    facts.append(('rule', 'premangle', 'restore'))
    return sorted(facts, key=repr)


def parse_nft_table(text):
    """The facts of a ``nft list table`` listing; a rule it does not know is kept as text."""
    facts = []
    chain = None
    for raw in text.splitlines():
        line = raw.strip()
        if not line or line.startswith('table ') or line == '}':
            if line == '}':
                chain = None
            continue
        match = _CHAIN_RE.match(line)
        if match:
            chain = match.group(1)
            continue
        match = _HOOK_RE.match(line)
        if match and chain:
            kind, hook, priority, policy = match.groups()
            priority = priority.strip()
            if priority in NFT_PRIORITY_NAMES:
                priority = NFT_PRIORITY_NAMES[priority]
            else:
                try:
                    priority = int(priority)
                except ValueError:
                    pass
            facts.append(('chain', chain, kind, hook, priority, policy or 'accept'))
            continue
        facts.append(_nft_rule_fact(chain, line))
    return sorted(facts, key=repr)


def _nft_rule_fact(chain, line):
    match = _DROP_RE.match(line)
    if match and chain == 'preraw':
        return ('rule', chain, 'drop', match.group(1), match.group(2), _ip_key(match.group(3)))
    match = _SAVE_RE.match(line)
    if match and chain == 'postmangle':
        try:
            return ('rule', chain, 'save', int(match.group(1), 0))
        except ValueError:
            pass
    if _RESTORE_RE.match(line) and chain == 'premangle':
        return ('rule', chain, 'restore')
    return ('other', chain, line)


def iptables_lines(name, mark, ips):
    """wg-quick's iptables-restore input for one family, by table: {'raw': [...], 'mangle': [...]}."""
    marker = '-m comment --comment "%s"' % (MARKER % name)
    raw = ['-I PREROUTING ! -i %s -d %s -m addrtype ! --src-type LOCAL -j DROP %s' % (name, ip, marker) for ip in ips]
    mangle = ['-I POSTROUTING -m mark --mark %d -p udp -j CONNMARK --save-mark %s' % (int(mark), marker),
              '-I PREROUTING -p udp -j CONNMARK --restore-mark %s' % marker]
    return {'raw': raw, 'mangle': mangle}


def iptables_wanted_facts(name, mark, ips):
    facts = [('raw', 'drop', name, _ip_key(ip)) for ip in ips]
    facts += [('mangle', 'save', int(mark)), ('mangle', 'restore')]
    return sorted(facts, key=repr)


def _options(tokens):
    """{option: (negated, value)} of an iptables-save rule (the options this module needs)."""
    out = {}
    negate = False
    index = 0
    while index < len(tokens):
        token = tokens[index]
        if token == '!':
            negate = True
        elif token.startswith('-'):
            value = tokens[index + 1] if index + 1 < len(tokens) and not tokens[index + 1].startswith('-') else None
            out.setdefault(token, (negate, value))
            negate = False
        index += 1
    return out


def iptables_fact(table, line):
    """The fact of one ``-A`` line of iptables-save carrying the wg-quick comment."""
    try:
        tokens = shlex.split(line)
    except ValueError:
        return ('other', table, line)
    chain = tokens[1] if len(tokens) > 1 else None
    opts = _options(tokens[2:])
    jump = (opts.get('-j') or (False, None))[1]
    if table == 'raw' and chain == 'PREROUTING' and jump == 'DROP' and opts.get('-i', (False,))[0] \
            and opts.get('--src-type') == (True, 'LOCAL') and opts.get('-d'):
        return ('raw', 'drop', opts['-i'][1], _ip_key(opts['-d'][1]))
    if table == 'mangle' and jump == 'CONNMARK' and opts.get('-p') == (False, 'udp'):
        if chain == 'POSTROUTING' and '--save-mark' in tokens and opts.get('--mark'):
            try:
                return ('mangle', 'save', int(opts['--mark'][1].split('/')[0], 0))
            except ValueError:
                pass
        if chain == 'PREROUTING' and '--restore-mark' in tokens and '--mark' not in opts:
            return ('mangle', 'restore')
    return ('other', table, line)


# ---------------------------------------------------------------------------------------------
# live state
# ---------------------------------------------------------------------------------------------

def parse_nft_tables(text, name):
    """Families of the tables named wg-quick-NAME in ``nft list tables`` (any family, as remove_firewall)."""
    families = []
    for line in text.splitlines():
        words = line.split()
        if len(words) == 3 and words[0] == 'table' and words[2] == table_name(name):
            families.append(words[1])
    return families


def parse_iptables_save(text, name):
    """{table: ['-A ...' lines with the wg-quick comment of NAME]} of an ``iptables-save`` listing."""
    marker = '"%s"' % (MARKER % name)
    out = {}
    table = None
    for line in text.splitlines():
        if line.startswith('*'):
            table = line[1:].strip()
        elif line.startswith('-A ') and marker in line and table:
            out.setdefault(table, []).append(line)
    return out


def read_firewall(module, name, defaults, cleanup_iptables):
    """The live firewall of NAME: {nft: bool, nft_tables: {family: listing}, iptables: {4|6: None when
    iptables-save/-restore are missing, else marked rules}}. iptables is read for the families whose
    rules it makes (no nft) and, with ``cleanup_iptables``, for both."""
    nft = bool(module.get_bin_path('nft'))
    live = {'nft': nft, 'nft_tables': {}, 'iptables': {}}
    if nft:
        for pf in parse_nft_tables(read(module, ['nft', 'list', 'tables']), name):
            live['nft_tables'][pf] = read(module, ['nft', 'list', 'table', pf, table_name(name)])
    for family in (4, 6):
        if not ((family in defaults and not nft) or cleanup_iptables):
            continue
        tools = all(module.get_bin_path('%s-%s' % (IPTABLES[family], t)) for t in ('save', 'restore'))
        live['iptables'][family] = parse_iptables_save(read(module, ['%s-save' % IPTABLES[family]]), name) \
            if tools else None
    return live


# ---------------------------------------------------------------------------------------------
# plan
# ---------------------------------------------------------------------------------------------

def plan_firewall(name, defaults, mark, ips_by_family, live):
    """The firewall actions (pure) and the warnings: (actions, warnings).

    ``defaults`` is the set of families with a default route (wg-quick's add_default), ``mark`` the
    fwmark/table, ``ips_by_family`` {4|6: [addresses of NAME]}, ``live`` what ``read_firewall`` read.
    Tables and rules of families without a default route are removed (``remove_firewall``).
    """
    actions = _plan_nft(name, defaults, mark, ips_by_family, live) if live['nft'] else []
    warnings = []
    for family in (4, 6):
        if family not in live['iptables']:
            continue
        wanted = family in defaults and not live['nft']
        if live['iptables'][family] is None:
            if wanted:
                warnings.append('Neither nft nor %s-restore is installed: the firewall rules wg-quick adds for the '
                                'default route of %s (table %s) were not made' % (IPTABLES[family], name,
                                                                                  table_name(name)))
            continue
        actions.extend(_plan_iptables(name, family, wanted, mark, ips_by_family.get(family, []),
                                      live['iptables'][family]))
    return actions, warnings


def _plan_nft(name, defaults, mark, ips_by_family, live):
    table = table_name(name)
    existing = live['nft_tables']
    wanted_families = [NFT_FAMILY[f] for f in sorted(defaults)]
    script = ['delete table %s %s' % (pf, table) for pf in existing if pf not in wanted_families]
    for family in sorted(defaults):
        pf = NFT_FAMILY[family]
        ips = ips_by_family.get(family, [])
        if pf in existing:
            if parse_nft_table(existing[pf]) == wanted_facts(name, family, mark, ips):
                continue
            script.append('delete table %s %s' % (pf, table))
        script.extend(nft_commands(name, family, mark, ips))
    if not script:
        return []
    return [action('rules_changed', ['nft %s' % c for c in script], ['nft', '-f', '/dev/stdin'],
                   '\n'.join(script) + '\n')]


def _plan_iptables(name, family, wanted, mark, ips, live):
    live_facts = sorted((iptables_fact(t, line) for t, lines in live.items() for line in lines), key=repr)
    if wanted:
        if live_facts == iptables_wanted_facts(name, mark, ips):
            return []
        add = iptables_lines(name, mark, ips)
    elif not live_facts:
        return []
    else:
        add = {}
    restore_input = []
    changes = []
    for tbl in ('raw', 'mangle') + tuple(t for t in sorted(live) if t not in ('raw', 'mangle')):
        lines = ['-D' + line[2:] for line in live.get(tbl, [])] + add.get(tbl, [])
        if not lines:
            continue
        restore_input.extend(['*%s' % tbl] + lines + ['COMMIT'])
        changes.extend('%s -t %s %s' % (IPTABLES[family], tbl, line) for line in lines)
    return [action('rules_changed', changes, ['%s-restore' % IPTABLES[family], '-n'], '\n'.join(restore_input) + '\n')]


def firewall_actions(module, name, intent, addresses, live_addresses):
    """The firewall part of a default route's plan (``intent`` from routing_intent; None: no default
    route): wg-quick's rules read live, planned against the wanted ones, warnings shown."""
    if intent is None:
        return []
    live = read_firewall(module, name, intent['defaults'], intent['cleanup_iptables'])
    ips = firewall_ips(addresses, intent['defaults'], live_addresses)
    actions, warnings = plan_firewall(name, intent['defaults'], intent['policy'], ips, live)
    for warning in warnings:
        module.warn(warning)
    return actions
