#!/usr/bin/env bash
# Builds every PEX a second time, bypassing Pants' caches, and compares sha256 with dist/.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/../.."

again="dist-rebuild" # Pants wants its dist dir inside the build root
rm -rf "${again}"
trap 'rm -rf "${again}"' EXIT
targets=$(./pants list --filter-target-type=pex_binary :: | grep -v '^deployment/local:')
# shellcheck disable=SC2086
./pants --no-local-cache --pants-distdir="${again}" package ${targets} 2>&1 | tail -n 3
status=0
for pex in dist/backend.*/*.pex; do
  second="${again}/${pex#dist/}"
  if [[ "$(sha256sum <"${pex}")" == "$(sha256sum <"${second}")" ]]; then
    echo "reproducible: ${pex} $(sha256sum "${pex}" | cut -c1-16)"
  else
    echo "NOT reproducible: ${pex}"
    status=1
  fi
done
exit "${status}"
