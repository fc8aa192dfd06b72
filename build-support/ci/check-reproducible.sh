#!/usr/bin/env bash
# Builds every PEX a second time, bypassing Pants' caches, and compares sha256 with the first
# build; and checks that no PEX packs bytecode (a .pyc written into the PEX cache's installed
# wheels by a process that ran before the build would make the build depend on what ran before
# it).
#
#   build-support/ci/check-reproducible.sh [FIRST.sha256]
#
# FIRST.sha256: the first build's hashes of the shipped PEXes (`sha256sum dist/backend.*/*.pex
# dist/clients.*/*.pex dist/frontend.*/*.pex`), taken when it was made, so that this may run
# beside other work writing dist/ (CI runs it beside the smokes); without it, those in dist/ now.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/../.."

first="$(mktemp)"
again="dist-rebuild" # Pants wants its dist dir inside the build root
rm -rf "${again}"
trap 'rm -rf "${again}" "${first}"' EXIT
if [[ -n "${1:-}" ]]; then
  cp "$1" "${first}"
else
  sha256sum dist/backend.*/*.pex dist/clients.*/*.pex dist/frontend.*/*.pex >"${first}"
fi
# The targets of those PEXes, by Pants' output path (dist/backend.api/server.pex is
# backend/api:server): no `pants list` of its own (a new engine beside the smokes, ~10 s).
targets=()
while read -r _ pex; do
  folder="${pex#dist/}"
  targets+=("${folder%%/*}:$(basename "${pex}" .pex)")
done <"${first}"
targets=("${targets[@]//./\/}")
# Without caches every download happens again. One stalled for good (corepack fetching npm: its
# socket full, never read) and held CI to its limit; so a rebuild gets 10 minutes (it takes 1-3),
# Ctrl-C's way out (Pants ends its processes on SIGINT, not on SIGTERM), then one more try.
rebuild() {
  timeout --signal=INT --kill-after=60 "${REBUILD_TIMEOUT_S:-600}" \
    ./pants --no-local-cache --pants-distdir="${again}" package "${targets[@]}" 2>&1 | tail -n 3
}
rebuild || {
  echo "rebuild: failed or timed out (status $?); once more"
  rm -rf "${again}"
  rebuild
}
status=0
while read -r sum pex; do
  second="${again}/${pex#dist/}"
  if [[ "${sum}" == "$(sha256sum "${second}" | cut -d' ' -f1)" ]]; then
    echo "reproducible: ${pex} ${sum:0:16}"
  else
    echo "NOT reproducible: ${pex}"
    status=1
  fi
  bytecode="$(python3 -c 'import sys, zipfile; print("\n".join(n for n in zipfile.ZipFile(sys.argv[1]).namelist() if n.endswith(".pyc")))' "${second}")"
  if [[ -n "${bytecode}" ]]; then
    echo "bytecode packed in ${pex}: $(head -n 3 <<<"${bytecode}" | tr '\n' ' ')"
    status=1
  fi
done <"${first}"
exit "${status}"
