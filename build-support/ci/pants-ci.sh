#!/usr/bin/env bash
# The Pants part of CI for a change, the same locally and in the hosted workflow. (.ci/run runs
# the same goals over everything, with the servers' versions in the tests' cache key, plus the
# lock, layout, package and stack proofs.)
#
#   build-support/ci/pants-ci.sh                  # everything
#   build-support/ci/pants-ci.sh origin/main      # only what changed since that ref, plus
#                                                 # everything that depends on it (pull requests)
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/../.."

if [[ -n "${1:-}" ]]; then
  specs=(--changed-since="$1" --changed-dependents=transitive)
  echo "pants-ci: targets changed since $1 and their transitive dependents"
else
  specs=(::)
  echo "pants-ci: every target"
fi

step() {
  echo
  echo "==> $*"
}

step "BUILD files are complete and formatted"
./pants tailor --check update-build-files --check ::
step "lint"
./pants lint "${specs[@]}"
step "type checks"
./pants check "${specs[@]}"
step "tests"
TEST_ENVIRONMENT="$(build-support/ci/test-environment.sh)"
export TEST_ENVIRONMENT
./pants test "${specs[@]}"
