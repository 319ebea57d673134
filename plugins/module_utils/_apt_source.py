# Note that this module util is **PRIVATE** to the collection. It can have breaking changes at any time.
# Do not use this from other collections or standalone plugins/modules!

# Copyright (c) 2026, sitemesh.wireguard contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""The extra Debian source of the wireguard_peer role and its pin: the one place their content is written.

Their content depends on the site's codename (``<codename>-backports``), known only once the site was
read; so the controller side of ``wg_site_facts`` renders them after its read and compares them there.
"""

from __future__ import annotations

HEADER = '# Managed by Ansible (sitemesh.wireguard.wireguard_peer): local changes are overwritten'
SOURCES = ('unstable', 'backports', 'none')


def source_path(source):
    return '/etc/apt/sources.list.d/sitemesh-wireguard-%s.list' % source


def pin_path(source):
    return '/etc/apt/preferences.d/sitemesh-wireguard-limit-%s' % source


# Every file a choice can write, so that a switch (unstable -> backports -> none) removes the former ones.
ALL_PATHS = tuple(path for source in SOURCES[:2] for path in (source_path(source), pin_path(source)))


def suite(source, codename):
    """The apt suite of ``source``: ``unstable``, or ``<codename>-backports`` (``stable-backports`` unknown)."""
    return 'unstable' if source == 'unstable' else '%s-backports' % (codename or 'stable')


def wanted_files(source, mirror, pin_priority, codename):
    """The files of ``source`` as {dest, content, mode}; none for ``none``."""
    if source not in SOURCES:
        raise ValueError('apt_source.source %r is not one of %s' % (source, ', '.join(SOURCES)))
    if source == 'none':
        return []
    name = suite(source, codename)
    list_file = '%s\ndeb %s %s main\n' % (HEADER, mirror, name)
    pin_file = ('%s\n# apt takes a package from %s only where the release lacks it.\n'
                'Package: *\nPin: release a=%s\nPin-Priority: %d\n' % (HEADER, name, name, int(pin_priority)))
    return [{'dest': source_path(source), 'mode': '0644', 'content': list_file},
            {'dest': pin_path(source), 'mode': '0644', 'content': pin_file}]


def stale_paths(source, present):
    """The files of a former choice that are still on the site (``present``: paths found there)."""
    keep = {source_path(source), pin_path(source)} if source != 'none' else set()
    return [path for path in ALL_PATHS if path not in keep and path in present]
