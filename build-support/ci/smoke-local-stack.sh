#!/usr/bin/env bash
# Runs the README's first command (the local stack on embedded defaults), waits for it to be
# ready, loads two matching reports with the demo and expects the match, then stops it with
# Ctrl-C (SIGINT) and checks that every service process is gone.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/../.."

data_dir="$(mktemp -d)"
log="${data_dir}/stack.log"
cleanup() {
  if [[ -n "${stack_pid:-}" ]] && kill -0 "${stack_pid}" 2>/dev/null; then
    kill -INT "${stack_pid}" 2>/dev/null || true
    sleep 5
    kill -KILL "${stack_pid}" 2>/dev/null || true
  fi
  [[ -n "${KEEP_SMOKE_DIR:-}" ]] || rm -rf "${data_dir}"
}
trap cleanup EXIT

# setsid: the stack gets its own process group, as in a terminal; SIGINT reaches the manager.
setsid ./pants --no-pantsd run deployment/local:stack -- --data-dir "${data_dir}/state" >"${log}" 2>&1 &
stack_pid=$!

for _ in $(seq 1 600); do
  grep -q "stack: ready" "${log}" && break
  if ! kill -0 "${stack_pid}" 2>/dev/null || grep -q "NOT READY" "${log}"; then
    echo "smoke: the stack did not come up:"; tail -n 60 "${log}"; exit 1
  fi
  sleep 1
done
grep -q "stack: ready" "${log}" || { echo "smoke: not ready in time"; tail -n 60 "${log}"; exit 1; }
echo "smoke: stack ready"

PANTS_CONCURRENT=True ./pants run deployment/local:demo -- --pairs 1 --check --timeout 120

kill -INT -- "-${stack_pid}"
for _ in $(seq 1 30); do
  kill -0 "${stack_pid}" 2>/dev/null || break
  sleep 1
done
if kill -0 "${stack_pid}" 2>/dev/null; then
  echo "smoke: the stack did not stop on Ctrl-C"; exit 1
fi
if pgrep -f "${data_dir}" >/dev/null; then
  echo "smoke: processes left behind:"; pgrep -af "${data_dir}"; exit 1
fi
echo "smoke: stack stopped cleanly"
