# -*- coding: utf-8 -*-
# Copyright (c) 2026, sitemesh.wireguard maintainers
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The one-round-trip probe: the script really runs under /bin/sh against temporary files."""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import subprocess

import pytest
from ansible.errors import AnsibleFilterError

from ansible_collections.sitemesh.wireguard.plugins.filter.host_state import (
    state_files_differ,
    state_probe_script,
)


def run_probe(spec):
    script = state_probe_script(spec)
    out = subprocess.run(['/bin/sh', '-c', script], capture_output=True, text=True, check=True)
    return json.loads(out.stdout)


def owner_group(path):
    out = subprocess.run(['stat', '-c', '%U %G', path], capture_output=True, text=True, check=True)
    return out.stdout.split()


def test_files_are_read_with_checksum_mode_and_owner(tmp_path):
    conf = tmp_path / 'a.conf'
    conf.write_text('hello\n')
    os.chmod(conf, 0o640)
    probe = run_probe({'files': [str(conf), str(tmp_path / 'missing')]})
    owner, group = owner_group(str(conf))
    assert probe['files'][str(conf)] == '%s 640 %s %s' % (hashlib.sha1(b'hello\n').hexdigest(), owner, group)
    assert str(tmp_path / 'missing') not in probe['files']


def test_files_differ_by_content_mode_owner_or_absence(tmp_path):
    conf = tmp_path / 'a.conf'
    conf.write_text('hello\n')
    os.chmod(conf, 0o644)
    owner, group = owner_group(str(conf))
    probe = run_probe({'files': [str(conf)]})
    same = {'dest': str(conf), 'content': 'hello\n', 'mode': '0644'}
    assert state_files_differ([same], probe, owner=owner, group=group) == []
    other_content = dict(same, content='hello!\n')
    other_mode = dict(same, mode='0600')
    missing = {'dest': str(tmp_path / 'new'), 'content': '', 'mode': '0644'}
    assert state_files_differ([same, other_content, other_mode, missing], probe, owner=owner, group=group) == [
        other_content, other_mode, missing]
    assert state_files_differ([same], probe, owner='nobody-else', group=group) == [same]


def test_utf8_content_hashes_like_the_file(tmp_path):
    conf = tmp_path / 'u.conf'
    text = u'# caf\u00e9 \u2014 r\u00e9seau\n'
    conf.write_bytes(text.encode('utf-8'))
    os.chmod(conf, 0o644)
    owner, group = owner_group(str(conf))
    probe = run_probe({'files': [str(conf)]})
    assert state_files_differ([{'dest': str(conf), 'content': text, 'mode': '644'}], probe, owner=owner, group=group) == []


def test_packages_codename_sysctls_and_missing_things():
    probe = run_probe({'packages': ['dpkg', 'sitemesh-no-such-package'],
                       'sysctls': ['net.ipv4.ip_forward', 'net.sitemesh.nothing'],
                       'units': ['sitemesh-no-such.service'],
                       'nft_tables': ['inet sitemesh_no_such_table']})
    assert probe['packages']['dpkg'].startswith('ii')
    assert 'sitemesh-no-such-package' not in probe['packages']
    with open('/etc/os-release') as handle:
        codename = [line.split('=', 1)[1].strip().strip('"') for line in handle if line.startswith('VERSION_CODENAME=')]
    assert probe['codename'] == (codename[0] if codename else '')
    with open('/proc/sys/net/ipv4/ip_forward') as handle:
        assert probe['sysctls']['net.ipv4.ip_forward'] == handle.read().strip()
    assert probe['sysctls']['net.sitemesh.nothing'] == ''
    assert probe['units']['sitemesh-no-such.service'] in ('', 'not-found')
    assert probe['nft_tables']['inet sitemesh_no_such_table'] is False


@pytest.mark.skipif(shutil.which('ip') is None, reason='iproute2 missing')
def test_loopback_aliases_are_listed():
    probe = run_probe({'loopback': True})
    out = subprocess.run(['ip', '-o', '-4', 'addr', 'show', 'dev', 'lo', 'label', 'lo:*'],
                         capture_output=True, text=True, check=True).stdout
    assert probe['loopback'].split() == [line.split()[3] for line in out.splitlines()]


@pytest.mark.parametrize('spec, message', [
    ({'files': ['/etc/x"; rm -rf /']}, 'path'),
    ({'packages': ['bad name']}, 'package'),
    ({'nft_tables': ['sitemesh_wireguard']}, 'FAMILY NAME'),
    ({'units': 'a.service'}, 'must be a list'),
    ({'file': ['/etc/x']}, 'unknown keys'),
])
def test_unsafe_or_malformed_specs_are_refused(spec, message):
    with pytest.raises(AnsibleFilterError, match=message):
        state_probe_script(spec)


def test_differ_needs_a_probe_with_files():
    with pytest.raises(AnsibleFilterError, match='no "files"'):
        state_files_differ([], {})
    with pytest.raises(AnsibleFilterError, match='octal'):
        state_files_differ([{'dest': '/x', 'content': '', 'mode': 'rw'}], {'files': {}})
