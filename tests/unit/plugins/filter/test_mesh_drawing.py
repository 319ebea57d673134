# -*- coding: utf-8 -*-
# Copyright (c) 2026, sitemesh.wireguard maintainers
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""mesh_mermaid / mesh_dot: every site, tunnel, exit and network of an inventory appears in both drawings.

The expected tunnels are not taken from the drawing code: they are the peers mesh_host (what the roles
configure) gives every site. Inventories: the guide's example (read from inventories/example), the hub
scenario's (molecule/hub: a spoke, a site without exit, a road warrior pool), and one with extra peers
and road warriors. The DOT drawing is rendered to SVG by the real ``dot``.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import xml.etree.ElementTree as ET

import pytest
import yaml
from ansible.errors import AnsibleFilterError

from ansible_collections.sitemesh.wireguard.plugins.filter.mesh_dot import mesh_dot
from ansible_collections.sitemesh.wireguard.plugins.filter.mesh_host import mesh_host
from ansible_collections.sitemesh.wireguard.plugins.filter.mesh_mermaid import mesh_mermaid

REPO = os.path.abspath(os.path.join(os.path.dirname(__file__), '..', '..', '..', '..'))


def _yaml(path):
    with open(os.path.join(REPO, path), encoding='utf-8') as f:
        return yaml.safe_load(f) or {}


def _inventory(host_vars_dir, hosts):
    """hostvars of an inventory directory as Ansible merges them: group_vars/wireguard.yml, then host_vars."""
    group = _yaml('inventories/example/group_vars/wireguard.yml')
    return {host: dict(group, **_yaml(os.path.join(host_vars_dir, host + '.yml'))) for host in hosts}


def example():
    return _inventory('inventories/example/host_vars', ['giant', 'moly', 'raspi']), None


def hub():
    return _inventory('molecule/hub/host_vars', ['giant', 'moly', 'raspi', 'phone']), None


def extra_and_devices():
    hostvars = example()[0]
    hostvars['moly']['wireguard_roadwarrior_pool'] = '10.0.9.0/24'
    hostvars['raspi']['wireguard_extra_peers'] = [
        {'name': 'laptop', 'public_key': 'x' * 43 + '=', 'allowed_ips': ['172.16.1.50/32']},
        {'name': 'nas', 'public_key': 'y' * 43 + '=', 'allowed_ips': ['192.168.77.0/24']}]
    devices = {'alice-phone': {'via': 'moly', 'address': '10.0.9.1', 'public_key': 'z' * 43 + '='},
               'bob-laptop': {'via': 'moly', 'address': '10.0.9.2', 'public_key': 'w' * 43 + '='}}
    return hostvars, devices


INVENTORIES = {'example': example, 'hub': hub, 'extra_and_devices': extra_and_devices}


def _mid(name):
    return re.sub(r'[^A-Za-z0-9_]', '_', name)


def _expected_tunnels(hostvars, keys):
    """Every pair of sites that are each other's peer, from mesh_host (the roles' model)."""
    hosts = list(hostvars)
    pairs = set()
    for host in hosts:
        for peer in mesh_host(hostvars, host, hosts, keys)['peers']:
            pairs.add(tuple(sorted((host, peer['name']))))
    return pairs


