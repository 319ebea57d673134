# -*- coding: utf-8 -*-
# Copyright (c) 2026, sitemesh.wireguard maintainers
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Read a site's state in one round trip, then act only where it differs.

Every task costs a round trip to the host (module upload, Python start, temp dir): the roles
read what they manage once, with one ``ansible.builtin.raw`` command built by ``state_probe_script``
(POSIX sh, no Python, nothing changed on the host), and ``state_files_differ`` decides on the
controller which files must be written. A re-run on an unchanged site therefore writes nothing and
runs no module for those files; a file that differs (content, mode, owner) is written by
``ansible.builtin.copy`` as usual, with its diff and check mode.

Documentation of each filter lives beside this file (``state_probe_script.yml`` ...).
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Mapping, Sequence

from ansible.errors import AnsibleFilterError

# What may appear inside the script and the JSON it prints without quoting: paths, package and
# unit names, nft table names. Anything else is refused rather than escaped.
_SAFE = re.compile(r'^[A-Za-z0-9_./:@+-]+$')


def _safe(kind, value):
    value = str(value)
    if not _SAFE.match(value):
        raise AnsibleFilterError('state_probe_script: %s %r has characters the probe does not accept' % (kind, value))
    return value


def _list(spec, key):
    value = spec.get(key) or []
    if isinstance(value, (str, bytes)) or not isinstance(value, Sequence):
        raise AnsibleFilterError('state_probe_script: %s must be a list' % key)
    return list(value)


def state_probe_script(spec):
    """The sh script that prints, as one JSON object, the state ``spec`` asks about."""
    if not isinstance(spec, Mapping):
        raise AnsibleFilterError('state_probe_script: expects a dict, got %s' % type(spec).__name__)
    unknown = set(spec) - {'files', 'packages', 'kernel_wireguard', 'loopback', 'sysctls', 'nft_tables', 'units'}
    if unknown:
        raise AnsibleFilterError('state_probe_script: unknown keys %s' % ', '.join(sorted(unknown)))
    out = ['set -u', "printf '{'"]
    if spec.get('kernel_wireguard'):
        # The same test wg-quick makes: can the kernel make a WireGuard link?
        out.append('if ip link add dev sitemeshprobe0 type wireguard 2>/dev/null; '
                   'then ip link del dev sitemeshprobe0; k=true; else k=false; fi')
        out.append("""printf '"kernel_wireguard":%s,' "$k\"""")
    out.append('. /etc/os-release 2>/dev/null')
    out.append("""printf '"codename":"%s",' "${VERSION_CODENAME:-}\"""")
    packages = [_safe('package', p) for p in _list(spec, 'packages')]
    out.append("""printf '"packages":{'""")
    if packages:
        out.append("""dpkg-query -W -f='"${Package}":"${db:Status-Abbrev}",' %s 2>/dev/null"""
                   % ' '.join(packages))
    out.append("""printf '"":""},'""")
    out.append("""printf '"files":{'""")
    for path in _list(spec, 'files'):
        path = _safe('path', path)
        out.append("""[ -f %s ] && printf '"%s":"%%s %%s",' "$(sha1sum < %s | cut -d' ' -f1)" "$(stat -c '%%a %%U %%G' %s)\""""
                   % (path, path, path, path))
    out.append("""printf '"":""},'""")
    if spec.get('loopback'):
        # Addresses on lo with a label lo:*, the guide's aliases (ifupdown sets the label).
        out.append("""printf '"loopback":"%s",' "$(ip -o -4 addr show dev lo label 'lo:*' 2>/dev/null | awk '{printf "%s ", $4}')\"""")
    out.append("""printf '"sysctls":{'""")
    for key in _list(spec, 'sysctls'):
        key = _safe('sysctl', key)
        out.append("""printf '"%s":"%%s",' "$(cat /proc/sys/%s 2>/dev/null)\"""" % (key, key.replace('.', '/')))
    out.append("""printf '"":""},'""")
    out.append("""printf '"nft_tables":{'""")
    for table in _list(spec, 'nft_tables'):
        parts = str(table).split()
        if len(parts) != 2:
            raise AnsibleFilterError('state_probe_script: nft table %r is not "FAMILY NAME"' % (table,))
        family, name = _safe('nft family', parts[0]), _safe('nft table', parts[1])
        out.append("""nft list table %s %s >/dev/null 2>&1 && printf '"%s %s":true,' || printf '"%s %s":false,'"""
                   % (family, name, family, name, family, name))
    out.append("""printf '"":false},'""")
    out.append("""printf '"units":{'""")
    for unit in _list(spec, 'units'):
        unit = _safe('unit', unit)
        out.append("""printf '"%s":"%%s",' "$(systemctl is-enabled %s 2>/dev/null)\"""" % (unit, unit))
    out.append("""printf '"":""}'""")
    out.append("printf '}\\n'")
    return '\n'.join(out) + '\n'


def _mode(value):
    text = str(value).strip()
    try:
        return '%o' % int(text, 8)
    except ValueError:
        raise AnsibleFilterError('state_files_differ: mode %r is not an octal mode' % (value,))


def state_files_differ(files, probe, owner='root', group='root'):
    """The items of ``files`` ({dest, content, mode}) whose file on the host differs or is missing."""
    if isinstance(files, (str, bytes)) or not isinstance(files, Sequence):
        raise AnsibleFilterError('state_files_differ: expects a list of {dest, content, mode}')
    if not isinstance(probe, Mapping) or not isinstance(probe.get('files'), Mapping):
        raise AnsibleFilterError('state_files_differ: the probe result has no "files" (run state_probe_script first)')
    seen = probe['files']
    differ = []
    for item in files:
        if not isinstance(item, Mapping) or 'dest' not in item or 'content' not in item:
            raise AnsibleFilterError('state_files_differ: each file needs dest and content, got %r' % (item,))
        want = '%s %s %s %s' % (hashlib.sha1(str(item['content']).encode('utf-8')).hexdigest(),
                                _mode(item.get('mode', '0644')), owner, group)
        if seen.get(item['dest']) != want:
            differ.append(item)
    return differ


class FilterModule(object):
    """Read a site's state in one round trip."""

    def filters(self):
        return {
            'state_probe_script': state_probe_script,
            'state_files_differ': state_files_differ,
        }
