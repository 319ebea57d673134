# -*- coding: utf-8 -*-
# Copyright (c) 2026, sitemesh.wireguard maintainers
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Promise: "ansible-galaxy collection build makes a tarball for elsewhere", documented by ansible-doc.

The tarball is built from the checkout, installed offline into tmp_path, and ansible-doc reads every
module, filter and role from that installed copy, from a cwd outside the repo (the repo's ansible.cfg,
which resolves sitemesh.wireguard to the checkout, is not used).
"""

from __future__ import annotations

import os
import re
import shutil
import sysconfig
import tarfile

import pytest
import yaml

REQUIRED_MEMBERS = [
    'MANIFEST.json',
    'FILES.json',
    'meta/runtime.yml',
    'plugins/modules/wg_keypair.py',
    'plugins/modules/wg_interface.py',
    'plugins/modules/wg_peer.py',
    'plugins/filter/mesh_host.py',
    'plugins/module_utils/_mesh_schema.py',
    'plugins/filter/mesh_host.yml',
    'plugins/module_utils/_execute.py',
    'roles/wireguard_peer/meta/argument_specs.yml',
    'roles/wireguard_peer/tasks/main.yml',
    'roles/wireguard_exit/meta/argument_specs.yml',
    'playbooks/site.yml',
    'README.md',
    'LICENSE',
]

# Path components that are state of a machine or of a run, never part of the collection.
FORBIDDEN_COMPONENTS = {'.venv', '.tmp', '.cache', '__pycache__', 'public_keys', '.pytest_cache', '.molecule',
                        '.ansible', '.git', 'roadwarrior'}


def forbidden_members(names):
    bad = []
    for name in names:
        parts = name.strip('/').split('/')
        if FORBIDDEN_COMPONENTS & set(parts) or name.endswith(('.pyc', '.tar.gz')) or name.startswith('tests/output'):
            bad.append(name)
    return bad


def _members(tarball):
    with tarfile.open(tarball) as tar:
        return [m.name[2:] if m.name.startswith('./') else m.name for m in tar.getmembers()]


def _build(sm, source, output, home):
    os.makedirs(str(output), exist_ok=True)
    result = sm.run([sm.venv_tool('ansible-galaxy'), 'collection', 'build', '--output-path', str(output)],
                    source, sm.clean_env(ANSIBLE_HOME=home))
    assert result.rc == 0, result
    tarballs = [f for f in os.listdir(str(output)) if f.endswith('.tar.gz')]
    assert tarballs == ['sitemesh-wireguard-%s.tar.gz' % _version(source)], result
    return os.path.join(str(output), tarballs[0])


def _version(source):
    with open(os.path.join(str(source), 'galaxy.yml'), encoding='utf-8') as f:
        return yaml.safe_load(f)['version']


@pytest.fixture(scope='module')
def built(sm, tmp_path_factory):
    """The tarball built from the checkout (the repo root), into a tmp dir."""
    base = tmp_path_factory.mktemp('build')
    return _build(sm, sm.REPO, base / 'out', base / 'home')


@pytest.fixture(scope='module')
def installed(sm, built, tmp_path_factory):
    """The tarball installed offline, without dependencies, into <tmp>/coll."""
    base = tmp_path_factory.mktemp('install')
    coll = base / 'coll'
    env = sm.clean_env(ANSIBLE_HOME=base / 'home', ANSIBLE_COLLECTIONS_PATH=coll)
    result = sm.run([sm.venv_tool('ansible-galaxy'), 'collection', 'install', '--offline', '--no-deps',
                     '-p', str(coll), built], base, env)
    assert result.rc == 0, result
    root = coll / 'ansible_collections' / 'sitemesh' / 'wireguard'
    assert (root / 'MANIFEST.json').is_file(), result
    assert not os.path.islink(str(root)), 'installed as a link, not from the tarball'
    return base, coll, root


def test_build_from_the_repo_root(built):
    names = _members(built)
    for required in REQUIRED_MEMBERS:
        assert required in names, '%s missing from %s' % (required, built)
    assert forbidden_members(names) == []


def test_build_ignores_local_state(sm, tmp_path):
    """galaxy.yml's build_ignore keeps out what runs leave in a checkout (planted in a copy of it)."""
    source = tmp_path / 'src'
    shutil.copytree(sm.REPO, str(source), symlinks=True,
                    ignore=shutil.ignore_patterns('.venv', '.tmp', '.git', '.cache', '.ansible', '.pytest_cache',
                                                  '__pycache__', '*.pyc', 'public_keys', 'roadwarrior', '*.tar.gz'))
    planted = [
        '.venv/pyvenv.cfg',                                        # the project venv
        '.venv/lib/python3.11/site-packages/x.py',
        '.tmp/collections/ansible_collections/sitemesh/README',    # setup.sh's collections path, lab state
        '.tmp/lab/inventory/hosts.yml',
        'public_keys/wireguard/giant.pub',                         # site.yml's default key store of before
        'playbooks/public_keys/wireguard/giant.pub',               # the collection playbook's default key store
        'molecule/default/public_keys/wireguard/giant.pub',        # the default store of a playbook run there
        'roadwarrior/wireguard/alice-phone.conf',                  # roadwarrior.yml's default dir (a device's key)
        'roadwarrior/wireguard/registry.json',
        'playbooks/roadwarrior/wireguard/alice-phone.conf',        # the same, had it been run from playbooks/
        '.cache/pip/x',
        '__pycache__/x.cpython-311.pyc',
        'plugins/filter/__pycache__/mesh.cpython-311.pyc',
        'tests/unit/playbooks/__pycache__/conftest.cpython-311-pytest-9.0.2.pyc',
        '.pytest_cache/v/cache/lastfailed',
        '.ansible/tmp/molecule.abcd.default/state.yml',            # ansible-compat / molecule ephemeral state
        '.ansible/collections/ansible_collections/x/y/MANIFEST.json',
        'molecule/default/.molecule/state.yml',                     # older molecule ephemeral state
        'tests/output/junit/x.xml',                                 # ansible-test
        'docs/build/html/index.html',                               # scripts/ecosystem.sh docs
        'sitemesh-wireguard-0.0.1.tar.gz',                          # an older build
    ]
    for rel in planted:
        path = source / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text('planted by test_build_ignores_local_state\n')

    names = _members(_build(sm, source, tmp_path / 'out', tmp_path / 'home'))

    leaked = [rel for rel in planted if rel in names]
    assert leaked == [], 'galaxy.yml build_ignore lets these into the tarball: %s' % leaked
    assert forbidden_members(names) == []
    for required in REQUIRED_MEMBERS:
        assert required in names