@pytest.mark.parametrize('name', sorted(INVENTORIES))
def test_every_site_tunnel_exit_and_network_is_in_both_drawings(name, keys):
    hostvars, devices = INVENTORIES[name]()
    hosts = list(hostvars)
    mmd = mesh_mermaid(hostvars, hosts, devices=devices)
    dot = mesh_dot(hostvars, hosts, devices=devices)
    mmd_lines, dot_lines = mmd.splitlines(), dot.splitlines()
    tunnels = _expected_tunnels(hostvars, keys)
    assert tunnels, name
    # every tunnel once, and no other
    assert sorted(l for l in mmd_lines if '<==>|tunnel|' in l) == sorted(
        '  site_%s <==>|tunnel| site_%s' % (_mid(a), _mid(b)) for a, b in tunnels)
    assert sorted(l for l in dot_lines if 'label="tunnel"' in l) == sorted(
        '  "%s" -- "%s" [penwidth=2, label="tunnel"];' % (a, b) for a, b in tunnels)
    for host, hv in hostvars.items():
        sid = 'site_' + _mid(host)
        assert re.search(r'^  %s\["%s<br/>%s<br/>' % (sid, re.escape(host), re.escape(hv['wireguard_address'])), mmd, re.M)
        assert re.search(r'^  "%s" \[shape=box, .*label="%s\\n%s\\n' % (host, host, re.escape(hv['wireguard_address'])),
                         dot, re.M)
        for net in hv.get('wireguard_client_networks', []):
            assert '  %s --- net_%s' % (sid, _mid(net)) in mmd_lines
            assert '  "%s" -- "net %s" [style=dotted];' % (host, net) in dot_lines
        exit_site = hv.get('wireguard_exit') or None
        if exit_site:
            assert '  %s -.->|exit| site_%s' % (sid, exit_site) in mmd_lines
            assert '  "%s" -- "%s" [style=dashed, dir=forward, color=gray40, label="exit"];' % (host, exit_site) in dot_lines
        if hv.get('wireguard_roadwarrior_pool'):
            pool = hv['wireguard_roadwarrior_pool']
            assert '  %s --- pool_%s' % (sid, _mid(pool)) in mmd_lines
            assert '  "%s" -- "pool %s" [style=dotted];' % (host, pool) in dot_lines
        for peer in hv.get('wireguard_extra_peers', []):
            eid = 'extra_%s_%s' % (_mid(host), _mid(peer['name']))
            assert '  %s -.- %s' % (sid, eid) in mmd_lines
            assert re.search(r'^  %s\(\["%s<br/>extra peer<br/>%s"\]\)$' % (eid, peer['name'], re.escape(peer['allowed_ips'][0])),
                             mmd, re.M)
            assert '  "%s" -- "extra %s %s" [style=dashed];' % (host, host, peer['name']) in dot_lines
    for device, entry in (devices or {}).items():
        assert '  device_%s -.->|dials| site_%s' % (_mid(device), entry['via']) in mmd_lines
        assert '  "device %s" -- "%s" [style=dashed, dir=forward, label="dials"];' % (device, entry['via']) in dot_lines
        assert entry['address'] in mmd and entry['address'] in dot
    # the internet behind every exit
    exits = {hv['wireguard_exit'] for hv in hostvars.values() if hv.get('wireguard_exit')}
    for exit_site in exits:
        assert '  site_%s ==>|masquerade| internet' % exit_site in mmd_lines
        assert '  "%s" -- "internet" [dir=forward, penwidth=2, label="masquerade"];' % exit_site in dot_lines


def test_a_spoke_is_tied_to_its_hub_only():
    hostvars = hub()[0]
    mmd = mesh_mermaid(hostvars, list(hostvars))
    phone_tunnels = [l for l in mmd.splitlines() if '|tunnel|' in l and 'site_phone' in l]
    assert phone_tunnels == ['  site_moly <==>|tunnel| site_phone']
    assert 'site_phone["phone<br/>172.16.1.4<br/>no endpoint, through hub moly"]' in mmd
    assert 'site_moly["moly<br/>172.16.1.2<br/>192.168.1.162:5555<br/>hub"]' in mmd


def test_a_bad_inventory_is_refused_with_the_validation_lines():
    hostvars = example()[0]
    hostvars['raspi']['wireguard_client_networks'] = ['10.0.1.0/24']
    for draw in (mesh_mermaid, mesh_dot):
        with pytest.raises(AnsibleFilterError, match=r'raspi: wireguard_client_networks entry 10.0.1.0/24 overlaps'):
            draw(hostvars, list(hostvars))


@pytest.mark.parametrize('name', sorted(INVENTORIES))
def test_dot_renders_to_svg_with_every_site_and_network(name, tmp_path):
    dot_bin = shutil.which('dot')
    if dot_bin is None:
        pytest.skip('dot (Debian package graphviz) is not installed')
    hostvars, devices = INVENTORIES[name]()
    source = tmp_path / 'mesh.dot'
    source.write_text(mesh_dot(hostvars, list(hostvars), devices=devices, title='test %s' % name))
    subprocess.run([dot_bin, '-Tsvg', '-o', str(tmp_path / 'mesh.svg'), str(source)], check=True, timeout=60)
    svg = ET.parse(str(tmp_path / 'mesh.svg')).getroot()
    ns = {'svg': 'http://www.w3.org/2000/svg'}
    titles = {t.text for t in svg.iterfind('.//svg:g[@class="node"]/svg:title', ns)}
    texts = {t.text for t in svg.iterfind('.//svg:text', ns)}
    for host, hv in hostvars.items():
        assert host in titles and hv['wireguard_address'] in texts
        for net in hv.get('wireguard_client_networks', []):
            assert 'net ' + net in titles and net in texts
    edges = [t.text for t in svg.iterfind('.//svg:g[@class="edge"]/svg:title', ns)]
    assert len(edges) == len([l for l in source.read_text().splitlines() if ' -- ' in l])
