# Note that this module util is **PRIVATE** to the collection. It can have breaking changes at any time.
# Do not use this from other collections or standalone plugins/modules!

# Copyright (c) 2026, sitemesh.wireguard contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""One WireGuard configuration model shared by the modules of sitemesh.wireguard.

The model is a plain dict::

    {'interface': {'private_key': ..., 'listen_port': ..., 'fwmark': ..., 'addresses': [...],
                   'dns': [...], 'mtu': ..., 'table': ..., 'pre_up': [...], 'post_up': [...],
                   'pre_down': [...], 'post_down': [...], 'save_config': bool},
     'peers': [{'name': ..., 'public_key': ..., 'preshared_key': ..., 'allowed_ips': [...],
                'endpoint': ..., 'persistent_keepalive': ...}, ...]}

``parse`` reads the wg-quick INI dialect, ``render`` writes it, ``normalize`` makes two models
comparable, ``redact`` hides the private and preshared keys for diffs. The file helpers write key
material the safe way (0600 from the first byte, directory 0700, then an atomic rename).
"""

from __future__ import annotations

import base64
import binascii
import copy
import errno
import ipaddress
import os
import re
import shutil
import socket
import tempfile

MANAGED_HEADER = '# Managed by Ansible (sitemesh.wireguard.%s): local changes are overwritten'
REDACTED = '<redacted>'
REDACTED_CHANGED = '<redacted, changed>'
IFNAME_RE = re.compile(r'^[a-zA-Z0-9_=+.-]{1,15}$')
ENV = {'LANG': 'C', 'LC_ALL': 'C'}

# (file key, model key, kind); the order is the render order.
INTERFACE_FIELDS = (
    ('Address', 'addresses', 'addresses'),
    ('ListenPort', 'listen_port', 'int'),
    ('PrivateKey', 'private_key', 'key'),
    ('MTU', 'mtu', 'int'),
    ('Table', 'table', 'str'),
    ('FwMark', 'fwmark', 'str'),
    ('DNS', 'dns', 'csv'),
    ('PreUp', 'pre_up', 'lines'),
    ('PostUp', 'post_up', 'lines'),
    ('PreDown', 'pre_down', 'lines'),
    ('PostDown', 'post_down', 'lines'),
    ('SaveConfig', 'save_config', 'bool'),
)
PEER_FIELDS = (
    ('PublicKey', 'public_key', 'key'),
    ('PresharedKey', 'preshared_key', 'key'),
    ('AllowedIPs', 'allowed_ips', 'networks'),
    ('Endpoint', 'endpoint', 'str'),
    ('PersistentKeepalive', 'persistent_keepalive', 'keepalive'),
)
SECRET_FIELDS = ('private_key', 'preshared_key')
LIST_KINDS = ('addresses', 'networks', 'csv', 'lines')


class ConfigError(ValueError):
    """A WireGuard configuration (file or options) is not valid."""


# ---------------------------------------------------------------------------------------------
# values
# ---------------------------------------------------------------------------------------------

def is_valid_key(value):
    """True when ``value`` is 32 bytes in base64, the form of every WireGuard key."""
    if not isinstance(value, str):
        return False
    try:
        raw = base64.b64decode(value.strip(), validate=True)
    except (binascii.Error, ValueError):
        return False
    return len(raw) == 32


def normalize_address(value):
    """``172.16.1.1/24`` keeps its host bits; a bare address gets /32 or /128."""
    try:
        return str(ipaddress.ip_interface(str(value).strip()))
    except ValueError:
        raise ConfigError('%r is not an IP address with an optional prefix length' % value)


def normalize_network(value):
    """An allowed IP as WireGuard stores it: host bits cleared, /32 or /128 when bare."""
    try:
        return str(ipaddress.ip_network(str(value).strip(), strict=False))
    except ValueError:
        raise ConfigError('%r is not an IP network (CIDR)' % value)


def normalize_fwmark(value):
    """FwMark as wg shows it: a decimal string, None for off/0."""
    value = str(value).strip().lower()
    if value in ('', 'off'):
        return None
    try:
        number = int(value, 0)
    except ValueError:
        raise ConfigError('FwMark: %r is not a number' % value)
    return str(number) if number else None


def split_values(value):
    if value is None:
        return []
    if isinstance(value, (list, tuple)):
        out = []
        for item in value:
            out.extend(split_values(item))
        return out
    return [v for v in re.split(r'[,\s]+', str(value).strip()) if v]


def _coerce(kind, key, value):
    if kind == 'addresses':
        return [normalize_address(v) for v in split_values(value)]
    if kind == 'networks':
        return [normalize_network(v) for v in split_values(value)]
    if kind == 'csv':
        return split_values(value)
    if kind == 'lines':
        return [str(v) for v in value] if isinstance(value, (list, tuple)) else [str(value)]
    if value is None or value == '':
        return None
    if kind in ('int', 'keepalive'):
        if kind == 'keepalive' and str(value).strip().lower() == 'off':
            return None
        try:
            number = int(str(value).strip(), 0)
        except ValueError:
            raise ConfigError('%s: %r is not a number' % (key, value))
        if number < 0 or (kind == 'keepalive' and number > 65535):
            raise ConfigError('%s: %r is out of range' % (key, value))
        return None if kind == 'keepalive' and number == 0 else number
    if kind == 'bool':
        if isinstance(value, bool):
            return value
        if str(value).strip() in ('true', 'false'):
            return str(value).strip() == 'true'
        raise ConfigError('%s: %r is neither true nor false' % (key, value))
    if kind == 'key':
        value = str(value).strip()
        if not is_valid_key(value):
            # never repeat the value: it may be a secret
            raise ConfigError('%s is not a base64 encoded 32 byte key' % key)
        return value
    return str(value).strip()


def empty_interface():
    out = {}
    for dummy, name, kind in INTERFACE_FIELDS:
        out[name] = [] if kind in LIST_KINDS else None
    out['save_config'] = False
    return out


def empty_peer():
    out = {'name': None}
    for dummy, name, kind in PEER_FIELDS:
        out[name] = [] if kind in LIST_KINDS else None
    return out


def normalize(config):
    """A copy of ``config`` with every value in canonical form (raises ConfigError)."""
    config = config or {}
    interface = empty_interface()
    for dummy, name, kind in INTERFACE_FIELDS:
        value = (config.get('interface') or {}).get(name)
        if value is not None:
            interface[name] = _coerce(kind, name, value)
    if interface['save_config'] is None:
        interface['save_config'] = False
    if interface['fwmark'] is not None:
        interface['fwmark'] = normalize_fwmark(interface['fwmark'])
    peers = []
    seen = set()
    for raw in config.get('peers') or []:
        peer = empty_peer()
        peer['name'] = ' '.join(str(raw.get('name') or '').split()) or None
        for dummy, name, kind in PEER_FIELDS:
            if raw.get(name) is not None:
                peer[name] = _coerce(kind, name, raw.get(name))
        if not peer['public_key']:
            raise ConfigError('a peer has no public key')
        if peer['public_key'] in seen:
            raise ConfigError('peer %s is listed twice' % peer['public_key'])
        seen.add(peer['public_key'])
        peer['allowed_ips'] = dedupe(peer['allowed_ips'])
        peers.append(peer)
    interface['addresses'] = dedupe(interface['addresses'])
    return {'interface': interface, 'peers': peers}


def dedupe(values):
    out = []
    for value in values:
        if value not in out:
            out.append(value)
    return out


def models_equal(a, b):
    """Compare two models as WireGuard sees them (normalized, peers in order, names included)."""
    return normalize(a) == normalize(b)


# ---------------------------------------------------------------------------------------------
# parse / render
# ---------------------------------------------------------------------------------------------

_INTERFACE_BY_KEY = dict((k.lower(), (n, kind)) for k, n, kind in INTERFACE_FIELDS)
_PEER_BY_KEY = dict((k.lower(), (n, kind)) for k, n, kind in PEER_FIELDS)


def parse(text):
    """Parse a wg-quick configuration into a normalized model (raises ConfigError).

    Keys are case-insensitive, ``#`` starts a comment, multi-valued keys (Address, DNS,
    AllowedIPs) may be comma separated and repeated, hooks may be repeated. A comment line
    right above ``[Peer]`` is the peer's name.
    """
    config = {'interface': {}, 'peers': []}
    section = None
    seen_interface = False
    last_comment = None
    for number, line in enumerate(text.splitlines(), 1):
        stripped = line.strip()
        if stripped.startswith('#'):
            last_comment = stripped.lstrip('#').strip() or None
            continue
        content = line.split('#', 1)[0].strip()
        if not content:
            last_comment = None
            continue
        comment, last_comment = last_comment, None
        if content.startswith('['):
            header = content.lower()
            if header == '[interface]':
                if seen_interface:
                    raise ConfigError('line %d: a second [Interface] section' % number)
                seen_interface = True
                section = 'interface'
            elif header == '[peer]':
                section = 'peer'
                config['peers'].append({'name': comment})
            else:
                raise ConfigError('line %d: unknown section %s' % (number, content))
            continue
        if '=' not in content:
            raise ConfigError('line %d: not a "Key = value" line' % number)
        key, value = [part.strip() for part in content.split('=', 1)]
        if section is None:
            raise ConfigError('line %d: %s outside of a section' % (number, key))
        fields = _INTERFACE_BY_KEY if section == 'interface' else _PEER_BY_KEY
        if key.lower() not in fields:
            raise ConfigError('line %d: unknown key %s in [%s]' % (number, key, 'Interface' if section == 'interface' else 'Peer'))
        name, kind = fields[key.lower()]
        target = config['interface'] if section == 'interface' else config['peers'][-1]
        if kind in LIST_KINDS:
            if kind == 'lines':
                # hooks keep the whole line, comments included (wg-quick strips at '#', so do we)
                target.setdefault(name, []).append(value)
            else:
                target.setdefault(name, []).extend(split_values(value))
        else:
            if name in target:
                raise ConfigError('line %d: %s given twice' % (number, key))
            target[name] = value
    if not seen_interface:
        raise ConfigError('no [Interface] section')
    return normalize(config)


def render(config, module_name='wg_interface', redacted=False):
    """Render a model as a wg-quick configuration, deterministically (peers in the given order).

    ``redacted=True`` renders the output of ``redact`` (already normalized, keys replaced).
    """
    if not redacted:
        config = normalize(config)
    lines = [MANAGED_HEADER % module_name, '[Interface]']
    lines.extend(_render_fields(INTERFACE_FIELDS, config['interface']))
    for peer in config['peers']:
        lines.append('')
        if peer.get('name'):
            lines.append('# %s' % ' '.join(str(peer['name']).split()))
        lines.append('[Peer]')
        lines.extend(_render_fields(PEER_FIELDS, peer))
    return '\n'.join(lines) + '\n'


def _render_fields(fields, values):
    out = []
    for key, name, kind in fields:
        value = values.get(name)
        if kind == 'lines':
            out.extend('%s = %s' % (key, v) for v in value or [])
        elif kind in LIST_KINDS:
            if value:
                out.append('%s = %s' % (key, ', '.join(value)))
        elif kind == 'bool':
            out.append('%s = %s' % (key, 'true' if value else 'false'))
        elif value is not None:
            out.append('%s = %s' % (key, value))
    return out


def redact(config, other=None):
    """A copy of ``config`` whose private and preshared keys are replaced by a marker.

    With ``other`` (the model on the other side of a diff), a secret that differs from its
    counterpart is marked ``<redacted, changed>`` so that a diff still shows that it changes.
    """
    config = normalize(config)
    other = normalize(other) if other is not None else None
    out = copy.deepcopy(config)  # render it with redacted=True
    other_peers = dict((p['public_key'], p) for p in other['peers']) if other else {}

    def mark(value, counterpart, compare):
        if value is None:
            return None
        if compare and value != counterpart:
            return REDACTED_CHANGED
        return REDACTED

    out['interface']['private_key'] = mark(
        config['interface']['private_key'], other and other['interface']['private_key'], other is not None)
    for peer in out['peers']:
        counterpart = other_peers.get(peer['public_key'], {}).get('preshared_key')
        peer['preshared_key'] = mark(peer['preshared_key'], counterpart, other is not None)
    return out


# ---------------------------------------------------------------------------------------------
# editing one peer of a file in place (wg_peer): the lines it does not own are kept as they are
# ---------------------------------------------------------------------------------------------

def _key_of(line):
    """(lower-case key, value) of a ``Key = value`` line, the comment cut off; (None, None) else."""
    content = line.split('#', 1)[0].strip()
    if '=' not in content or content.startswith('['):
        return None, None
    key, value = content.split('=', 1)
    return key.strip().lower(), value.strip()


def _is_comment(line):
    return line.strip().startswith('#')


def _sections(lines):
    """The sections of a file: dicts with kind ('interface'|'peer'), header (index), lead (first
    index of the comment lines right above a peer's header: its name; the header itself for the
    interface, whose comments above are the file's own), end (the next section's lead, or
    len(lines)) and public_key."""
    headers = [i for i, line in enumerate(lines) if line.split('#', 1)[0].strip().startswith('[')]
    sections = []
    for header in headers:
        kind = lines[header].split('#', 1)[0].strip().lower().strip('[]')
        lead = header
        while kind == 'peer' and lead > 0 and _is_comment(lines[lead - 1]):
            lead -= 1
        sections.append({'kind': kind, 'header': header, 'lead': lead, 'public_key': None})
    for index, section in enumerate(sections):
        section['end'] = sections[index + 1]['lead'] if index + 1 < len(sections) else len(lines)
        for line in lines[section['header'] + 1:section['end']]:
            key, value = _key_of(line)
            if key == 'publickey' and section['public_key'] is None:
                section['public_key'] = value
    return sections


def edit_peer_text(text, model, public_key):
    """``text`` with the peer ``public_key`` made as in ``model`` (added, changed or removed), the
    other lines - comments, the interface, the other peers, the formatting - left as they are.

    A field whose lines already hold the wanted value is not rewritten; a rewritten line keeps its
    inline comment. A removed peer goes with the comment lines right above its ``[Peer]``. The
    caller checks that the result parses back to ``model``.
    """
    lines = text.splitlines()
    index = peer_index(model, public_key)
    peer = normalize(model)['peers'][index] if index is not None else None
    section = None
    for candidate in _sections(lines):
        if candidate['kind'] == 'peer' and candidate['public_key'] == public_key:
            section = candidate
            break
    if peer is None:
        if section is not None:
            del lines[section['lead']:section['end']]
            while lines and not lines[-1].strip():
                lines.pop()
    elif section is None:
        while lines and not lines[-1].strip():
            lines.pop()
        lines.append('')
        if peer.get('name'):
            lines.append('# %s' % ' '.join(str(peer['name']).split()))
        lines.append('[Peer]')
        lines.extend(_render_fields(PEER_FIELDS, peer))
    else:
        body = list(range(section['header'] + 1, section['end']))
        keyed = [i for i in body if _key_of(lines[i])[0]]
        insert_at = (keyed[-1] + 1) if keyed else section['header'] + 1
        replace = {}
        drop = set()
        new_lines = []
        for key, name, kind in PEER_FIELDS:
            at = [i for i in keyed if _key_of(lines[i])[0] == key.lower()]
            current = [_key_of(lines[i])[1] for i in at]
            try:
                if kind in LIST_KINDS:
                    have = dedupe(_coerce(kind, key, current))
                else:
                    have = _coerce(kind, key, current[0]) if current else None
            except ConfigError:
                have = object()
            if have == peer[name]:
                continue
            rendered = _render_fields(((key, name, kind),), peer)
            if at and rendered:
                comment = lines[at[0]].split('#', 1)[1] if '#' in lines[at[0]] else None
                indent = lines[at[0]][:len(lines[at[0]]) - len(lines[at[0]].lstrip())]
                replace[at[0]] = indent + rendered[0] + (' #' + comment if comment is not None else '')
                drop.update(at[1:])
            else:
                drop.update(at)
                new_lines.extend(rendered)
        out = []
        for i, line in enumerate(lines):
            if i == insert_at:
                out.extend(new_lines)
            if i in drop:
                continue
            out.append(replace.get(i, line))
        if insert_at >= len(lines):
            out.extend(new_lines)
        lines = out
    return '\n'.join(lines) + '\n'


def redact_text(text, other=None):
    """``text`` with the values of PrivateKey and PresharedKey lines replaced as ``redact`` does
    (``<redacted, changed>`` when they differ from the model ``other``)."""
    lines = text.splitlines()
    other = normalize(other) if isinstance(other, dict) else None
    other_peers = dict((p['public_key'], p) for p in other['peers']) if other else {}
    kinds = {}
    for section in _sections(lines):
        for i in range(section['header'] + 1, section['end']):
            kinds[i] = section
    for i, line in enumerate(lines):
        key, value = _key_of(line)
        if key not in ('privatekey', 'presharedkey') or not value:
            continue
        if other is None:
            marker = REDACTED
        elif key == 'privatekey':
            marker = REDACTED if value == other['interface']['private_key'] else REDACTED_CHANGED
        else:
            counterpart = other_peers.get((kinds.get(i) or {}).get('public_key'), {}).get('preshared_key')
            marker = REDACTED if value == counterpart else REDACTED_CHANGED
        name = line.split('=', 1)[0]
        comment = ' #' + line.split('#', 1)[1] if '#' in line else ''
        lines[i] = '%s= %s%s' % (name, marker, comment)
    return '\n'.join(lines) + '\n'


def peer_index(config, public_key):
    for index, peer in enumerate(config['peers']):
        if peer['public_key'] == public_key:
            return index
    return None


# ---------------------------------------------------------------------------------------------
# keys
# ---------------------------------------------------------------------------------------------

def _cryptography_x25519():
    try:
        from cryptography.hazmat.primitives.asymmetric import x25519
        from cryptography.hazmat.primitives import serialization
    except ImportError:
        return None, None
    return x25519, serialization


def generate_private_key(module):
    """A new private key: ``wg genkey`` when wg exists, else cryptography's X25519."""
    wg = module.get_bin_path('wg')
    if wg:
        rc, out, err = module.run_command([wg, 'genkey'], environ_update=ENV)
        if rc != 0 or not is_valid_key(out.strip()):
            module.fail_json(msg='wg genkey failed: %s' % err.strip())
        return out.strip()
    x25519, serialization = _cryptography_x25519()
    if x25519 is None:
        module.fail_json(msg='Cannot make a WireGuard key: neither the wg command (wireguard-tools) '
                             'nor the Python library cryptography is available on the managed host')
    key = x25519.X25519PrivateKey.generate()
    raw = key.private_bytes(serialization.Encoding.Raw, serialization.PrivateFormat.Raw,
                            serialization.NoEncryption())
    return base64.b64encode(raw).decode('ascii')


