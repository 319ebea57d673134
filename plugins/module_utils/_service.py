# Note that this module util is **PRIVATE** to the collection. It can have breaking changes at any time.
# Do not use this from other collections or standalone plugins/modules!

# Copyright (c) 2026, sitemesh.wireguard contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Starting, stopping, enabling an interface: ``wg-quick@NAME`` under systemd, ``wg-quick`` without it."""

from __future__ import annotations

import os

from ansible_collections.sitemesh.wireguard.plugins.module_utils._files import config_path as default_config_path
from ansible_collections.sitemesh.wireguard.plugins.module_utils._live import read_link
from ansible_collections.sitemesh.wireguard.plugins.module_utils._runner import read, run


def unit(name):
    return 'wg-quick@%s' % name


def uses_systemd(module, name, config_path):
    """wg-quick@NAME.service is used only when systemd runs this host and the file is the one the
    unit reads (/etc/wireguard/NAME.conf); else ``wg-quick up|down CONFIG_PATH`` directly."""
    return (os.path.isdir('/run/systemd/system') and bool(module.get_bin_path('systemctl'))
            and os.path.abspath(config_path) == default_config_path(name))


def up_argv(module, name, config_path):
    """The command that brings NAME up while its link is missing.

    A unit still ``active (exited)`` (after a ``wg-quick down`` by hand, or a userspace daemon that
    died) does nothing on ``start``: it is restarted.
    """
    if uses_systemd(module, name, config_path):
        state = read(module, ['systemctl', 'is-active', unit(name)]).strip()
        return ['systemctl', 'restart' if state == 'active' else 'start', unit(name)]
    return ['wg-quick', 'up', os.path.abspath(config_path)]


def bring_down(module, name, config_path):
    """Take NAME down (state=absent only). Returns changed."""
    if read_link(module, name) is None:
        return False
    if module.check_mode:
        return True
    if uses_systemd(module, name, config_path):
        if read(module, ['systemctl', 'is-active', unit(name)]).strip() == 'active':
            run(module, ['systemctl', 'stop', unit(name)])
    if read_link(module, name) is not None:
        if os.path.exists(config_path):
            run(module, ['wg-quick', 'down', os.path.abspath(config_path)])
        else:
            run(module, ['ip', 'link', 'delete', 'dev', name])
    return True


def systemd_enable(module, name, enabled, unit_name=None):
    """Enable or disable wg-quick@NAME (or ``unit_name``); returns changed. Needs systemctl (skipped without it)."""
    unit_name = unit_name or unit(name)
    if not module.get_bin_path('systemctl'):
        if enabled:
            module.warn('systemctl not found: %s was not enabled' % unit_name)
        return False
    # a disabled unit makes is-enabled fail: read() gives '' then
    is_enabled = read(module, ['systemctl', 'is-enabled', unit_name]).strip() in ('enabled', 'enabled-runtime')
    if is_enabled == enabled:
        return False
    if not module.check_mode:
        run(module, ['systemctl', 'enable' if enabled else 'disable', unit_name])
    return True


def ifupdown_argv(verb, name, interfaces):
    """``ifup`` / ``ifdown`` of NAME from ``interfaces``, forced: ifupdown's state may say it is up when
    its link vanished (ifup would then do nothing), or not know a link another way made."""
    return ['if%s' % verb, '-i', interfaces, '--force', name]


def wg_quick_active(module, name, config_path):
    """True when wg-quick@NAME is active under systemd (the wg-quick backend owns the running NAME)."""
    return uses_systemd(module, name, config_path) and \
        read(module, ['systemctl', 'is-active', unit(name)]).strip() == 'active'
