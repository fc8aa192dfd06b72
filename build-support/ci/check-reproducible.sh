#!/usr/bin/env bash
# Builds every PEX a second time, bypassing Pants' caches, and compares sha256 with dist/; and
# checks that no PEX packs bytecode (a .pyc written into the PEX cache's installed wheels by a
# process that ran before the build would make the build depend on what ran before it).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/../.."

again="dist-rebuild" # Pants wants its dist dir inside the build root
rm -rf "${again}"
trap 'rm -rf "${again}"' EXIT
targets=$(./pants list --filter-target-type=pex_binary :: | grep -v '^deployment/local:')
# shellcheck disable=SC2086
./pants --no-local-cache --pants-distdir="${again}" package ${targets} 2>&1 | tail -n 3
status=0
for pex in dist/backend.*/*.pex dist/frontend.*/*.pex; do
  second="${again}/${pex#dist/}"
  if [[ "$(sha256sum <"${pex}")" == "$(sha256sum <"${second}")" ]]; then
    echo "reproducible: ${pex} $(sha256sum "${pex}" | cut -c1-16)"
  else
    echo "NOT reproducible: ${pex}"
    status=1
  fi
  bytecode="$(python3 -c 'import sys, zipfile; print("\n".join(n for n in zipfile.ZipFile(sys.argv[1]).namelist() if n.endswith(".pyc")))' "${second}")"
  if [[ -n "${bytecode}" ]]; then
    echo "bytecode packed in ${pex}: $(head -n 3 <<<"${bytecode}" | tr '\n' ' ')"
    status=1
  fi
done
exit "${status}"
