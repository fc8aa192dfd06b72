#!/usr/bin/env bash
# Makes a Docker engine and a base image available, then prints the environment that points
# Pants at them. On a machine with a working engine it changes nothing and prints nothing.
#
#   eval "$(build-support/docker/engine.sh start)"   # then ./pants package ::
#   build-support/docker/engine.sh stop
#
# Where no engine runs (CI machines here), it installs Debian's docker.io if missing, starts a
# private dockerd (no bridge network, own data root) and, as no registry is reachable, builds the
# base image from Debian packages with mmdebstrap: Debian's python3 (3.11) on bookworm minbase.
set -euo pipefail

state="${LOSTFOUND_DOCKER_STATE:-${XDG_CACHE_HOME:-${HOME}/.cache}/lostfound-docker}"
socket="${state}/docker.sock"
base_image="lostfound/base:bookworm-py311"

log() { echo "engine: $*" >&2; }

engine_works() { docker ${1:+-H "$1"} info >/dev/null 2>&1; }

install_packages() {
  local missing=()
  command -v dockerd >/dev/null || missing+=(docker.io)
  command -v mmdebstrap >/dev/null || missing+=(mmdebstrap)
  if ((${#missing[@]})); then
    log "installing ${missing[*]} from Debian"
    apt-get update -qq >&2
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >&2
  fi
}

start() {
  if [[ -z "${LOSTFOUND_PRIVATE_DOCKER:-}" ]] && engine_works ""; then
    return 0 # an engine is already there: use it as it is
  fi
  install_packages
  mkdir -p "${state}"
  if ! engine_works "unix://${socket}"; then
    # A dockerd killed without `stop` leaves its pid file and an nsfs mount behind.
    if [[ -f "${state}/dockerd.pid" ]] && ! kill -0 "$(cat "${state}/dockerd.pid")" 2>/dev/null; then
      rm -f "${state}/dockerd.pid"
      unmount_exec_root
    fi
    log "starting a private dockerd (${state})"
    dockerd --iptables=false --ip-masq=false --bridge=none --ip-forward=false \
      --userland-proxy=false --storage-driver=overlay2 \
      --data-root "${state}/data" --exec-root "${state}/exec" --pidfile "${state}/dockerd.pid" \
      -H "unix://${socket}" >"${state}/dockerd.log" 2>&1 &
    for _ in $(seq 1 60); do
      engine_works "unix://${socket}" && break
      sleep 1
    done
    engine_works "unix://${socket}" || {
      tail -n 30 "${state}/dockerd.log" >&2
      exit 1
    }
  fi
  if ! docker -H "unix://${socket}" image inspect "${base_image}" >/dev/null 2>&1; then
    log "building ${base_image} from Debian packages (mmdebstrap)"
    mmdebstrap --variant=minbase --include=python3,python3-venv,ca-certificates bookworm \
      "${state}/rootfs.tar" >&2
    docker -H "unix://${socket}" import \
      --change 'ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin' \
      "${state}/rootfs.tar" "${base_image}" >&2
    rm -f "${state}/rootfs.tar"
  fi
  # BuildKit needs a bridge network for RUN; the legacy builder does not.
  echo "export DOCKER_HOST=unix://${socket} BASE_IMAGE=${base_image} DOCKER_BUILDKIT=0"
}

stop() {
  local pid
  # Read once: dockerd removes its pid file as it exits.
  pid="$(cat "${state}/dockerd.pid" 2>/dev/null)" || return 0
  log "stopping the private dockerd"
  kill "${pid}" 2>/dev/null || true
  for _ in $(seq 1 30); do
    kill -0 "${pid}" 2>/dev/null || break
    sleep 1
  done
  unmount_exec_root
}

unmount_exec_root() {
  # dockerd can leave an nsfs mount under its exec root.
  grep -o "${state}/exec[^ ]*" /proc/mounts 2>/dev/null | sort -r | xargs -r -n1 umount 2>/dev/null || true
}

case "${1:-start}" in
  start) start ;;
  stop) stop ;;
  *)
    echo "usage: $0 start|stop" >&2
    exit 2
    ;;
esac
