#!/usr/bin/env bash
# Starts each service image, checks its probes, stops it; lists image and PEX sizes; checks that
# no research or test file is in any PEX or image. Run after `./pants package ::`.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/../.."

failures=0
fail() {
  echo "smoke: FAIL: $*"
  failures=$((failures + 1))
}
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }

wait_http() { # wait_http URL SECONDS -> 0 when it answers 200
  for _ in $(seq 1 "$2"); do
    [[ "$(curl -s -o /dev/null -w '%{http_code}' "$1")" == "200" ]] && return 0
    sleep 1
  done
  return 1
}

for service in api nlp vision web; do
  port="$(free_port)"
  name="smoke-${service}-$$"
  # No bridge network on these machines: share the host's loopback.
  docker run -d --name "${name}" --network host -e HOST=127.0.0.1 -e PORT="${port}" \
    "lostfound/${service}:latest" >/dev/null
  if wait_http "http://127.0.0.1:${port}/readyz" 240; then
    health="$(curl -s "http://127.0.0.1:${port}/healthz")"
    [[ "${health}" == '{"status":"ok"}' ]] || fail "${service} /healthz answered ${health}"
    echo "smoke: ${service} image: /healthz ${health}, /readyz 200"
  else
    fail "${service} image never became ready"
    docker logs --tail 30 "${name}" || true
  fi
  docker rm -f "${name}" >/dev/null
done

name="smoke-worker-$$"
docker run -d --name "${name}" --network none "lostfound/worker:latest" >/dev/null
ready=""
for _ in $(seq 1 60); do
  if docker exec "${name}" /app/bin/python -m backend.worker.worker.probe >/dev/null 2>&1; then
    ready=yes
    break
  fi
  sleep 1
done
if [[ -n "${ready}" ]]; then
  echo "smoke: worker image: probe command exit 0 ($(docker exec "${name}" /app/bin/python -m backend.worker.worker.probe))"
else
  fail "worker image probe never succeeded"
  docker logs --tail 30 "${name}" || true
fi
docker rm -f "${name}" >/dev/null

echo
echo "smoke: sizes"
for service in api nlp vision worker web; do
  size="$(docker image inspect "lostfound/${service}:latest" --format '{{.Size}}')"
  printf '  image lostfound/%-8s %6d MiB\n' "${service}" $((size / 1048576))
done
for pex in dist/backend.*/*.pex dist/frontend.*/*.pex; do
  printf '  pex   %-34s %6d MiB  sha256 %s\n' "${pex}" $(($(stat -c %s "${pex}") / 1048576)) "$(sha256sum "${pex}" | cut -c1-16)"
done

echo
echo "smoke: no research or test code in any PEX or image"
forbidden='(^|/)(research|tests|bench)/|_test\.py$|(^|/)test_[^/]*\.py$|(^|/)conftest\.py$|\.test\.[jt]s$|(^|/)node_modules/'
for pex in dist/backend.*/*.pex dist/frontend.*/*.pex; do
  # Our code sits at the top of the PEX; third-party code under .deps/ is theirs.
  names="$(python3 -c 'import sys, zipfile; print("\n".join(zipfile.ZipFile(sys.argv[1]).namelist()))' "${pex}")"
  if found="$(grep -v '^\.deps/' <<<"${names}" | grep -E "${forbidden}")"; then
    fail "${pex} contains: $(head -n 3 <<<"${found}" | tr '\n' ' ')"
  fi
done
for service in api nlp vision worker web; do
  found="$(docker run --rm --network none --entrypoint sh "lostfound/${service}:latest" -c \
    'cd /app/lib/python3.11/site-packages && ls -d research bench tests 2>/dev/null; find backend frontend -name "*_test.py" -o -name "test_*.py" -o -name "*.test.[jt]s" -o -name conftest.py -o -path "*/tests/*" 2>/dev/null' || true)"
  [[ -z "${found}" ]] || fail "image ${service} contains: $(head -n 3 <<<"${found}" | tr '\n' ' ')"
  if docker run --rm --network none --entrypoint sh "lostfound/${service}:latest" -c \
    'ls /app/lib/python3.11/site-packages | grep -Eiq "^(nvidia|triton)"'; then
    fail "image ${service} carries CUDA packages"
  fi
done
echo "smoke: ${failures} failure(s)"
exit "${failures}"
