# Note that this module util is **PRIVATE** to the collection. It can have breaking changes at any time.
# Do not use this from other collections or standalone plugins/modules!

# Copyright (c) 2026, sitemesh.wireguard contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Read a site in one round trip: one fixed /bin/sh program, its arguments, and the parser of what it prints.

``SCRIPT`` never changes with the request: what to read reaches it as positional arguments
(``file:/etc/x``, ``pkg:wireguard-tools``, ...), each checked by ``probe_args`` and quoted with
``shlex.quote`` by ``command``. It needs no Python on the host and changes nothing there, except that
``kernel_wireguard`` creates and deletes a throwaway link (the test ``wg-quick`` makes).
It prints tab-separated records between a header and an end line; ``parse`` turns them into facts.
"""

from __future__ import annotations

import re
import shlex

HEADER = 'wg_site_facts\t1'
END = 'end'

SCRIPT = r"""exec 2>/dev/null
set -u
LC_ALL=C
export LC_ALL
printf 'wg_site_facts\t1\n'
printf 'codename\t%s\n' "$(. /etc/os-release && printf '%s' "${VERSION_CODENAME:-}")"
for arg in "$@"; do
  value=${arg#*:}
  case $arg in
    file:/*)
      if [ -f "$value" ] && sum=$(sha1sum < "$value"); then
        printf 'file\t%s\t%s\t%s\n' "$value" "${sum%% *}" "$(stat -L --printf '%a\t%U\t%G' -- "$value")"
      fi ;;
    pkg:*)
      dpkg-query -W -f='pkg\t${Package}\t${db:Status-Abbrev}\n' -- "$value" ;;
    sysctl:*)
      path=/proc/sys/$(printf '%s' "$value" | tr . /)
      if [ -r "$path" ]; then
        printf 'sysctl\t%s\t%s\n' "$value" "$(cat "$path" | tr '\n' ' ' | sed 's/ *$//')"
      fi ;;
    nft:*:*)
      family=${value%%:*}
      name=${value#*:}
      if nft list table "$family" "$name" >/dev/null; then found=yes; else found=no; fi
      printf 'nft\t%s %s\t%s\n' "$family" "$name" "$found" ;;
    unit:*)
      printf 'unit\t%s\t%s\n' "$value" "$(systemctl is-enabled -- "$value" | head -n 1)" ;;
    loopback)
      ip -o addr show dev lo | awk '$3 == "inet" || $3 == "inet6" { printf "lo\t%s\n", $4 }' ;;
    key:/*)
      # only the public key leaves the site: wg pubkey reads the file here (nothing when wg or the key is missing)
      if [ -f "$value" ]; then
        pub=$(wg pubkey < "$value") || pub=
        printf 'key\t%s\t%s\t%s\n' "$value" "$(stat -L --printf '%a\t%U\t%G' -- "$value")" "$pub"
      fi ;;
    python:*)
      # what Ansible's interpreter discovery asks (command -v of each name in its fallback list)
      if found=$(command -v "$value"); then printf 'python\t%s\n' "$found"; fi ;;
    kernel_wireguard)
      if ip link add dev sitemeshprobe0 type wireguard; then
        ip link del dev sitemeshprobe0
        found=yes
      else
        found=no
      fi
      printf 'kernel_wireguard\t%s\n' "$found" ;;
    *)
      printf 'error\tunknown request %s\n' "$arg" ;;
  esac
done
printf 'end\n'
"""

_PACKAGE = re.compile(r'^[a-z0-9][a-z0-9+.-]*(:[a-z0-9-]+)?$')
_SYSCTL = re.compile(r'^[A-Za-z0-9_-]+(\.[A-Za-z0-9_-]+)+$')
_NFT_FAMILIES = ('ip', 'ip6', 'inet', 'arp', 'bridge', 'netdev')
_NFT_NAME = re.compile(r'^[A-Za-z0-9_][A-Za-z0-9_.-]*$')
_UNIT = re.compile(r'^[A-Za-z0-9_:.@\\][A-Za-z0-9_:.@\\-]*$')
_PYTHON = re.compile(r'^[A-Za-z0-9_.+/-]+$')
_CONTROL = re.compile(r'[\x00-\x1f\x7f]')


def check_path(path):
    """``path`` if it is absolute and has no control character (a tab or newline would break a record)."""
    if not isinstance(path, str) or not path.startswith('/') or _CONTROL.search(path):
        raise ValueError('path %r must be absolute, without control characters' % (path,))
    return path


def _checked(kind, value, pattern):
    if not isinstance(value, str) or not pattern.match(value):
        raise ValueError('%s %r is not a valid name' % (kind, value))
    return value


def is_plain_command(name):
    """Whether ``name`` is a command name or path the probe accepts (letters, digits, ``_.+/-``)."""
    return isinstance(name, str) and bool(_PYTHON.match(name))


def nft_table(table):
    """``(family, name)`` of an nftables table written ``FAMILY NAME``."""
    parts = table.split() if isinstance(table, str) else []
    if len(parts) != 2 or parts[0] not in _NFT_FAMILIES or not _NFT_NAME.match(parts[1]):
        raise ValueError('nft table %r is not "FAMILY NAME" (family one of %s)' % (table, ', '.join(_NFT_FAMILIES)))
    return parts[0], parts[1]


def probe_args(paths=(), packages=(), sysctls=(), nft_tables=(), units=(), loopback=False, kernel_wireguard=False,
               private_keys=(), pythons=()):
    """The script's arguments for a request; raises ``ValueError`` on a value that is not a plain name or path."""
    args = ['file:%s' % check_path(p) for p in paths]
    args += ['key:%s' % check_path(p) for p in private_keys]
    args += ['python:%s' % _checked('python interpreter', p, _PYTHON) for p in pythons]
    args += ['pkg:%s' % _checked('package', p, _PACKAGE) for p in packages]
    args += ['sysctl:%s' % _checked('sysctl', k, _SYSCTL) for k in sysctls]
    args += ['nft:%s:%s' % nft_table(t) for t in nft_tables]
    args += ['unit:%s' % _checked('unit', u, _UNIT) for u in units]
    if loopback:
        args.append('loopback')
    if kernel_wireguard:
        args.append('kernel_wireguard')
    return args


def command(args):
    """The one shell command line that runs ``SCRIPT`` with ``args``, every word quoted."""
    return ' '.join(shlex.quote(word) for word in ['/bin/sh', '-c', SCRIPT, 'wg_site_facts'] + list(args))


def _fields(line, count):
    fields = line.split('\t', count - 1)
    if len(fields) != count:
        raise ValueError('malformed record %r' % line)
    return fields


def _record(facts, line):
    kind = line.split('\t', 1)[0]
    if kind == 'codename':
        facts['codename'] = _fields(line, 2)[1]
    elif kind == 'kernel_wireguard':
        facts['kernel_wireguard'] = _fields(line, 2)[1] == 'yes'
    elif kind == 'pkg':
        _kind, name, status = _fields(line, 3)
        if not facts['packages'].get(name, '').startswith('ii'):  # a multi-arch package: installed wins
            facts['packages'][name] = status.strip()
    elif kind == 'file':
        _kind, path, sha1, mode, owner, group = _fields(line, 6)
        facts['files'][path] = {'sha1': sha1, 'mode': '%04o' % int(mode, 8), 'owner': owner, 'group': group}
    elif kind == 'sysctl':
        _kind, key, value = _fields(line, 3)
        facts['sysctls'][key] = value
    elif kind == 'nft':
        _kind, table, found = _fields(line, 3)
        facts['nft_tables'][table] = found == 'yes'
    elif kind == 'unit':
        _kind, unit, state = _fields(line, 3)
        facts['units'][unit] = state
    elif kind == 'key':
        _kind, path, mode, owner, group, public_key = _fields(line, 6)
        facts['private_keys'][path] = {'mode': '%04o' % int(mode, 8), 'owner': owner, 'group': group,
                                       'public_key': public_key.strip() or None}
    elif kind == 'python':
        path = _fields(line, 2)[1].strip()
        if path.startswith('/'):
            facts['pythons'].append(path)
    elif kind == 'lo':
        facts['loopback_addresses'].append(_fields(line, 2)[1])
    elif kind == 'error':
        raise ValueError('the probe refused a request: %s' % _fields(line, 2)[1])
    else:
        raise ValueError('unknown record %r' % line)


def covers(asked, args):
    """Whether a read that was asked ``asked`` (probe arguments) read everything ``args`` asks."""
    return set(args) <= set(asked or ())


def restrict(facts, args):
    """``facts`` of a wider read cut down to what ``args`` asks: the same facts a read of ``args`` alone gives.
    Raises ``ValueError`` when ``facts`` is not what ``parse`` gives."""
    if not isinstance(facts, dict) or any(key not in facts for key in FACT_KEYS):
        raise ValueError('not the facts of a read (missing %s)' % ', '.join(k for k in FACT_KEYS if k not in facts)
                         if isinstance(facts, dict) else 'not the facts of a read')
    wanted = {}
    for arg in args:
        kind, _sep, value = arg.partition(':')
        wanted.setdefault(kind, set()).add(value)
    nft = set(' '.join(value.split(':', 1)) for value in wanted.get('nft', ()))
    return {
        'codename': facts['codename'],
        'kernel_wireguard': facts['kernel_wireguard'] if 'kernel_wireguard' in wanted else None,
        'packages': dict((k, v) for k, v in facts['packages'].items()
                         if k in set(v.split(':')[0] for v in wanted.get('pkg', ()))),
        'files': dict((k, v) for k, v in facts['files'].items() if k in wanted.get('file', ())),
        'sysctls': dict((k, v) for k, v in facts['sysctls'].items() if k in wanted.get('sysctl', ())),
        'nft_tables': dict((k, v) for k, v in facts['nft_tables'].items() if k in nft),
        'units': dict((k, v) for k, v in facts['units'].items() if k in wanted.get('unit', ())),
        'loopback_addresses': list(facts['loopback_addresses']) if 'loopback' in wanted else [],
        'private_keys': dict((k, v) for k, v in facts['private_keys'].items() if k in wanted.get('key', ())),
        'pythons': [],
    }


FACT_KEYS = ('codename', 'kernel_wireguard', 'packages', 'files', 'sysctls', 'nft_tables', 'units',
             'loopback_addresses', 'private_keys')


def parse(stdout):
    """Facts from the script's output; lines before the header (a login banner) and after the end are ignored."""
    facts = {'codename': '', 'kernel_wireguard': None, 'packages': {}, 'files': {}, 'sysctls': {},
             'nft_tables': {}, 'units': {}, 'loopback_addresses': [], 'private_keys': {}, 'pythons': []}
    lines = [line.rstrip('\r') for line in stdout.split('\n')]
    if HEADER not in lines:
        raise ValueError('the probe printed no %r header (is /bin/sh there?)' % HEADER)
    start = lines.index(HEADER) + 1
    if END not in lines[start:]:
        raise ValueError('the probe output ends before its %r line (cut short?)' % END)
    for line in lines[start:lines.index(END, start)]:
        if line:
            _record(facts, line)
    return facts
