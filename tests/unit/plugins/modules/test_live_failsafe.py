# Copyright (c) 2026, sitemesh.wireguard contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Fail-safe, for real in a network namespace: a re-run heals what it can see (a deleted key file is
restored from the running interface), a change that cannot apply keeps the last good state."""

from __future__ import annotations

import os
import stat
import subprocess
import sys

import pytest

import test_live_netns as base

# the fixtures of the live tests, used here under the same names
netns = base.netns
live = base.live

pytestmark = pytest.mark.skipif(base.SKIP is not None, reason='live tests need ip netns and wireguard-go: %s' % base.SKIP)


def keyfile(ns):
    return ns.dir / ('%s.key' % ns.ifname)


def test_deleted_key_file_is_restored_from_the_running_interface(live):
    ns, args = live['ns'], live['args']
    assert ns.run('wg_interface', args)['changed'] is True
    index, dump = ns.ifindex(), ns.dump()
    path = keyfile(ns)
    os.unlink(str(path))
    keypair = {'interface': ns.ifname, 'path': str(path)}

    check = ns.run('wg_keypair', keypair, check=True, diff=True)
    assert check.rc == 0, check.result
    assert check['changed'] is True and check['restored'] is True and check['public_key'] == live['public']
    assert not path.exists()

    res = ns.run('wg_keypair', keypair, diff=True)
    assert res.rc == 0, res.result
    assert res['changed'] is True and res['restored'] is True
    assert res['public_key'] == live['public']
    assert 'restored from the running interface' in res['msg']
    assert 'restored from the running interface' in res['diff']['after']
    base.assert_no_secrets(res, live['private'])
    assert path.read_text() == live['private'] + '\n'
    assert stat.S_IMODE(os.stat(str(path)).st_mode) == 0o600
    assert not [entry for entry in os.listdir(str(ns.dir)) if entry.startswith('.ansible-wg-')]
    # the tunnel was not touched, and nothing is left to do
    assert ns.ifindex() == index and ns.dump() == dump
    again = ns.run('wg_keypair', keypair)
    assert again['changed'] is False and again['restored'] is False
    assert ns.run('wg_interface', args)['changed'] is False


def test_deleted_key_file_with_the_link_down_makes_a_new_key(live):
    ns, args = live['ns'], live['args']
    assert ns.run('wg_interface', args)['changed'] is True
    ns.sh('wg-quick', 'down', str(ns.conf))
    path = keyfile(ns)
    os.unlink(str(path))
    res = ns.run('wg_keypair', {'interface': ns.ifname, 'path': str(path)})
    assert res.rc == 0, res.result
    assert res['changed'] is True and res['restored'] is False
    assert res['public_key'] != live['public']
    assert path.read_text().strip() != live['private']
    assert stat.S_IMODE(os.stat(str(path)).st_mode) == 0o600


def test_restore_can_be_turned_off(live):
    ns, args = live['ns'], live['args']
    assert ns.run('wg_interface', args)['changed'] is True
    path = keyfile(ns)
    os.unlink(str(path))
    res = ns.run('wg_keypair', {'interface': ns.ifname, 'path': str(path), 'restore_from_interface': False})
    assert res.rc == 0 and res['restored'] is False and res['public_key'] != live['public']


pair = base.pair

HOLD_PORT = ("import socket, sys, time\n"
             "s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)\n"
             "s.bind(('0.0.0.0', int(sys.argv[1])))\n"
             "print('ready', flush=True)\n"
             "time.sleep(120)\n")


def ping_ok(site):
    out = site['ns'].sh('ping', '-c', '3', '-W', '2', '-I', '10.0.1.1', '10.0.2.1', check=False)
    return ' 0% packet loss' in out


def test_taken_listen_port_fails_and_keeps_the_last_good_state(pair):
    a, b = pair
    for site in pair:
        assert site['ns'].run('wg_interface', site['args'])['changed'] is True
    assert ping_ok(a)
    ns = a['ns']
    taken = a['port'] + 1
    holder = subprocess.Popen(['ip', 'netns', 'exec', ns.ns, sys.executable, '-c', HOLD_PORT, str(taken)],
                              stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout.readline().strip() == 'ready'
        conf, dump, index = ns.conf.read_bytes(), ns.dump(), ns.ifindex()
        args = base.copy(a['args'])
        args['listen_port'] = taken
        for check in (True, False):
            res = ns.run('wg_interface', args, check=check)
            assert res.rc == 1 and res['failed'] is True, res.result
            assert 'listen_port %d' % taken in res['msg'] and 'pid %d (' % holder.pid in res['msg'], res['msg']
            assert ns.conf.read_bytes() == conf
            assert ns.dump() == dump and ns.ifindex() == index
        assert ping_ok(a)
        assert ns.run('wg_interface', a['args'])['changed'] is False
    finally:
        holder.kill()
        holder.wait()
    # the port is free again: the same change now applies live
    res = ns.run('wg_interface', args)
    assert res.rc == 0 and res['changed'] is True, res.result
    assert ns.dump()[0][2] == str(taken) and ns.ifindex() == index


def test_rekey_one_site_and_its_peer_replaces_it_live(pair):
    """What a wireguard_rekey run does on two sites: a new key on one (wg_keypair regenerate=always), then
    both wg_interface runs - the other site replaces the peer live, the rekeyed one takes its new key live."""
    a, b = pair
    for site in pair:
        assert site['ns'].run('wg_interface', site['args'])['changed'] is True
    assert ping_ok(a)
    index = [site['ns'].ifindex() for site in pair]
    res = a['ns'].run('wg_keypair', {'interface': a['ns'].ifname, 'path': a['keyfile'], 'regenerate': 'always'})
    assert res.rc == 0 and res['changed'] is True and res['restored'] is False, res.result
    new_public = res['public_key']
    assert new_public != a['public']
    b_args = base.copy(b['args'])
    b_args['peers'][0]['public_key'] = new_public
    res_b = b['ns'].run('wg_interface', b_args)
    assert res_b.rc == 0, res_b.result
    assert res_b['peers_added'] == [new_public] and res_b['peers_removed'] == [a['public']]
    res_a = a['ns'].run('wg_interface', a['args'])
    assert res_a.rc == 0 and res_a['interface_updated'] is True and res_a['public_key'] == new_public, res_a.result
    assert a['ns'].dump()[0][1] == new_public
    assert ping_ok(a)
    assert [site['ns'].ifindex() for site in pair] == index
    assert a['ns'].run('wg_interface', a['args'])['changed'] is False
    assert b['ns'].run('wg_interface', b_args)['changed'] is False


def test_change_failing_half_way_puts_back_the_file_and_the_running_interface(pair, wg_key):
    """A change that fails after part of it was applied live: a new peer (applied first, by wg set)
    and an IPv6 tunnel address on a host whose IPv6 is turned off (`ip addr add` fails). The task fails
    naming the address; the previous file is back and so are the running peers: the new peer is gone,
    the tunnel and its interface are as they were and still carry traffic."""
    a, b = pair
    for site in pair:
        assert site['ns'].run('wg_interface', site['args'])['changed'] is True
    assert ping_ok(a)
    ns = a['ns']
    conf, dump, index, routes = ns.conf.read_bytes(), ns.dump(), ns.ifindex(), ns.routes()
    ns.sh('sysctl', '-qw', 'net.ipv6.conf.all.disable_ipv6=1')
    dummy, laptop = wg_key()
    args = base.copy(a['args'])
    args['addresses'] = args['addresses'] + ['fd00:16::1/64']
    args['peers'].append({'name': 'laptop', 'public_key': laptop, 'allowed_ips': ['10.99.0.0/24']})
    res = ns.run('wg_interface', args)
    assert res.rc == 1 and res['failed'] is True, res.result
    assert 'fd00:16::1/64' in res['msg'], res['msg']
    assert 'the previous %s was put back' % ns.conf in res['msg'], res['msg']
    assert 'the running %s was put back to it' % ns.ifname in res['msg'] and laptop in res['msg'], res['msg']
    assert ns.conf.read_bytes() == conf
    assert ns.dump() == dump and ns.ifindex() == index and ns.routes() == routes
    assert ping_ok(a)
    # IPv6 back on: the same change applies live, and a re-run of the old arguments takes it away again
    ns.sh('sysctl', '-qw', 'net.ipv6.conf.all.disable_ipv6=0')
    res = ns.run('wg_interface', args)
    assert res.rc == 0 and res['peers_added'] == [laptop], res.result
    assert ns.ifindex() == index and ping_ok(a)


def test_first_start_failing_removes_the_new_file(live):
    """No config and no interface before; `wg-quick up` fails (an IPv6 tunnel address on a host whose
    IPv6 is off): the task fails naming the command, the new file is removed again, no link is left."""
    ns, args = live['ns'], base.copy(live['args'])
    ns.sh('sysctl', '-qw', 'net.ipv6.conf.all.disable_ipv6=1')
    args['addresses'] = args['addresses'] + ['fd00:16::1/64']
    res = ns.run('wg_interface', args)
    assert res.rc == 1 and res['failed'] is True, res.result
    assert 'wg-quick up' in res['msg'], res['msg']
    assert 'the new %s was removed (there was none before)' % ns.conf in res['msg'], res['msg']
    assert not ns.conf.exists()
    assert ns.sh('ip', 'link', 'show', 'dev', ns.ifname, check=False).strip() == ''
    base.assert_no_secrets(res, live['private'], live['psk'])