def public_key_of(module, private_key):
    """The public key of ``private_key``: ``wg pubkey`` (key on stdin) or cryptography."""
    wg = module.get_bin_path('wg')
    if wg:
        rc, out, err = module.run_command([wg, 'pubkey'], data=private_key, environ_update=ENV)
        if rc != 0 or not is_valid_key(out.strip()):
            module.fail_json(msg='wg pubkey failed: %s' % err.strip())
        return out.strip()
    x25519, serialization = _cryptography_x25519()
    if x25519 is None:
        module.fail_json(msg='Cannot derive a WireGuard public key: neither wg nor cryptography is available')
    key = x25519.X25519PrivateKey.from_private_bytes(base64.b64decode(private_key))
    raw = key.public_key().public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    return base64.b64encode(raw).decode('ascii')


def read_private_key(module, path, missing_ok=False):
    """Read a private key file on the host; the key is added to the module's no_log values.

    Returns None when the file is missing and ``missing_ok``; fails on a corrupt key.
    """
    try:
        with open(path, 'r') as handle:
            key = handle.read().strip()
    except (IOError, OSError) as exc:
        if exc.errno == errno.ENOENT and missing_ok:
            return None
        module.fail_json(msg='Cannot read the private key file %s: %s' % (path, exc.strerror))
    if key:
        module.no_log_values.add(key)
    if not is_valid_key(key):
        module.fail_json(msg='%s does not hold a WireGuard private key (32 bytes, base64)' % path)
    return key


