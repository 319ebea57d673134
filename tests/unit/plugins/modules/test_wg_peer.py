# Copyright (c) 2026, sitemesh.wireguard contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""wg_peer on a config file (live=false); the live path is in test_live_netns.py."""

from __future__ import annotations

import os
import stat

import pytest

from ansible_collections.sitemesh.wireguard.plugins.module_utils._config import parse


@pytest.fixture
def conf(wgdir, wg_key):
    wgdir.mkdir(mode=0o700)
    private = wg_key()[0]
    p0 = wg_key()[1]
    path = wgdir / 'wgt1.conf'
    path.write_text('[Interface]\nPrivateKey = %s\nAddress = 10.1.0.1/24\n\n# first\n[Peer]\nPublicKey = %s\n'
                    'AllowedIPs = 10.1.0.2/32\nEndpoint = 192.0.2.1:51820\n' % (private, p0))
    path.chmod(0o600)
    return dict(path=path, private=private, p0=p0)


def test_add_update_remove_peer_in_file(run_module, conf, wg_key):
    p1 = wg_key()[1]
    psk = wg_key()[0]
    args = {'interface': 'wgt1', 'config_path': str(conf['path']), 'public_key': p1, 'live': False,
            'allowed_ips': ['10.1.0.3', '10.3.0.0/16'], 'preshared_key': psk, 'persistent_keepalive': 25}
    check = run_module('wg_peer', args, check=True, diff=True)
    assert check['changed'] is True and p1 not in conf['path'].read_text()
    res = run_module('wg_peer', args, diff=True)
    assert res.rc == 0, res.result
    assert res['changed'] is True and res['config_path'] == str(conf['path'])
    for secret in (psk, conf['private']):
        assert secret not in res.raw
    assert '<redacted>' in res['diff']['after']
    model = parse(conf['path'].read_text())
    assert [p['public_key'] for p in model['peers']] == [conf['p0'], p1]
    assert model['peers'][0]['name'] == 'first'
    assert model['peers'][1]['allowed_ips'] == ['10.1.0.3/32', '10.3.0.0/16']
    assert model['peers'][1]['preshared_key'] == psk
    assert model['interface']['private_key'] == conf['private']
    assert stat.S_IMODE(os.stat(str(conf['path'])).st_mode) == 0o600
    assert run_module('wg_peer', args)['changed'] is False

    # only the given options change; the endpoint of the first peer stays
    res = run_module('wg_peer', {'interface': 'wgt1', 'config_path': str(conf['path']), 'public_key': conf['p0'],
                                 'persistent_keepalive': 10, 'live': False})
    assert res['changed'] is True
    first = parse(conf['path'].read_text())['peers'][0]
    assert first['endpoint'] == '192.0.2.1:51820' and first['persistent_keepalive'] == 10

    gone = {'interface': 'wgt1', 'config_path': str(conf['path']), 'public_key': p1, 'state': 'absent', 'live': False}
    res = run_module('wg_peer', gone, diff=True)
    assert res['changed'] is True and psk not in res.raw
    assert p1 not in conf['path'].read_text()
    assert run_module('wg_peer', gone)['changed'] is False


def test_no_file_no_interface_fails(run_module, wgdir, wg_key):
    res = run_module('wg_peer', {'interface': 'wgt1', 'config_path': str(wgdir / 'wgt1.conf'),
                                 'public_key': wg_key()[1], 'live': True})
    assert res.rc == 1 and 'Neither' in res['msg']


def test_unparseable_file_is_left_alone(run_module, conf, wg_key):
    conf['path'].write_text('garbage\n')
    res = run_module('wg_peer', {'interface': 'wgt1', 'config_path': str(conf['path']),
                                 'public_key': wg_key()[1], 'live': False})
    assert res.rc == 1 and conf['path'].read_text() == 'garbage\n'


def test_bad_psk_fails_without_echo(run_module, conf, wg_key):
    res = run_module('wg_peer', {'interface': 'wgt1', 'config_path': str(conf['path']), 'public_key': wg_key()[1],
                                 'preshared_key': 'tooshortsecret', 'live': False})
    assert res.rc == 1 and 'tooshortsecret' not in res.raw


