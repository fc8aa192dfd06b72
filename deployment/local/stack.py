"""The whole stack on one machine, on embedded defaults: `./pants run deployment/local:stack`.

Builds the service PEXes, applies the migrations, then runs API, NLP, vision, worker (with
beat) and the web app as separate processes with prefixed logs (deployment/local/supervisor.py:
Ctrl-C stops them all, and so does the end of this process, however it ends). State (SQLite,
file-system broker, photos) lives in DATA_DIR (default: var/stack in the repo).
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import threading
import time
from pathlib import Path

import httpx

from deployment.local.supervisor import Supervisor

SERVICES = {
    # name: (pants target, PEX under dist/, arguments)
    "api": ("backend/api:server", "backend.api/server.pex", []),
    "nlp": ("backend/nlp:server", "backend.nlp/server.pex", []),
    "vision": ("backend/vision:server", "backend.vision/server.pex", []),
    "worker": ("backend/worker:worker", "backend.worker/worker.pex", ["--beat", "--concurrency=2"]),
    "web": ("frontend/web:server", "frontend.web/server.pex", []),
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
    print(
        f"stack: building {', '.join(targets)} ...\n"
        "stack: the first time on a machine this downloads every wheel and npm package, builds "
        "the web app and seven PEXes "
        "(about 5 minutes on 2 cores); afterwards it takes seconds.",
        flush=True,
    )
    command, env = [str(root / "pants"), "package", *targets], terminal_env()
    if env.pop("LOSTFOUND_PANTSD_FREE", None):
        # This `pants run` went without pantsd (./pants' way), so the build may use it: a warm
        # daemon answers in seconds where a Pants of its own builds its graph anew (~15 s). If
        # another command holds pantsd past Pants' wait (60 s), the build goes without it. (A
        # shorter wait, set as an option, made the next command recompute its options: +5 s.)
        through_pantsd = {name: value for name, value in env.items() if name != "PANTS_CONCURRENT"}
        if subprocess.run(command, cwd=root, env=through_pantsd).returncode == 0:
            return
        print("stack: building again without pantsd ...", flush=True)
    # Beside this `pants run`, which may itself hold pantsd: this build must not wait for it.
    subprocess.run(command, cwd=root, env={**env, "PANTS_CONCURRENT": "True"}, check=True)


def terminal_env() -> dict[str, str]:
    """The environment of the terminal that ran `./pants run`, without what this PEX's own venv
    added: its PEX_* variables, VIRTUAL_ENV and its bin/ at the head of PATH. Pants looks for
    Python on PATH: with the venv's python first, the build above asked for other interpreters
    than every other Pants run, missed all of their cached work and built every PEX again (on a
    clean machine, the 7 PEXes, the ONNX export and the web app a second time)."""
    env = {name: value for name, value in os.environ.items() if not name.startswith("PEX_")}
    env.pop("PEX", None)
    venv = env.pop("VIRTUAL_ENV", None)
    if venv:
        own_bin = os.path.join(venv, "bin")
        path = env.get("PATH", "").split(os.pathsep)
        env["PATH"] = os.pathsep.join(entry for entry in path if entry.rstrip("/") != own_bin)
    return env


def stack_env(args: argparse.Namespace) -> dict[str, str]:
    # Not the PEX_* of the `pants run` sandbox: each service PEX uses its own cache (~/.pex).
    env = terminal_env()
    env.update(
        {
            "DATA_DIR": str(args.data_dir.resolve()),
            "HOST": "127.0.0.1",
            "NLP_URL": f"http://127.0.0.1:{args.nlp_port}",
            "VISION_URL": f"http://127.0.0.1:{args.vision_port}",
            # The web app's pages call the API from the browser: its origin, and only it.
            "API_URL": f"http://127.0.0.1:{args.api_port}",
            "CORS_ORIGINS": json.dumps(
                [f"http://127.0.0.1:{args.web_port}", f"http://localhost:{args.web_port}"]
            ),
            "LOG_LEVEL": env.get("LOG_LEVEL", "INFO"),
        }
    )
    for name in ("DATABASE_URL", "BROKER_URL", "PORT", "METRICS_PORT"):
        env.pop(name, None)  # embedded defaults unless the user sets them explicitly below
    if args.database_url:
        env["DATABASE_URL"] = args.database_url
    if args.broker_url:
        env["BROKER_URL"] = args.broker_url
    return env


def readiness(url: str) -> str | None:
    """None when ready, else what the service says it is waiting for."""
    try:
        response = httpx.get(url, timeout=5)
    except httpx.HTTPError as exc:
        return f"not answering yet ({type(exc).__name__})"
    if response.status_code == 200:
        return None
    return failing_checks(response.text) or f"/readyz answered {response.status_code}"


def failing_checks(report: str) -> str:
    """The checks a readiness report (JSON: `{"<check>": {"ok", "error"}, ...}`) says failed."""
    try:
        body = json.loads(report)
    except ValueError:
        return ""
    if not isinstance(body, dict):
        return ""
    return "; ".join(
        f"{k}: {v.get('error', 'not ready')}"
        for k, v in body.items()
        if isinstance(v, dict) and not v.get("ok", True)
    )


def wait_until_ready(
    args: argparse.Namespace, env: dict[str, str], dist: Path, supervisor: Supervisor
) -> None:
    urls = {
        "api": f"http://127.0.0.1:{args.api_port}/readyz",
        "nlp": f"http://127.0.0.1:{args.nlp_port}/readyz",
        "vision": f"http://127.0.0.1:{args.vision_port}/readyz",
        "web": f"http://127.0.0.1:{args.web_port}/readyz",
    }
    waiting: dict[str, str] = {name: "starting" for name in [*urls, "worker"]}
    started = time.monotonic()
    last_report = started
    while waiting and not supervisor.stopping.is_set():
        for name in sorted(waiting):
            if name == "worker":
                probe = subprocess.run(
                    [python311(), str(dist / PROBE[1])], env=env, capture_output=True, timeout=60
                )
                reason = (
                    None
                    if probe.returncode == 0
                    else failing_checks(probe.stdout.decode(errors="replace")) or "its probe failed"
                )
            else:
                reason = readiness(urls[name])
            if reason is None:
                waiting.pop(name)
                supervisor.say(f"{name} ready after {time.monotonic() - started:.0f} s")
            else:
                waiting[name] = reason
        elapsed = time.monotonic() - started
        if waiting and elapsed > args.ready_timeout:
            detail = "; ".join(f"{name}: {reason}" for name, reason in sorted(waiting.items()))
            supervisor.say(f"NOT READY after {args.ready_timeout:.0f} s: {detail}")
            supervisor.stop_all("not ready in time")
            return
        if waiting and time.monotonic() - last_report >= 10:
            last_report = time.monotonic()
            detail = "; ".join(f"{name}: {reason}" for name, reason in sorted(waiting.items()))
            supervisor.say(f"waiting ({elapsed:.0f} s): {detail}")
        if waiting:
            time.sleep(1)
    if supervisor.stopping.is_set():
        return
    api = f"http://127.0.0.1:{args.api_port}"
    web = f"http://127.0.0.1:{args.web_port}"
    supervisor.say(
        f"ready. Web app {web}  |  API {api}  |  OpenAPI {api}/docs  |  data in {args.data_dir}"
    )
    metrics = "  ".join(
        f"{name} http://127.0.0.1:{port}/metrics" for name, port in metrics_ports(args).items()
    )
    supervisor.say(f"metrics (Prometheus text): {metrics}")
    supervisor.say(
        "try `./pants run deployment/local:demo` in a second terminal; Ctrl-C here stops everything"
    )


def metrics_ports(args: argparse.Namespace) -> dict[str, int]:
    """Each process's metrics port: --metrics-port-base and the next four, in SERVICES' order."""
    return {name: args.metrics_port_base + i for i, name in enumerate(SERVICES)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument(
        "--data-dir", type=Path, default=Path(os.environ.get("DATA_DIR", "var/stack"))
    )
    parser.add_argument("--api-port", type=int, default=8000)
    parser.add_argument("--nlp-port", type=int, default=8001)
    parser.add_argument("--vision-port", type=int, default=8002)
    parser.add_argument("--web-port", type=int, default=8003)
    parser.add_argument(
        "--metrics-port-base",
        type=int,
        default=9100,
        help="api's metrics on this port, then nlp, vision, worker and web on the next ones",
    )
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

    supervisor = Supervisor()
    supervisor.say(
        "starting api, nlp, vision, worker and web; on their first start the NLP and vision PEXes "
        "unpack about 1.2 GB (about 25 s), then NLP loads its models (about 5 s)"
    )
    ports = {
        "api": args.api_port,
        "nlp": args.nlp_port,
        "vision": args.vision_port,
        "web": args.web_port,
    }
    with supervisor.signals_stop():
        for name, (_, pex, extra) in SERVICES.items():
            service_env = dict(env)
            if name in ports:
                service_env["PORT"] = str(ports[name])
            service_env["METRICS_PORT"] = str(metrics_ports(args)[name])
            supervisor.start(name, [python, str(dist / pex), *extra], service_env)
        supervisor.start_reaper()
        watcher = threading.Thread(
            target=wait_until_ready, args=(args, env, dist, supervisor), daemon=True
        )
        watcher.start()
        code = supervisor.wait()
    sys.exit(code)


if __name__ == "__main__":
    main()
