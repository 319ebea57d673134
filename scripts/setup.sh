#!/usr/bin/env bash
# Installs what the project needs on a Debian machine, idempotently:
#   - host packages (WireGuard tools for the module tests, podman & co for the container test bed),
#   - .venv from the pinned requirements,
#   - .tmp/collections/ansible_collections/sitemesh/wireguard -> the repo root, so that ansible.cfg
#     resolves sitemesh.wireguard.* from this checkout without `ansible-galaxy collection install`.
# Usage: scripts/setup.sh [--no-apt]
set -euo pipefail
cd "$(dirname "$0")/.." || exit 1
root=$(pwd)

host_packages=(
  python3-venv git make
  wireguard-tools wireguard-go iproute2 nftables iptables iputils-ping tcpdump
  ifupdown     # the ifupdown backend's live tests run the real ifup/ifdown (-i a temp interfaces file)
  podman runc debootstrap   # debootstrap builds the test image; tests/testbed/aptproxy.py is its apt proxy
  graphviz zbar-tools   # dot renders the mesh drawing (draw.yml); zbarimg decodes the road warrior QR code (tests)
  openssh-client   # the converge benchmark's SSH mode (ssh, ssh-keygen, ssh-keyscan)
  shellcheck   # ansible-test sanity skips its shellcheck test (with a warning only) when it is missing
)

if [[ "${1:-}" != "--no-apt" ]]; then
  missing=()
  for p in "${host_packages[@]}"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
  done
  if ((${#missing[@]})); then
    echo "setup: installing host packages: ${missing[*]}"
    sudo_cmd=(); [[ $(id -u) -eq 0 ]] || sudo_cmd=(sudo)
    "${sudo_cmd[@]}" apt-get update -qq
    DEBIAN_FRONTEND=noninteractive "${sudo_cmd[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
  fi
fi

stamp=.venv/.requirements.sha256
want=$(cat requirements.txt requirements-test.txt | sha256sum | cut -d' ' -f1)
if [[ ! -x .venv/bin/python || "$(cat "$stamp" 2>/dev/null)" != "$want" ]]; then
  echo "setup: creating .venv from pinned requirements"
  python3 -m venv .venv
  .venv/bin/python -m pip install -q --upgrade pip
  .venv/bin/python -m pip install -q -r requirements-test.txt
  echo "$want" > "$stamp"
fi

mkdir -p .tmp/collections/ansible_collections/sitemesh
ln -sfn ../../../.. .tmp/collections/ansible_collections/sitemesh/wireguard
[[ -f .tmp/collections/ansible_collections/sitemesh/wireguard/galaxy.yml ]] || { echo "setup: collection link broken" >&2; exit 1; }
echo "setup: ready ($root/.venv, ansible-core $(.venv/bin/python -c 'import ansible.release as r; print(r.__version__)'))"