# ---------------------------------------------------------------------------------------------
# files
# ---------------------------------------------------------------------------------------------

def read_text(path):
    """The text of ``path`` or None when it does not exist."""
    try:
        with open(path, 'r') as handle:
            return handle.read()
    except (IOError, OSError) as exc:
        if exc.errno == errno.ENOENT:
            return None
        raise


def file_mode(path):
    try:
        return os.stat(path).st_mode & 0o7777
    except OSError:
        return None


def ensure_directory(module, directory):
    """Create ``directory`` (and parents) with mode 0700 when it is missing. Returns changed."""
    if os.path.isdir(directory):
        return False
    try:
        os.makedirs(directory, 0o700)
        os.chmod(directory, 0o700)
    except OSError as exc:
        module.fail_json(msg='Cannot create the directory %s: %s' % (directory, exc.strerror))
    return True


def write_secure(module, path, content, mode=0o600, backup=False, validate=None):
    """Write ``content`` to ``path`` so that it is never readable by others.

    The new content goes to ``<dir>/.<random>/<basename>``: a private temp directory in the
    target's directory whose file is created ``O_CREAT|O_EXCL`` with mode 0600 (so a
    ``wg-quick strip`` validation sees a ``NAME.conf`` path). ``validate(tmp_path)`` may return
    an error message: the module then fails and the old file stays untouched. Returns the backup
    file name, if any.
    """
    directory = os.path.dirname(os.path.abspath(path))
    ensure_directory(module, directory)
    tmpdir = tempfile.mkdtemp(prefix='.ansible-wg-', dir=directory)
    tmp = os.path.join(tmpdir, os.path.basename(path))
    backup_file = None
    try:
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, 'w') as handle:
            handle.write(content)
            handle.flush()
            os.fsync(handle.fileno())
        if validate is not None:
            error = validate(tmp)
            if error:
                module.fail_json(msg='The new content of %s is not valid, the file was left as it was: %s'
                                     % (path, error))
        if backup and os.path.exists(path):
            backup_file = module.backup_local(path)
        if os.path.exists(path):
            # atomic_move gives the new file the old file's mode: make that mode private first
            os.chmod(path, 0o600)
            module.atomic_move(tmp, os.path.abspath(path))
        else:
            # atomic_move would apply the umask to a new file: a rename keeps the 0600 of tmp
            os.rename(tmp, path)
        if mode != 0o600:
            os.chmod(path, mode)
    finally:
        shutil.rmtree(tmpdir, ignore_errors=True)
    return backup_file


