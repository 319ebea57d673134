# Note that this module util is **PRIVATE** to the collection. It can have breaking changes at any time.
# Do not use this from other collections or standalone plugins/modules!

# Copyright (c) 2026, sitemesh.wireguard contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""The health of a whole mesh, pure: what each site's ``wg_info`` saw, judged against what the mesh model
(``wg_mesh`` / ``mesh_host``) says each site must have. One row per (site, peer); a problem line for every
expected peer that is missing or has no handshake younger than ``max_age``, every site that could not be read,
and every site whose peers' public keys are unknown. Extra peers (``wireguard_extra_peers``: phones, laptops)
and peers the inventory does not know are shown, never judged."""

from __future__ import annotations

OK = 'ok'
COLUMNS = (('site', 'site'), ('peer', 'peer'), ('handshake', 'latest handshake'), ('rx', 'rx'), ('tx', 'tx'),
           ('state', 'state'))


def human_bytes(count):
    """892 B, 1.5 KiB, 2.0 MiB (None: '-')."""
    if count is None:
        return '-'
    value = float(count)
    for unit in ('B', 'KiB', 'MiB', 'GiB', 'TiB'):
        if value < 1024 or unit == 'TiB':
            return '%d %s' % (value, unit) if unit == 'B' else '%.1f %s' % (value, unit)
        value /= 1024
    return '-'  # not reached


def _age_text(age):
    return 'never' if age is None else '%d s ago' % age


def _row(site, peer, live, state):
    return {
        'site': site,
        'peer': peer,
        'handshake_age': None if live is None else live['handshake_age'],
        'rx_bytes': None if live is None else live['rx_bytes'],
        'tx_bytes': None if live is None else live['tx_bytes'],
        'state': state,
    }


def _judge(live, max_age):
    """ok, stale or 'no handshake' for a live peer the mesh expects."""
    if live['handshake_age'] is None:
        return 'no handshake'
    if live['handshake_age'] < max_age:
        return OK
    return 'stale'


def _short(key):
    return '%s...' % key[:8]


def _detail(msg, limit=100):
    """' (the first line of an error, at most ``limit`` characters)', or ''."""
    lines = (msg or '').strip().splitlines()
    if not lines:
        return ''
    text = lines[0]
    return ' (%s)' % (text if len(text) <= limit else text[:limit - 3].rstrip() + '...')


def _unread(entry, rows, problems):
    """A site that could not be read: its expected peers listed, one problem naming it."""
    site, info = entry['site'], entry.get('info')
    if info is None:
        why = 'not read'
    elif info.get('unreachable'):
        why = 'unreachable'
    else:
        why = 'read failed'
    problems.append('%s: %s%s' % (site, why, _detail((info or {}).get('msg'))))
    peers = [p['name'] for p in entry['mesh']['peers']] + list(entry['mesh'].get('missing_public_keys') or [])
    for name in peers or ['-']:
        rows.append(_row(site, name, None, 'site %s' % why))


def site_rows(entry, max_age):
    """(rows, problems) of one site: ``entry`` = {site, info (wg_info's result, or its unreachable/failed
    result), mesh (wg_mesh's model of the site), extra_peers ([{name, public_key}])}."""
    rows, problems = [], []
    site, info, mesh = entry['site'], entry.get('info'), entry['mesh']
    if info is None or info.get('unreachable') or info.get('failed') or 'peers' not in info:
        _unread(entry, rows, problems)
        return rows, problems
    interface = info.get('interface') or 'the interface'
    live = dict((p['public_key'], p) for p in info['peers'])
    seen = set()
    for peer in mesh['peers']:
        seen.add(peer['public_key'])
        found = live.get(peer['public_key'])
        if not info['up']:
            state = '%s down' % interface
        elif found is None:
            state = 'missing'
        else:
            state = _judge(found, max_age)
        rows.append(_row(site, peer['name'], found, state))
        if state != OK:
            problems.append('%s: peer %s %s%s' % (
                site, peer['name'], state,
                (' (latest handshake %s, limit %d s)' % (_age_text(found['handshake_age']), max_age))
                if state == 'stale' else (' from %s' % interface) if state == 'missing' else ''))
    for name in mesh.get('missing_public_keys') or []:
        rows.append(_row(site, name, None, 'public key unknown'))
        problems.append('%s: peer %s has no public key in the key store (run site.yml, or point '
                        'wireguard_public_key_store at the store)' % (site, name))
    for extra in entry.get('extra_peers') or []:
        seen.add(extra['public_key'])
        found = live.get(extra['public_key'])
        state = 'extra peer, absent' if found is None else 'extra peer, %s' % _judge(found, max_age)
        rows.append(_row(site, extra['name'], found, state))
    for peer in info['peers']:
        if peer['public_key'] not in seen:
            rows.append(_row(site, peer.get('name') or _short(peer['public_key']), peer, 'not in the inventory'))
    return rows, problems


def mesh_status(entries, max_age):
    """{rows, problems, table} of the whole mesh, sites in the order given."""
    rows, problems = [], []
    for entry in entries:
        site_r, site_p = site_rows(entry, max_age)
        rows.extend(site_r)
        problems.extend(site_p)
    return {'rows': rows, 'problems': problems, 'table': render_table(rows)}


def render_table(rows):
    """The rows as aligned text lines, a header first."""
    cells = [[title for dummy, title in COLUMNS]]
    for row in rows:
        age = row['handshake_age']
        cells.append([
            row['site'], row['peer'],
            '-' if row['rx_bytes'] is None else _age_text(age),
            human_bytes(row['rx_bytes']), human_bytes(row['tx_bytes']),
            row['state'],
        ])
    widths = [max(len(line[i]) for line in cells) for i in range(len(COLUMNS))]
    return ['  '.join(cell.ljust(width) for cell, width in zip(line, widths)).rstrip() for line in cells]