def _site_packages_collections():
    purelib = sysconfig.get_paths()['purelib']
    assert os.path.isdir(os.path.join(purelib, 'ansible_collections', 'ansible', 'posix')), purelib
    return purelib


def _doc(sm, installed, *args):
    base, coll, _root = installed
    cwd = base / 'cwd'
    cwd.mkdir(exist_ok=True)
    assert not str(cwd).startswith(sm.REPO + os.sep)
    env = sm.clean_env(ANSIBLE_HOME=base / 'home',
                       ANSIBLE_COLLECTIONS_PATH='%s:%s' % (coll, _site_packages_collections()))
    return sm.run([sm.venv_tool('ansible-doc')] + list(args), cwd, env)


def documented_options(text):
    """{section: [option names]} from ansible-doc's text output (ANSIBLE_NOCOLOR), top-level options only.

    The section is 'OPTIONS' for plugins and 'ENTRY POINT: <name>' for roles.
    """
    sections = {}
    section = None
    entry = None
    for line in text.splitlines():
        m = re.match(r'^ENTRY POINT: \*?(\w+)\*?', line)
        if m:
            entry = m.group(1)
            section = None
            continue
        if re.match(r'^(OPTIONS|Options)\b', line):
            section = 'ENTRY POINT: %s' % entry if entry else 'OPTIONS'
            sections.setdefault(section, [])
            continue
        if re.match(r'^[A-Z][A-Za-z ]+:', line):  # NOTES:, RETURN VALUES:, ...
            section = None
            continue
        m = re.match(r'^[-=] (\w+)', line)
        if m and section:
            sections[section].append(m.group(1))
    return sections