HAND_WRITTEN = """# Site giant: written by hand, keep this header
# second header line

[Interface]
PrivateKey = {private}
Address = 10.1.0.1/24,10.1.0.9/24   # two addresses, our own spacing
ListenPort = 51820
# PostUp = nft -f /etc/nftables.d/wg.nft   (disabled for now)

# laptop
[Peer]
PublicKey = {p0}
AllowedIPs = 10.1.0.2/32  # the laptop itself
AllowedIPs = 10.2.0.0/16
Endpoint = 192.0.2.1:51820
# a note inside the laptop's section

# Bob's phone
# added by hand in 2024
[Peer]
PublicKey = {p1}
AllowedIPs = 10.1.0.3/32
"""


def test_comments_and_lines_it_does_not_own_are_kept(run_module, wgdir, wg_key):
    wgdir.mkdir(mode=0o700)
    private = wg_key()[0]
    p0, p1, p2 = wg_key()[1], wg_key()[1], wg_key()[1]
    psk = wg_key()[0]
    path = wgdir / 'wgt1.conf'
    original = HAND_WRITTEN.format(private=private, p0=p0, p1=p1)
    path.write_text(original)
    path.chmod(0o600)
    base = {'interface': 'wgt1', 'config_path': str(path), 'live': False}

    # the same values, written differently: nothing to do, the file is not touched
    same = run_module('wg_peer', dict(base, public_key=p0, allowed_ips=['10.1.0.2', '10.2.0.0/16']))
    assert same['changed'] is False and path.read_text() == original

    # a new peer goes at the end; every line already there stays as it was
    res = run_module('wg_peer', dict(base, public_key=p2, allowed_ips=['10.1.0.4/32'], preshared_key=psk), diff=True)
    assert res.rc == 0, res.result
    assert res['changed'] is True
    text = path.read_text()
    assert text.startswith(original)
    assert text[len(original):] == '\n[Peer]\nPublicKey = %s\nPresharedKey = %s\nAllowedIPs = 10.1.0.4/32\n' % (p2, psk)
    # the diff is the file's text, keys redacted
    assert res['diff']['before'] == original.replace(private, '<redacted>')
    assert 'PresharedKey = <redacted, changed>' in res['diff']['after'] and psk not in res.raw
    assert '# Site giant: written by hand, keep this header' in res['diff']['after']
    assert stat.S_IMODE(os.stat(str(path)).st_mode) == 0o600

    # a changed field rewrites only its own lines (inline comment kept); a new field follows the last key
    res = run_module('wg_peer', dict(base, public_key=p0, allowed_ips=['10.1.0.2/32', '10.5.0.0/16'],
                                     persistent_keepalive=25))
    assert res['changed'] is True
    text = path.read_text()
    assert ('[Peer]\nPublicKey = %s\nAllowedIPs = 10.1.0.2/32, 10.5.0.0/16 # the laptop itself\n'
            'Endpoint = 192.0.2.1:51820\nPersistentKeepalive = 25\n# a note inside the laptop\'s section\n' % p0) in text
    assert text.startswith(original[:original.index('# laptop')])
    assert '# Bob\'s phone\n# added by hand in 2024\n[Peer]\nPublicKey = %s\n' % p1 in text
    model = parse(text)
    assert model['peers'][0]['name'] == 'laptop' and model['peers'][0]['persistent_keepalive'] == 25

    # a removed peer goes with the comment lines above it, nothing else does
    res = run_module('wg_peer', dict(base, public_key=p1, state='absent'))
    assert res['changed'] is True
    text = path.read_text()
    assert p1 not in text and 'Bob' not in text and 'added by hand' not in text
    assert text.startswith(original[:original.index('# laptop')])
    assert '# a note inside the laptop\'s section\n\n[Peer]\nPublicKey = %s\n' % p2 in text
    assert [p['public_key'] for p in parse(text)['peers']] == [p0, p2]
    assert run_module('wg_peer', dict(base, public_key=p1, state='absent'))['changed'] is False
