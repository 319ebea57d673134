#!/usr/bin/env bash
# The collection as the Ansible ecosystem reads it (each a step of scripts/test.sh):
#   scripts/ecosystem.sh docs       antsibull-docs lint-collection-docs, then the docs site (every module, filter
#                                   and role entry point, and the README's inventory table as an extra page:
#                                   docs/docsite/rst/inventory.rst, generated from the README, --write updates it)
#                                   built into docs/build/html (not committed)
#   scripts/ecosystem.sh changelog  antsibull-changelog lint; CHANGELOG.rst generated from changelogs/fragments as
#                                   the release notes of galaxy.yml's version; fails when the committed one differs
#                                   (--write: update it)
#   scripts/ecosystem.sh ee         ansible-builder create from execution-environment.yml into .tmp/ee/context,
#                                   checked: Containerfile, the collection's Python and system needs, the tarball
# Tools from .venv (pinned in requirements-test.txt).
set -euo pipefail
cd "$(dirname "$0")/.." || exit 1
root=$(pwd)
export PATH="$root/.venv/bin:$PATH"
version=$(python -c 'import sys, yaml; print(yaml.safe_load(open(sys.argv[1]))["version"])' galaxy.yml)

fail() { echo "ecosystem: $*" >&2; exit 1; }

# A collections path holding only this checkout and the collection it depends on (ansible.posix, from the venv's
# bundle): antsibull-docs asks ansible-doc about every collection it finds, and the bundle holds about a hundred.
docs_collections() {
  local dir="$root/.tmp/docs-collections/ansible_collections" bundled
  bundled=$(python -c 'import ansible_collections; print(list(ansible_collections.__path__)[0])')
  mkdir -p "$dir/sitemesh" "$dir/ansible"
  ln -sfn "$root" "$dir/sitemesh/wireguard"
  ln -sfn "$bundled/ansible/posix" "$dir/ansible/posix"
  export ANSIBLE_COLLECTIONS_PATH="$root/.tmp/docs-collections" ANSIBLE_COLLECTIONS_SCAN_SYS_PATH=false
  unset ANSIBLE_CONFIG
}