def remove_file(module, path):
    try:
        os.unlink(path)
    except OSError as exc:
        if exc.errno != errno.ENOENT:
            module.fail_json(msg='Cannot remove %s: %s' % (path, exc.strerror))
        return False
    return True


def interface_name_from_path(path):
    """The interface name wg-quick derives from a config path, or None when it cannot."""
    base = os.path.basename(path)
    if not base.endswith('.conf') or not IFNAME_RE.match(base[:-5]):
        return None
    return base[:-5]


def wg_quick_strip(module, path):
    """``wg-quick strip PATH``: (rc, stripped text, error)."""
    wg_quick = module.get_bin_path('wg-quick')
    if not wg_quick:
        return 1, '', 'wg-quick is not installed'
    rc, out, err = module.run_command([wg_quick, 'strip', path], environ_update=ENV)
    return rc, out, err


def config_validator(module, model):
    """A ``validate`` callback for write_secure: our own parse must give back ``model``, and
    ``wg-quick strip`` (when installed) must accept the file."""
    def validate(tmp_path):
        try:
            if parse(read_text(tmp_path)) != normalize(model):
                return 'the rendered file does not parse back to the requested configuration'
        except ConfigError as exc:
            return str(exc)
        if module.get_bin_path('wg-quick'):
            rc, dummy, err = wg_quick_strip(module, tmp_path)
            if rc != 0:
                return 'wg-quick strip: %s' % err.strip()
        return None
    return validate


