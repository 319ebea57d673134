# Copyright (c) 2026, sitemesh.wireguard contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""wg_interface backend=ifupdown for real: a wireguard-go link in a network namespace brought up by the real
``ifup`` from the stanza the module wrote (interfaces file and stanza in a temp dir, ``ifup -i``), changed live
(same ifindex, no ifdown/ifup), taken down and up again by ifupdown alone as boot does (``ifup -a``), and
switched to wg-quick and back with the same key."""

from __future__ import annotations

import os
import shutil

import pytest

from test_live_netns import COUNTER, SKIP, Netns, assert_no_secrets, copy, kill_wireguard_go, write_key

IFUP = shutil.which('ifup')
pytestmark = pytest.mark.skipif(SKIP is not None or not IFUP,
                                reason='needs ip netns, wireguard-go and ifup (ifupdown): %s' % (SKIP or 'no ifup'))


class IfNetns(Netns):
    def __init__(self, tmp_path):
        super(IfNetns, self).__init__(tmp_path)
        self.ifdir = tmp_path / 'interfaces.d'
        self.ifdir.mkdir()
        self.interfaces = tmp_path / 'interfaces'
        self.interfaces.write_text('# interfaces(5) file used by ifup(8) and ifdown(8)\n')
        self.stanza = self.ifdir / self.ifname

    def ifupdown(self, *argv, **kwargs):
        return self.sh(*(list(argv) + ['-i', str(self.interfaces)]), **kwargs)

    def configured(self):
        return self.ifupdown('ifquery', '--state', self.ifname, check=False).strip() == '%s=%s' % ((self.ifname,) * 2)

    def cleanup(self):
        self.ifupdown('ifdown', '--force', self.ifname, check=False)
        super(IfNetns, self).cleanup()
        for path in ('/run/network/ifstate.%s' % self.ifname,):
            if os.path.exists(path):
                os.unlink(path)


@pytest.fixture
def ifns(tmp_path, wg_key):
    ns = IfNetns(tmp_path)
    private, public = wg_key()
    keyfile = write_key(ns, private)
    peers = [wg_key()[1] for dummy in range(2)]
    args = {
        'name': ns.ifname, 'backend': 'ifupdown', 'config_path': str(ns.conf), 'private_key_file': str(keyfile),
        'ifupdown_path': str(ns.stanza), 'interfaces_path': str(ns.interfaces),
        'addresses': ['172.16.1.1/24'], 'listen_port': 46000 + next(COUNTER) % 1000,
        # the guide's giant: everything but raspi's networks through moly, the exit
        'peers': [{'name': 'moly', 'public_key': peers[0], 'allowed_ips': ['0.0.0.0/0'], 'endpoint': '192.0.2.10:5555'},
                  {'name': 'raspi', 'public_key': peers[1], 'allowed_ips': ['172.16.1.3/32', '77.66.55.0/24'],
                   'endpoint': '192.0.2.11:5555'}],
        'enabled': False,
    }
    try:
        yield dict(ns=ns, args=args, private=private, peers=peers)
    finally:
        ns.cleanup()


def state(ns):
    """What a ping would depend on: peers, addresses, routes (both tables), policy rules, the nft table."""
    head, peers = ns.dump()
    return {
        'key': head[0], 'port': head[2], 'fwmark': head[3], 'peers': sorted(peers),
        'addresses': sorted(ns.sh('ip', '-o', '-4', 'addr', 'show', 'dev', ns.ifname).split()[3:4]),
        'routes': sorted(ns.routes()), 'policy': [r.split()[0] for r in ns.sh('ip', '-4', 'route', 'show', 'table', '51820').splitlines()],
        'rules': [r.split(':', 1)[1].strip() for r in ns.sh('ip', '-4', 'rule', 'show').splitlines()],
        'nft': ns.sh('nft', 'list', 'tables'),
    }


def test_ifupdown_up_live_change_boot_and_switch(ifns):
    ns, args = ifns['ns'], ifns['args']
    moly, raspi = ifns['peers']

    # check mode: nothing made, the diff shows the stanza and no key
    check = ns.run('wg_interface', args, check=True, diff=True)
    assert check.rc == 0 and check['changed'] is True, check.result
    assert not ns.stanza.exists() and not ns.conf.exists()
    assert isinstance(check['diff'], list) and any('wg setconf $IFACE' in d['after'] for d in check['diff'])
    assert_no_secrets(check, ifns['private'])

    res = ns.run('wg_interface', args, diff=True)
    assert res.rc == 0, res.result
    assert res['changed'] is True and res['started'] is True and res['backend'] == 'ifupdown'
    assert_no_secrets(res, ifns['private'])
    assert ns.configured()  # ifupdown brought it up (ifup), and knows it
    stanza = ns.stanza.read_text()
    assert 'iface %s inet manual' % ns.ifname in stanza and 'auto %s' % ns.ifname not in stanza  # enabled=false
    assert 'post-up ip -4 rule add not fwmark 51820 table 51820' in stanza
    assert 'source %s/*' % ns.ifdir in ns.interfaces.read_text()
    setconf = ns.conf.read_text()
    assert 'Address' not in setconf and 'FwMark = 51820' in setconf  # what wg setconf reads, nothing of wg-quick
    assert (ns.conf.stat().st_mode & 0o777) == 0o600
    up = state(ns)
    assert up['key'] == ifns['private'] and int(up['fwmark'], 0) == 51820
    assert up['peers'] == sorted([moly, raspi]) and up['addresses'] == ['172.16.1.1/24']
    assert up['routes'] == ['77.66.55.0/24'] and up['policy'] == ['default']
    assert 'not from all fwmark 0xca6c lookup 51820' in up['rules']
    assert 'from all lookup main suppress_prefixlength 0' in up['rules']
    assert 'table ip wg-quick-%s' % ns.ifname in up['nft']
    assert ns.run('wg_interface', args)['changed'] is False

    # live: a peer, an address, a route; same link, ifupdown never asked
    index = ns.ifindex()
    args2 = copy(args)
    args2['addresses'].append('172.16.9.1/24')
    args2['peers'][1]['allowed_ips'].append('10.0.5.0/24')
    res = ns.run('wg_interface', args2)
    assert res.rc == 0, res.result
    assert res['peers_updated'] == [raspi] and res['addresses_added'] == ['172.16.9.1/24']
    assert res['routes_added'] == ['10.0.5.0/24'] and 'started' not in res.result
    assert ns.ifindex() == index and ns.configured()
    assert '10.0.5.0/24' in ns.routes()
    assert 'post-up ip -4 route replace 10.0.5.0/24 dev %s table main' % ns.ifname in ns.stanza.read_text()

    # "reboot": ifdown (its post-down lines take the rules and the nft table away), then ifup -a as
    # networking.service does; the module then finds nothing to do
    args2['enabled'] = True
    assert ns.run('wg_interface', args2)['changed'] is True  # auto NAME written, still no restart
    assert ns.ifindex() == index and 'auto %s' % ns.ifname in ns.stanza.read_text()
    ns.ifupdown('ifdown', ns.ifname)
    down = ns.sh('ip', '-4', 'rule', 'show') + ns.sh('nft', 'list', 'tables')
    assert 'lookup 51820' not in down and 'suppress_prefixlength' not in down and 'wg-quick' not in down
    ns.ifupdown('ifup', '-a')
    booted = state(ns)
    assert booted['peers'] == sorted([moly, raspi]) and '10.0.5.0/24' in booted['routes']
    assert booted['rules'].count('not from all fwmark 0xca6c lookup 51820') == 1
    res = ns.run('wg_interface', args2)
    assert res['changed'] is False, res.result

    # switch to wg-quick: taken down by ifdown, stanza removed, started by wg-quick, same key
    args3 = dict(copy(args2), backend='wg-quick')
    res = ns.run('wg_interface', args3)
    assert res.rc == 0, res.result
    assert res['backend_changed'] == ['ifupdown -> wg-quick'] and res['started'] is True
    assert not ns.stanza.exists() and not ns.configured()
    assert 'Address = 172.16.1.1/24' in ns.conf.read_text()
    after = state(ns)
    assert after['key'] == ifns['private'] and after['peers'] == booted['peers']
    assert after['rules'].count('not from all fwmark 0xca6c lookup 51820') == 1
    assert ns.run('wg_interface', args3)['changed'] is False
    # and back (no systemd here: the running link is taken over live)
    res = ns.run('wg_interface', args2)
    assert res.rc == 0, res.result
    assert ns.stanza.exists() and 'Address' not in ns.conf.read_text()
    assert state(ns)['key'] == ifns['private']
    assert ns.run('wg_interface', args2)['changed'] is False


def _shim(directory, name, body):
    path = directory / name
    path.write_text('#!/bin/sh\n' + body)
    path.chmod(0o755)


def test_watchdog_brings_back_an_ifupdown_link_whose_daemon_died(ifns, tmp_path):
    """The role's watchdog with wireguard_backend=ifupdown, for real: wireguard-go killed, the policy rules
    and nft table it left removed, the link brought back by ``ifup --force`` (in a unit of its own: played by a
    ``systemd-run`` that runs the command, ``ifup``/``ifquery`` pointed at the temp interfaces file)."""
    from test_live_netns import _render_role_template, nft_tables
    ns, args = ifns['ns'], dict(ifns['args'], enabled=True)
    name = ns.ifname
    assert ns.run('wg_interface', args)['changed'] is True
    peers_before = sorted(ns.dump()[1])
    script = tmp_path / 'watchdog.sh'
    script.write_text(_render_role_template('watchdog.sh.j2', {'wireguard_interface': name,
                                                               'wireguard_backend': 'ifupdown'}))
    shim = tmp_path / 'shim'
    shim.mkdir()
    for tool in ('ifup', 'ifquery'):
        _shim(shim, tool, 'exec %s -i %s "$@"\n' % (shutil.which(tool), ns.interfaces))
    _shim(shim, 'systemctl', 'exit 0\n')
    _shim(shim, 'systemd-run', 'while [ "${1#-}" != "$1" ]; do case "$1" in -p) shift 2 ;; *) shift ;; esac; done\n'
                               'exec "$@"\n')
    path = '%s:%s' % (shim, os.environ.get('PATH', '/usr/sbin:/usr/bin:/sbin:/bin'))
    assert ns.sh('sh', str(script), env={'PATH': path}) == ''       # the link is there: nothing to do

    kill_wireguard_go(ns)
    assert 'lookup 51820' in ns.sh('ip', '-4', 'rule', 'show')  # left by the dead link

    out = ns.sh('sh', str(script), env={'PATH': path})
    assert 'link %s vanished while ifupdown has it configured' % name in out, out
    assert '%s is back (ifup --force %s)' % (name, name) in out, out
    rules = ns.sh('ip', '-4', 'rule', 'show')
    assert rules.count('lookup 51820') == 1 and rules.count('suppress_prefixlength 0') == 1, rules
    assert nft_tables(ns) == ['table ip wg-quick-%s' % name]
    assert sorted(ns.dump()[1]) == peers_before
    assert ns.run('wg_interface', args)['changed'] is False


def test_ifupdown_change_failing_half_way_puts_back_the_setconf_file_and_the_stanza(ifns):
    """backend=ifupdown, a change that fails half-way (an IPv6 tunnel address on a host whose IPv6 is off, next
    to a new route): the setconf file, the stanza and the interfaces file are all as before, so the next boot
    (ifup -a) brings up the last good state, not half of the new one."""
    ns, args = ifns['ns'], ifns['args']
    assert ns.run('wg_interface', args)['changed'] is True
    conf, stanza, interfaces = ns.conf.read_bytes(), ns.stanza.read_text(), ns.interfaces.read_text()
    ns.sh('sysctl', '-qw', 'net.ipv6.conf.all.disable_ipv6=1')
    args2 = copy(args)
    args2['addresses'] = args2['addresses'] + ['fd00:16::1/64']
    args2['peers'][1]['allowed_ips'].append('10.0.5.0/24')
    res = ns.run('wg_interface', args2)
    assert res.rc == 1 and res['failed'] is True, res.result
    assert 'fd00:16::1/64' in res['msg'], res['msg']
    assert 'the previous %s was put back' % ns.conf in res['msg'], res['msg']
    assert 'the previous %s put back' % ns.stanza in res['msg'], res['msg']
    assert ns.conf.read_bytes() == conf and ns.stanza.read_text() == stanza and ns.interfaces.read_text() == interfaces
    assert 'fd00:16::1' not in ns.stanza.read_text() and '10.0.5.0/24' not in ns.stanza.read_text()
    # IPv6 back on: the same change applies, the stanza with it
    ns.sh('sysctl', '-qw', 'net.ipv6.conf.all.disable_ipv6=0')
    res = ns.run('wg_interface', args2)
    assert res.rc == 0 and res['addresses_added'] == ['fd00:16::1/64'], res.result
    assert 'fd00:16::1/64' in ns.stanza.read_text() and ns.configured()
