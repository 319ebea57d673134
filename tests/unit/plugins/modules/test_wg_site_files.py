# Copyright (c) 2026, sitemesh.wireguard contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""wg_site_files run for real on a temporary directory: plan, validate before any write, atomic writes, removal,
read back. The NAT table's check is the real ``nft -c`` where the host has nft."""

from __future__ import annotations

import os
import shutil
import stat

import pytest

GOOD_NFT = 'table inet sitemesh_test {\n  chain postrouting {\n    type nat hook postrouting priority 100;\n  }\n}\n'
BAD_NFT = 'table inet sitemesh_test {\n  chain postrouting {\n    type nat hook nowhere priority 100;\n  }\n}\n'


def mode_of(path):
    return stat.S_IMODE(os.stat(str(path)).st_mode)


def files(tmp_path, nft=GOOD_NFT, validate='nft -c -f %s'):
    return [
        {'dest': str(tmp_path / 'sysctl.d' / '90-forward.conf'), 'content': 'net.ipv4.ip_forward = 1\n'},
        {'dest': str(tmp_path / 'watchdog.sh'), 'content': '#!/bin/sh\nexit 0\n', 'mode': '0755'},
        {'dest': str(tmp_path / 'nat.nft'), 'content': nft, 'validate': validate},
    ]


@pytest.fixture
def nft_check():
    if shutil.which('nft') is None:
        pytest.skip('nft is not installed')
    return 'nft -c -f %s'


def test_writes_what_differs_in_one_run_check_mode_first_then_unchanged(run_module, tmp_path, nft_check):
    wanted = files(tmp_path)
    check = run_module('wg_site_files', {'files': wanted}, check=True, diff=True)
    assert check.rc == 0, check.result
    assert check['changed'] is True and check['written'] == [f['dest'] for f in wanted] and check['removed'] == []
    assert os.listdir(str(tmp_path)) == [], 'check mode wrote something'
    assert [d['after_header'] for d in check['diff']] == check['written']
    assert check['diff'][0]['before'] == '' and check['diff'][0]['after'] == 'net.ipv4.ip_forward = 1\n'

    res = run_module('wg_site_files', {'files': wanted})
    assert res.rc == 0 and res['changed'] is True and res['written'] == check['written'], res.result
    for item in wanted:
        assert open(item['dest']).read() == item['content']
    assert mode_of(wanted[0]['dest']) == 0o644 and mode_of(wanted[1]['dest']) == 0o755
    assert mode_of(tmp_path / 'sysctl.d') == 0o755          # the missing directory was made
    assert os.stat(wanted[0]['dest']).st_uid == 0 and os.stat(wanted[0]['dest']).st_gid == 0
    assert sorted(os.listdir(str(tmp_path))) == ['nat.nft', 'sysctl.d', 'watchdog.sh'], 'a temporary file was left'

    again = run_module('wg_site_files', {'files': wanted}, diff=True)
    assert again['changed'] is False and again['written'] == [] and again['diff'] == [], again.result


def test_only_the_file_that_drifted_is_written_and_a_mode_drift_counts(run_module, tmp_path, nft_check):
    wanted = files(tmp_path)
    assert run_module('wg_site_files', {'files': wanted})['changed'] is True
    with open(wanted[0]['dest'], 'a') as handle:     # edited by hand
        handle.write('net.ipv4.ip_forward = 0\n')
    os.chmod(wanted[1]['dest'], 0o644)                # the script lost its x bit
    inode = os.stat(wanted[2]['dest']).st_ino
    res = run_module('wg_site_files', {'files': wanted}, diff=True)
    assert res['written'] == [wanted[0]['dest'], wanted[1]['dest']], res.result
    assert open(wanted[0]['dest']).read() == 'net.ipv4.ip_forward = 1\n' and mode_of(wanted[1]['dest']) == 0o755
    assert os.stat(wanted[2]['dest']).st_ino == inode, 'a file that did not differ was rewritten'
    assert res['diff'][1]['before'] == 'mode 0644, owner 0:0\n' and res['diff'][1]['after'] == 'mode 0755, owner 0:0\n'


def test_an_invalid_file_fails_the_task_and_no_file_is_written(run_module, tmp_path, nft_check):
    good = files(tmp_path)
    assert run_module('wg_site_files', {'files': good})['changed'] is True
    before = dict((f['dest'], open(f['dest']).read()) for f in good)
    bad = [dict(good[0], content='net.ipv4.ip_forward = 0\n')] + good[1:2] + [dict(good[2], content=BAD_NFT)]
    res = run_module('wg_site_files', {'files': bad})
    assert res.rc == 1 and res['failed'] is True, res.result
    assert res['msg'].startswith('not valid, no file was written: %s: nft -c -f ' % good[2]['dest']), res['msg']
    assert dict((f['dest'], open(f['dest']).read()) for f in good) == before   # the sysctl file too
    assert sorted(os.listdir(str(tmp_path))) == ['nat.nft', 'sysctl.d', 'watchdog.sh']


