#!/usr/bin/env bash
# A venv per ansible-core that meta/runtime.yml claims, from its pinned requirements file:
#   scripts/core-venv.sh oldest     -> .tmp/venv-oldest from tests/requirements-oldest.txt
# Re-made only when the requirements file changes (stamp). Prints the venv's path and ansible-core version.
set -euo pipefail
cd "$(dirname "$0")/.." || exit 1
name=${1:?usage: $0 NAME (tests/requirements-NAME.txt)}
req="tests/requirements-$name.txt"
venv=".tmp/venv-$name"
[[ -f $req ]] || { echo "core-venv: no $req" >&2; exit 2; }
stamp="$venv/.requirements.sha256"
want=$(sha256sum "$req" | cut -d' ' -f1)
if [[ ! -x $venv/bin/python || "$(cat "$stamp" 2>/dev/null)" != "$want" ]]; then
  echo "core-venv: creating $venv from $req" >&2
  rm -rf "$venv"
  python3 -m venv "$venv"
  "$venv/bin/python" -m pip install -q --upgrade pip
  "$venv/bin/python" -m pip install -q -r "$req"
  echo "$want" >"$stamp"
fi
echo "core-venv: $venv, ansible-core $("$venv/bin/python" -c 'import ansible.release as r; print(r.__version__)'), $("$venv/bin/python" --version)" >&2
