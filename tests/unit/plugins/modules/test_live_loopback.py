# Copyright (c) 2026, sitemesh.wireguard contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""wg_loopback for real in a network namespace, and wg_interface bringing a deleted link back."""

from __future__ import annotations

import os
import stat

import pytest

import test_live_netns as base

# the fixtures of the live tests, used here under the same names
netns = base.netns
live = base.live

pytestmark = pytest.mark.skipif(base.SKIP is not None, reason='live tests need ip netns and wireguard-go: %s' % base.SKIP)


def lo(ns):
    out = ns.sh('ip', '-o', 'addr', 'show', 'dev', 'lo')
    return sorted(line.split()[3] + ('' if line.split()[2] == 'inet6' else ' ' + line.split('\\')[0].split()[-1])
                  for line in out.splitlines())


def test_loopback_adds_keeps_and_removes_dual_stack(netns):
    ns = netns
    path = str(ns.dir / 'sitemesh-wireguard-wg0')
    aliases = [{'label': 'lo:10', 'address': '10.0.2.1/24'}, {'label': 'lo:11', 'address': 'fd00:2::1/64'}]
    args = {'interface': 'wg0', 'path': path, 'aliases': aliases}
    check = ns.run('wg_loopback', args, check=True, diff=True)
    assert check.rc == 0, check.result
    assert check['changed'] is True and check['aliases_added'] == ['10.0.2.1/24', 'fd00:2::1/64']
    assert not os.path.exists(path) and lo(ns) == ['127.0.0.1/8 lo', '::1/128']
    res = ns.run('wg_loopback', args, diff=True)
    assert res.rc == 0, res.result
    assert res['changed'] is True and res['path'] == path
    assert res['aliases_added'] == ['10.0.2.1/24', 'fd00:2::1/64'] and res['aliases_removed'] == []
    assert '+ address fd00:2::1/64' in res['diff']['prepared'] and res['diff']['before'] == ''
    assert lo(ns) == ['10.0.2.1/24 lo:10', '127.0.0.1/8 lo', '::1/128', 'fd00:2::1/64']
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o644
    text = open(path).read()
    assert 'auto lo:10\niface lo:10 inet static\n\taddress 10.0.2.1/24' in text and 'inet6' in text
    again = ns.run('wg_loopback', args, diff=True)
    assert again['changed'] is False, again.result
    assert again['aliases_added'] == [] and 'prepared' not in again['diff']

    # an alias another mesh made is left alone; one of ours goes, one comes
    ns.sh('ip', 'addr', 'add', '10.0.77.1/24', 'dev', 'lo', 'label', 'lo:77')
    args2 = dict(args, aliases=[aliases[1], {'label': 'lo:12', 'address': '10.0.3.1/24'}])
    res = ns.run('wg_loopback', args2)
    assert res['changed'] is True
    assert res['aliases_added'] == ['10.0.3.1/24'] and res['aliases_removed'] == ['10.0.2.1/24']
    assert lo(ns) == ['10.0.3.1/24 lo:12', '10.0.77.1/24 lo:77', '127.0.0.1/8 lo', '::1/128', 'fd00:2::1/64']
    assert ns.run('wg_loopback', args2)['changed'] is False

    # none wanted: ours and the file go
    gone = dict(args, aliases=[])
    res = ns.run('wg_loopback', gone)
    assert res['changed'] is True and sorted(res['aliases_removed']) == ['10.0.3.1/24', 'fd00:2::1/64']
    assert not os.path.exists(path)
    assert lo(ns) == ['10.0.77.1/24 lo:77', '127.0.0.1/8 lo', '::1/128']
    assert ns.run('wg_loopback', gone)['changed'] is False


def test_loopback_file_drifted_by_hand_is_healed_a_link_replaced_not_written_through(netns):
    ns = netns
    path = str(ns.dir / 'sitemesh-wireguard-wg0')
    args = {'interface': 'wg0', 'path': path, 'aliases': [{'label': 'lo:10', 'address': '10.0.2.1/24'}]}
    assert ns.run('wg_loopback', args)['changed'] is True
    wanted = open(path).read()

    os.chmod(path, 0o600)   # a mode changed by hand: only the file differs, the alias is there
    res = ns.run('wg_loopback', args)
    assert res['changed'] is True and res['aliases_added'] == [], res.result
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o644

    target = ns.dir / 'elsewhere'
    target.write_text('not ours\n')
    os.chmod(str(target), 0o600)
    os.unlink(path)
    os.symlink(str(target), path)   # a link where the file was (its target holds other text)
    res = ns.run('wg_loopback', args)
    assert res['changed'] is True, res.result
    assert not os.path.islink(path) and open(path).read() == wanted
    assert target.read_text() == 'not ours\n' and stat.S_IMODE(os.stat(str(target)).st_mode) == 0o600
    assert ns.run('wg_loopback', args)['changed'] is False


def test_loopback_bad_label_fails(netns):
    res = netns.run('wg_loopback', {'path': str(netns.dir / 'x'), 'aliases': [{'label': 'eth0:1', 'address': '10.0.0.1/24'}]})
    assert res.rc == 1 and 'lo:' in res['msg']


def test_deleted_link_is_brought_back_and_verified(live):
    """No systemd here: wg-quick up brings it back; "started" only when the link exists and matches."""
    ns, args = live['ns'], live['args']
    assert ns.run('wg_interface', args)['changed'] is True
    ns.sh('ip', 'link', 'del', ns.ifname)
    res = ns.run('wg_interface', args)
    assert res.rc == 0, res.result
    assert res['changed'] is True and res['started'] is True
    assert ns.dump()[0][0] == live['private'] and list(ns.dump()[1]) == [live['peers'][0]]
    assert ns.routes() == ['10.0.2.0/24']
    again = ns.run('wg_interface', args)
    assert again['changed'] is False and 'started' not in again.result, again.result