# ---------------------------------------------------------------------------------------------
# live state
# ---------------------------------------------------------------------------------------------

def wg_bin(module):
    return module.get_bin_path('wg', required=True)


def live_state(module, name):
    """Parse ``wg show NAME dump``; None when NAME is not a WireGuard interface.

    The private key is read (the dump prints it) but only kept to compare it; it is added to
    the module's no_log values.
    """
    rc, out, err = module.run_command([wg_bin(module), 'show', name, 'dump'], environ_update=ENV)
    if rc != 0:
        return None
    lines = [line for line in out.splitlines() if line.strip()]
    if not lines:
        return None
    fields = lines[0].split('\t')
    if fields[0] and fields[0] != '(none)':
        module.no_log_values.add(fields[0])
    state = {
        'private_key': None if fields[0] == '(none)' else fields[0],
        'public_key': None if fields[1] == '(none)' else fields[1],
        'listen_port': int(fields[2]) if fields[2].isdigit() else None,
        'fwmark': normalize_fwmark(fields[3]),
        'peers': [],
    }
    for line in lines[1:]:
        f = line.split('\t')
        if len(f) < 8:
            continue
        if f[1] != '(none)':
            module.no_log_values.add(f[1])
        state['peers'].append({
            'public_key': f[0],
            'preshared_key': None if f[1] == '(none)' else f[1],
            'endpoint': None if f[2] == '(none)' else f[2],
            'allowed_ips': [] if f[3] == '(none)' else [normalize_network(v) for v in f[3].split(',') if v],
            'persistent_keepalive': None if f[7] in ('off', '0') else int(f[7]),
        })
    return state


