#!/usr/bin/env bash
# ansible-test sanity on a copy of the collection placed under ansible_collections/sitemesh/wireguard.
# ansible-test bootstraps pip in each test venv with a get-pip script it downloads from a host that is
# not reachable here; it looks first in ~/.ansible/test/cache/get_pip_<ver>.py, so we seed that file
# with a tiny script that runs pip from the pinned wheel taken from PyPI.
set -euo pipefail
cd "$(dirname "$0")/.." || exit 1
root=$(pwd)
py=${PYTHON_VERSION:-3.11}

# ansible-test skips its shellcheck test with a mere warning when the program is missing: refuse instead.
command -v shellcheck >/dev/null || { echo "shellcheck is not installed (scripts/setup.sh installs it)" >&2; exit 1; }

pip_ver=24.2
cache="$HOME/.ansible/test/cache"
mkdir -p "$cache"
wheel="$cache/pip-$pip_ver-py3-none-any.whl"
if [[ ! -f "$wheel" ]]; then
  .venv/bin/python -m pip download -q --no-deps --only-binary=:all: -d "$cache" "pip==$pip_ver"
fi
cat > "$cache/get_pip_${pip_ver//./_}.py" <<PY
# Seeded by sitemesh.wireguard scripts/sanity.sh: installs pip $pip_ver from the local wheel.
import sys
sys.path.insert(0, "$wheel")
from pip._internal.cli.main import main
args = [a for a in sys.argv[1:] if a not in ("--no-setuptools", "--no-wheel")]
sys.exit(main(["install", "--upgrade", "--force-reinstall", *args]))
PY

dest=.tmp/sanity/ansible_collections/sitemesh/wireguard
rm -rf .tmp/sanity && mkdir -p "$dest"
# Only the files git tracks or would track (untracked but not ignored): what a release contains.
git ls-files -z --cached --others --exclude-standard | xargs -0 -I{} cp --parents -P {} "$dest/" 2>/dev/null || true
(cd "$dest" && git init -q && git add -A && git -c user.email=ci@localhost -c user.name=ci commit -qm sanity)
cd "$dest"
export PATH="$root/.venv/bin:$PATH"
ansible-test sanity --local --python "$py" --color no "$@"
