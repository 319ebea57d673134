# -*- coding: utf-8 -*-
# Copyright (c) 2026, sitemesh.wireguard maintainers
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""draw.yml, run by the real ansible-playbook on the example inventory: it writes the Mermaid and DOT drawings
and renders the SVG with the real dot; a second run changes nothing; the committed docs/mesh.* and the README's
Mermaid block are what it draws today (generated, not hand-written)."""

from __future__ import annotations

import os
import shutil
import xml.etree.ElementTree as ET

import pytest


def test_draw_writes_mermaid_dot_and_svg(sm, tmp_path):
    if shutil.which('dot') is None:
        pytest.skip('dot (Debian package graphviz) is not installed')
    out = tmp_path / 'out'
    args = ['-i', sm.EXAMPLE_INVENTORY, os.path.join(sm.REPO, 'draw.yml'), '-e', 'draw_dir=%s' % out]
    first = sm.ansible_playbook(args, tmp_path)
    assert first.rc == 0, str(first)
    assert sm.parse_recap(first.stdout)['localhost']['changed'] == 3  # the directory, the two files, the SVG
    svg = ET.parse(str(out / 'mesh.svg')).getroot()
    titles = {t.text for t in svg.iterfind('.//{http://www.w3.org/2000/svg}title')}
    assert {'giant', 'moly', 'raspi', 'internet', 'net 10.0.1.0/24', 'net 10.0.2.0/24', 'net 77.66.55.0/24'} <= titles
    again = sm.ansible_playbook(args, tmp_path)
    assert again.rc == 0 and sm.parse_recap(again.stdout)['localhost']['changed'] == 0, str(again)
    # what is committed is what draw.yml draws from inventories/example
    for ext in ('mmd', 'dot'):
        with open(os.path.join(sm.REPO, 'docs', 'mesh.' + ext), encoding='utf-8') as f:
            assert f.read() == (out / ('mesh.' + ext)).read_text(), ext
    with open(os.path.join(sm.REPO, 'README.md'), encoding='utf-8') as f:
        assert '```mermaid\n%s```\n' % (out / 'mesh.mmd').read_text() in f.read()
