#!/usr/bin/env bash
# Proves that Pants runs only what a change affects. In a throw-away worktree of HEAD it makes
# one-line changes, each in its own commit, and asks Pants which test targets (Python and
# JavaScript) `--changed-since=HEAD~1 --changed-dependents=transitive` selects:
#   1. a vision-only file: vision tests (and the cross-service tests), no API, NLP or worker tests;
#   2. a backend/common file: every service's tests;
#   3. the ml lockfile: the ml resolve's users (NLP and vision tests), not the API's;
#   4. an API schema: the web app's tests and type check too (its client is typed from the API's
#      OpenAPI document): incremental CI across languages;
#   5. a web-only file: the web app's tests and the browser test that drives it, and no other
#      test (no service's, not the cross-service flow).
set -euo pipefail
repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
work="$(mktemp -d)"
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
cd "${work}"
# The probe commits' author, for this process only: `git config` here would write the shared
# repository's config and sign the developer's own next commits "ci".
export GIT_AUTHOR_NAME=ci GIT_AUTHOR_EMAIL=ci@lostfound.invalid
export GIT_COMMITTER_NAME=ci GIT_COMMITTER_EMAIL=ci@lostfound.invalid

failures=0
affected() { # affected FILE LINE -> test targets selected after appending LINE to FILE
  echo "$2" >>"$1"
  git commit -qam "probe: touch $1"
  ./pants --changed-since=HEAD~1 --changed-dependents=transitive \
    --filter-target-type=python_test,javascript_test list 2>/dev/null | sed 's/:.*//' | sort -u
}
expect() { # expect NAME SET PATTERN yes|no
  if grep -qE "$3" <<<"$2"; then found=yes; else found=no; fi
  if [[ "${found}" == "$4" ]]; then
    echo "  ok: ${1}"
  else
    echo "  FAIL: ${1}"
    failures=$((failures + 1))
  fi
}

echo "change 1: backend/vision/server/features.py"
set1="$(affected backend/vision/server/features.py '# probe')"
echo "  selects $(wc -l <<<"${set1}") test files: $(tr '\n' ' ' <<<"${set1}")"
expect "vision tests selected" "${set1}" '^backend/vision/tests/' yes
expect "cross-service tests selected" "${set1}" '^tests/e2e/' yes
expect "no API tests" "${set1}" '^backend/api/' no
expect "no NLP tests" "${set1}" '^backend/nlp/' no
expect "no worker tests" "${set1}" '^backend/worker/' no

echo "change 2: backend/common/health.py"
set2="$(affected backend/common/health.py '# probe')"
echo "  selects $(wc -l <<<"${set2}") test files"
for service in api nlp vision worker; do
  expect "${service} tests selected" "${set2}" "^backend/${service}/tests/" yes
done

echo "change 3: 3rdparty/python/ml.lock"
set3="$(affected 3rdparty/python/ml.lock '')"
echo "  selects $(wc -l <<<"${set3}") test files"
expect "NLP tests selected" "${set3}" '^backend/nlp/tests/' yes
expect "vision tests selected" "${set3}" '^backend/vision/tests/' yes
expect "no API tests" "${set3}" '^backend/api/' no

echo "change 4: backend/api/app/schemas.py"
set4="$(affected backend/api/app/schemas.py '# probe')"
echo "  selects $(wc -l <<<"${set4}") test files"
expect "API tests selected" "${set4}" '^backend/api/tests/' yes
expect "web app tests selected" "${set4}" '^frontend/web/' yes
expect "no vision tests" "${set4}" '^backend/vision/' no

echo "change 5: frontend/web/src/explain.ts"
set5="$(affected frontend/web/src/explain.ts '// probe')"
echo "  selects: $(tr '\n' ' ' <<<"${set5}")"
expect "web app tests selected" "${set5}" '^frontend/web/' yes
expect "the browser test selected" "${set5}" '^tests/e2e/test_web.py' yes
expect "no service's test" "${set5}" '^backend/' no
expect "not the cross-service flow" "${set5}" '^tests/e2e/test_flow.py' no

exit "${failures}"
