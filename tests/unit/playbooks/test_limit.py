# -*- coding: utf-8 -*-
# Copyright (c) 2026, sitemesh.wireguard maintainers
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Promise: "--limit never drops peers".

A playbook runs the role's own read_keys.yml (include_role, public) and uses the role's own
_wireguard_mesh (roles/wireguard_peer/vars/main.yml: wireguard_site.mesh, computed by wg_mesh, what the interface task is given), against the example
inventory and a public key store in tmp_path. Each site's peer list is written to tmp_path as JSON by a
copy delegated to localhost. A run on the whole mesh and a run with --limit giant must give giant the same
peers. Hosts have the podman connection to a container that does not exist: nothing touches them.
"""

from __future__ import annotations

import json
import os

import pytest
import yaml


def _check_role_mesh_var(sm):
    """The role's _wireguard_mesh is what sitemesh.wireguard.wg_mesh computed (read_keys.yml) from the
    inventory group and the key store, never from the play."""
    with open(os.path.join(sm.PEER_ROLE, 'vars', 'main.yml'), encoding='utf-8') as f:
        expression = yaml.safe_load(f)['_wireguard_mesh']
    assert expression.replace(' ', '') == '{{wireguard_site.mesh}}', expression
    with open(os.path.join(sm.PEER_ROLE, 'tasks', 'read_keys.yml'), encoding='utf-8') as f:
        task, = yaml.safe_load(f)
    assert task['register'] == 'wireguard_site', task
    args = task['sitemesh.wireguard.wg_mesh']
    assert args['group'].replace(' ', '') == '{{wireguard_mesh_group}}', args
    assert '_store' in args['public_key_store'] and args.get('scope', 'site') == 'site', args
    with open(os.path.join(sm.REPO, 'plugins', 'action', 'wg_mesh.py'), encoding='utf-8') as f:
        code = f.read()
    assert "task_vars.get('groups', {}).get(args['group'])" in code, 'wg_mesh must read the group'
    assert 'ansible_play_hosts' not in code and 'play_hosts' not in code and 'ansible_play_batch' not in code


def _playbook(sm, out_dir):
    _check_role_mesh_var(sm)
    return [{
        'name': 'Peers of each site, computed by the role code on the controller only',
        'hosts': 'wireguard',
        'gather_facts': False,
        'tasks': [
            {
                'name': 'Public keys of the whole mesh, by the role',
                'ansible.builtin.include_role': {
                    'name': 'sitemesh.wireguard.wireguard_peer',
                    'tasks_from': 'read_keys.yml',
                    # the role's defaults and vars (wireguard_mesh_group, _wireguard_mesh) for the next task
                    'public': True,
                },
            },
            {
                'name': 'Write the peers of this site on the controller',
                'ansible.builtin.copy': {
                    'content': '{{ _wireguard_mesh | to_nice_json }}\n',
                    'dest': '%s/{{ inventory_hostname }}.json' % out_dir,
                    'mode': '0644',
                },
                'delegate_to': 'localhost',
            },
        ],
    }]


@pytest.fixture
def filled_store(sm, key_store):
    """The public key store with a valid key per site (as keys.yml writes them: key + newline)."""
    keys = {}
    for host in sm.example_hosts():
        keys[host] = sm.new_public_key()
        (key_store / ('%s.pub' % host)).write_text(keys[host] + '\n')
    return key_store, keys


def _run(sm, tmp_path, fake_connection, store, name, *extra):
    out_dir = tmp_path / name
    out_dir.mkdir()
    playbook = tmp_path / ('%s.yml' % name)
    playbook.write_text(yaml.safe_dump(_playbook(sm, out_dir), sort_keys=False))
    result = sm.ansible_playbook([playbook, '-i', sm.EXAMPLE_INVENTORY, '-i', fake_connection,
                                  '-e', 'wireguard_public_key_store=%s' % store] + list(extra), tmp_path)
    assert result.rc == 0, result
    recap = sm.parse_recap(result.output)
    assert all(r['unreachable'] == 0 and r['failed'] == 0 for r in recap.values()), result
    written = {p[:-len('.json')]: _peers_decoded(json.loads((out_dir / p).read_text()))
               for p in os.listdir(str(out_dir))}
    return recap, written


def _peers_decoded(model):
    """The model with its peers as a list: wg_mesh returns them as one JSON text (a small registered result)."""
    assert isinstance(model['peers'], str), model
    return dict(model, peers=json.loads(model['peers']))


def test_limit_never_drops_peers(sm, tmp_path, fake_connection, filled_store):
    store, keys = filled_store

    full_recap, full = _run(sm, tmp_path, fake_connection, store, 'full')
    limited_recap, limited = _run(sm, tmp_path, fake_connection, store, 'limited', '--limit', 'giant')

    assert set(full_recap) == set(full) == {'giant', 'moly', 'raspi'}
    assert set(limited_recap) == set(limited) == {'giant'}  # the limit did apply

    giant = limited['giant']
    assert giant['peers'] == full['giant']['peers']
    assert giant == full['giant']
    assert giant['missing_public_keys'] == []
    by_name = {p['name']: p for p in giant['peers']}
    assert sorted(by_name) == ['moly', 'raspi']
    # the keys come from the store, read by the role's read_keys.yml
    assert {n: p['public_key'] for n, p in by_name.items()} == {'moly': keys['moly'], 'raspi': keys['raspi']}
    # the guide's #Giant config: everything through moly, raspi's networks toward raspi
    assert by_name['moly']['allowed_ips'] == ['0.0.0.0/0']
    assert by_name['moly']['endpoint'] == '192.168.1.162:5555'
    assert by_name['raspi']['allowed_ips'] == ['77.66.55.0/24', '172.16.1.3/32']
    assert by_name['raspi']['endpoint'] == '192.168.1.200:5555'
    assert giant['addresses'] == ['172.16.1.1/24'] and giant['listen_port'] == 5555

    # the other sites, from the full run: everyone peers with everyone
    assert sorted(p['name'] for p in full['moly']['peers']) == ['giant', 'raspi']
    assert sorted(p['name'] for p in full['raspi']['peers']) == ['giant', 'moly']
    assert sorted(full['moly']['masquerade_sources']) == sorted(
        ['10.0.1.0/24', '77.66.55.0/24', '172.16.1.1/32', '172.16.1.3/32'])


def test_limit_without_keys_reports_missing_peers(sm, tmp_path, fake_connection, key_store):
    """Control: the same run with an empty store has no peers, so the test above depends on the store."""
    _recap, limited = _run(sm, tmp_path, fake_connection, key_store, 'limited', '--limit', 'giant')

    assert limited['giant']['peers'] == []
    assert limited['giant']['missing_public_keys'] == ['moly', 'raspi']


def _validated_playbook(out_dir, new_key):
    """validate.yml as site.yml's first play runs it (the mesh parsed once, each site's model from its snapshot),
    then a key written to the store as keys.yml does (moly's), then read_keys.yml again as keys.yml includes it."""
    def write(name):
        return {'name': 'Write the model of this site (%s)' % name, 'ansible.builtin.copy': {
            'content': '{{ wireguard_site | to_nice_json }}\n',
            'dest': '%s/%s-{{ inventory_hostname }}.json' % (out_dir, name), 'mode': '0644'},
            'delegate_to': 'localhost'}
    return [{
        'name': 'Models from the validation snapshot',
        'hosts': 'wireguard',
        'gather_facts': False,
        'tasks': [
            {'name': 'Validate, as site.yml', 'ansible.builtin.include_role': {
                'name': 'sitemesh.wireguard.wireguard_peer', 'tasks_from': 'validate.yml', 'public': True}},
            write('validated'),
            {'name': 'A new key for moly, as keys.yml writes it', 'ansible.builtin.copy': {
                'content': new_key + '\n', 'dest': '{{ wireguard_public_key_store }}/moly.pub', 'mode': '0644'},
             'delegate_to': 'localhost', 'run_once': True},
            {'name': 'Public keys again, as keys.yml', 'ansible.builtin.include_role': {
                'name': 'sitemesh.wireguard.wireguard_peer', 'tasks_from': 'read_keys.yml', 'public': True}},
            write('rekeyed'),
        ],
    }]


def test_models_from_the_validation_snapshot(sm, tmp_path, fake_connection, filled_store):
    """The path of site.yml: each site's model comes from the validation's snapshot (from_snapshot), is the
    model computed from hostvars (the read_keys.yml-only runs above), a --limit run included, and a key written
    to the store after the validation reaches every site's model in the same run."""
    store, keys = filled_store
    _recap, full = _run(sm, tmp_path, fake_connection, store, 'full')    # read_keys.yml alone: from hostvars
    new_key = sm.new_public_key()
    models = {}
    for name, extra in (('all', []), ('limited', ['--limit', 'giant'])):
        (store / 'moly.pub').write_text(keys['moly'] + '\n')
        out_dir = tmp_path / ('snapshot-' + name)
        out_dir.mkdir()
        playbook = tmp_path / ('snapshot-%s.yml' % name)
        playbook.write_text(yaml.safe_dump(_validated_playbook(out_dir, new_key), sort_keys=False))
        result = sm.ansible_playbook([playbook, '-i', sm.EXAMPLE_INVENTORY, '-i', fake_connection,
                                      '-e', 'wireguard_public_key_store=%s' % store] + extra, tmp_path)
        assert result.rc == 0, result
        models[name] = {}
        for path in os.listdir(str(out_dir)):
            site = json.loads((out_dir / path).read_text())
            models[name][path[:-len('.json')]] = dict(site, mesh=_peers_decoded(site['mesh']))
    assert set(models['all']) == {'%s-%s' % (w, h) for w in ('validated', 'rekeyed') for h in full}
    assert set(models['limited']) == {'validated-giant', 'rekeyed-giant'}
    for name, written in models.items():
        for host in ('giant',) if name == 'limited' else full:
            validated = written['validated-' + host]
            assert validated['from_snapshot'] is True, validated
            assert validated['mesh'] == full[host], (name, host)
            rekeyed = written['rekeyed-' + host]
            assert rekeyed['from_snapshot'] is True
            # each site's result holds its own stored key only (the store is the validation's, once per run)
            assert 'public_keys' not in rekeyed and 'public_keys' not in validated
            assert validated['public_key'] == keys[host] and rekeyed['public_key'] == (
                new_key if host == 'moly' else keys[host]), (name, host)
            moly = [p for p in rekeyed['mesh']['peers'] if p['name'] == 'moly']
            assert moly == ([] if host == 'moly' else [dict(p, public_key=new_key) for p in full[host]['peers']
                                                       if p['name'] == 'moly']), (name, host)


def test_limit_with_a_lost_key_store_is_refused_before_any_host_is_touched(sm, tmp_path, fake_connection, key_store):
    """An empty store (a fresh AWX job, a moved playbook directory) and --limit: giant would be configured
    without moly and raspi, its tunnels to them dropped. site.yml refuses, naming the store and the sites."""
    result = sm.site_yml(tmp_path, fake_connection, key_store, '--limit', 'giant')

    assert result.rc != 0, result
    recap = sm.parse_recap(result.output)
    assert recap['giant']['unreachable'] == 0 and recap['giant']['failed'] == 1, result
    assert 'Install WireGuard' not in ''.join(sm.task_headers(result.output)), result
    text = ' '.join(result.output.split())
    assert 'the public key store %s holds no key of moly, raspi, and the inventory sets none' % key_store in text, text
    assert 'this run leaves them out, and they would be dropped from the peers of giant' in text, text


def test_limit_leaving_out_a_site_without_a_key_is_refused(sm, tmp_path, fake_connection, filled_store):
    """A store that lost one key (raspi's): a run on giant would drop raspi from giant's peers. Refused."""
    store, _keys = filled_store
    os.remove(os.path.join(store, 'raspi.pub'))
    result = sm.site_yml(tmp_path, fake_connection, store, '--limit', 'giant')

    assert result.rc != 0, result
    assert 'Install WireGuard' not in ''.join(sm.task_headers(result.output)), result
    text = ' '.join(result.output.split())
    assert 'holds no key of raspi, and the inventory sets none' in text, text
    assert 'this run leaves it out, and it would be dropped from the peers of giant' in text, text


def test_limit_with_keys_in_the_store_is_not_refused(sm, tmp_path, fake_connection, filled_store):
    """Control: the same run with the keys stored passes the validation and goes on to read the site (which
    fails here: its container does not exist)."""
    store, _keys = filled_store
    result = sm.site_yml(tmp_path, fake_connection, store, '--limit', 'giant')

    assert 'holds no key of' not in result.output, result.output
    assert 'Read what this site has' in ''.join(sm.task_headers(result.output)), str(result)
    assert 'no container with name or ID' in result.output and 'sitemesh-no-such-container-giant' in result.output, str(result)