def endpoint_matches(wanted, live):
    """True when the live endpoint (always an IP) is what ``wanted`` (IP or name) resolves to."""
    if wanted is None:
        return True
    if live is None:
        return False
    if wanted == live:
        return True
    host, sep, port = wanted.rpartition(':')
    if not sep:
        return False
    live_host, dummy, live_port = live.rpartition(':')
    if port != live_port:
        return False
    host = host.strip('[]')
    live_host = live_host.strip('[]')
    try:
        return ipaddress.ip_address(host) == ipaddress.ip_address(live_host)
    except ValueError:
        pass
    try:
        infos = socket.getaddrinfo(host, int(port), 0, socket.SOCK_DGRAM)
    except (socket.error, ValueError):
        return False
    return any(info[4][0] == live_host for info in infos)


def peer_differs(wanted, live):
    """Which fields of a wanted peer (model form) differ from its live state."""
    fields = []
    if sorted(wanted['allowed_ips']) != sorted(live['allowed_ips']):
        fields.append('allowed_ips')
    if not endpoint_matches(wanted.get('endpoint'), live['endpoint']):
        fields.append('endpoint')
    if (wanted.get('persistent_keepalive') or None) != live['persistent_keepalive']:
        fields.append('persistent_keepalive')
    if wanted.get('preshared_key') != live['preshared_key']:
        fields.append('preshared_key')
    return fields