PLUGINS = [
    # (ansible-doc arguments, section, options that must be documented)
    (['sitemesh.wireguard.wg_keypair'], 'OPTIONS',
     ['path', 'interface', 'state', 'regenerate', 'mode']),
    (['sitemesh.wireguard.wg_interface'], 'OPTIONS',
     ['name', 'state', 'addresses', 'listen_port', 'private_key_file', 'mtu', 'table', 'fwmark', 'dns', 'pre_up',
      'post_up', 'pre_down', 'post_down', 'peers', 'config_path', 'backup', 'apply', 'enabled']),
    (['sitemesh.wireguard.wg_peer'], 'OPTIONS',
     ['interface', 'public_key', 'state', 'allowed_ips', 'endpoint', 'persistent_keepalive', 'preshared_key',
      'config_path', 'routes']),
    (['sitemesh.wireguard.wg_info'], 'OPTIONS', ['name', 'names']),
    (['sitemesh.wireguard.wg_status'], 'OPTIONS', ['sites', 'max_age']),
    (['sitemesh.wireguard.wg_mesh'], 'OPTIONS',
     ['scope', 'group', 'prefix', 'public_key_store', 'public_keys', 'roles', 'snapshot', 'roadwarrior_dir']),
    (['sitemesh.wireguard.wg_roadwarrior'], 'OPTIONS',
     ['device', 'state', 'group', 'prefix', 'public_key_store', 'directory', 'default_route', 'dns']),
    (['-t', 'filter', 'sitemesh.wireguard.mesh_mermaid'], 'OPTIONS', ['_input', 'hosts']),
    (['-t', 'filter', 'sitemesh.wireguard.mesh_dot'], 'OPTIONS', ['_input', 'hosts']),
    (['-t', 'filter', 'sitemesh.wireguard.mesh_host'], 'OPTIONS', ['_input', 'host', 'hosts', 'public_keys', 'prefix']),
    (['-t', 'filter', 'sitemesh.wireguard.mesh_validate'], 'OPTIONS', ['_input', 'hosts', 'public_keys', 'prefix']),
    (['-t', 'filter', 'sitemesh.wireguard.mesh_psk'], 'OPTIONS', ['_input', 'public_key_a', 'public_key_b']),
    (['-t', 'filter', 'sitemesh.wireguard.mesh_with_psk'], 'OPTIONS', ['_input', 'secret', 'public_key']),
    (['-t', 'role', 'sitemesh.wireguard.wireguard_peer'], 'ENTRY POINT: main',
     ['wireguard_mesh_group', 'wireguard_var_prefix', 'wireguard_interface', 'wireguard_public_key_store',
      'wireguard_apt_source', 'wireguard_address', 'wireguard_network', 'wireguard_endpoint', 'wireguard_port',
      'wireguard_client_networks', 'wireguard_exit', 'wireguard_hub', 'wireguard_mesh_secret', 'wireguard_watchdog',
      'wireguard_watchdog_interval', 'wireguard_metrics_textfile', 'wireguard_metrics_interval',
      'wireguard_reresolve', 'wireguard_reresolve_interval']),
    (['-t', 'role', 'sitemesh.wireguard.wireguard_peer'], 'ENTRY POINT: validate',
     ['wireguard_mesh_group', 'wireguard_var_prefix', 'wireguard_public_key_store', 'wireguard_roadwarrior_dir']),
    (['-t', 'role', 'sitemesh.wireguard.wireguard_exit'], 'ENTRY POINT: main',
     ['wireguard_mesh_group', 'wireguard_var_prefix', 'wireguard_interface', 'wireguard_exit_sysctl_file',
      'wireguard_exit_nft_file', 'wireguard_exit_extra_sources']),
]


@pytest.mark.parametrize('args, section, expected', PLUGINS,
                         ids=['%s:%s' % (a[-1].rsplit('.', 1)[1], s.rsplit(' ', 1)[-1]) for a, s, _e in PLUGINS])
def test_ansible_doc_from_the_installed_tarball(sm, installed, args, section, expected):
    result = _doc(sm, installed, *args)

    assert result.rc == 0, result
    assert 'WARNING' not in result.stderr and 'ERROR' not in result.stderr, result
    _base, _coll, root = installed
    assert '(%s' % root in result.stdout.splitlines()[0], 'not documented from the installed copy\n%s' % result
    options = documented_options(result.stdout)
    assert section in options, 'no %s in\n%s' % (section, result)
    missing = [o for o in expected if o not in options[section]]
    assert missing == [], 'undocumented: %s\n%s' % (missing, result)


