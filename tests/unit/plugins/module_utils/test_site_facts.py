# Copyright (c) 2026, sitemesh.wireguard contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""What wg_site_facts concludes from a read site: the request, the files that differ, the loopback, apt."""

from __future__ import annotations

import hashlib

import pytest

from ansible_collections.sitemesh.wireguard.plugins.module_utils import _apt_source, _loopback
from ansible_collections.sitemesh.wireguard.plugins.module_utils import _site_facts as sf
from ansible_collections.sitemesh.wireguard.plugins.module_utils._site_probe import parse

LOOPBACK_FILE = _loopback.default_path('wg0')
ALIASES = [{'label': 'lo:10', 'address': '10.0.2.1/24'}, {'label': 'lo:11', 'address': 'fd00:0:0:2::1/64'}]


def sha1(text):
    return hashlib.sha1(text.encode('utf-8')).hexdigest()


def stat(content, mode='0644', owner='root', group='root'):
    return {'sha1': sha1(content), 'mode': mode, 'owner': owner, 'group': group}


def facts(files=None, loopback=(), codename='bookworm', packages=None):
    return {'codename': codename, 'kernel_wireguard': None, 'packages': packages or {}, 'files': files or {},
            'sysctls': {}, 'nft_tables': {}, 'units': {}, 'loopback_addresses': list(loopback)}


def test_request_asks_for_every_path_once_and_the_derived_ones():
    args = sf.request({'files': [{'dest': '/etc/a', 'content': 'x'}], 'paths': ['/etc/a', '/etc/b'],
                       'packages': ['wireguard-tools'], 'kernel_wireguard': True,
                       'loopback': {'interface': 'wg0', 'aliases': ALIASES}, 'apt_source': {'source': 'none'}})
    assert args == (['file:/etc/a', 'file:/etc/b', 'file:' + LOOPBACK_FILE]
                    + ['file:' + p for p in _apt_source.ALL_PATHS]
                    + ['pkg:wireguard-tools', 'loopback', 'kernel_wireguard'])


@pytest.mark.parametrize('params, message', [
    ({'files': 'not a list'}, 'files must be a list'),
    ({'files': [{'dest': '/etc/a'}]}, 'needs dest and content'),
    ({'files': [{'dest': '/etc/a', 'content': 3}]}, 'needs dest and content'),
    ({'files': [{'dest': 'relative', 'content': ''}]}, 'absolute'),
    ({'files': [{'dest': '/etc/a', 'content': '', 'mode': 'rw-r--r--'}]}, 'octal'),
    ({'files': [{'dest': '/etc/a', 'content': '', 'mode': '0999'}]}, 'octal'),
    ({'paths': ['/etc/a\n']}, 'control'),
    ({'loopback': {'interface': 'wg0', 'aliases': [{'label': 'lo:1'}]}}, 'label and address'),
    ({'loopback': {'interface': 'wg0', 'aliases': [{'label': 'lo:1', 'address': '10.0.2.300/24'}]}}, 'not an IP'),
    ({'loopback': {'interface': 'wg0', 'aliases': [{'label': 'eth0', 'address': '10.0.2.1/24'}]}}, 'loopback label'),
    ({'loopback': {'interface': 'wg0/../../x y', 'aliases': []}}, None),
    ({'units': ['$(reboot)']}, 'unit'),
])
def test_bad_requests_are_refused(params, message):
    if message is None:  # a path with spaces is quoted, not refused; it only has to stay one argument
        assert sf.request(params)[0] == 'file:/etc/network/interfaces.d/sitemesh-wireguard-wg0/../../x y'
        return
    with pytest.raises(ValueError, match=message):
        sf.request(params)


@pytest.mark.parametrize('mode, expected', [('0644', '0644'), ('644', '0644'), (420, '0644'), (' 0600 ', '0600'),
                                            ('4755', '4755')])
def test_modes_are_normalised(mode, expected):
    assert sf.octal_mode(mode) == expected


def test_files_differ_by_content_mode_owner_or_absence_and_keep_their_keys():
    same = {'dest': '/etc/a', 'content': 'caf\u00e9\n', 'mode': '644', 'validate': 'nft -c -f %s'}
    other_content = {'dest': '/etc/b', 'content': 'new\n', 'mode': '0644'}
    other_mode = {'dest': '/etc/c', 'content': 'c\n', 'mode': '0600'}
    other_group = {'dest': '/etc/d', 'content': 'd\n'}
    missing = {'dest': '/etc/e', 'content': ''}
    seen = {'/etc/a': stat('caf\u00e9\n'), '/etc/b': stat('old\n'), '/etc/c': stat('c\n'),
            '/etc/d': stat('d\n', group='adm')}
    wanted = [same, other_content, other_mode, other_group, missing]
    assert sf.files_differ(wanted, seen) == [other_content, other_mode, other_group, missing]
    assert sf.files_differ([other_group], seen, group='adm') == []


