# Copyright (c) 2026, sitemesh.wireguard contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""wg_interface on files only (apply=false, enabled=false); live apply is in test_live_netns.py."""

from __future__ import annotations

import json
import os
import stat

import pytest

from ansible_collections.sitemesh.wireguard.plugins.module_utils import _config, _config_file


@pytest.fixture
def setup(wgdir, wg_key):
    wgdir.mkdir(mode=0o700)
    private, public = wg_key()
    keyfile = wgdir / 'wgt0.key'
    keyfile.write_text(private + '\n')
    keyfile.chmod(0o600)
    psk = wg_key()[0]
    peer1, peer2 = wg_key()[1], wg_key()[1]
    args = {
        'name': 'wgt0',
        'config_path': str(wgdir / 'wgt0.conf'),
        'private_key_file': str(keyfile),
        'addresses': ['172.16.1.1/24'],
        'listen_port': 5555,
        'peers': [
            {'name': 'moly', 'public_key': peer1, 'allowed_ips': ['172.16.1.2/32', '10.0.2.0/24'],
             'endpoint': '192.168.1.162:5555', 'preshared_key': psk},
            {'name': 'lt', 'public_key': peer2, 'allowed_ips': ['172.16.1.3'], 'persistent_keepalive': 25},
        ],
        'apply': False,
        'enabled': False,
    }
    return dict(args=args, private=private, public=public, psk=psk, conf=wgdir / 'wgt0.conf', dir=wgdir,
                peer1=peer1, peer2=peer2)


def secrets_absent(res, *secrets):
    dumped = json.dumps(res.result)
    for secret in secrets:
        assert secret not in res.raw
        assert secret not in dumped


def test_writes_config_0600_and_is_idempotent(run_module, setup):
    res = run_module('wg_interface', setup['args'], diff=True)
    assert res.rc == 0, res.result
    assert res['changed'] is True
    assert res['public_key'] == setup['public']
    conf = setup['conf']
    assert stat.S_IMODE(os.stat(str(conf)).st_mode) == 0o600
    text = conf.read_text()
    assert text.startswith('# Managed by Ansible (sitemesh.wireguard.wg_interface): local changes are overwritten\n')
    assert 'PrivateKey = %s' % setup['private'] in text
    assert 'PresharedKey = %s' % setup['psk'] in text
    assert 'SaveConfig = false' in text
    assert '# moly\n[Peer]' in text
    assert 'AllowedIPs = 172.16.1.3/32' in text
    assert 'PostUp' not in text
    secrets_absent(res, setup['private'], setup['psk'])
    assert '<redacted>' in res['diff']['after']
    assert res['diff']['before'] == ''
    assert sorted(os.listdir(str(setup['dir']))) == ['wgt0.conf', 'wgt0.key']

    again = run_module('wg_interface', setup['args'], diff=True)
    assert again['changed'] is False
    assert again['diff']['before'] == again['diff']['after']
    secrets_absent(again, setup['private'], setup['psk'])


def test_compares_models_not_text(run_module, setup):
    run_module('wg_interface', setup['args'])
    conf = setup['conf']
    # same configuration, other spelling: no change, file left as it is
    text = conf.read_text().replace('AllowedIPs = 172.16.1.3/32', 'allowedips = 172.16.1.3')
    text = text.replace('[Interface]', '# a local comment\n[interface]')
    conf.write_text(text)
    res = run_module('wg_interface', setup['args'])
    assert res['changed'] is False
    assert conf.read_text() == text


def test_check_mode_writes_nothing(run_module, setup):
    res = run_module('wg_interface', setup['args'], check=True, diff=True)
    assert res['changed'] is True
    assert not setup['conf'].exists()
    run_module('wg_interface', setup['args'])
    before = setup['conf'].read_text()
    args = dict(setup['args'], listen_port=5556)
    res = run_module('wg_interface', args, check=True, diff=True)
    assert res['changed'] is True
    assert setup['conf'].read_text() == before
    assert 'ListenPort = 5555' in res['diff']['before'] and 'ListenPort = 5556' in res['diff']['after']
    secrets_absent(res, setup['private'], setup['psk'])


def test_psk_change_shows_in_diff_redacted(run_module, setup, wg_key):
    run_module('wg_interface', setup['args'])
    args = json.loads(json.dumps(setup['args']))
    new_psk = wg_key()[0]
    args['peers'][0]['preshared_key'] = new_psk
    res = run_module('wg_interface', args, diff=True)
    assert res['changed'] is True
    assert '<redacted, changed>' in res['diff']['after']
    secrets_absent(res, setup['private'], setup['psk'], new_psk)
    assert new_psk in setup['conf'].read_text()


def test_removing_a_peer_and_backup(run_module, setup):
    run_module('wg_interface', setup['args'])
    args = json.loads(json.dumps(setup['args']))
    del args['peers'][1]
    args['backup'] = True
    res = run_module('wg_interface', args)
    assert res['changed'] is True
    assert setup['peer2'] not in setup['conf'].read_text()
    assert res['backup_file'] and setup['peer2'] in open(res['backup_file']).read()