def test_role_defaults_are_documented(sm, installed):
    """Every variable in a role's defaults/main.yml is an option of its main entry point (ansible-doc -t role)."""
    for role in ('wireguard_peer', 'wireguard_exit'):
        result = _doc(sm, installed, '-t', 'role', 'sitemesh.wireguard.%s' % role)
        assert result.rc == 0, result
        with open(os.path.join(sm.REPO, 'roles', role, 'defaults', 'main.yml'), encoding='utf-8') as f:
            defaults = set(yaml.safe_load(f))
        assert defaults - set(documented_options(result.stdout)['ENTRY POINT: main']) == set(), result


@pytest.mark.parametrize('plugin_type, directory', [('module', 'plugins/modules'), ('filter', 'plugins/filter')])
def test_ansible_doc_lists_every_plugin(sm, installed, plugin_type, directory):
    """Every module file and every filter doc of the checkout is listed by ansible-doc -l from the tarball."""
    result = _doc(sm, installed, '-t', plugin_type, '-l', 'sitemesh.wireguard')
    assert result.rc == 0, result
    listed = set(re.findall(r'^sitemesh\.wireguard\.(\w+)\s', result.stdout, re.M))
    suffix = '.py' if plugin_type == 'module' else '.yml'
    in_checkout = {f[:-len(suffix)] for f in os.listdir(os.path.join(sm.REPO, directory))
                   if f.endswith(suffix) and not f.startswith('_')}
    assert in_checkout and listed == in_checkout, result


def test_installed_collection_runs_outside_the_repo(sm, installed, tmp_path):
    """The installed copy works elsewhere: its site.yml validates the example inventory on the controller,
    and the role computes giant's peers from a key store (the hosts are never contacted: their
    connection points at containers that do not exist, and the playbook stops at validation via a tag)."""
    base, coll, root = installed
    inventory = sm.copy_example_inventory(tmp_path / 'inventory')
    sm.write_fake_connection_inventory(os.path.join(inventory, 'fake_connection.yml'), sm.example_hosts())
    store = tmp_path / 'keys'
    store.mkdir()
    keys = {host: sm.new_public_key() for host in sm.example_hosts()}
    for host, key in keys.items():
        (store / ('%s.pub' % host)).write_text(key + '\n')
    playbook = tmp_path / 'peers.yml'
    playbook.write_text(yaml.safe_dump([
        {'name': 'The installed collection site.yml', 'ansible.builtin.import_playbook': str(root / 'site.yml'),
         'tags': ['never']},
        {'name': 'Peers of giant, by the installed role', 'hosts': 'giant', 'gather_facts': False, 'tasks': [
            {'name': 'Validate and read keys', 'ansible.builtin.include_role': {
                'name': 'sitemesh.wireguard.wireguard_peer', 'tasks_from': 'validate.yml', 'public': True}},
            {'name': 'Show the peers', 'ansible.builtin.debug': {
                'msg': "PEERS={{ _wireguard_mesh.peers | from_json | map(attribute='name') | join(',') }}"}}]}]))
    cwd = base / 'cwd-run'
    cwd.mkdir(exist_ok=True)
    env = sm.clean_env(ANSIBLE_HOME=base / 'home', ANSIBLE_LOCAL_TEMP=tmp_path / 'tmp',
                       ANSIBLE_COLLECTIONS_PATH='%s:%s' % (coll, _site_packages_collections()))
    result = sm.run([sm.venv_tool('ansible-playbook'), '-i', inventory, str(playbook),
                     '-e', 'wireguard_public_key_store=%s' % store], cwd, env)
    assert result.rc == 0, result
    assert 'PEERS=moly,raspi' in result.output, result
    recap = sm.parse_recap(result.output)
    assert recap['giant']['unreachable'] == 0 and recap['giant']['failed'] == 0, result


def _playbook_env(sm, installed, tmp_path):
    """cwd outside the repo, collections path = the installed copy + the venv's bundled collections only."""
    base, coll, _root = installed
    cwd = tmp_path / 'cwd'
    cwd.mkdir()
    assert not str(cwd).startswith(sm.REPO + os.sep)
    env = sm.clean_env(ANSIBLE_HOME=base / 'home', ANSIBLE_LOCAL_TEMP=tmp_path / 'tmp',
                       ANSIBLE_COLLECTIONS_PATH='%s:%s' % (coll, _site_packages_collections()))
    return cwd, env


