# Copyright (c) 2026, sitemesh.wireguard contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Live apply against a real wireguard-go interface in a fresh network namespace.

The modules run as subprocesses under ``ip netns exec`` (as Ansible runs them: a Python process
with a JSON args file). wireguard-go's control socket (/var/run/wireguard/NAME.sock) is shared by
all namespaces, so every test uses its own interface name.
"""

from __future__ import annotations

import itertools
import json
import os
import shutil
import signal
import subprocess
import time

import pytest

from conftest import run_module_process

COUNTER = itertools.count()


def _netns_usable():
    if os.geteuid() != 0:
        return 'needs root'
    for tool in ('ip', 'wg', 'wg-quick', 'wireguard-go'):
        if not shutil.which(tool):
            return '%s is not installed' % tool
    name = 'wgprobe%d' % os.getpid()
    if subprocess.run(['ip', 'netns', 'add', name], capture_output=True, check=False).returncode != 0:
        return '`ip netns add` does not work here'
    subprocess.run(['ip', 'netns', 'del', name], capture_output=True, check=False)
    return None


SKIP = _netns_usable()
pytestmark = pytest.mark.skipif(SKIP is not None, reason='live tests need ip netns and wireguard-go: %s' % SKIP)


class Netns(object):
    def __init__(self, tmp_path):
        n = next(COUNTER)
        self.ns = 'wgtns%d_%d' % (os.getpid(), n)
        self.ifname = ('wgt%d%d' % (os.getpid() % 100000, n))[:15]
        self.dir = tmp_path / 'wireguard'
        self.dir.mkdir(mode=0o700)
        self.conf = self.dir / ('%s.conf' % self.ifname)
        subprocess.run(['ip', 'netns', 'add', self.ns], check=True)
        self.sh('ip', 'link', 'set', 'lo', 'up')

    def sh(self, *argv, **kwargs):
        env = dict(os.environ, WG_HIDE_KEYS='never')
        return subprocess.run(['ip', 'netns', 'exec', self.ns] + list(argv), capture_output=True, text=True,
                              env=env, check=kwargs.get('check', True)).stdout

    def run(self, module, args, **kwargs):
        return run_module_process(module, args, netns=self.ns, **kwargs)

    def ifindex(self):
        return int(self.sh('ip', '-o', 'link', 'show', 'dev', self.ifname).split(':')[0])

    def dump(self):
        lines = self.sh('wg', 'show', self.ifname, 'dump').splitlines()
        peers = dict((l.split('\t')[0], l.split('\t')) for l in lines[1:])
        return lines[0].split('\t'), peers

    def routes(self, *args):
        out = self.sh('ip', '-4', 'route', 'show', 'dev', self.ifname, *args)
        out += self.sh('ip', '-6', 'route', 'show', 'dev', self.ifname, *args)
        return [l.split()[0] for l in out.splitlines() if 'proto kernel' not in l]

    def cleanup(self):
        subprocess.run(['ip', '-n', self.ns, 'link', 'del', self.ifname], capture_output=True, check=False)
        pids = subprocess.run(['pgrep', '-x', '-f', 'wireguard-go %s' % self.ifname],
                              capture_output=True, text=True, check=False).stdout.split()
        for pid in pids:
            try:
                os.kill(int(pid), signal.SIGTERM)
            except OSError:
                pass
        subprocess.run(['ip', 'netns', 'del', self.ns], capture_output=True, check=False)
        sock = '/var/run/wireguard/%s.sock' % self.ifname
        for dummy in range(20):
            if not os.path.exists(sock):
                break
            time.sleep(0.05)
        if os.path.exists(sock):
            os.unlink(sock)


@pytest.fixture
def netns(tmp_path):
    ns = Netns(tmp_path)
    try:
        yield ns
    finally:
        ns.cleanup()


@pytest.fixture
def live(netns, wg_key):
    private, public = wg_key()
    keyfile = netns.dir / ('%s.key' % netns.ifname)
    keyfile.write_text(private + '\n')
    keyfile.chmod(0o600)
    peers = [wg_key()[1] for dummy in range(3)]
    psk = wg_key()[0]
    args = {
        'name': netns.ifname,
        'config_path': str(netns.conf),
        'private_key_file': str(keyfile),
        'addresses': ['172.16.1.1/24'],
        'listen_port': 45000 + next(COUNTER) % 1000,
        'peers': [{'name': 'moly', 'public_key': peers[0], 'allowed_ips': ['172.16.1.2/32', '10.0.2.0/24'],
                   'endpoint': '192.0.2.10:5555', 'preshared_key': psk}],
        'enabled': False,
    }
    return dict(ns=netns, args=args, private=private, public=public, peers=peers, psk=psk)


def copy(args):
    return json.loads(json.dumps(args))


def assert_no_secrets(res, *secrets):
    for secret in secrets:
        assert secret not in res.raw


def test_interface_up_then_live_changes_without_restart(live):
    ns, args = live['ns'], live['args']
    p0, p1, p2 = live['peers']
    res = ns.run('wg_interface', args)
    assert res.rc == 0, res.result
    assert res['changed'] is True and res['peers_added'] == [p0]
    head, peers = ns.dump()
    assert head[0] == live['private'] and list(peers) == [p0]
    assert ns.routes() == ['10.0.2.0/24']  # 172.16.1.2/32 is inside the connected 172.16.1.0/24
    index = ns.ifindex()

    again = ns.run('wg_interface', args)
    assert again['changed'] is False, again.result

    # a peer, an address, an allowed IP, an IPv6 network: all live, nothing restarted
    args2 = copy(args)
    args2['addresses'].append('fd00:16::1/64')
    args2['peers'][0]['allowed_ips'].append('10.0.4.0/24')
    args2['peers'].append({'name': 'lt', 'public_key': p1, 'allowed_ips': ['172.16.1.3/32', 'fd00:99::/64'],
                           'persistent_keepalive': 25})
    check = ns.run('wg_interface', args2, check=True)
    assert check['changed'] is True and check['peers_added'] == [p1]
    assert list(ns.dump()[1]) == [p0]  # check mode changed nothing
    res = ns.run('wg_interface', args2, diff=True)
    assert res.rc == 0, res.result
    assert res['changed'] is True
    assert res['peers_added'] == [p1] and res['peers_updated'] == [p0] and res['peers_removed'] == []
    assert res['addresses_added'] == ['fd00:16::1/64']
    assert sorted(res['routes_added']) == ['10.0.4.0/24', 'fd00:99::/64']
    assert_no_secrets(res, live['private'], live['psk'])
    assert ns.ifindex() == index
    head, peers = ns.dump()
    assert head[0] == live['private']  # wg syncconf kept the private key
    assert set(peers) == {p0, p1}
    assert peers[p0][1] == live['psk']
    assert sorted(peers[p0][3].split(',')) == ['10.0.2.0/24', '10.0.4.0/24', '172.16.1.2/32']
    assert peers[p1][7] == '25'
    assert sorted(ns.routes()) == ['10.0.2.0/24', '10.0.4.0/24', 'fd00:99::/64']
    assert 'fd00:16::1/64' in ns.sh('ip', '-o', 'addr', 'show', 'dev', ns.ifname)
    assert ns.run('wg_interface', args2)['changed'] is False

    # and back: peer, address and routes go away
    res = ns.run('wg_interface', args)
    assert res['changed'] is True
    assert res['peers_removed'] == [p1] and res['peers_updated'] == [p0]
    assert res['addresses_removed'] == ['fd00:16::1/64']
    assert sorted(res['routes_removed']) == ['10.0.4.0/24', 'fd00:99::/64']
    assert ns.ifindex() == index
    assert ns.routes() == ['10.0.2.0/24']
    assert ns.run('wg_interface', args)['changed'] is False


def test_module_agrees_with_wg_quick_after_restart(live):
    ns, args = live['ns'], copy(live['args'])
    args['peers'].append({'public_key': live['peers'][1], 'allowed_ips': ['10.7.0.0/16', '10.7.1.0/24', '172.16.1.9']})
    assert ns.run('wg_interface', args)['changed'] is True
    ns.sh('wg-quick', 'down', str(ns.conf))
    ns.sh('wg-quick', 'up', str(ns.conf))
    res = ns.run('wg_interface', args)
    assert res['changed'] is False, res.result


def test_default_route_policy_routing(live):
    ns, args = live['ns'], copy(live['args'])
    assert ns.run('wg_interface', args)['changed'] is True
    index = ns.ifindex()
    args['peers'][0]['allowed_ips'] = ['172.16.1.2/32', '0.0.0.0/0']
    res = ns.run('wg_interface', args)
    assert res.rc == 0, res.result
    assert res['changed'] is True
    assert '0.0.0.0/0 table 51820' in res['routes_added'] and '10.0.2.0/24' in res['routes_removed']
    head = ns.dump()[0]
    assert int(head[3], 0) == 51820 and head[0] == live['private']
    rules = ns.sh('ip', '-4', 'rule', 'show')
    assert 'not from all fwmark 0xca6c lookup 51820' in rules
    assert 'from all lookup main suppress_prefixlength 0' in rules
    assert ns.sh('ip', '-4', 'route', 'show', 'table', '51820').split()[:3] == ['default', 'dev', ns.ifname]
    assert ns.sh('sysctl', '-n', 'net.ipv4.conf.all.src_valid_mark').strip() == '1'
    assert ns.run('wg_interface', args)['changed'] is False
    # wg-quick itself would set it up the same way
    ns.sh('wg-quick', 'down', str(ns.conf))
    ns.sh('wg-quick', 'up', str(ns.conf))
    res = ns.run('wg_interface', args)
    assert res['changed'] is False, res.result
    index = ns.ifindex()
    # no default route any more: route, rules and fwmark go
    res = ns.run('wg_interface', live['args'])
    assert res['changed'] is True
    assert '0.0.0.0/0 table 51820' in res['routes_removed']
    assert 'lookup 51820' not in ns.sh('ip', '-4', 'rule', 'show')
    assert 'suppress_prefixlength' not in ns.sh('ip', '-4', 'rule', 'show')
    assert ns.dump()[0][3] == 'off'
    assert ns.ifindex() == index
    assert ns.run('wg_interface', live['args'])['changed'] is False


def test_wg_peer_live_and_file(live):
    ns, args = live['ns'], live['args']
    assert ns.run('wg_interface', args)['changed'] is True
    index = ns.ifindex()
    p1 = live['peers'][1]
    psk = live['psk']
    peer = {'interface': ns.ifname, 'config_path': str(ns.conf), 'public_key': p1,
            'allowed_ips': ['172.16.1.3/32', '10.0.3.0/24'], 'endpoint': '192.0.2.11:5555',
            'persistent_keepalive': 25, 'preshared_key': psk}
    check = ns.run('wg_peer', peer, check=True)
    assert check['changed'] is True and p1 not in ns.dump()[1]
    res = ns.run('wg_peer', peer, diff=True)
    assert res.rc == 0, res.result
    assert res['changed'] is True and res['peers_added'] == [p1] and res['routes_added'] == ['10.0.3.0/24']
    assert_no_secrets(res, live['private'], psk)
    head, peers = ns.dump()
    assert peers[p1][1] == psk and peers[p1][2] == '192.0.2.11:5555' and peers[p1][7] == '25'
    assert '10.0.3.0/24' in ns.routes()
    assert p1 in ns.conf.read_text() and ns.ifindex() == index
    assert ns.run('wg_peer', peer)['changed'] is False
    # the file and the live state agree, so wg_interface with that peer sees nothing to do
    args2 = copy(args)
    args2['peers'].append({'public_key': p1, 'allowed_ips': ['172.16.1.3/32', '10.0.3.0/24'],
                           'endpoint': '192.0.2.11:5555', 'persistent_keepalive': 25, 'preshared_key': psk})
    assert ns.run('wg_interface', args2)['changed'] is False
    # an allowed IP more
    res = ns.run('wg_peer', dict(peer, allowed_ips=['172.16.1.3/32', '10.0.3.0/24', '10.0.5.0/24']))
    assert res['peers_updated'] == [p1] and res['routes_added'] == ['10.0.5.0/24']
    # remove it
    gone = {'interface': ns.ifname, 'config_path': str(ns.conf), 'public_key': p1, 'state': 'absent'}
    res = ns.run('wg_peer', gone)
    assert res['changed'] is True and res['peers_removed'] == [p1]
    assert sorted(res['routes_removed']) == ['10.0.3.0/24', '10.0.5.0/24']
    assert p1 not in ns.dump()[1] and p1 not in ns.conf.read_text()
    assert ns.run('wg_peer', gone)['changed'] is False
    assert ns.ifindex() == index


def test_state_absent_takes_interface_down(live):
    ns, args = live['ns'], live['args']
    assert ns.run('wg_interface', args)['changed'] is True
    gone = {'name': ns.ifname, 'config_path': str(ns.conf), 'state': 'absent', 'enabled': False}
    res = ns.run('wg_interface', gone)
    assert res['changed'] is True
    assert subprocess.run(['ip', '-n', ns.ns, 'link', 'show', ns.ifname], capture_output=True, check=False).returncode != 0
    assert not ns.conf.exists()
    assert ns.run('wg_interface', gone)['changed'] is False
