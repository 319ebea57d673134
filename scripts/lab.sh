#!/usr/bin/env bash
# The guide's three sites as local Debian containers, configured by site.yml:
#   scripts/lab.sh up       set up, start giant/moly/raspi (+ an "internet" host), run site.yml, print a summary
#   scripts/lab.sh status   the summary again (wg show per site, ping matrix between client networks)
#   scripts/lab.sh down     remove the containers and networks, stop the apt proxy
set -euo pipefail
cd "$(dirname "$0")/.." || exit 1
if [[ "${1:-up}" == up ]]; then scripts/setup.sh; fi
exec tests/testbed/lab.sh "${@:-up}"