def test_collection_playbook_syntax_from_the_installed_tarball(sm, installed, tmp_path):
    """`ansible-playbook sitemesh.wireguard.site` is found among the installed collection's playbooks."""
    inventory = sm.copy_example_inventory(tmp_path / 'inventory')
    cwd, env = _playbook_env(sm, installed, tmp_path)
    result = sm.run([sm.venv_tool('ansible-playbook'), '-i', inventory, 'sitemesh.wireguard.site', '--syntax-check'],
                    cwd, env)
    assert result.rc == 0, result
    _base, _coll, root = installed
    assert 'playbook: %s' % (root / 'playbooks' / 'site.yml') in result.stdout, 'not the installed copy\n%s' % result


def test_collection_playbook_validates_before_any_host(sm, installed, tmp_path):
    """The installed `sitemesh.wireguard.site` runs the validation play first: a broken inventory stops there,
    naming site and variable, and no host is contacted (each points at a container that does not exist)."""
    inventory = sm.copy_example_inventory(tmp_path / 'inventory')
    sm.write_fake_connection_inventory(os.path.join(inventory, 'fake_connection.yml'), sm.example_hosts())
    sm.set_host_var(inventory, 'raspi', 'wireguard_address', '172.16.1.300')
    store = tmp_path / 'keys'
    store.mkdir()
    cwd, env = _playbook_env(sm, installed, tmp_path)

    result = sm.run([sm.venv_tool('ansible-playbook'), '-i', inventory, 'sitemesh.wireguard.site',
                     '-e', 'wireguard_public_key_store=%s' % store], cwd, env)

    assert result.rc == 2, result
    assert re.search(r"^raspi: wireguard_address '172\.16\.1\.300'", result.output, re.M), result
    assert sm.play_headers(result.output) == ['Validate the WireGuard mesh (controller only)'], result
    recap = sm.parse_recap(result.output)
    assert recap and set(recap) <= set(sm.example_hosts()), result   # 2.16 lists only the host that failed
    assert all(r['unreachable'] == 0 for r in recap.values()), result
    assert os.listdir(str(store)) == []


def test_collection_roadwarrior_and_draw_write_under_the_current_directory(sm, installed, tmp_path):
    """`ansible-playbook sitemesh.wireguard.roadwarrior` and `sitemesh.wireguard.draw` from the installed copy:
    the device's files and the drawings go under the directory ansible-playbook runs in, none into the installed
    collection (the device is made on the controller before the site is contacted: moly points at a container
    that does not exist, so its wg_peer task is unreachable)."""
    _base, _coll, root = installed
    inventory = sm.copy_example_inventory(tmp_path / 'inventory')
    sm.write_fake_connection_inventory(os.path.join(inventory, 'fake_connection.yml'), sm.example_hosts())
    sm.set_host_var(inventory, 'moly', 'wireguard_roadwarrior_pool', '10.0.9.0/24')
    store = tmp_path / 'keys'
    store.mkdir()
    for host in sm.example_hosts():
        (store / ('%s.pub' % host)).write_text(sm.new_public_key() + '\n')
    cwd, env = _playbook_env(sm, installed, tmp_path)

    def tree():
        return sorted((os.path.join(d, f), os.stat(os.path.join(d, f)).st_mtime_ns)
                      for d, _dirs, files in os.walk(str(root)) for f in files if '__pycache__' not in d)
    before = tree()
    result = sm.run([sm.venv_tool('ansible-playbook'), '-i', inventory, 'sitemesh.wireguard.roadwarrior',
                     '-e', 'wireguard_public_key_store=%s' % store, '-e', 'device=alice-phone', '-e', 'via=moly'],
                    cwd, env)
    assert result.rc == 4, result   # unreachable: moly's wg_peer task, after the device was made
    recap = sm.parse_recap(result.output)
    assert recap['moly']['unreachable'] == 1 and recap['moly']['failed'] == 0, result
    made = cwd / 'roadwarrior' / 'wireguard'
    assert sorted(os.listdir(str(made))) == ['.lock', 'alice-phone.conf', 'alice-phone.png', 'registry.json'], result

    if shutil.which('dot') is None:
        pytest.skip('dot (Debian package graphviz) is not installed')
    result = sm.run([sm.venv_tool('ansible-playbook'), '-i', inventory, 'sitemesh.wireguard.draw'], cwd, env)
    assert result.rc == 0, result
    assert sorted(os.listdir(str(cwd / 'docs'))) == ['mesh.dot', 'mesh.mmd', 'mesh.svg'], result
    assert 'alice-phone' in (cwd / 'docs' / 'mesh.mmd').read_text()   # the registry of the same directory
    assert tree() == before   # nothing written into the installed collection
