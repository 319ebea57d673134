#!/usr/bin/env python
# Copyright (c) 2026, sitemesh.wireguard contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The README's "The inventory" section (its text and variable table) as the docs site's extra page
docs/docsite/rst/inventory.rst. The README is the one source: scripts/ecosystem.sh docs fails when the
committed page is not what this prints.

    scripts/inventory_rst.py README.md   (prints the page)
"""

import re
import sys

START = '## The inventory'


def inline(text):
    """Markdown inline code and bold to reStructuredText (the only markup the section uses)."""
    return re.sub(r'`([^`]+)`', r'``\1``', text)


def section(readme):
    lines = readme.splitlines()
    begin = lines.index(START) + 1
    end = next(i for i in range(begin, len(lines)) if lines[i].startswith('#'))
    return lines[begin:end]


def table(rows):
    cells = [[c.strip() for c in row.strip().strip('|').split('|')] for row in rows]
    header, body = cells[0], cells[2:]
    out = ['.. list-table::', '   :header-rows: 1', '   :widths: auto', '']
    for row in [header] + body:
        out.append('   * - %s' % inline(row[0]))
        out.extend('     - %s' % inline(c) for c in row[1:])
    return out


def convert(readme):
    out = ['.. Generated from README.md ("The inventory") by scripts/inventory_rst.py: edit the README.', '',
           '.. _ansible_collections.sitemesh.wireguard.docsite.inventory:', '',
           'The inventory', '=============', '']
    body = section(readme)
    while body and not body[0]:
        body.pop(0)
    i = 0
    while i < len(body):
        if body[i].startswith('|'):
            j = i
            while j < len(body) and body[j].startswith('|'):
                j += 1
            out.extend(table(body[i:j]))
            i = j
        else:
            out.append(inline(body[i]))
            i += 1
    while out and not out[-1]:
        out.pop()
    return '\n'.join(out) + '\n'


if __name__ == '__main__':
    with open(sys.argv[1]) as handle:
        sys.stdout.write(convert(handle.read()))
