# Copyright (c) 2026, sitemesh.wireguard contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

import base64
import os
import stat
import subprocess


def mode_of(path):
    return stat.S_IMODE(os.stat(str(path)).st_mode)


def pubkey(private):
    return subprocess.run(['wg', 'pubkey'], input=private, capture_output=True, text=True, check=True).stdout.strip()


def test_creates_key_0600_in_new_0700_dir(run_module, wgdir):
    path = wgdir / 'wg0.key'
    res = run_module('wg_keypair', {'path': str(path)}, diff=True)
    assert res.rc == 0 and res['changed'] is True
    private = path.read_text().strip()
    assert len(base64.b64decode(private)) == 32
    assert mode_of(path) == 0o600
    assert mode_of(wgdir) == 0o700
    assert res['public_key'] == pubkey(private)
    assert res['path'] == str(path)
    assert private not in res.raw
    assert res['diff']['before'] == 'key absent\n'
    assert res['public_key'] in res['diff']['after']
    # no temp files left behind
    assert os.listdir(str(wgdir)) == ['wg0.key']


def test_second_run_is_unchanged(run_module, wgdir):
    path = str(wgdir / 'wg0.key')
    first = run_module('wg_keypair', {'path': path})
    second = run_module('wg_keypair', {'path': path}, diff=True)
    assert second['changed'] is False
    assert second['public_key'] == first['public_key']
    assert second['diff']['before'] == second['diff']['after']


def test_default_path_from_interface(run_module, monkeypatch, tmp_path):
    # the default path is /etc/wireguard/<interface>.key: only check it in check mode
    res = run_module('wg_keypair', {'interface': 'wgzz9'}, check=True)
    assert res['path'] == '/etc/wireguard/wgzz9.key'
    assert not os.path.exists('/etc/wireguard/wgzz9.key')


def test_check_mode_writes_nothing(run_module, wgdir):
    path = wgdir / 'wg0.key'
    res = run_module('wg_keypair', {'path': str(path)}, check=True, diff=True)
    assert res['changed'] is True
    assert res['public_key'] is None
    assert not wgdir.exists()


def test_check_mode_existing_key_reports_public_key(run_module, wgdir, wg_key):
    private, public = wg_key()
    wgdir.mkdir(mode=0o700)
    path = wgdir / 'wg0.key'
    path.write_text(private + '\n')
    path.chmod(0o600)
    res = run_module('wg_keypair', {'path': str(path)}, check=True)
    assert res['changed'] is False and res['public_key'] == public


def test_corrupt_key_is_an_error_and_left_alone(run_module, wgdir):
    wgdir.mkdir()
    path = wgdir / 'wg0.key'
    path.write_text('not a key\n')
    res = run_module('wg_keypair', {'path': str(path)})
    assert res.rc == 1 and res['failed'] is True
    assert 'regenerate=always' in res['msg']
    assert path.read_text() == 'not a key\n'


def test_short_base64_is_corrupt(run_module, wgdir):
    wgdir.mkdir()
    path = wgdir / 'wg0.key'
    path.write_text(base64.b64encode(b'x' * 16).decode() + '\n')
    assert run_module('wg_keypair', {'path': str(path)}).rc == 1


def test_regenerate_always_replaces_corrupt_and_valid_keys(run_module, wgdir, wg_key):
    wgdir.mkdir()
    path = wgdir / 'wg0.key'
    path.write_text('garbage')
    path.chmod(0o644)
    first = run_module('wg_keypair', {'path': str(path), 'regenerate': 'always'})
    assert first['changed'] is True
    key1 = path.read_text().strip()
    assert first['public_key'] == pubkey(key1)
    assert mode_of(path) == 0o600
    second = run_module('wg_keypair', {'path': str(path), 'regenerate': 'always'}, diff=True)
    key2 = path.read_text().strip()
    assert second['changed'] is True and key2 != key1
    assert key1 not in second.raw and key2 not in second.raw
    assert first['public_key'] in second['diff']['before']
    assert second['public_key'] in second['diff']['after']


def test_mode_is_enforced(run_module, wgdir):
    path = wgdir / 'wg0.key'
    run_module('wg_keypair', {'path': str(path)})
    path.chmod(0o644)
    res = run_module('wg_keypair', {'path': str(path)})
    assert res['changed'] is True and mode_of(path) == 0o600
    res = run_module('wg_keypair', {'path': str(path), 'mode': '0400'})
    assert res['changed'] is True and mode_of(path) == 0o400


def test_a_link_at_the_key_path_is_replaced_its_target_untouched(run_module, wgdir, tmp_path):
    wgdir.mkdir(mode=0o700)
    path = wgdir / 'wg0.key'
    target = tmp_path / 'elsewhere'
    target.write_text('not a key\n')
    target.chmod(0o644)
    path.symlink_to(target)
    res = run_module('wg_keypair', {'path': str(path), 'regenerate': 'always'})
    assert res['changed'] is True, res
    assert not path.is_symlink() and mode_of(path) == 0o600
    assert len(path.read_text().strip()) == 44
    # the key went to the path, not through the link: the target keeps its text and its mode
    assert target.read_text() == 'not a key\n' and mode_of(target) == 0o644


def test_a_link_to_a_valid_key_is_replaced_by_a_file_with_that_key(run_module, wgdir, tmp_path, wg_key):
    wgdir.mkdir(mode=0o700)
    path = wgdir / 'wg0.key'
    private, public = wg_key()
    target = tmp_path / 'elsewhere.key'
    target.write_text(private + '\n')
    target.chmod(0o644)
    path.symlink_to(target)
    res = run_module('wg_keypair', {'path': str(path)})
    assert res['changed'] is True and res['public_key'] == public, res
    assert not path.is_symlink() and mode_of(path) == 0o600 and path.read_text() == private + '\n'
    assert mode_of(target) == 0o644   # never chmod-ed through the link
    assert run_module('wg_keypair', {'path': str(path)})['changed'] is False


def test_absent_removes_key(run_module, wgdir):
    path = wgdir / 'wg0.key'
    run_module('wg_keypair', {'path': str(path)})
    check = run_module('wg_keypair', {'path': str(path), 'state': 'absent'}, check=True)
    assert check['changed'] is True and path.exists()
    res = run_module('wg_keypair', {'path': str(path), 'state': 'absent'}, diff=True)
    assert res['changed'] is True and not path.exists()
    assert res['diff']['after'] == 'key absent\n'
    again = run_module('wg_keypair', {'path': str(path), 'state': 'absent'})
    assert again['changed'] is False


def test_cryptography_fallback_without_wg(run_module, wgdir, monkeypatch):
    from ansible.module_utils.basic import AnsibleModule
    real = AnsibleModule.get_bin_path

    def no_wg(self, arg, *args, **kwargs):
        if arg == 'wg':
            return None
        return real(self, arg, *args, **kwargs)
    monkeypatch.setattr(AnsibleModule, 'get_bin_path', no_wg)
    path = wgdir / 'wg0.key'
    res = run_module('wg_keypair', {'path': str(path)})
    assert res['changed'] is True
    private = path.read_text().strip()
    assert res['public_key'] == pubkey(private)
    assert mode_of(path) == 0o600
