# Copyright (c) 2026, sitemesh.wireguard contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The site probe: its arguments, its parser on recorded outputs, and the fixed script really run under /bin/sh."""

from __future__ import annotations

import hashlib
import os
import shlex
import shutil
import subprocess

import pytest

from ansible_collections.sitemesh.wireguard.plugins.module_utils import _site_probe as probe

# What the script printed on a Debian 12 site over ssh with become (a tty: CRLF, a banner before the header,
# ssh's goodbye after the end), asked for kernel_wireguard, packages, two files, sysctls, a table, a unit, lo.
RECORDED_SSH_TTY = (
    'Welcome to raspi\r\n'
    'wg_site_facts\t1\r\n'
    'codename\tbookworm\r\n'
    'file\t/etc/apt/sources.list.d/sitemesh-wireguard-unstable.list\t2c26b46b68ffc68ff99b453c1d30413413422d70\t644\troot\troot\r\n'
    'file\t/etc/network/interfaces.d/sitemesh wireguard wg0\tda39a3ee5e6b4b0d3255bfef95601890afd80709\t600\troot\tadm\r\n'
    'pkg\twireguard-tools\tii \r\n'
    'pkg\tifupdown\trc \r\n'
    'pkg\tlibc6\tii \r\n'
    'pkg\tlibc6\tun \r\n'
    'sysctl\tnet.ipv4.ip_forward\t1\r\n'
    'sysctl\tnet.ipv4.ip_local_port_range\t32768\t60999\r\n'
    'nft\tinet sitemesh-wireguard-wg0\tyes\r\n'
    'unit\tsitemesh-wireguard-nat-wg0.service\t\r\n'
    'lo\t127.0.0.1/8\r\n'
    'lo\t10.0.2.1/24\r\n'
    'lo\t::1/128\r\n'
    'lo\tfd00:0:0:2::1/64\r\n'
    'kernel_wireguard\tno\r\n'
    'end\r\n'
    'Shared connection to raspi closed.\r\n'
)


def test_recorded_output_over_a_tty_is_parsed():
    facts = probe.parse(RECORDED_SSH_TTY)
    assert facts['codename'] == 'bookworm'
    assert facts['kernel_wireguard'] is False
    assert facts['packages'] == {'wireguard-tools': 'ii', 'ifupdown': 'rc', 'libc6': 'ii'}
    assert facts['files']['/etc/network/interfaces.d/sitemesh wireguard wg0'] == {
        'sha1': 'da39a3ee5e6b4b0d3255bfef95601890afd80709', 'mode': '0600', 'owner': 'root', 'group': 'adm'}
    assert facts['sysctls'] == {'net.ipv4.ip_forward': '1', 'net.ipv4.ip_local_port_range': '32768\t60999'}
    assert facts['nft_tables'] == {'inet sitemesh-wireguard-wg0': True}
    assert facts['units'] == {'sitemesh-wireguard-nat-wg0.service': ''}
    assert facts['loopback_addresses'] == ['127.0.0.1/8', '10.0.2.1/24', '::1/128', 'fd00:0:0:2::1/64']


def test_nothing_asked_gives_empty_facts():
    facts = probe.parse('wg_site_facts\t1\ncodename\t\nend\n')
    assert facts == {'codename': '', 'kernel_wireguard': None, 'packages': {}, 'files': {}, 'sysctls': {},
                     'nft_tables': {}, 'units': {}, 'loopback_addresses': [], 'private_keys': {}, 'pythons': []}


@pytest.mark.parametrize('output, message', [
    ('', 'no .* header'),
    ('sh: 1: /bin/sh: not found\n', 'no .* header'),
    ('wg_site_facts\t1\ncodename\tbookworm\nfile\t/etc/x\tabc\n', 'ends before'),
    ('wg_site_facts\t1\nfile\t/etc/x\tabc\t644\nend\n', 'malformed record'),
    ('wg_site_facts\t1\nsurprise\tx\nend\n', 'unknown record'),
    ('wg_site_facts\t1\nerror\tunknown request bogus:1\nend\n', 'refused a request: unknown request bogus:1'),
])
def test_broken_outputs_are_refused(output, message):
    with pytest.raises(ValueError, match=message):
        probe.parse(output)


