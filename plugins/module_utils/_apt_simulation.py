# Note that this module util is **PRIVATE** to the collection. It can have breaking changes at any time.
# Do not use this from other collections or standalone plugins/modules!

# Copyright (c) 2026, sitemesh.wireguard contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""What ``apt-get --simulate install`` (run with ``LANG=C``) says it would do: pure parsing.

An ``Inst`` line reads ``Inst NAME [OLD] (NEW RELEASES [ARCH])``, RELEASES being ``LABEL:VERSION/ARCHIVE``
entries separated by ``, `` (``Debian:12.10/stable, Debian-Security:12/stable-security``); a release
without a version prints ``Debian:/unstable`` or ``Debian:unstable``. When apt cannot resolve, each
reason is a line `` PACKAGE : Depends: ...``.
"""

from __future__ import annotations

import re

_INST = re.compile(r'^Inst (?P<package>\S+)(?: \[[^\]]*\])? \((?P<version>\S+) (?P<releases>.*?) \[[^\]]+\]\)')
_UNMET = re.compile(r'^ [^ ]+ : ')


def _suite(release):
    if '/' in release:
        return release.rsplit('/', 1)[1]
    return release.split(':', 1)[-1]


def parse(output):
    """{installs: [{package, version, suites}], versions: {package: version}, by_suite: {suite: [package]},
    unmet: [reason]} from apt's output (a string or a list of lines)."""
    lines = output.splitlines() if isinstance(output, str) else [str(line) for line in output]
    installs = []
    by_suite = {}
    for line in lines:
        match = _INST.match(line)
        if not match:
            continue
        suites = [_suite(release.strip()) for release in match.group('releases').split(',') if release.strip()]
        installs.append({'package': match.group('package'), 'version': match.group('version'), 'suites': suites})
        for suite in suites:
            by_suite.setdefault(suite, []).append(match.group('package'))
    return {
        'installs': installs,
        'versions': {item['package']: item['version'] for item in installs},
        'by_suite': by_suite,
        'unmet': [line.strip() for line in lines if _UNMET.match(line)],
    }
