#!/usr/bin/env bash
# Proves the visibility rules bite: in a throw-away copy of the repo, add forbidden imports
# (backend -> research, service -> service) and expect Pants to refuse each, naming the rule.
set -euo pipefail

repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
work="$(mktemp -d)"
# A worktree of HEAD, as prove-affected-sets.sh makes (the copy used to hide cp failures).
# shellcheck disable=SC2329 # run by the trap below
cleanup() {
  # The worktree's own pantsd (its queries share one: the first builds the graph, the others
  # take a second) goes with it.
  for pid in "${work}"/.pids/*/pantsd/pid; do
    [[ -f "${pid}" ]] && kill "$(cat "${pid}")" 2>/dev/null || true
  done
  git -C "${repo}" worktree remove --force "${work}" >/dev/null 2>&1 || rm -rf "${work}"
}
trap cleanup EXIT
# git's own message stays visible: thrown away, a failure here once said nothing at all.
git -C "${repo}" worktree add --detach --force "${work}" HEAD >/dev/null

mkdir -p "${work}/research/probe" "${work}/backend/api/probe" "${work}/backend/worker/probe"
printf 'VALUE = 1\n' >"${work}/research/probe/secret.py"
printf 'PEER = 2\n' >"${work}/backend/worker/probe/peer.py"
printf 'from research.probe.secret import VALUE\n\nprint(VALUE)\n' >"${work}/backend/api/probe/uses_research.py"
printf 'from backend.worker.probe.peer import PEER\n\nprint(PEER)\n' >"${work}/backend/api/probe/uses_worker.py"
for dir in research/probe backend/api/probe backend/worker/probe; do
  printf 'python_sources()\n' >"${work}/${dir}/BUILD"
done

failures=0
expect_refused() { # expect_refused FILE WHAT
  local out
  if out="$(cd "${work}" && ./pants dependencies "$1" 2>&1)"; then
    echo "FAIL: $2 was allowed"
    failures=$((failures + 1))
  elif grep -q "DependencyRuleActionDeniedError\|violat" <<<"${out}"; then
    echo "ok: $2 is refused:"
    grep -A3 -m1 "DependencyRuleActionDeniedError" <<<"${out}" | sed "s/^/    /"
  else
    echo "FAIL: $2 failed for another reason:"
    echo "${out}" | tail -n 20
    failures=$((failures + 1))
  fi
}

expect_refused backend/api/probe/uses_research.py "backend/api importing research"
expect_refused backend/api/probe/uses_worker.py "backend/api importing backend/worker"
exit "${failures}"