def test_arguments_are_prefixed_and_checked():
    assert probe.probe_args(paths=['/etc/a b'], packages=['wireguard-tools', 'libc6:amd64'],
                            sysctls=['net.ipv6.conf.all.forwarding'], nft_tables=['inet sitemesh-wireguard-wg0'],
                            units=['wg-quick@wg0.service'], loopback=True, kernel_wireguard=True) == [
        'file:/etc/a b', 'pkg:wireguard-tools', 'pkg:libc6:amd64', 'sysctl:net.ipv6.conf.all.forwarding',
        'nft:inet:sitemesh-wireguard-wg0', 'unit:wg-quick@wg0.service', 'loopback', 'kernel_wireguard']


@pytest.mark.parametrize('kwargs, message', [
    ({'paths': ['etc/relative']}, 'absolute'),
    ({'paths': ['/etc/x\nfile\t/etc/shadow']}, 'control characters'),
    ({'paths': [None]}, 'absolute'),
    ({'packages': ['bad name']}, 'package'),
    ({'packages': ['-oDebug=1']}, 'package'),
    ({'sysctls': ['net.ipv4/../../x']}, 'sysctl'),
    ({'sysctls': ['kernel']}, 'sysctl'),
    ({'nft_tables': ['sitemesh_wireguard']}, 'FAMILY NAME'),
    ({'nft_tables': ['inet a;flush ruleset']}, 'FAMILY NAME'),
    ({'nft_tables': ['foo bar']}, 'family one of'),
    ({'units': ['--root=/']}, 'unit'),
    ({'units': ['a b.service']}, 'unit'),
    ({'private_keys': ['wg0.key']}, 'absolute'),
    ({'pythons': ['python3; rm -rf /']}, 'python interpreter'),
    ({'pythons': ['$(id)']}, 'python interpreter'),
])
def test_unsafe_or_malformed_requests_are_refused(kwargs, message):
    with pytest.raises(ValueError, match=message):
        probe.probe_args(**kwargs)


def test_the_command_is_one_fixed_script_with_quoted_arguments():
    args = probe.probe_args(paths=["/tmp/it's $(here)"])
    words = shlex.split(probe.command(args))
    assert words == ['/bin/sh', '-c', probe.SCRIPT, 'wg_site_facts', "file:/tmp/it's $(here)"]


def run_script(args):
    out = subprocess.run(probe.command(args), shell=True, capture_output=True, text=True, check=True)
    return probe.parse(out.stdout)


def owner_group(path):
    out = subprocess.run(['stat', '-c', '%U %G', path], capture_output=True, text=True, check=True)
    return out.stdout.split()


def test_the_script_reads_files_with_odd_names(tmp_path):
    odd = tmp_path / "it's a $(file)\u00e9"
    odd.write_text('hello\n')
    os.chmod(str(odd), 0o640)
    facts = run_script(probe.probe_args(paths=[str(odd), str(tmp_path / 'missing'), str(tmp_path)]))
    owner, group = owner_group(str(odd))
    assert facts['files'] == {str(odd): {'sha1': hashlib.sha1(b'hello\n').hexdigest(), 'mode': '0640',
                                         'owner': owner, 'group': group}}


def test_the_script_reads_packages_codename_sysctls_and_missing_things():
    facts = run_script(probe.probe_args(packages=['dpkg', 'sitemesh-no-such-package'],
                                        sysctls=['net.ipv4.ip_forward', 'net.sitemesh.nothing'],
                                        units=['sitemesh-no-such.service'],
                                        nft_tables=['inet sitemesh_no_such_table']))
    assert facts['packages']['dpkg'] == 'ii'
    assert 'sitemesh-no-such-package' not in facts['packages']
    with open('/etc/os-release') as handle:
        codename = [line.split('=', 1)[1].strip().strip('"') for line in handle if line.startswith('VERSION_CODENAME=')]
    assert facts['codename'] == (codename[0] if codename else '')
    with open('/proc/sys/net/ipv4/ip_forward') as handle:
        assert facts['sysctls'] == {'net.ipv4.ip_forward': handle.read().strip()}
    assert facts['units']['sitemesh-no-such.service'] in ('', 'not-found')
    assert facts['nft_tables'] == {'inet sitemesh_no_such_table': False}


