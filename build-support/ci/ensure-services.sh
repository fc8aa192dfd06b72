#!/usr/bin/env bash
# Makes sure the PostgreSQL and Redis servers the integration tests use are up; starts the local
# Debian ones when they are installed but down. Exits non-zero, naming the server, otherwise.
set -euo pipefail

pg_host="${PGHOST:-127.0.0.1}" pg_port="${PGPORT:-5432}"
redis_host="${REDIS_HOST:-127.0.0.1}" redis_port="${REDIS_PORT:-6379}"

is_open() { # is_open HOST PORT
  python3 - "$1" "$2" <<'PY'
import socket, sys
try:
    socket.create_connection((sys.argv[1], int(sys.argv[2])), timeout=1).close()
except OSError:
    sys.exit(1)
PY
}

wait_open() { # wait_open NAME HOST PORT
  for _ in $(seq 1 30); do
    is_open "$2" "$3" && {
      echo "ci: $1 is up on $2:$3"
      return 0
    }
    sleep 1
  done
  echo "ci: $1 is not reachable on $2:$3" >&2
  return 1
}

if ! is_open "${pg_host}" "${pg_port}" && command -v pg_ctlcluster >/dev/null; then
  echo "ci: starting PostgreSQL"
  for version in /etc/postgresql/*; do
    pg_ctlcluster --skip-systemctl-redirect "$(basename "${version}")" main start || true
  done
fi
wait_open PostgreSQL "${pg_host}" "${pg_port}"

if ! is_open "${redis_host}" "${redis_port}" && command -v redis-server >/dev/null; then
  echo "ci: starting Redis"
  redis-server --daemonize yes --bind 127.0.0.1 -::1 --port "${redis_port}" --save "" --appendonly no
fi
wait_open Redis "${redis_host}" "${redis_port}"
