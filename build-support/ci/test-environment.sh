#!/usr/bin/env bash
# One line naming what the tests use beside their own inputs: the servers' and the browser's
# versions. CI passes it to every test (TEST_ENVIRONMENT, pants.toml), so it is part of each
# test's cache key: a passing result is reused only against the same servers and browser.
set -uo pipefail

version() { # version NAME COMMAND...: the first line the command prints, or "none"
  local out
  out="$("${@:2}" 2>/dev/null | head -n1)"
  echo "$1 ${out:-none}"
}

database="${TEST_DATABASE_URL:-postgresql://postgres@127.0.0.1:5432/postgres}"
redis="${TEST_REDIS_URL:-redis://127.0.0.1:6379/15}"
parts=(
  "$(version postgresql psql "${database/+psycopg/}" -Atc 'show server_version')"
  "$(version redis sh -c "redis-cli -u '${redis}' INFO server | grep -o 'redis_version:[^[:space:]]*'")"
  "$(version chromium "${CHROMIUM:-chromium}" --version)"
  "$(version chromedriver "${CHROMEDRIVER:-chromedriver}" --version)"
  "$(version node node --version)"
)
(
  IFS=';'
  echo "${parts[*]}"
)
