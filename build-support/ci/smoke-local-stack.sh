#!/usr/bin/env bash
# The README's two terminals, word for word: `./pants run deployment/local:stack` in one; in a
# second, while it runs, an ordinary pants command and `./pants run deployment/local:demo`, which
# must show the matches. Then Ctrl-C (SIGINT to the stack's process group, as a terminal sends
# it) must leave no process behind. The same Ctrl-C check runs once more with the stack held by
# pantsd (`--pantsd`), the other way Pants can run it.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/../.."

data_dir="${PWD}/var/stack" # the stack's default (README)
work="$(mktemp -d)"
cleanup() {
  if [[ -n "${stack_pid:-}" ]] && kill -0 "${stack_pid}" 2>/dev/null; then
    kill -KILL -- "-${stack_pid}" 2>/dev/null || true
  fi
  kill_leftovers
  rm -rf "${work}"
}
# Every process the stack starts carries DATA_DIR in its environment, through exec and fork.
leftovers() { grep -lsa "DATA_DIR=${data_dir}" /proc/[0-9]*/environ | cut -d/ -f3 || true; }
kill_leftovers() { for pid in $(leftovers); do kill -KILL "${pid}" 2>/dev/null || true; done; }
trap cleanup EXIT

# Starts the stack like a terminal does (its own session and process group); waits until ready.
start_stack() {
  local log="$1"
  shift
  setsid ./pants "$@" run deployment/local:stack >"${log}" 2>&1 &
  stack_pid=$!
  for _ in $(seq 1 900); do
    grep -q "| ready. Web app" "${log}" && return 0
    if ! kill -0 "${stack_pid}" 2>/dev/null || grep -q "NOT READY" "${log}"; then
      echo "smoke: the stack did not come up:"
      tail -n 60 "${log}"
      exit 1
    fi
    sleep 1
  done
  echo "smoke: not ready in time"
  tail -n 60 "${log}"
  exit 1
}

# Ctrl-C, then: the pants process ends, and no process of the stack is left.
interrupt_stack() {
  local log="$1"
  kill -INT -- "-${stack_pid}"
  for _ in $(seq 1 40); do
    kill -0 "${stack_pid}" 2>/dev/null || break
    sleep 1
  done
  if kill -0 "${stack_pid}" 2>/dev/null; then
    echo "smoke: the stack did not stop on Ctrl-C"
    tail -n 30 "${log}"
    exit 1
  fi
  # SIGTERM from a dying parent may take a moment to finish its work.
  for _ in $(seq 1 15); do
    [[ -z "$(leftovers)" ]] && break
    sleep 1
  done
  if [[ -n "$(leftovers)" ]]; then
    echo "smoke: processes left behind after Ctrl-C:"
    for pid in $(leftovers); do ps -o pid=,args= -p "${pid}" || true; done
    exit 1
  fi
  echo "smoke: the stack's last words:"
  tail -n 4 "${log}" | sed 's/^/    /'
}

rm -rf "${data_dir}"
SECONDS=0
start_stack "${work}/stack.log"
echo "smoke: stack ready (./pants run deployment/local:stack) after ${SECONDS} s"

# The second terminal: pants is free for other commands, and the demo finds the matches.
SECONDS=0
./pants list deployment/local: >/dev/null
echo "smoke: another pants command ran beside the stack (${SECONDS} s)"
SECONDS=0
./pants run deployment/local:demo | tee "${work}/demo.log"
echo "smoke: the demo took ${SECONDS} s"
# "demo: N/N lost items matched": every pair, and at least one.
grep -Eq "^demo: ([1-9][0-9]*)/\1 lost items matched" "${work}/demo.log" || {
  echo "smoke: the demo did not show every match"
  exit 1
}

# Where the stack said its metrics are, each process serves Prometheus text that counted work.
urls="$(grep -o 'http://127.0.0.1:[0-9]*/metrics' "${work}/stack.log" | sort -u)"
[[ "$(wc -l <<<"${urls}")" == 5 ]] || {
  echo "smoke: the stack did not print five metrics addresses"
  exit 1
}
for url in ${urls}; do
  # Read whole first: `curl | grep -q` fails under pipefail when grep stops reading early
  # (curl: "(23) Failed writing body"), as it did once on the worker's long page.
  page="$(curl -fsS "${url}")" || {
    echo "smoke: ${url} did not answer"
    exit 1
  }
  grep -q '^lostfound_http_requests_total\|^lostfound_worker_tasks_total' <<<"${page}" || {
    echo "smoke: ${url} does not count requests or tasks"
    exit 1
  }
done
echo "smoke: five metrics addresses, each counting its work"

SECONDS=0
interrupt_stack "${work}/stack.log"
echo "smoke: Ctrl-C stopped every process (without pantsd, the README's way) in ${SECONDS} s"

SECONDS=0
start_stack "${work}/stack-pantsd.log" --pantsd
echo "smoke: stack ready with pantsd after ${SECONDS} s"
SECONDS=0
interrupt_stack "${work}/stack-pantsd.log"
echo "smoke: Ctrl-C stopped every process (with pantsd) in ${SECONDS} s"
rm -rf "${data_dir}"
