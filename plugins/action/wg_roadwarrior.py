# -*- coding: utf-8 -*-
# Copyright (c) 2026, sitemesh.wireguard maintainers
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""The controller side of sitemesh.wireguard.wg_roadwarrior: a device's key, address, config and QR code.

Runs for the site the device dials (``inventory_hostname``, the play's ``via``) and never contacts it
(``_requires_connection = False``): the device's private key is made here, in this process, and written only
into the device's config on the controller. The site gets the returned ``peer`` (public key and address) with
``sitemesh.wireguard.wg_peer``. The logic lives in ``module_utils/_roadwarrior.py``.
"""

from __future__ import annotations

import contextlib
import fcntl
import os

from ansible.module_utils.common.arg_spec import ArgumentSpecValidator
from ansible.utils.display import Display

from ansible_collections.sitemesh.wireguard.plugins.action.wg_mesh import read_key_store
from ansible_collections.sitemesh.wireguard.plugins.module_utils import _roadwarrior as rw
from ansible_collections.sitemesh.wireguard.plugins.module_utils._files import file_mode, read_text, replace_private
from ansible_collections.sitemesh.wireguard.plugins.module_utils._keys import CryptographyBackend, _cryptography
from ansible_collections.sitemesh.wireguard.plugins.module_utils._mesh_parse import MeshError
from ansible_collections.sitemesh.wireguard.plugins.module_utils._mesh_topology import host_model
from ansible_collections.sitemesh.wireguard.plugins.plugin_utils._action_args import ControllerAction

display = Display()

_ARGS = ArgumentSpecValidator({
    'device': {'type': 'str', 'required': True},
    'state': {'type': 'str', 'default': 'present', 'choices': ['present', 'absent']},
    'group': {'type': 'str', 'default': 'wireguard'},
    'prefix': {'type': 'str', 'default': 'wireguard_'},
    'public_key_store': {'type': 'path', 'required': True},
    'directory': {'type': 'path', 'required': True},
    'default_route': {'type': 'bool', 'default': True},
    'dns': {'type': 'list', 'elements': 'str', 'default': []},
    'persistent_keepalive': {'type': 'int', 'default': rw.DEFAULT_KEEPALIVE},
    'qr_terminal': {'type': 'bool', 'default': True},
})


@contextlib.contextmanager
def _locked(directory):
    """One run at a time changes the registry of a directory (two devices never get one address)."""
    with open(os.path.join(directory, '.lock'), 'a') as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def _new_key_pair():
    x25519, serialization = _cryptography()
    if x25519 is None:
        raise MeshError('roadwarrior: the Python library cryptography is needed on the controller')
    backend = CryptographyBackend(x25519, serialization)
    private = backend.generate()
    return private, backend.public_key(private)


class ActionModule(ControllerAction):
    """Add (state=present) or remove (state=absent) one road warrior of the site this task runs for."""

    NAME = 'wg_roadwarrior'
    ARGS = _ARGS

    def run(self, tmp=None, task_vars=None):
        task_vars = task_vars or {}
        result, args = self.begin(tmp, task_vars)
        via = task_vars['inventory_hostname']
        try:
            device = rw.check_device(args['device'])
            paths = {'config': os.path.join(args['directory'], device + '.conf'),
                     'qr_png': os.path.join(args['directory'], device + '.png')}
            if not self._task.check_mode:
                os.makedirs(args['directory'], mode=0o700, exist_ok=True)
                os.chmod(args['directory'], 0o700)
            elif not os.path.isdir(args['directory']):
                devices = {}
                return self._apply(result, args, task_vars, via, device, paths, devices)
            with _locked(args['directory']):
                devices = rw.load_registry(args['directory'])
                return self._apply(result, args, task_vars, via, device, paths, devices)
        except MeshError as exc:
            return dict(result, failed=True, msg=str(exc))

    def _apply(self, result, args, task_vars, via, device, paths, devices):
        result.update(device=device, via=via, config_path=paths['config'], qr_png=paths['qr_png'])
        if args['state'] == 'absent':
            return self._remove(result, args, via, device, paths, devices)
        hosts = task_vars.get('groups', {}).get(args['group']) or []
        mesh = host_model(task_vars['hostvars'], via, hosts, read_key_store(args['public_key_store']),
                          args['prefix'])[0]
        via_key = mesh.sites[via].public_key
        if not via_key:
            raise MeshError('roadwarrior: no public key of %s in %s yet: run site.yml first'
                            % (via, args['public_key_store']))
        view = rw.device_view(mesh, via, args['default_route'])
        address = rw.allocate(view['pool'], devices, device, via)
        entry = devices.get(device)
        private = rw.private_key_of(read_text(paths['config'])) if entry else None
        if private is None or CryptographyBackend(*_cryptography()).public_key(private) != entry['public_key']:
            private, public = _new_key_pair()
        else:
            public = entry['public_key']
        config = rw.render_config(private, address, via_key, view['endpoint'], view['allowed_ips'], args['dns'],
                                  args['persistent_keepalive'])
        wanted = dict(devices, **{device: {'via': via, 'address': address, 'public_key': public}})
        files = [(paths['config'], config), (paths['qr_png'], rw.qr_png(config)),
                 (rw.registry_path(args['directory']), rw.dump_registry(wanted))]
        if self._task.check_mode:
            changed = entry != wanted[device] or any(self._differs(path, content) for path, content in files)
        else:
            changed = False
            for path, content in files:  # every file written, even after the first that changed
                changed = replace_private(path, content) or changed
        result.update(changed=changed, address=address, public_key=public, endpoint=view['endpoint'],
                      allowed_ips=view['allowed_ips'], peer={'public_key': public, 'allowed_ips': ['%s/32' % address]})
        if args['qr_terminal'] and not self._task.check_mode:
            # Straight to the screen, never to the log or a callback: the QR code holds the private key.
            display.display('%s (through %s, %s): scan with the WireGuard app\n%s'
                            % (device, via, address, rw.qr_terminal(config)), screen_only=True)
        return result

    @staticmethod
    def _differs(path, content):
        data = content if isinstance(content, bytes) else content.encode('utf-8')
        try:
            with open(path, 'rb') as handle:
                return handle.read() != data or file_mode(path) != 0o600
        except (IOError, OSError):
            return True

    def _remove(self, result, args, via, device, paths, devices):
        entry = devices.get(device)
        if entry is not None and entry['via'] != via:
            raise MeshError('roadwarrior: %s joins through %s, not %s' % (device, entry['via'], via))
        present = [p for p in paths.values() if os.path.exists(p)]
        result.update(changed=entry is not None or bool(present), public_key=entry['public_key'] if entry else None,
                      address=entry['address'] if entry else None)
        if self._task.check_mode:
            return result
        for path in present:
            os.unlink(path)
        if entry is not None:
            rest = dict((name, value) for name, value in devices.items() if name != device)
            replace_private(rw.registry_path(args['directory']), rw.dump_registry(rest))
        return result
