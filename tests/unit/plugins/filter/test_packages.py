# -*- coding: utf-8 -*-
# Copyright (c) 2026, sitemesh.wireguard maintainers
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The filters wg_packages and apt_simulation, apt's outputs as recorded (LANG=C, apt 2.6 on Debian 12)."""

from __future__ import annotations

import pytest
from ansible.errors import AnsibleFilterError

from ansible_collections.sitemesh.wireguard.plugins.filter.apt_simulation import apt_simulation
from ansible_collections.sitemesh.wireguard.plugins.filter.wg_packages import wg_packages

# apt-get --simulate --no-install-recommends install wireguard-tools/unstable, the pin letting libc6 come too
PULLS_LIBC = """NOTE: This is only a simulation!
      apt-get needs root privileges for real execution.
Reading package lists...
Building dependency tree...
Reading state information...
Selected version '1.0.20250521-1' (Debian:/unstable [amd64]) for 'wireguard-tools'
The following additional packages will be installed:
  libc-bin libc6
The following NEW packages will be installed:
  wireguard-tools
The following packages will be upgraded:
  libc-bin libc6
2 upgraded, 1 newly installed, 0 to remove and 132 not upgraded.
Inst libc6 [2.36-9+deb12u10] (2.41-10 Debian:/unstable [amd64]) [libc-bin:amd64 ]
Inst libc-bin [2.36-9+deb12u10] (2.41-10 Debian:/unstable [amd64])
Inst wireguard-tools (1.0.20250521-1 Debian:/unstable [amd64])
Conf libc6 (2.41-10 Debian:/unstable [amd64])
Conf libc-bin (2.41-10 Debian:/unstable [amd64])
Conf wireguard-tools (1.0.20250521-1 Debian:/unstable [amd64])
"""

# the same where wireguard-tools alone comes from unstable (a Debian 13 site), the rest from the release
ALONE = """Reading package lists...
Inst iperf3 (3.12-1+deb12u2 Debian:12.15/oldstable, Debian-Security:12/oldstable-security [amd64])
Inst wireguard-tools (1.0.20250521-1 Debian:unstable [amd64])
Conf wireguard-tools (1.0.20250521-1 Debian:unstable [amd64])
"""

# apt cannot resolve: the pin keeps libc6 on the release
UNMET = """Reading package lists...
Building dependency tree...
Reading state information...
Some packages could not be installed. This may mean that you have
requested an impossible situation or if you are using the unstable
distribution that some required packages have not yet been created
or been moved out of Incoming.
The following information may help to resolve the situation:

The following packages have unmet dependencies:
 wireguard-tools : Depends: libc6 (>= 2.38) but 2.36-9+deb12u10 is to be installed
                   Recommends: nftables but it is not going to be installed
 iproute2 : Breaks: wireguard-tools (< 1.0) but 1.0.20250521-1 is to be installed
E: Unable to correct problems, you have held broken packages.
"""


def test_what_would_come_from_unstable():
    plan = apt_simulation(PULLS_LIBC)
    assert plan['by_suite'] == {'unstable': ['libc6', 'libc-bin', 'wireguard-tools']}
    assert plan['versions']['wireguard-tools'] == '1.0.20250521-1'
    assert plan['installs'][0] == {'package': 'libc6', 'version': '2.41-10', 'suites': ['unstable']}
    assert plan['unmet'] == []


def test_release_labels_with_and_without_version_and_lines_as_a_list():
    plan = apt_simulation(ALONE.splitlines())
    assert plan['by_suite'] == {'oldstable': ['iperf3'], 'oldstable-security': ['iperf3'],
                                'unstable': ['wireguard-tools']}


def test_unmet_dependencies_are_apt_s_reason_lines():
    plan = apt_simulation(UNMET)
    assert plan['installs'] == [] and plan['by_suite'] == {}
    assert plan['unmet'] == ['wireguard-tools : Depends: libc6 (>= 2.38) but 2.36-9+deb12u10 is to be installed',
                             'iproute2 : Breaks: wireguard-tools (< 1.0) but 1.0.20250521-1 is to be installed']


def test_apt_simulation_refuses_what_is_not_output():
    with pytest.raises(AnsibleFilterError, match='expects apt-get'):
        apt_simulation(None)


@pytest.mark.parametrize('site, kwargs, expected', [
    ({'kernel_wireguard': True}, {}, ['wireguard-tools']),
    ({'kernel_wireguard': False}, {}, ['wireguard-tools', 'wireguard-go']),
    ({'kernel_wireguard': None}, {'go': 'false'}, ['wireguard-tools']),
    ({'kernel_wireguard': True}, {'go': True}, ['wireguard-tools', 'wireguard-go']),
    ({'kernel_wireguard': True}, {'go': 'yes'}, ['wireguard-tools', 'wireguard-go']),
    ({'kernel_wireguard': True}, {'loopback': True, 'forwarding': 'moly'},
     ['wireguard-tools', 'ifupdown', 'nftables', 'procps']),
    ({'kernel_wireguard': True}, {'tools_version': '1.0.20250521-1'}, ['wireguard-tools=1.0.20250521-1']),
])
def test_packages_a_site_needs(site, kwargs, expected):
    assert wg_packages(site, **kwargs) == expected


def test_wg_packages_refuses_bad_input():
    with pytest.raises(AnsibleFilterError, match='wg_site_facts'):
        wg_packages('wireguard-tools')
    with pytest.raises(AnsibleFilterError, match='wireguard_go'):
        wg_packages({'kernel_wireguard': True}, go='maybe')