def test_conclude_on_an_unchanged_site():
    content = 'net.ipv4.ip_forward = 1\n'
    params = {'files': [{'dest': '/etc/sysctl.d/90.conf', 'content': content, 'mode': '0644'}],
              'paths': ['/etc/nft'], 'owner': 'root', 'group': 'root'}
    result = sf.conclude(params, facts(files={'/etc/sysctl.d/90.conf': stat(content)},
                                       packages={'wireguard-tools': 'ii', 'ifupdown': 'rc'}))
    assert result['files_differ'] == []
    assert result['files_present'] == ['/etc/sysctl.d/90.conf']
    assert result['packages_installed'] == ['wireguard-tools']
    assert 'loopback_differs' not in result and 'apt_files_differ' not in result


def _loopback_facts(file_content=None, addresses=('127.0.0.1/8', '::1/128'), mode='0644'):
    files = {} if file_content is None else {LOOPBACK_FILE: stat(file_content, mode=mode)}
    return facts(files=files, loopback=addresses)


@pytest.mark.parametrize('aliases, site, differs', [
    # unchanged: the IPv6 alias as ip prints it (zeros compressed) is the same address
    (ALIASES, _loopback_facts(_loopback.render_file(ALIASES), ('127.0.0.1/8', '10.0.2.1/24', '::1/128', 'fd00:0:0:2::1/64')),
     False),
    (ALIASES, _loopback_facts(_loopback.render_file(ALIASES), ('127.0.0.1/8', '10.0.2.1/24', 'fd00::2:0:0:1/64')),
     True),
    ([{'label': 'lo:11', 'address': 'FD00:0000::2:0:0:1/64'}],
     _loopback_facts(_loopback.render_file([{'label': 'lo:11', 'address': 'FD00:0000::2:0:0:1/64'}]),
                     ('::1/128', 'fd00::2:0:0:1/64')), False),
    (ALIASES, _loopback_facts(_loopback.render_file(ALIASES), ('127.0.0.1/8', '10.0.2.1/24')), True),  # v6 missing
    (ALIASES, _loopback_facts(_loopback.render_file(ALIASES), ('10.0.2.1/16', 'fd00:0:0:2::1/64')), True),  # prefix
    (ALIASES, _loopback_facts(None, ('10.0.2.1/24', 'fd00:0:0:2::1/64')), True),  # no file
    (ALIASES, _loopback_facts(_loopback.render_file(ALIASES[:1]), ('10.0.2.1/24', 'fd00:0:0:2::1/64')), True),
    (ALIASES, _loopback_facts(_loopback.render_file(ALIASES), ('10.0.2.1/24', 'fd00:0:0:2::1/64'), mode='0600'),
     True),
    ([], _loopback_facts(None), False),
    ([], _loopback_facts(_loopback.render_file([])), True),  # a file left while no alias is wanted
])
def test_loopback_differs(aliases, site, differs):
    assert sf.loopback_differs('wg0', aliases, site) is differs
    result = sf.conclude({'loopback': {'interface': 'wg0', 'aliases': aliases}}, site)
    assert result['loopback_differs'] is differs


def test_apt_source_files_follow_the_codename_and_former_choices_go():
    wanted = _apt_source.wanted_files('backports', 'http://deb.debian.org/debian/', 150, 'trixie')
    assert [f['dest'] for f in wanted] == [_apt_source.source_path('backports'), _apt_source.pin_path('backports')]
    assert 'deb http://deb.debian.org/debian/ trixie-backports main\n' in wanted[0]['content']
    assert 'Pin: release a=trixie-backports\nPin-Priority: 150\n' in wanted[1]['content']
    seen = {wanted[0]['dest']: stat(wanted[0]['content']), _apt_source.pin_path('unstable'): stat('old')}
    result = sf.conclude({'apt_source': {'source': 'backports', 'mirror': 'http://deb.debian.org/debian/',
                                         'pin_priority': 150}}, facts(files=seen, codename='trixie'))
    assert result['apt_suite'] == 'trixie-backports'
    assert result['apt_files_differ'] == [wanted[1]]
    assert result['apt_stale_paths'] == [_apt_source.pin_path('unstable')]


def test_apt_source_none_and_unknown_codename():
    assert _apt_source.wanted_files('none', 'm', 150, 'bookworm') == []
    assert _apt_source.suite('backports', '') == 'stable-backports'
    assert _apt_source.suite('unstable', 'bookworm') == 'unstable'
    assert _apt_source.stale_paths('none', set(_apt_source.ALL_PATHS)) == list(_apt_source.ALL_PATHS)
    with pytest.raises(ValueError, match='not one of'):
        _apt_source.wanted_files('sid', 'm', 150, '')


def test_recorded_output_to_conclusion():
    content = _loopback.render_file(ALIASES[:1])
    output = ('wg_site_facts\t1\ncodename\tbookworm\n'
              'file\t%s\t%s\t644\troot\troot\n'
              'lo\t127.0.0.1/8\nlo\t10.0.2.1/24\nend\n' % (LOOPBACK_FILE, sha1(content)))
    result = sf.conclude({'loopback': {'interface': 'wg0', 'aliases': ALIASES[:1]}}, parse(output))
    assert result['loopback_differs'] is False
    assert result['files_present'] == [LOOPBACK_FILE]