def test_validation_failure_leaves_old_file(run_module, setup, monkeypatch):
    run_module('wg_interface', setup['args'])
    before = setup['conf'].read_text()
    real = _config_file.render
    monkeypatch.setattr(_config_file, 'render', lambda *a, **k: real(*a, **k) + 'Bogus = 1\n')
    args = dict(setup['args'], listen_port=6000)
    res = run_module('wg_interface', args)
    assert res.rc == 1 and 'not valid' in res['msg'] and 'Bogus' in res['msg']
    assert setup['conf'].read_text() == before
    assert sorted(os.listdir(str(setup['dir']))) == ['wgt0.conf', 'wgt0.key']
    secrets_absent(res, setup['private'], setup['psk'])


def test_wg_quick_strip_failure_leaves_old_file(run_module, setup, tmp_path, monkeypatch):
    run_module('wg_interface', setup['args'])
    before = setup['conf'].read_text()
    fake = tmp_path / 'bin'
    fake.mkdir()
    (fake / 'wg-quick').write_text('#!/bin/sh\necho "wg-quick: fake failure" >&2\nexit 1\n')
    (fake / 'wg-quick').chmod(0o755)
    monkeypatch.setenv('PATH', '%s:%s' % (fake, os.environ['PATH']))
    res = run_module('wg_interface', dict(setup['args'], listen_port=6000))
    assert res.rc == 1 and 'fake failure' in res['msg']
    assert setup['conf'].read_text() == before


def test_missing_or_corrupt_private_key(run_module, setup):
    (setup['dir'] / 'wgt0.key').write_text('garbage\n')
    res = run_module('wg_interface', setup['args'])
    assert res.rc == 1 and 'does not hold a WireGuard private key' in res['msg']
    os.unlink(str(setup['dir'] / 'wgt0.key'))
    res = run_module('wg_interface', setup['args'])
    assert res.rc == 1 and 'Cannot read the private key file' in res['msg']
    assert not setup['conf'].exists()


def test_invalid_options_fail(run_module, setup):
    args = json.loads(json.dumps(setup['args']))
    args['peers'][0]['allowed_ips'] = ['10.0.0.300/24']
    res = run_module('wg_interface', args)
    assert res.rc == 1 and 'not an IP network' in res['msg']
    args = json.loads(json.dumps(setup['args']))
    args['peers'][0]['preshared_key'] = 'short'
    res = run_module('wg_interface', args)
    assert res.rc == 1 and 'preshared_key' in res['msg']
    res = run_module('wg_interface', dict(setup['args'], config_path=str(setup['dir'] / 'bad name.conf')))
    assert res.rc == 1 and 'interface name' in res['msg']


def test_mode_of_existing_file_is_fixed(run_module, setup):
    run_module('wg_interface', setup['args'])
    setup['conf'].chmod(0o644)
    res = run_module('wg_interface', setup['args'])
    assert res['changed'] is True
    assert stat.S_IMODE(os.stat(str(setup['conf'])).st_mode) == 0o600


def test_a_link_to_the_same_config_is_replaced_by_a_file_its_target_untouched(run_module, setup, tmp_path):
    run_module('wg_interface', setup['args'])
    target = tmp_path / 'elsewhere.conf'
    target.write_text(setup['conf'].read_text())   # the very config, 0644, behind a link
    target.chmod(0o644)
    setup['conf'].unlink()
    setup['conf'].symlink_to(target)
    res = run_module('wg_interface', setup['args'])
    assert res['changed'] is True, res.result
    assert not setup['conf'].is_symlink() and stat.S_IMODE(os.stat(str(setup['conf'])).st_mode) == 0o600
    assert setup['conf'].read_text() == target.read_text()
    assert stat.S_IMODE(os.stat(str(target)).st_mode) == 0o644
    assert run_module('wg_interface', setup['args'])['changed'] is False


def test_unparseable_existing_file_is_replaced(run_module, setup):
    setup['conf'].write_text('this is not wireguard\n')
    res = run_module('wg_interface', setup['args'], diff=True)
    assert res['changed'] is True
    assert 'does not parse' in res['diff']['before']
    assert _config.parse(setup['conf'].read_text())['interface']['listen_port'] == 5555


def test_absent_removes_config(run_module, setup):
    run_module('wg_interface', setup['args'])
    args = dict(name='wgt0', config_path=setup['args']['config_path'], state='absent', apply=False, enabled=False)
    res = run_module('wg_interface', args, check=True)
    assert res['changed'] is True and setup['conf'].exists()
    res = run_module('wg_interface', args, diff=True)
    assert res['changed'] is True and not setup['conf'].exists()
    secrets_absent(res, setup['private'], setup['psk'])
    assert run_module('wg_interface', args)['changed'] is False


def test_check_mode_before_the_key_exists(run_module, setup):
    os.unlink(str(setup['dir'] / 'wgt0.key'))
    res = run_module('wg_interface', setup['args'], check=True, diff=True)
    assert res.rc == 0 and res['changed'] is True and res['public_key'] is None
    assert not setup['conf'].exists()