docs() {
  local site="$root/.tmp/docsite" out="$root/docs/build" missing=() name page
  local inventory="docs/docsite/rst/inventory.rst"
  if [[ ${1:-} == --write ]]; then
    python scripts/inventory_rst.py README.md >"$inventory"; echo "$inventory written from README.md"
  elif ! python scripts/inventory_rst.py README.md | diff -u "$inventory" -; then
    fail "$inventory is not the README's inventory section: run scripts/ecosystem.sh docs --write"
  fi
  docs_collections
  antsibull-docs lint-collection-docs --plugin-docs "$ANSIBLE_COLLECTIONS_PATH/ansible_collections/sitemesh/wireguard"
  echo "antsibull-docs lint-collection-docs: clean"
  rm -rf "$site" "$out"
  mkdir -p "$site"; chmod 0700 "$site"
  antsibull-docs sphinx-init --use-current --dest-dir "$site" --lenient --fail-on-error sitemesh.wireguard >/dev/null
  mkdir -p "$site/rst"; chmod og-w "$site/rst"   # antsibull-docs wants it writable by its owner only
  # Offline, and nothing leaves the machine: no intersphinx inventories fetched from the docs sites.
  echo 'intersphinx_mapping = {}' >>"$site/conf.py"
  (cd "$site" && antsibull-docs --config-file antsibull-docs.cfg collection --cleanup everything --fail-on-error \
    --use-current --dest-dir rst sitemesh.wireguard)
  # Without intersphinx the references into Ansible's own docs (common_return_values, ansible.builtin.copy ...)
  # stay unresolved: one "undefined label" warning each, not an error. Any other warning fails the step.
  (cd "$site" && sphinx-build -M html rst "$out" -c . -q 2>"$site/sphinx-warnings.txt") \
    || { cat "$site/sphinx-warnings.txt" >&2; fail "sphinx-build failed"; }
  if grep -v "WARNING: undefined label: '[a-z_.]*' \[ref.ref\]" "$site/sphinx-warnings.txt" | grep -q .; then
    cat "$site/sphinx-warnings.txt" >&2; fail "sphinx-build warned about more than the offline references"
  fi
  # Every module, filter and role entry point of the checkout has its page.
  for name in plugins/modules/*.py; do
    name=${name##*/}; name=${name%.py}
    [[ $name == _* ]] || [[ -f $out/html/collections/sitemesh/wireguard/${name}_module.html ]] || missing+=("module $name")
  done
  for name in plugins/filter/*.yml; do
    name=${name##*/}; name=${name%.yml}
    [[ -f $out/html/collections/sitemesh/wireguard/${name}_filter.html ]] || missing+=("filter $name")
  done
  for name in roles/*/; do
    name=${name%/}; name=${name##*/}
    page="$out/html/collections/sitemesh/wireguard/${name}_role.html"
    [[ -f $page ]] || { missing+=("role $name"); continue; }
    for entry in $(python -c 'import sys, yaml; print(" ".join(yaml.safe_load(open(sys.argv[1]))["argument_specs"]))' \
                   "roles/$name/meta/argument_specs.yml"); do
      grep -q "Entry point <code[^>]*><span class=\"pre\">${entry}</span>" "$page" || missing+=("role $name entry point $entry")
    done
  done
  # The README's inventory table as a page of its own, every variable of it there.
  page="$out/html/collections/sitemesh/wireguard/docsite/inventory.html"
  [[ -f $page ]] || missing+=("the inventory page")
  # shellcheck disable=SC2016  # the Python program is single-quoted on purpose
  while read -r name; do
    grep -q ">$name<" "$page" 2>/dev/null || missing+=("$name on the inventory page")
  done < <(python -c 'import re, sys; print("\n".join(re.findall(r"^   \* - ``(wireguard_\w+)``", open(sys.argv[1]).read(), re.M)))' "$inventory")
  ((${#missing[@]} == 0)) || fail "no page in docs/build for: ${missing[*]}"
  echo "docs site: $out/html/index.html ($(find "$out/html/collections/sitemesh/wireguard" -name '*.html' | wc -l) pages of sitemesh.wireguard)"
}

changelog() {
  local scratch="$root/.tmp/changelog"
  antsibull-changelog lint
  echo "antsibull-changelog lint: clean"
  # The fragments are the source until a release: a scratch copy is released as galaxy.yml's version.
  rm -rf "$scratch"; mkdir -p "$scratch"
  cp -r changelogs galaxy.yml meta plugins roles "$scratch/"   # the plugins: its "New Modules" lists
  (cd "$scratch" && antsibull-changelog release --version "$version" --date 2026-01-01 >/dev/null)
  if [[ ${1:-} == --write ]]; then
    cp "$scratch/CHANGELOG.rst" CHANGELOG.rst; echo "CHANGELOG.rst written ($(wc -l <CHANGELOG.rst) lines)"
  elif ! diff -u CHANGELOG.rst "$scratch/CHANGELOG.rst"; then
    fail "CHANGELOG.rst is not what the fragments make: run scripts/ecosystem.sh changelog --write"
  else
    echo "CHANGELOG.rst is generated from $(find changelogs/fragments -name '*.yml' | wc -l) fragments (v$version)"
  fi
}

ee() {
  local ctx="$root/.tmp/ee/context" want
  rm -rf "$root/.tmp/ee"
  ansible-galaxy collection build --output-path "$root/.tmp/ee/dist" >/dev/null
  ansible-builder create -f execution-environment.yml --context "$ctx" >/dev/null
  [[ -f $ctx/Containerfile ]] || fail "no Containerfile in $ctx"
  for want in netaddr cryptography segno; do
    grep -q "^$want" "$ctx/_build/requirements.txt" || fail "$want missing from $ctx/_build/requirements.txt"
  done
  grep -q '^openssh-client' "$ctx/_build/bindep.txt" || fail "no system needs in $ctx/_build/bindep.txt"
  [[ -f $ctx/_build/collections/sitemesh-wireguard-$version.tar.gz ]] || fail "the collection tarball is not in $ctx"
  grep -q 'ansible-galaxy' "$ctx/Containerfile" || fail "the Containerfile installs no collection"
  # The collection's own meta/execution-environment.yml, as a builder reads it from an installed collection.
  ansible-builder introspect --sanitize "$root/.tmp/collections" >"$root/.tmp/ee/introspect.yml"
  for want in netaddr cryptography segno openssh-client graphviz; do
    grep -q "$want.*from collection sitemesh.wireguard" "$root/.tmp/ee/introspect.yml" \
      || fail "$want not read from meta/execution-environment.yml"
  done
  echo "execution environment build context: $ctx (Containerfile, netaddr, cryptography, segno, openssh, graphviz, the tarball)"
}

case "${1:-}" in
  docs) shift; docs "$@" ;;
  changelog) shift; changelog "$@" ;;
  ee) ee ;;
  *) echo "usage: $0 docs [--write]|changelog [--write]|ee" >&2; exit 2 ;;
esac