def test_absent_paths_are_removed_and_missing_ones_are_no_change(run_module, tmp_path):
    stale = tmp_path / 'sitemesh-old.timer'
    stale.write_text('[Timer]\n')
    never = tmp_path / 'never-there.service'
    keep = {'dest': str(tmp_path / 'new.timer'), 'content': '[Timer]\nOnCalendar=minutely\n'}
    check = run_module('wg_site_files', {'files': [keep], 'absent': [str(stale), str(never)]}, check=True, diff=True)
    assert check['removed'] == [str(stale)] and stale.exists()
    assert check['diff'][1] == {'before_header': str(stale), 'after_header': str(stale),
                                'before': '[Timer]\n', 'after': ''}
    res = run_module('wg_site_files', {'files': [keep], 'absent': [str(stale), str(never)]})
    assert res['changed'] is True and res['removed'] == [str(stale)] and res['written'] == [keep['dest']]
    assert not stale.exists() and os.listdir(str(tmp_path)) == ['new.timer']
    assert run_module('wg_site_files', {'files': [keep], 'absent': [str(stale), str(never)]})['changed'] is False


@pytest.mark.parametrize('args, message', [
    (lambda p: {'files': [{'dest': p + '/a', 'content': 'x'}, {'dest': p + '/a', 'content': 'y'}]},
     lambda p: 'a path is wanted twice, or both written and removed: %s/a' % p),
    (lambda p: {'files': [{'dest': p + '/a', 'content': 'x'}], 'absent': [p + '/a']},
     lambda p: 'a path is wanted twice, or both written and removed: %s/a' % p),
    (lambda p: {'files': [{'dest': p + '/a', 'content': 'x', 'mode': 'rw-r--r--'}]},
     lambda p: "%s/a: mode 'rw-r--r--' is not an octal number" % p),
    (lambda p: {'files': [{'dest': p + '/a', 'content': 'x', 'validate': 'true'}]},
     lambda p: '%s/a: validate must contain %%s (the path of the file to check): true' % p),
    (lambda p: {'files': [{'dest': p + '/a', 'content': 'x'}], 'owner': 'sitemesh-no-such-user'},
     lambda p: 'owner sitemesh-no-such-user: no such user on this host'),
])
def test_bad_arguments_fail_naming_the_path_and_touch_nothing(run_module, tmp_path, args, message):
    res = run_module('wg_site_files', args(str(tmp_path)))
    assert res.rc == 1 and res['msg'] == message(str(tmp_path)), res.result
    assert os.listdir(str(tmp_path)) == []


def test_a_file_that_cannot_be_written_fails_naming_it(run_module, tmp_path):
    blocker = tmp_path / 'not-a-directory'
    blocker.write_text('')
    res = run_module('wg_site_files', {'files': [{'dest': str(blocker / 'x.conf'), 'content': 'x\n'}]})
    assert res.rc == 1 and str(blocker) in res['msg'], res.result


def test_a_validate_program_that_is_missing_fails_the_run_and_is_skipped_in_check_mode(run_module, tmp_path):
    """--check on a fresh site: nft comes with the packages the same run would install. A real run without it
    writes nothing and says why."""
    item = {'dest': str(tmp_path / 'nat.nft'), 'content': GOOD_NFT, 'validate': 'sitemesh-no-such-checker -c %s'}
    check = run_module('wg_site_files', {'files': [item]}, check=True)
    assert check.rc == 0 and check['written'] == [item['dest']], check.result
    res = run_module('wg_site_files', {'files': [item]})
    assert res.rc == 1, res.result
    assert res['msg'] == ('not valid, no file was written: %s: sitemesh-no-such-checker is not installed on this host'
                          % item['dest'])
    assert os.listdir(str(tmp_path)) == []


def test_a_symlink_is_replaced_by_the_file_never_written_through(run_module, tmp_path):
    """A masked unit is a symbolic link to /dev/null: the wanted unit replaces the link, and what it pointed to
    keeps its content and mode."""
    target = tmp_path / 'elsewhere'
    target.write_text('not ours\n')
    target.chmod(0o640)
    unit = tmp_path / 'sitemesh-wireguard-watchdog-wg0.timer'
    unit.symlink_to(target)
    item = {'dest': str(unit), 'content': '[Timer]\nOnUnitActiveSec=30\n'}
    res = run_module('wg_site_files', {'files': [item]})
    assert res.rc == 0 and res['written'] == [str(unit)], res.result
    assert not unit.is_symlink() and unit.read_text() == item['content'] and mode_of(unit) == 0o644
    assert target.read_text() == 'not ours\n' and mode_of(target) == 0o640
    assert run_module('wg_site_files', {'files': [item]})['changed'] is False


def test_line_ends_count_a_crlf_file_is_rewritten(run_module, tmp_path):
    """A file edited with CRLF line ends differs (wg_site_facts' checksum sees it too): it is rewritten, so the
    next read finds nothing to do."""
    item = {'dest': str(tmp_path / 'sitemesh-wireguard.pref'), 'content': 'Package: *\nPin-Priority: 150\n'}
    (tmp_path / 'sitemesh-wireguard.pref').write_bytes(b'Package: *\r\nPin-Priority: 150\r\n')
    res = run_module('wg_site_files', {'files': [item]})
    assert res['written'] == [item['dest']], res.result
    assert (tmp_path / 'sitemesh-wireguard.pref').read_bytes() == b'Package: *\nPin-Priority: 150\n'
