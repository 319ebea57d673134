# -*- coding: utf-8 -*-
# Copyright (c) 2026, sitemesh.wireguard maintainers
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Make ``ansible_collections.sitemesh.wireguard`` importable from the working tree.

Ensures ``<repo>/.tmp/collections/ansible_collections/sitemesh/wireguard -> <repo>`` exists (idempotent,
tolerant of another conftest or ``make setup`` having made it) and puts ``<repo>/.tmp/collections``
first on ``sys.path``.
"""

from __future__ import annotations

import os
import sys

REPO = os.path.abspath(os.path.join(os.path.dirname(__file__), '..', '..', '..', '..'))
COLLECTIONS = os.path.join(REPO, '.tmp', 'collections')
LINK = os.path.join(COLLECTIONS, 'ansible_collections', 'sitemesh', 'wireguard')


def _ensure_link():
    os.makedirs(os.path.dirname(LINK), exist_ok=True)
    if not os.path.lexists(LINK):
        try:
            os.symlink(REPO, LINK)
        except FileExistsError:  # made meanwhile by a concurrent run
            pass
    if os.path.realpath(LINK) != os.path.realpath(REPO):
        raise RuntimeError('%s exists but does not point to %s' % (LINK, REPO))


_ensure_link()
if COLLECTIONS not in sys.path:
    sys.path.insert(0, COLLECTIONS)


import base64  # noqa: E402  (after the sys.path set-up above, on purpose)

import pytest  # noqa: E402
from cryptography.hazmat.primitives import serialization  # noqa: E402
from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey  # noqa: E402


def new_public_key():
    """A fresh X25519 public key in WireGuard's base64 form (made per test run, never stored)."""
    raw = X25519PrivateKey.generate().public_key().public_bytes(serialization.Encoding.Raw,
                                                                serialization.PublicFormat.Raw)
    return base64.b64encode(raw).decode('ascii')


KEY_NAMES = ('giant', 'moly', 'raspi', 'phone', 'tablet', 'a', 'b', 'c')


@pytest.fixture
def keys():
    """The public key store: host name -> a fresh public key, for every host name the tests use."""
    return {name: new_public_key() for name in KEY_NAMES}


def guide_hostvars(exit_=True):
    """The three sites of the guide: tunnel 172.16.1.0/24, UDP 5555, moly the internet exit."""
    common = {'wireguard_network': '172.16.1.0/24', 'wireguard_port': 5555}
    hostvars = {
        'giant': dict(common, wireguard_address='172.16.1.1', wireguard_endpoint='192.168.1.161',
                      wireguard_client_networks=['10.0.1.0/24']),
        'moly': dict(common, wireguard_address='172.16.1.2', wireguard_endpoint='192.168.1.162',
                     wireguard_client_networks=['10.0.2.0/24']),
        'raspi': dict(common, wireguard_address='172.16.1.3', wireguard_endpoint='192.168.1.200',
                      wireguard_client_networks=['77.66.55.0/24']),
    }
    if exit_:
        hostvars['giant']['wireguard_exit'] = 'moly'
        hostvars['raspi']['wireguard_exit'] = 'moly'
    return hostvars


GUIDE_HOSTS = ['giant', 'moly', 'raspi']


@pytest.fixture
def guide():
    return guide_hostvars(exit_=True)


@pytest.fixture
def guide_no_exit():
    return guide_hostvars(exit_=False)


@pytest.fixture
def make_key():
    """A function returning a fresh public key."""
    return new_public_key
