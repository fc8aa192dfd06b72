"""The whole stack on one machine, on embedded defaults: `./pants run deployment/local:stack`.

Builds the four service PEXes, applies the migrations, then runs API, NLP, vision and worker
(with beat) as separate processes under honcho (prefixed logs; Ctrl-C stops them all). State
(SQLite, file-system broker, photos) lives in DATA_DIR (default: var/stack in the repo).
"""

from __future__ import annotations

import argparse
import os
import shlex
import shutil
import subprocess
import sys
import threading
import time
from pathlib import Path

import httpx
from honcho.manager import Manager
from honcho.printer import Printer

SERVICES = {
    # name: (pants target, PEX under dist/, arguments)
    "api": ("backend/api:server", "backend.api/server.pex", ""),
    "nlp": ("backend/nlp:server", "backend.nlp/server.pex", ""),
    "vision": ("backend/vision:server", "backend.vision/server.pex", ""),
    "worker": ("backend/worker:worker", "backend.worker/worker.pex", "--beat --concurrency=2"),
}
MIGRATE = ("backend/api:migrate", "backend.api/migrate.pex")
PROBE = ("backend/worker:probe", "backend.worker/probe.pex")


def buildroot() -> Path:
    # `pants run` runs from the build root.
    root = Path.cwd()
    if not (root / "pants.toml").exists():
        sys.exit("stack: run me from the repository root (./pants run deployment/local:stack)")
    return root


def python311() -> str:
    return shutil.which("python3.11") or sys.executable


def build(root: Path) -> None:
    targets = [target for target, _, _ in SERVICES.values()] + [MIGRATE[0], PROBE[0]]
    print(f"stack: building {', '.join(targets)} ...", flush=True)
    # The outer `pants run` holds pantsd; a concurrent run must not wait for it.
    env = {**os.environ, "PANTS_CONCURRENT": "True"}
    subprocess.run([str(root / "pants"), "package", *targets], cwd=root, env=env, check=True)


def stack_env(args: argparse.Namespace) -> dict[str, str]:
    env = dict(os.environ)
    env.update(
        {
            "DATA_DIR": str(args.data_dir.resolve()),
            "HOST": "127.0.0.1",
            "NLP_URL": f"http://127.0.0.1:{args.nlp_port}",
            "VISION_URL": f"http://127.0.0.1:{args.vision_port}",
            "LOG_LEVEL": env.get("LOG_LEVEL", "INFO"),
        }
    )
    for name in ("DATABASE_URL", "BROKER_URL", "PORT"):
        env.pop(name, None)  # embedded defaults unless the user sets them explicitly below
    if args.database_url:
        env["DATABASE_URL"] = args.database_url
    if args.broker_url:
        env["BROKER_URL"] = args.broker_url
    return env


def wait_until_ready(
    args: argparse.Namespace, env: dict[str, str], dist: Path, manager: Manager
) -> None:
    urls = {
        "api": f"http://127.0.0.1:{args.api_port}/readyz",
        "nlp": f"http://127.0.0.1:{args.nlp_port}/readyz",
        "vision": f"http://127.0.0.1:{args.vision_port}/readyz",
    }
    pending = set(urls) | {"worker"}
    deadline = time.monotonic() + args.ready_timeout
    while pending and time.monotonic() < deadline:
        for name in sorted(pending):
            if name == "worker":
                probe = subprocess.run(
                    [python311(), str(dist / PROBE[1])], env=env, capture_output=True, timeout=30
                )
                ok = probe.returncode == 0
            else:
                try:
                    ok = httpx.get(urls[name], timeout=5).status_code == 200
                except httpx.HTTPError:
                    ok = False
            if ok:
                pending.discard(name)
        if pending:
            time.sleep(1)
    if pending:
        print(
            f"stack: NOT READY after {args.ready_timeout:.0f} s: {', '.join(sorted(pending))}",
            flush=True,
        )
        manager.terminate()
        return
    api = f"http://127.0.0.1:{args.api_port}"
    print(
        f"\nstack: ready. API {api}  |  OpenAPI {api}/docs  |  data in {args.data_dir}\n"
        "stack: try `./pants run deployment/local:demo`; Ctrl-C stops everything.\n",
        flush=True,
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument(
        "--data-dir", type=Path, default=Path(os.environ.get("DATA_DIR", "var/stack"))
    )
    parser.add_argument("--api-port", type=int, default=8000)
    parser.add_argument("--nlp-port", type=int, default=8001)
    parser.add_argument("--vision-port", type=int, default=8002)
    parser.add_argument("--database-url", default=None, help="default: SQLite in the data dir")
    parser.add_argument("--broker-url", default=None, help="default: files in the data dir")
    parser.add_argument("--ready-timeout", type=float, default=300)
    parser.add_argument("--no-build", action="store_true", help="use the PEXes already in dist/")
    args = parser.parse_args()

    root = buildroot()
    dist = root / "dist"
    if not args.no_build:
        build(root)
    args.data_dir.mkdir(parents=True, exist_ok=True)
    env = stack_env(args)
    python = python311()
    subprocess.run([python, str(dist / MIGRATE[1]), "upgrade"], env=env, check=True)

    manager = Manager(Printer(sys.stdout, colour=sys.stdout.isatty()))
    ports = {"api": args.api_port, "nlp": args.nlp_port, "vision": args.vision_port}
    for name, (_, pex, extra) in SERVICES.items():
        service_env = dict(env)
        if name in ports:
            service_env["PORT"] = str(ports[name])
        command = f"{shlex.quote(python)} {shlex.quote(str(dist / pex))} {extra}".strip()
        manager.add_process(name, command, env=service_env)
    watcher = threading.Thread(
        target=wait_until_ready, args=(args, env, dist, manager), daemon=True
    )
    watcher.start()
    manager.loop()
    sys.exit(manager.returncode)


if __name__ == "__main__":
    main()
