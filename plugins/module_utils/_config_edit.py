# Note that this module util is **PRIVATE** to the collection. It can have breaking changes at any time.
# Do not use this from other collections or standalone plugins/modules!

# Copyright (c) 2026, sitemesh.wireguard contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Editing one peer of a wg-quick file in place (wg_peer): the lines it does not own are kept as they
are; ``redact_text`` hides the keys of such a file for a diff."""

from __future__ import annotations

from ansible_collections.sitemesh.wireguard.plugins.module_utils._config import (
    LIST_KINDS,
    PEER_FIELDS,
    REDACTED,
    REDACTED_CHANGED,
    ConfigError,
    coerce,
    dedupe,
    normalize,
    peer_index,
    render_fields,
    render_peer,
)


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
            _strip_trailing_blanks(lines)
    elif section is None:
        _strip_trailing_blanks(lines)
        lines.append('')
        lines.extend(render_peer(peer))
    else:
        lines = _edit_section(lines, section, peer)
    return '\n'.join(lines) + '\n'


def _strip_trailing_blanks(lines):
    while lines and not lines[-1].strip():
        lines.pop()


def _current_value(kind, key, values):
    """The model value of the lines ``values`` of a field; a marker that equals nothing when invalid."""
    try:
        if kind in LIST_KINDS:
            return dedupe(coerce(kind, key, values))
        return coerce(kind, key, values[0]) if values else None
    except ConfigError:
        return object()


def _edit_section(lines, section, peer):
    """``lines`` with the fields of ``section`` that differ from ``peer`` rewritten in place."""
    body = list(range(section['header'] + 1, section['end']))
    keyed = [i for i in body if _key_of(lines[i])[0]]
    insert_at = (keyed[-1] + 1) if keyed else section['header'] + 1
    replace = {}
    drop = set()
    new_lines = []
    for key, name, kind in PEER_FIELDS:
        at = [i for i in keyed if _key_of(lines[i])[0] == key.lower()]
        if _current_value(kind, key, [_key_of(lines[i])[1] for i in at]) == peer[name]:
            continue
        rendered = render_fields(((key, name, kind),), peer)
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
        if i not in drop:
            out.append(replace.get(i, line))
    if insert_at >= len(lines):
        out.extend(new_lines)
    return out


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