@pytest.mark.skipif(shutil.which('ip') is None, reason='iproute2 missing')
def test_the_script_lists_every_address_of_lo():
    facts = run_script(['loopback'])
    out = subprocess.run(['ip', '-o', 'addr', 'show', 'dev', 'lo'], capture_output=True, text=True, check=True).stdout
    assert facts['loopback_addresses'] == [line.split()[3] for line in out.splitlines()]
    assert '127.0.0.1/8' in facts['loopback_addresses']


@pytest.mark.skipif(shutil.which('wg') is None, reason='wg missing')
def test_the_script_gives_a_key_files_public_key_mode_and_owner_never_the_key(tmp_path):
    private = subprocess.run(['wg', 'genkey'], capture_output=True, text=True, check=True).stdout.strip()
    public = subprocess.run(['wg', 'pubkey'], input=private + '\n', capture_output=True, text=True, check=True).stdout.strip()
    key, junk, gone = tmp_path / 'wg0.key', tmp_path / 'junk.key', tmp_path / 'gone.key'
    key.write_text(private + '\n')
    os.chmod(str(key), 0o600)
    junk.write_text('not a key\n')
    os.chmod(str(junk), 0o640)
    args = probe.probe_args(private_keys=[str(key), str(junk), str(gone)])
    out = subprocess.run(probe.command(args), shell=True, capture_output=True, text=True, check=True).stdout
    owner, group = owner_group(str(key))
    assert probe.parse(out)['private_keys'] == {
        str(key): {'mode': '0600', 'owner': owner, 'group': group, 'public_key': public},
        str(junk): {'mode': '0640', 'owner': owner, 'group': group, 'public_key': None}}
    assert private not in out and hashlib.sha1((private + '\n').encode()).hexdigest() not in out


def test_the_script_looks_for_interpreters_as_ansible_discovery_does():
    names = ['sitemesh-no-such-python', 'sh', '/bin/sh', 'python3']
    facts = run_script(probe.probe_args(pythons=names))
    expected = [shutil.which(name) if not name.startswith('/') else name for name in names]
    assert facts['pythons'] == [path for path in expected if path], facts['pythons']
    assert facts['pythons'][0] == shutil.which('sh')


def test_a_wider_read_cut_down_is_the_narrow_read(tmp_path):
    """restrict(): what a later task reuses is exactly what it would have read itself."""
    one, two = tmp_path / 'one', tmp_path / 'two'
    one.write_text('1\n')
    two.write_text('2\n')
    narrow = probe.probe_args(paths=[str(one), str(tmp_path / 'missing')], sysctls=['net.ipv4.ip_forward'],
                              units=['sitemesh-no-such.service'], nft_tables=['inet sitemesh_no_such_table'])
    wide = probe.probe_args(paths=[str(one), str(two), str(tmp_path / 'missing')], packages=['dpkg'],
                            sysctls=['net.ipv4.ip_forward', 'net.ipv4.conf.all.forwarding'],
                            units=['sitemesh-no-such.service', 'sitemesh-other.service'],
                            nft_tables=['inet sitemesh_no_such_table', 'ip sitemesh_other'], loopback=True)
    assert probe.covers(wide, narrow) and not probe.covers(narrow, wide)
    expected = run_script(narrow)
    expected['pythons'] = []
    assert probe.restrict(run_script(wide), narrow) == expected
    with pytest.raises(ValueError, match='not the facts of a read'):
        probe.restrict({'codename': 'bookworm'}, narrow)
