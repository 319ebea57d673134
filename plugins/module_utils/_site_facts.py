# Note that this module util is **PRIVATE** to the collection. It can have breaking changes at any time.
# Do not use this from other collections or standalone plugins/modules!

# Copyright (c) 2026, sitemesh.wireguard contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""What ``wg_site_facts`` asks a site and what it concludes: pure functions, no Ansible, no host.

``request`` turns the task's arguments into the probe's arguments (``_site_probe.probe_args``);
``conclude`` turns the probe's facts into the task's result: the facts, the wanted files that differ
(checksum of the wanted content, mode, owner, group), whether the loopback aliases differ, and the apt
source files to write or remove.
"""

from __future__ import annotations

import hashlib
import ipaddress
from collections.abc import Mapping, Sequence

from ansible_collections.sitemesh.wireguard.plugins.module_utils import _apt_source, _loopback
from ansible_collections.sitemesh.wireguard.plugins.module_utils._site_probe import (
    check_path,
    covers,
    probe_args,
    restrict,
)

ARGUMENT_SPEC = dict(
    files=dict(type='list', elements='dict', default=[]),
    paths=dict(type='list', elements='str', default=[]),
    owner=dict(type='str', default='root'),
    group=dict(type='str', default='root'),
    packages=dict(type='list', elements='str', default=[]),
    sysctls=dict(type='list', elements='str', default=[]),
    nft_tables=dict(type='list', elements='str', default=[]),
    units=dict(type='list', elements='str', default=[]),
    kernel_wireguard=dict(type='bool', default=False),
    private_keys=dict(type='list', elements='str', default=[], no_log=False),
    reuse=dict(type='dict'),
    loopback=dict(type='dict', options=dict(
        interface=dict(type='str', required=True),
        aliases=dict(type='list', elements='dict', default=[]),
    )),
    apt_source=dict(type='dict', options=dict(
        source=dict(type='str', required=True, choices=list(_apt_source.SOURCES)),
        mirror=dict(type='str', default='http://deb.debian.org/debian/'),
        pin_priority=dict(type='int', default=150),
    )),
)


def octal_mode(mode):
    """``'0644'`` for ``'644'``, ``'0644'`` or the integer 420 (YAML's unquoted 0644)."""
    try:
        value = mode if isinstance(mode, int) and not isinstance(mode, bool) else int(str(mode).strip(), 8)
    except ValueError:
        value = -1
    if not 0 <= value <= 0o7777:
        raise ValueError('mode %r is not an octal mode' % (mode,))
    return '%04o' % value


def check_files(files):
    """``files`` as given, after checking that each has a usable dest, content and mode."""
    if isinstance(files, (str, bytes)) or not isinstance(files, Sequence):
        raise ValueError('files must be a list of {dest, content, mode}')
    for item in files:
        if not isinstance(item, Mapping) or 'dest' not in item or not isinstance(item.get('content'), str):
            raise ValueError('each of files needs dest and content (a string), got %r' % (item,))
        check_path(item['dest'])
        octal_mode(item.get('mode', '0644'))
    return list(files)


def request(params):
    """The probe's arguments for the task's (already type-checked) arguments."""
    paths = [item['dest'] for item in check_files(params.get('files') or [])] + list(params.get('paths') or [])
    loopback = params.get('loopback')
    if loopback:
        _loopback.check_aliases(loopback.get('aliases') or [])
        paths.append(_loopback.default_path(loopback['interface']))
    if params.get('apt_source'):
        paths.extend(_apt_source.ALL_PATHS)
    return probe_args(paths=list(dict.fromkeys(paths)), packages=params.get('packages') or [],
                      sysctls=params.get('sysctls') or [], nft_tables=params.get('nft_tables') or [],
                      units=params.get('units') or [], loopback=bool(loopback),
                      kernel_wireguard=params.get('kernel_wireguard'),
                      private_keys=params.get('private_keys') or [])


def reused_facts(params, args):
    """The facts of O(reuse) cut down to ``args``, or None when that earlier read did not ask all of ``args``
    (or is not a read's result): the site must then be read."""
    earlier = params.get('reuse')
    if not earlier or not covers(earlier.get('asked'), args):
        return None
    try:
        return restrict(earlier, args)
    except ValueError:
        return None


def file_differs(seen, content, mode, owner, group):
    """Whether the file read on the site (``seen``, None when missing) differs from the wanted one."""
    want = {'sha1': hashlib.sha1(content.encode('utf-8')).hexdigest(), 'mode': octal_mode(mode),
            'owner': owner, 'group': group}
    return seen != want


def files_differ(files, seen, owner='root', group='root'):
    """The items of ``files`` whose file on the site is missing or differs (other keys of an item are kept)."""
    return [item for item in files
            if file_differs(seen.get(item['dest']), item['content'], item.get('mode', '0644'), owner, group)]


def _addresses(addresses):
    return {ipaddress.ip_interface(str(address).strip()) for address in addresses}


def loopback_differs(interface, aliases, facts):
    """Whether the site's loopback aliases file or live addresses differ from ``aliases``."""
    path = _loopback.default_path(interface)
    seen = facts['files'].get(path)
    if not aliases:
        return seen is not None
    if file_differs(seen, _loopback.render_file(aliases), '0644', 'root', 'root'):
        return True
    wanted = _addresses(alias['address'] for alias in aliases)
    return not wanted <= _addresses(facts['loopback_addresses'])


def conclude(params, facts, args=None):
    """The task's result from the probe's facts; ``asked``: what was read (``args``, by default the request of
    ``params``), for a later task's ``reuse``."""
    result = dict(facts)
    result['asked'] = list(request(params) if args is None else args)
    result.pop('pythons', None)   # the action plugin's business (interpreter discovery), not the task's
    result['packages_installed'] = sorted(name for name, status in facts['packages'].items() if status.startswith('ii'))
    result['files_present'] = sorted(facts['files'])
    result['files_differ'] = files_differ(params.get('files') or [], facts['files'],
                                          params.get('owner', 'root'), params.get('group', 'root'))
    loopback = params.get('loopback')
    if loopback:
        result['loopback_differs'] = loopback_differs(loopback['interface'], loopback.get('aliases') or [], facts)
    apt = params.get('apt_source')
    if apt:
        wanted = _apt_source.wanted_files(apt['source'], apt.get('mirror'), apt.get('pin_priority', 150),
                                          facts['codename'])
        result['apt_suite'] = _apt_source.suite(apt['source'], facts['codename'])
        result['apt_files_differ'] = files_differ(wanted, facts['files'])
        result['apt_stale_paths'] = _apt_source.stale_paths(apt['source'], facts['files'])
    return result
